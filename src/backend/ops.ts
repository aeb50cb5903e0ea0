/**
 * The tfjs operations behind `torch.*` tensor functions and Tensor methods. The callers
 * (src/functional/tensor) have already applied PyTorch's checks, dim wrapping, broadcasting and
 * type promotion; what is here is the arithmetic, in tfjs's terms, and the places where tfjs
 * differs from ATen in a way the caller must not see (softmax and topk only along the last
 * axis, no bool arithmetic).
 */
import { guardAllocation, guardAllocations, guardBroadcast, torchDType } from './guard';
import type { LoadedDType } from './tensor';
import { AXIS_KERNEL_BACKENDS, concatAxis, sliceAxis } from './kernels/axis';
import { tf } from './runtime';

type T = tf.Tensor;

/**
 * The allocation guard for an output of `shape`: each operation here whose result can be larger
 * than its inputs (broadcasting, tiling, concatenating, gathering, filling, a matrix product, a
 * cast to a wider dtype) calls it before tfjs allocates. The others (views, slices, unary
 * elementwise ops, reductions, transposes, sorting) make at most an input's size, which exists,
 * and the wasm backend's own stores are guarded too (`guardWasmWrites`).
 */
const sized = (shape: readonly number[], dtype: string): void => guardAllocation(shape, torchDType(dtype));

/**
 * `x` as `dtype`: a new tensor even when the dtype is already right, so the caller owns it. To
 * bool is `x != 0`, as in PyTorch (wasm's cast keeps an int's value and truncates a float first).
 */
export function cast(x: T, dtype: LoadedDType): T {
  if (x.dtype === dtype) return clone(x);
  sized(x.shape, dtype);
  return dtype === 'bool' ? tf.tidy(() => tf.notEqual(x, tf.scalar(0, x.dtype))) : tf.cast(x, dtype);
}
/**
 * A new handle on `x`'s data: what PyTorch returns as a view or as `self`. A reshape to the same
 * shape shares the data on every backend, where wasm's Identity (`tf.clone`) copies it.
 */
export const clone = (x: T): T => tf.reshape(x, x.shape);
export const scalar = (value: number, dtype: LoadedDType): T => tf.scalar(value, dtype);
export const reshape = (x: T, shape: readonly number[]): T => tf.reshape(x, [...shape]);
/**
 * `tf.transpose(x, perm)` at the smallest rank that moves the same elements: size-1 dims are
 * dropped and dims that stay adjacent are merged, which is exact (only the view changes).
 * tfjs-wasm's rank-5 transposes are ~23× slower than rank-4 ones, and a channel shuffle's
 * `[N, g, C/g, H, W]` swap of dims 1 and 2 is a rank-3 `[g, C/g, H·W]` one at batch 1.
 */
export function transpose(x: T, perm: readonly number[]): T {
  const outShape = perm.map((d) => x.shape[d]);
  const kept = perm.filter((d) => x.shape[d] !== 1);
  const order = [...kept].sort((a, b) => a - b);
  const runs: number[][] = [];
  for (const d of kept) {
    const last = runs[runs.length - 1];
    if (last !== undefined && order.indexOf(last[last.length - 1]) + 1 === order.indexOf(d)) last.push(d);
    else runs.push([d]);
  }
  const bySource = [...runs].sort((a, b) => a[0] - b[0]);
  const merged = runs.map((run) => bySource.indexOf(run));
  if (merged.every((p, i) => p === i)) return tf.reshape(x, outShape);
  if (runs.length === perm.length) return tf.transpose(x, [...perm]);
  const inner = bySource.map((run) => run.reduce((n, d) => n * x.shape[d], 1));
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, inner), merged), outShape));
}
/**
 * `xs` joined along `axis`, each cast to `dtype` first (the casts, at most the output's size
 * together, are guarded with it before any is made).
 */
export function concat(xs: readonly T[], axis: number, dtype: LoadedDType = xs[0].dtype as LoadedDType): T {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
  const out = { shape, dtype: torchDType(dtype) };
  guardAllocations(xs.some((x) => x.dtype !== dtype) ? [out, out] : [out]);
  return tf.tidy(() => {
    const ys = xs.map((x) => (x.dtype === dtype ? x : cast(x, dtype)));
    const alike = ys.every((y) => y.rank === shape.length && y.shape.every((d, i) => i === axis || d === shape[i]));
    return ys.length > 1 && alike && ownKernels(dtype, shape) ? concatAxis(ys, axis) : tf.concat(ys, axis);
  });
}

/** Whether our own slice and concat kernels (./kernels/axis) take a result of `dtype` and `shape` here. */
const ownKernels = (dtype: string, shape: readonly number[]): boolean =>
  AXIS_KERNEL_BACKENDS.includes(tf.getBackend()) && dtype !== 'complex64' && dtype !== 'string' && shape.every((d) => d > 0);

/** `x`'s positions `begin[i] … begin[i] + size[i] − 1` along each dim `i`. */
export function slice(x: T, begin: readonly number[], size: readonly number[]): T {
  const axes = x.shape.flatMap((d, i) => (begin[i] !== 0 || size[i] !== d ? [i] : []));
  if (axes.length === 0) return clone(x);
  if (axes.length === 1 && ownKernels(x.dtype, size)) return sliceAxis(x, axes[0], begin[axes[0]], size[axes[0]]);
  return tf.slice(x, [...begin], [...size]);
}
export function gather(x: T, indices: readonly number[], axis: number): T {
  guardAllocations([{ shape: x.shape.map((d, i) => (i === axis ? indices.length : d)), dtype: torchDType(x.dtype) }, { shape: [indices.length], dtype: 'int32' }]);
  return tf.tidy(() => tf.gather(x, tf.tensor1d([...indices], 'int32'), axis));
}
export const reverse = (x: T, axes: readonly number[]): T => tf.reverse(x, [...axes]);
export const tile = (x: T, reps: readonly number[]): T => (sized(x.shape.map((d, i) => d * reps[i]), x.dtype), tf.tile(x, [...reps]));
export const broadcastTo = (x: T, shape: readonly number[]): T => (sized(shape, x.dtype), tf.broadcastTo(x, [...shape]));
export function fill(shape: readonly number[], value: number, dtype: LoadedDType): T {
  if (dtype !== 'bool') return sized(shape, dtype), tf.fill([...shape], value, dtype);
  guardAllocations([{ shape, dtype: 'bool' }, { shape, dtype: 'int32' }]);
  return tf.tidy(() => tf.cast(tf.fill([...shape], value ? 1 : 0, 'int32'), 'bool'));
}
export const where = (condition: T, a: T, b: T): T => (guardBroadcast(torchDType(a.dtype), condition.shape, a.shape, b.shape), tf.where(condition, a, b));

/** A binary elementwise op whose broadcast result (of `a`'s dtype, or bool) is guarded first. */
const elementwise =
  (f: (a: T, b: T) => T, out?: 'bool') =>
  (a: T, b: T): T => (guardBroadcast(torchDType(out ?? a.dtype), a.shape, b.shape), f(a, b));

/** Elementwise operations on operands already of one dtype (bool ones done on int32 by the caller). */
export const binary = {
  add: elementwise(tf.add),
  sub: elementwise(tf.sub),
  mul: elementwise(tf.mul),
  div: elementwise(tf.div),
  floorDiv: elementwise(tf.floorDiv),
  pow: elementwise(tf.pow),
  maximum: elementwise(tf.maximum),
  minimum: elementwise(tf.minimum),
  eq: elementwise(tf.equal, 'bool'),
  ne: elementwise(tf.notEqual, 'bool'),
  gt: elementwise(tf.greater, 'bool'),
  ge: elementwise(tf.greaterEqual, 'bool'),
  lt: elementwise(tf.less, 'bool'),
  le: elementwise(tf.lessEqual, 'bool'),
  and: elementwise(tf.logicalAnd, 'bool'),
  or: elementwise(tf.logicalOr, 'bool'),
} satisfies Record<string, (a: T, b: T) => T>;

export const unary = {
  neg: tf.neg,
  abs: tf.abs,
  exp: tf.exp,
  log: tf.log,
  sqrt: tf.sqrt,
  rsqrt: tf.rsqrt,
  sigmoid: tf.sigmoid,
  tanh: tf.tanh,
  relu: tf.relu,
  floor: tf.floor,
  ceil: tf.ceil,
  sign: tf.sign,
  isNaN: tf.isNaN,
  isFinite: tf.isFinite,
} satisfies Record<string, (x: T) => T>;

/** Reductions over `axes` (all of them when empty is not what is meant: the caller lists them). */
export const reduce = {
  sum: tf.sum,
  mean: tf.mean,
  max: tf.max,
  min: tf.min,
  prod: tf.prod,
  all: tf.all,
  any: tf.any,
} satisfies Record<string, (x: T, axes: number[], keepDims: boolean) => T>;

export const argMax = (x: T, axis: number): T => tf.argMax(x, axis);
export const argMin = (x: T, axis: number): T => tf.argMin(x, axis);

/** The permutation swapping `axis` with the last one (its own inverse), or null when it is the last. */
function swapLast(rank: number, axis: number): number[] | null {
  if (axis === rank - 1) return null;
  const perm = [...Array(rank).keys()];
  [perm[axis], perm[rank - 1]] = [perm[rank - 1], perm[axis]];
  return perm;
}
/** tfjs's softmax runs on the last axis only, so another axis goes there and back. */
function onLastAxis(x: T, axis: number, f: (y: T) => T): T {
  const perm = swapLast(x.rank, axis);
  return perm === null ? f(x) : tf.transpose(f(tf.transpose(x, perm)), perm);
}
export const softmax = (x: T, axis: number): T => (x.rank === 0 ? tf.onesLike(x) : onLastAxis(x, axis, (y) => tf.softmax(y)));
export const logSoftmax = (x: T, axis: number): T => (x.rank === 0 ? tf.zerosLike(x) : onLastAxis(x, axis, (y) => tf.logSoftmax(y)));

/**
 * The `k` largest along `axis` in descending order, equal values by ascending index (as ATen's
 * CPU kernels order ties); the smallest are the largest of the negation.
 */
export function topk(x: T, k: number, axis: number, largest: boolean): [T, T] {
  const perm = swapLast(x.rank, axis);
  const back = (t: T) => (perm === null ? t : tf.transpose(t, perm));
  return tf.tidy(() => {
    const src = perm === null ? x : tf.transpose(x, perm);
    const { values, indices } = tf.topk(largest ? src : tf.neg(src), k, true);
    return [back(largest ? values : tf.neg(values)), back(indices)];
  });
}

/**
 * Batched matrix product; tfjs broadcasts the batch dimensions as ATen's matmul does. tfjs
 * multiplies float32 only (wasm) or rounds through it, so an int32 product is computed here in
 * integer arithmetic, exact modulo 2^32 as ATen's int32 kernel wraps; bool goes through float32.
 */
export function matmul(a: T, b: T): T {
  const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const [n, k, p] = [a.shape[a.rank - 2], a.shape[a.rank - 1], b.shape[b.rank - 1]];
  const out = [...batch, n, p];
  if (a.dtype === 'float32') return sized(out, 'float32'), tf.matMul(a, b);
  if (a.dtype === 'int32') {
    guardAllocations([{ shape: out, dtype: 'int64' }, { shape: [...batch, n, k], dtype: 'int32' }, { shape: [...batch, k, p], dtype: 'int32' }]);
    const [xs, ys] = tf.tidy(() => [tf.broadcastTo(a, [...batch, n, k]).dataSync(), tf.broadcastTo(b, [...batch, k, p]).dataSync()]);
    const z = new Int32Array(out.reduce((x, y) => x * y, 1));
    for (let m = 0; m < z.length / (n * p || 1); m++) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < p; j++) {
          let acc = 0;
          for (let t = 0; t < k; t++) acc = (acc + Math.imul(xs[(m * n + i) * k + t], ys[(m * k + t) * p + j])) | 0;
          z[(m * n + i) * p + j] = acc;
        }
      }
    }
    return tf.tensor(z, out, 'int32');
  }
  guardAllocations([{ shape: out, dtype: 'bool' }, { shape: a.shape, dtype: 'float32' }, { shape: b.shape, dtype: 'float32' }, { shape: out, dtype: 'float32' }]);
  return tf.tidy(() => tf.cast(tf.matMul(tf.cast(a, 'float32'), tf.cast(b, 'float32')), a.dtype));
}

/** tfjs's own meaning of the Tensor methods whose names collide with PyTorch's (see src/methods). */
export const tfjs = {
  norm: (x: T, ord: number | 'euclidean' | 'fro' | undefined, axis: number | number[] | undefined, keepDims: boolean | undefined): T => tf.norm(x, ord, axis, keepDims),
  split: (x: T, numOrSizeSplits: number | number[], axis: number | undefined): T[] => tf.split(x, numOrSizeSplits, axis),
  squeeze: (x: T, axes: number[]): T => tf.squeeze(x, axes),
  transpose: (x: T, perm: number[] | undefined): T => tf.transpose(x, perm),
  /** A `TensorLike` (nested arrays) as tfjs converts it: float32 numbers, bool booleans. */
  tensor: (value: unknown): T => tf.tensor(value as number[]),
};

/** The class tensors are instances of, whose prototype the Tensor methods extend. */
export const TensorClass = tf.Tensor;
