import { tf } from './runtime';

/** Per-dimension `[before, after]` padding for every dimension of the input, outermost first. */
export type DimPads = ReadonlyArray<readonly [number, number]>;

/**
 * Constant padding; negative amounts crop. tfjs's pad takes only non-negative amounts, so we pad
 * by the positive parts and slice off the negative ones.
 */
export function constantPad(x: tf.Tensor, pads: DimPads, value: number): tf.Tensor {
  const grow = pads.map(([b, a]) => [Math.max(b, 0), Math.max(a, 0)] as [number, number]);
  // Even padding by nothing returns a new tensor, as PyTorch's does: the caller owns the result.
  const padded = grow.some(([b, a]) => b > 0 || a > 0) ? tf.pad(x, grow, value) : tf.clone(x);
  if (!pads.some(([b, a]) => b < 0 || a < 0)) return padded;
  const begin = pads.map(([b]) => Math.max(-b, 0));
  const size = pads.map(([b, a], i) => x.shape[i] + b + a);
  return tf.slice(padded, begin, size);
}

/** One padded axis: its output length and, per output position, the input position it copies. */
export interface AxisGather {
  axis: number;
  length: number;
  source: (outIndex: number) => number;
}

/**
 * Index-mapped padding (reflect, replicate, circular): each padded axis is one gather with a
 * precomputed source index per output position — an exact copy on every backend.
 */
export function gatherPad(x: tf.Tensor, axes: readonly AxisGather[]): tf.Tensor {
  if (x.size === 0) {
    // wasm's GatherV2 returns a wrongly shaped tensor for an empty input; there is nothing to copy.
    const shape = [...x.shape];
    axes.forEach(({ axis, length }) => (shape[axis] = length));
    return tf.zeros(shape);
  }
  return axes.reduce((y, { axis, length, source }) => {
    const idx = Int32Array.from({ length }, (_, i) => source(i));
    return tf.gather(y, tf.tensor1d(idx, 'int32'), axis);
  }, x);
}
