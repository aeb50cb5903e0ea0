/**
 * The tfjs operations behind `torch.*` tensor functions and Tensor methods. The callers
 * (src/functional/tensor) have already applied PyTorch's checks, dim wrapping, broadcasting and
 * type promotion; what is here is the arithmetic, in tfjs's terms, and the places where tfjs
 * differs from ATen in a way the caller must not see (softmax and topk only along the last
 * axis, no bool arithmetic).
 */
import type { LoadedDType } from './tensor';
import { tf } from './runtime';

type T = tf.Tensor;

/**
 * `x` as `dtype`: a new tensor even when the dtype is already right, so the caller owns it. To
 * bool is `x != 0`, as in PyTorch (wasm's cast keeps an int's value and truncates a float first).
 */
export function cast(x: T, dtype: LoadedDType): T {
  if (x.dtype === dtype) return tf.clone(x);
  return dtype === 'bool' ? tf.tidy(() => tf.notEqual(x, tf.scalar(0, x.dtype))) : tf.cast(x, dtype);
}
/** A new handle on `x`'s data (tfjs shares it): what PyTorch returns as a view or as `self`. */
export const clone = (x: T): T => tf.clone(x);
export const scalar = (value: number, dtype: LoadedDType): T => tf.scalar(value, dtype);
export const reshape = (x: T, shape: readonly number[]): T => tf.reshape(x, [...shape]);
export const transpose = (x: T, perm: readonly number[]): T => tf.transpose(x, [...perm]);
export const concat = (xs: readonly T[], axis: number): T => tf.concat([...xs], axis);
export const slice = (x: T, begin: readonly number[], size: readonly number[]): T => tf.slice(x, [...begin], [...size]);
export const gather = (x: T, indices: readonly number[], axis: number): T => tf.tidy(() => tf.gather(x, tf.tensor1d([...indices], 'int32'), axis));
export const reverse = (x: T, axes: readonly number[]): T => tf.reverse(x, [...axes]);
export const tile = (x: T, reps: readonly number[]): T => tf.tile(x, [...reps]);
export const broadcastTo = (x: T, shape: readonly number[]): T => tf.broadcastTo(x, [...shape]);
export const fill = (shape: readonly number[], value: number, dtype: LoadedDType): T =>
  dtype === 'bool' ? tf.tidy(() => tf.cast(tf.fill([...shape], value ? 1 : 0, 'int32'), 'bool')) : tf.fill([...shape], value, dtype);
export const where = (condition: T, a: T, b: T): T => tf.where(condition, a, b);

/** Elementwise operations on operands already of one dtype (bool ones done on int32 by the caller). */
export const binary = {
  add: tf.add,
  sub: tf.sub,
  mul: tf.mul,
  div: tf.div,
  floorDiv: tf.floorDiv,
  pow: tf.pow,
  maximum: tf.maximum,
  minimum: tf.minimum,
  eq: tf.equal,
  ne: tf.notEqual,
  gt: tf.greater,
  ge: tf.greaterEqual,
  lt: tf.less,
  le: tf.lessEqual,
  and: tf.logicalAnd,
  or: tf.logicalOr,
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
 * Batched matrix product; tfjs broadcasts the batch dimensions as ATen's matmul does. wasm
 * multiplies float32 only, so int matrices go through float32 (exact while products stay below 2**24).
 */
export const matmul = (a: T, b: T): T =>
  a.dtype === 'float32' ? tf.matMul(a, b) : tf.tidy(() => tf.cast(tf.matMul(tf.cast(a, 'float32'), tf.cast(b, 'float32')), a.dtype));

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
