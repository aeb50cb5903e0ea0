/**
 * PyTorch's strides, kept for the tensors whose PyTorch counterpart is a non-contiguous view, so
 * that `view` refuses what PyTorch refuses. tfjs tensors are always dense in C order: a
 * transpose here is a copy, and its result would happily take any `view`. PyTorch's would not
 * (`x.transpose(1, 2).view(n, -1)` raises; `.contiguous().view(...)` or `reshape` is the port),
 * and code that relies on us accepting it fails under PyTorch.
 *
 * Only views record strides (permute, transpose, narrow and its splits, select, expand, and
 * reshapes of those); every other op returns a contiguous tensor here, where PyTorch's
 * elementwise ops may keep the input's layout. So `view` raises only where PyTorch raises too.
 */
import type { Tensor } from '@tensorflow/tfjs-core';

const recorded = new WeakMap<Tensor, readonly number[]>();

/** C-order strides of `shape`. */
const contiguousStrides = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length);
  for (let i = shape.length - 1, acc = 1; i >= 0; i--) {
    s[i] = acc;
    acc *= Math.max(shape[i], 1);
  }
  return s;
};

/** The strides of `t`'s PyTorch counterpart. */
export const stridesOf = (t: Tensor): readonly number[] => recorded.get(t) ?? contiguousStrides(t.shape);

/** PyTorch's `is_contiguous()`: dims of size 1 (and empty tensors) do not count. */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  if (shape.some((d) => d === 0)) return true;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** Gives `t` (a view just made) `strides`, and returns it. */
export function withStrides<T extends Tensor>(t: T, strides: readonly number[]): T {
  if (!isContiguous(t.shape, strides)) recorded.set(t, strides);
  return t;
}

/**
 * ATen's `computeStride`: the strides of `input` viewed as `shape` without copying, or null when
 * some run of dimensions that is contiguous in memory would have to be split across another.
 */
export function viewStrides(input: Tensor, shape: readonly number[]): number[] | null {
  const [oldShape, oldStride] = [input.shape, stridesOf(input)];
  if (!recorded.has(input)) return contiguousStrides(shape);
  const numel = oldShape.reduce((a, b) => a * b, 1);
  if (numel === 0) return oldShape.length === shape.length && oldShape.every((d, i) => d === shape[i]) ? [...oldStride] : contiguousStrides(shape);
  const newStride = new Array<number>(shape.length).fill(0);
  let viewD = shape.length - 1;
  let chunkBase = oldStride[oldStride.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStride[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        newStride[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStride[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStride : null;
}

/** The output of a reshape of `input`: a view where its strides allow one, else a contiguous copy. */
export const reshaped = <T extends Tensor>(input: Tensor, output: T): T => {
  const strides = viewStrides(input, output.shape);
  return strides === null ? output : withStrides(output, strides);
};
