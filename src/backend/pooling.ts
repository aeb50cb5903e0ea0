import { guardAllocations, torchDType, type Allocation } from './guard';
import { nchwToNhwc, nhwcToNchw } from './layout';
import { constantPad } from './pad';
import { tf } from './runtime';

/** 2-D pooling over the last two dimensions of an NCHW-like tensor, or of a channels-last `[N, H, W, C]` one. */

/** Windows of one axis: output `j` reads input positions `starts[j], starts[j] + step, …` below `ends[j]`. */
export interface Windows {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly step: number;
}

/**
 * The same windows when they all have `kernel` consecutive positions, `stride` apart, over the
 * input padded by `before` and `after` (a negative `after` crops): the form tfjs's pooling
 * kernels take. tfjs is never asked to pad or round: its `'ceil'` rounding is wrong on wasm
 * when the last window is partial, and a bare number or `'same'` pads by its own rule.
 */
export interface UniformWindows {
  readonly kernel: number;
  readonly stride: number;
  readonly before: number;
  readonly after: number;
}

/** An axis's windows, with their uniform form when they have one. */
export interface AxisWindows {
  readonly windows: Windows;
  readonly uniform: UniformWindows | null;
}

/**
 * Max pooling; with `indices`, also each maximum's flat position `h·W + w` in its plane (int32,
 * as PyTorch's int64 indices). NaN wins, and among equal maxima the first in row-major order,
 * as in ATen's CPU kernel.
 */
export function maxPool2d(x: tf.Tensor, channelsLast: boolean, h: AxisWindows, w: AxisWindows, indices: boolean): [tf.Tensor, tf.Tensor | null] {
  guardPooled(pooledShape(x, channelsLast, h, w), x.dtype, indices);
  const x4 = asPooled(x, channelsLast);
  const [values, where] =
    !indices && h.uniform !== null && w.uniform !== null ? [maxPoolUniform(x4, h.uniform, w.uniform), null] : windowMax(x4, h.windows, w.windows, indices);
  return [fromPooled(values, x, channelsLast), where === null ? null : fromPooled(where, x, channelsLast)];
}

/**
 * Average pooling: over uniform windows of the zero-padded input, times `scale` (`[Ho·Wo]`,
 * row-major, or null) where PyTorch's divisor is not the window's size; over other windows,
 * the plain mean.
 */
export function avgPool2d(x: tf.Tensor, channelsLast: boolean, h: AxisWindows, w: AxisWindows, scale: Float32Array | null): tf.Tensor {
  guardPooled(pooledShape(x, channelsLast, h, w), x.dtype, false);
  const x4 = asPooled(x, channelsLast);
  const y = h.uniform !== null && w.uniform !== null ? avgPoolUniform(x4, h.uniform, w.uniform, scale) : windowMean(x4, h.windows, w.windows);
  return fromPooled(y, x, channelsLast);
}

/**
 * The allocation guard for a pooling's result of `shape` (and its int64 indices): adaptive
 * pooling calls it before making windows for an output size it was given.
 */
export function guardPooled(shape: readonly number[], dtype: string, indices: boolean): void {
  const values: Allocation = { shape, dtype: torchDType(dtype) };
  guardAllocations(indices ? [values, { shape, dtype: 'int64' }] : [values]);
}

/** The shape pooling `x` over windows `h` and `w` gives, in `x`'s layout. */
function pooledShape(x: tf.Tensor, channelsLast: boolean, h: AxisWindows, w: AxisWindows): number[] {
  const [ho, wo] = [h.windows.starts.length, w.windows.starts.length];
  return channelsLast ? [x.shape[0] as number, ho, wo, x.shape[3] as number] : [...x.shape.slice(0, -2), ho, wo];
}

/** A pooling's result when there is nothing to pool: zeros of `shape`. */
export const emptyPool = (shape: readonly number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor => tf.zeros([...shape], dtype);

/**
 * The input as tfjs's pooling kernels take it, `[N, H, W, C]`: a 4-D or 3-D NCHW tensor is
 * transposed (wasm's kernels are an order of magnitude slower on one-channel planes than the
 * transposes cost), another rank (adaptive 1×1 pooling's mean over the last two dimensions of
 * any tensor) is viewed as `[planes, H, W, 1]`.
 */
function asPooled(x: tf.Tensor, channelsLast: boolean): tf.Tensor4D {
  if (channelsLast) return x as tf.Tensor4D;
  if (x.rank === 4 || x.rank === 3) return nchwToNhwc((x.rank === 3 ? tf.expandDims(x, 0) : x) as tf.Tensor4D);
  return tf.reshape(x, [-1, x.shape[x.rank - 2], x.shape[x.rank - 1], 1]);
}

/** {@link asPooled}'s inverse for a pooled result. */
function fromPooled(y: tf.Tensor4D, x: tf.Tensor, channelsLast: boolean): tf.Tensor {
  if (channelsLast) return y;
  if (x.rank === 4) return nhwcToNchw(y);
  if (x.rank === 3) return tf.squeeze(nhwcToNchw(y), [0]);
  return tf.reshape(y, [...x.shape.slice(0, -2), y.shape[1], y.shape[2]]);
}

const spatialPads = (h: UniformWindows, w: UniformWindows) => [[0, 0], [h.before, h.after], [w.before, w.after], [0, 0]] as const;

/** Max over uniform windows, the padding being −∞ so that it never wins. */
function maxPoolUniform(x: tf.Tensor4D, h: UniformWindows, w: UniformWindows): tf.Tensor4D {
  const padded = constantPad(x, spatialPads(h, w), -Infinity) as tf.Tensor4D;
  return withNaN(padded, tf.maxPool(padded, [h.kernel, w.kernel], [h.stride, w.stride], 'valid'), h, w);
}

function avgPoolUniform(x: tf.Tensor4D, h: UniformWindows, w: UniformWindows, scale: Float32Array | null): tf.Tensor4D {
  // One window over the whole plane is ATen's 1×1 adaptive pool, which takes the mean.
  const whole = (u: UniformWindows, size: number) => u.before === 0 && u.after === 0 && u.kernel === size;
  if (scale === null && whole(h, x.shape[1]) && whole(w, x.shape[2])) return tf.mean(x, [1, 2], true);
  const padded = constantPad(x, spatialPads(h, w), 0) as tf.Tensor4D;
  const mean = withNaN(padded, tf.avgPool(padded, [h.kernel, w.kernel], [h.stride, w.stride], 'valid'), h, w);
  if (scale === null) return mean;
  return tf.mul(mean, tf.tensor(scale, [1, mean.shape[1], mean.shape[2], 1]));
}

/**
 * `pooled` with NaN wherever its window holds a NaN, as in PyTorch. tfjs's max-pool kernels
 * skip NaN on every backend, and wasm's average pool turns it into −∞.
 */
function withNaN(padded: tf.Tensor4D, pooled: tf.Tensor4D, h: UniformWindows, w: UniformWindows): tf.Tensor4D {
  if (padded.dtype !== 'float32') return pooled;
  // A zero filter over the sigmoid of the input (which keeps NaN and makes ±∞ finite, so that
  // no product with 0 is NaN but NaN's) gives NaN exactly where a window holds one, and 0
  // elsewhere: about a third of the time of an isNaN mask on wasm, whose bool-to-float cast
  // alone costs more than the pooling.
  const zero = tf.zeros([h.kernel, w.kernel, padded.shape[3], 1]) as tf.Tensor4D;
  return tf.add(pooled, tf.depthwiseConv2d(tf.sigmoid(padded), zero, [h.stride, w.stride], 'valid'));
}

/** Per window of `win`, its number of positions. */
const countsOf = (win: Windows): number[] => Array.from(win.starts, (s, j) => Math.ceil((win.ends[j] - s) / win.step));

/**
 * The positions each window reads at its `t`-th step. A window shorter than that reads `past`
 * instead: its own last position for a maximum (which cannot win again), or a zero appended
 * after the input for a sum.
 */
function positionsAt(win: Windows, counts: readonly number[], t: number, past: 'last' | number): tf.Tensor1D {
  const at = (n: number, j: number) => win.starts[j] + Math.min(t, n - 1) * win.step;
  return tf.tensor1d(Int32Array.from(counts, (n, j) => (t < n || past === 'last' ? at(n, j) : past)), 'int32');
}

/** A `[1, 1, 1, 1]`-like shape with `n` along `axis`, for per-window values broadcast over the rest. */
const axisShape = (axis: 1 | 2, n: number): number[] => [1, axis === 1 ? n : 1, axis === 2 ? n : 1, 1];

/**
 * Max over arbitrary windows, one axis after the other, comparing as ATen's CPU kernel does: a
 * value replaces the running maximum when it is greater or NaN. Reducing W before H keeps
 * ATen's choice among equal maxima, the first in row-major order.
 */
function windowMax(x: tf.Tensor4D, h: Windows, w: Windows, indices: boolean): [tf.Tensor4D, tf.Tensor4D | null] {
  const [rows, columns] = maxAxis(x, 2, w, indices ? null : undefined, 1);
  return maxAxis(rows, 1, h, indices ? columns : undefined, x.shape[2]);
}

/**
 * One axis of {@link windowMax}. `carry` holds the positions found on the axes reduced so far
 * (null: none reduced yet; undefined: positions not wanted); a candidate's position is
 * `position·scale + carry`.
 */
function maxAxis(x: tf.Tensor4D, axis: 1 | 2, win: Windows, carry: tf.Tensor4D | null | undefined, scale: number): [tf.Tensor4D, tf.Tensor4D | null] {
  const counts = countsOf(win);
  let best: tf.Tensor4D | null = null;
  let where: tf.Tensor4D | null = null;
  for (let t = 0; t < Math.max(...counts); t++) {
    const index = positionsAt(win, counts, t, 'last');
    const value = tf.gather(x, index, axis) as tf.Tensor4D;
    let candidate: tf.Tensor4D | null = null;
    if (carry !== undefined) {
      const position = repeatAlong(index.dataSync() as Int32Array, value.shape, axis, scale);
      candidate = carry === null ? position : (tf.add(position, tf.gather(carry, index, axis)) as tf.Tensor4D);
    }
    if (best === null) {
      [best, where] = [value, candidate];
      continue;
    }
    const better: tf.Tensor = tf.logicalOr(tf.greater(value, best), tf.isNaN(value));
    best = tf.where(better, value, best) as tf.Tensor4D;
    if (candidate !== null) where = tf.where(better, candidate, where!) as tf.Tensor4D;
  }
  return [best!, where];
}

/**
 * An int32 tensor of `shape` holding `values[j]·scale` wherever the index along `axis` is `j`,
 * written directly: wasm's broadcasting (Tile) is far slower than filling the array.
 */
function repeatAlong(values: Int32Array, shape: readonly number[], axis: number, scale: number): tf.Tensor4D {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out = new Int32Array(outer * values.length * inner);
  for (let o = 0, at = 0; o < outer; o++) {
    for (let j = 0; j < values.length; j++, at += inner) out.fill(values[j] * scale, at, at + inner);
  }
  return tf.tensor4d(out, shape as [number, number, number, number], 'int32');
}

/** Mean over arbitrary windows, one axis after the other: the sums of each window's positions over their count. */
function windowMean(x: tf.Tensor4D, h: Windows, w: Windows): tf.Tensor4D {
  return meanAxis(meanAxis(x, 2, w), 1, h);
}

function meanAxis(x: tf.Tensor4D, axis: 1 | 2, win: Windows): tf.Tensor4D {
  const counts = countsOf(win);
  const size = x.shape[axis];
  const pads = x.shape.map((_, i) => [0, i === axis ? 1 : 0]) as [number, number][];
  // Short windows read the appended zero rather than being masked or multiplied by zero, which
  // would spread a NaN or ∞ beyond its own windows.
  const extended = counts.some((n) => n < Math.max(...counts)) ? tf.pad(x, pads) : x;
  let sum: tf.Tensor | null = null;
  for (let t = 0; t < Math.max(...counts); t++) {
    const value = tf.gather(extended, positionsAt(win, counts, t, size), axis);
    sum = sum === null ? value : tf.add(sum, value);
  }
  const divisors = tf.broadcastTo(tf.tensor(counts, axisShape(axis, counts.length)), sum!.shape);
  return tf.div(sum!, divisors) as tf.Tensor4D;
}
