import { guardAllocations, type AllocDType, type Allocation } from './guard';
import { clone } from './ops';
import { tf } from './runtime';

/** Per-dimension `[before, after]` padding for every dimension of the input, outermost first. */
export type DimPads = ReadonlyArray<readonly [number, number]>;

/**
 * Constant padding; negative amounts crop. tfjs's pad takes only non-negative amounts, so we pad
 * by the positive parts and slice off the negative ones.
 */
export function constantPad(x: tf.Tensor, pads: DimPads, value: number): tf.Tensor {
  const grow = pads.map(([b, a]) => [Math.max(b, 0), Math.max(a, 0)] as [number, number]);
  const dtype = x.dtype as AllocDType;
  const out: Allocation = { shape: pads.map(([b, a], i) => x.shape[i] + b + a), dtype };
  const crops = pads.some(([b, a]) => b < 0 || a < 0);
  guardAllocations(crops ? [out, { shape: grow.map(([b, a], i) => x.shape[i] + b + a), dtype }] : [out]);
  // Even padding by nothing returns a new tensor, as PyTorch's does: the caller owns the result.
  const padded = grow.some(([b, a]) => b > 0 || a > 0) ? tf.pad(x, grow, value) : clone(x);
  if (!crops) return padded;
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
  const dtype = x.dtype as AllocDType;
  const shape = [...x.shape];
  const steps = axes.map(({ axis, length }): Allocation => ((shape[axis] = length), { shape: [...shape], dtype }));
  // The last step is the output: listed first, it is what a refusal names, as PyTorch's would.
  guardAllocations([...steps.reverse(), ...axes.map(({ length }): Allocation => ({ shape: [length], dtype: 'int32' }))]);
  // wasm's GatherV2 returns a wrongly shaped tensor for an empty input; there is nothing to copy.
  if (x.size === 0) return tf.zeros(shape, x.dtype);
  return axes.reduce((y, { axis, length, source }) => {
    const idx = Int32Array.from({ length }, (_, i) => source(i));
    return tf.gather(y, tf.tensor1d(idx, 'int32'), axis);
  }, x);
}
