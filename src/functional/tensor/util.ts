/**
 * What every tensor function shares: ATen's dim wrapping, broadcasting and type promotion, each
 * with PyTorch's error.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { LoadedDType } from '../../backend/tensor';
import { check, IndexError, RuntimeError } from '../../errors';

/** A tensor, or a Python number standing for one. */
export type Operand = Tensor | number | boolean;

/** `maybe_wrap_dim`: a dim in [-n, n-1] (a 0-dim tensor counts as 1-dim), made non-negative. */
export function wrapDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (dim < -n || dim > n - 1) throw new IndexError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  return dim < 0 ? dim + n : dim;
}

/** `dim_list_to_bitset`: every dim wrapped, each at most once. */
export function wrapDims(dims: readonly number[], ndim: number): number[] {
  const out = dims.map((d) => wrapDim(d, ndim));
  out.forEach((d, i) => check(!out.slice(0, i).includes(d), () => `dim ${d} appears multiple times in the list of dims`));
  return out;
}

/** The dims a reduction's `dim` names; none (or an empty list) means all of them. */
export function reductionDims(dim: number | readonly number[] | null, ndim: number): number[] {
  const dims = dim === null ? [] : typeof dim === 'number' ? [dim] : dim;
  return dims.length === 0 ? [...Array(ndim).keys()] : wrapDims(dims, ndim);
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** `infer_size`: the broadcast shape of two shapes, aligned at their last dimension. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    check(x === y || x === 1 || y === 1, () => `The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`);
    return x === 1 ? y : x;
  });
}

const RANK: Record<LoadedDType, number> = { bool: 0, int32: 1, float32: 2 };
const BY_RANK: LoadedDType[] = ['bool', 'int32', 'float32'];
/** An operand's dtype: a Python bool, int or float is a bool, int64 or float32 scalar. */
export const dtypeOf = (x: Operand): LoadedDType =>
  typeof x === 'boolean' ? 'bool' : typeof x === 'number' ? (Number.isInteger(x) ? 'int32' : 'float32') : (x.dtype as LoadedDType);

/**
 * `at::result_type`: the dtype a computation on these operands produces. With one dtype per
 * kind here (bool, integer, floating), that is the highest kind among them: a Python float makes
 * an int tensor's result float32, a Python int leaves it int.
 */
export const resultType = (...operands: Operand[]): LoadedDType => BY_RANK[Math.max(...operands.map((x) => RANK[dtypeOf(x)]))];

export const isFloating = (dtype: string): boolean => dtype === 'float32';

/** ATen's `ScalarType` name of a dtype, as its messages print it; int32 holds PyTorch's int64. */
export const scalarTypeName = (dtype: string): string => ({ float32: 'Float', int32: 'Long', bool: 'Bool' })[dtype] ?? dtype;

/** The legacy tensor type name (`torch.FloatTensor`) some messages print. */
export const tensorTypeName = (dtype: string): string => `torch.${scalarTypeName(dtype)}Tensor`;

/** How ATen prints a size in a message: `[2, 3]`. */
export const sizeStr = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** `infer_size` for a view: at most one -1, filled from the element count. */
export function inferSize(shape: readonly number[], count: number): number[] {
  let known = 1;
  let infer = -1;
  shape.forEach((s, i) => {
    if (s === -1) {
      check(infer < 0, () => 'only one dimension can be inferred');
      infer = i;
    } else if (s >= 0) {
      known *= s;
    } else {
      throw new RuntimeError(`invalid shape dimension ${s}`);
    }
  });
  if (count === known || (infer >= 0 && known > 0 && count % known === 0)) {
    if (infer < 0) return [...shape];
    check(known !== 0, () => `cannot reshape tensor of 0 elements into shape ${sizeStr(shape)} because the unspecified dimension size -1 can be any value and is ambiguous`);
    return shape.map((s, i) => (i === infer ? count / known : s));
  }
  throw new RuntimeError(`shape '${sizeStr(shape)}' is invalid for input of size ${count}`);
}
