/**
 * `torch.*` reductions with PyTorch 1.13's dims (an int, a list, or none for all), `keepdim`,
 * result dtypes (integer sums are int64, held as int32), empty-tensor rules and errors; `max`,
 * `min`, `topk` and `sort` return PyTorch's (values, indices) named tuple.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as ops from '../../backend/ops';
import { tidy, values, type LoadedDType } from '../../backend/tensor';
import { formatTensor } from '../../torch/format';
import { check, IndexError, NotImplementedError, RuntimeError, ValueError } from '../../errors';
import { named, overloads, type OverloadArgs } from '../../python/overloads';
import { kwonly, opt, req, signature, type ArgsOf } from '../../python/signature';
import { any, bool, dimname, dimnameListOrName, dtype, int, intListOrInt, orNone, out, outs, tensor } from '../../python/types';
import { maximumImpl, minimumImpl } from './math';
import { isFloating, numel, reductionDims, scalarTypeName, wrapDim } from './util';

const native = { dialect: 'native' } as const;

/**
 * PyTorch's `torch.return_types.max` (and `min`, `topk`, `sort`): `values` and `indices` by
 * name, and in that order by destructuring, `const [values, indices] = torch.max(x, 1)`.
 */
export class ReturnTypes {
  constructor(
    private readonly typeName: string,
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {}

  *[Symbol.iterator](): Iterator<Tensor> {
    yield this.values;
    yield this.indices;
  }

  /** Python's `str(torch.max(x, 1))`. */
  toString(): string {
    const str = (t: Tensor) => formatTensor(values(t), t.shape, t.dtype as LoadedDType);
    return `torch.return_types.${this.typeName}(\nvalues=${str(this.values)},\nindices=${str(this.indices)})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The shape a reduction over `dims` leaves. */
const reducedShape = (shape: readonly number[], dims: readonly number[], keepdim: boolean) =>
  shape.flatMap((s, i) => (dims.includes(i) ? (keepdim ? [1] : []) : [s]));

/** A tfjs reduction over `dims` of `x` as `dt`, shaped as PyTorch's result (bool max and min on ints). */
function reduceAs(op: keyof typeof ops.reduce, x: Tensor, dims: number[], keepdim: boolean, dt: LoadedDType): Tensor {
  const work = dt === 'bool' && op !== 'all' && op !== 'any' ? 'int32' : dt;
  return tidy(() => {
    const src = ops.cast(x, work);
    const y = x.rank === 0 || dims.length === 0 ? src : ops.reduce[op](src, dims, false);
    return ops.cast(ops.reshape(y, reducedShape(x.shape, dims, keepdim)), dt);
  });
}

/** PyTorch's "Expected reduction dim N to have non-zero size" for max-like reductions. */
function nonEmpty(fn: string, x: Tensor, dims: number[] | null): void {
  if (dims === null) {
    check(x.size > 0, () => `${fn}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
    return;
  }
  const empty = dims.find((d) => x.rank > 0 && x.shape[d] === 0);
  if (empty !== undefined) throw new IndexError(`${fn}(): Expected reduction dim ${empty} to have non-zero size.`);
}

const sumLikeEntries = {
  all: [req('input', tensor), kwonly('dtype', orNone(dtype), null)],
  dims: [req('input', tensor), req('dim', orNone(intListOrInt)), opt('keepdim', bool, false), kwonly('dtype', orNone(dtype), null), out],
  names: named([req('input', tensor), req('dim', dimnameListOrName), opt('keepdim', bool, false), kwonly('dtype', orNone(dtype), null), out], 'dim'),
} as const;
export const SumSig = overloads('sum', sumLikeEntries);
export const MeanSig = overloads('mean', sumLikeEntries);

export function sumImpl(input: Tensor, dim: number | readonly number[] | null, keepdim: boolean, dt: LoadedDType | null): Tensor {
  const dims = reductionDims(dim, input.rank);
  return reduceAs('sum', input, dims, keepdim, dt ?? (isFloating(input.dtype) ? 'float32' : 'int32'));
}

export function meanImpl(input: Tensor, dim: number | readonly number[] | null, keepdim: boolean, dt: LoadedDType | null): Tensor {
  const work = dt ?? input.dtype;
  check(
    isFloating(work),
    () => `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${scalarTypeName(work)}`,
  );
  const dims = reductionDims(dim, input.rank);
  const count = numel(dims.map((d) => input.shape[d]));
  return tidy(() => (count === 0 ? ops.fill(reducedShape(input.shape, dims, keepdim), NaN, 'float32') : reduceAs('mean', input, dims, keepdim, 'float32')));
}

/**
 * `torch.sum(input, dim=None, keepdim=False, *, dtype=None)`: integer and bool tensors sum to
 * int64 (held as int32).
 * @see https://pytorch.org/docs/1.13/generated/torch.sum.html
 */
export function sum(...args: OverloadArgs<typeof SumSig>): Tensor {
  const b = SumSig.bind(args);
  return b.overload === 'all' ? sumImpl(b.input, null, false, b.dtype) : sumImpl(b.input, b.dim, b.keepdim, b.dtype);
}

/**
 * `torch.mean(input, dim=None, keepdim=False, *, dtype=None)`: floating-point tensors only.
 * @see https://pytorch.org/docs/1.13/generated/torch.mean.html
 */
export function mean(...args: OverloadArgs<typeof MeanSig>): Tensor {
  const b = MeanSig.bind(args);
  return b.overload === 'all' ? meanImpl(b.input, null, false, b.dtype) : meanImpl(b.input, b.dim, b.keepdim, b.dtype);
}

export const AmaxSig = signature('amax', [req('input', tensor), opt('dim', intListOrInt, []), opt('keepdim', bool, false), out], native);
export const AminSig = signature('amin', [req('input', tensor), opt('dim', intListOrInt, []), opt('keepdim', bool, false), out], native);

export function amaxImpl(max: boolean, input: Tensor, dim: number | readonly number[], keepdim: boolean): Tensor {
  const dims = reductionDims(dim, input.rank);
  nonEmpty(max ? 'amax' : 'amin', input, typeof dim !== 'number' && dim.length === 0 ? null : dims);
  return reduceAs(max ? 'max' : 'min', input, dims, keepdim, input.dtype as LoadedDType);
}

/** `torch.amax(input, dim=(), keepdim=False)`: the maximum over `dim` (all dims by default). @see https://pytorch.org/docs/1.13/generated/torch.amax.html */
export function amax(...args: ArgsOf<typeof AmaxSig>): Tensor {
  const { input, dim, keepdim } = AmaxSig.bind(args);
  return amaxImpl(true, input, dim, keepdim);
}

/** `torch.amin(input, dim=(), keepdim=False)`. @see https://pytorch.org/docs/1.13/generated/torch.amin.html */
export function amin(...args: ArgsOf<typeof AminSig>): Tensor {
  const { input, dim, keepdim } = AminSig.bind(args);
  return amaxImpl(false, input, dim, keepdim);
}

/** The values and (first) indices of the maximum or minimum along one dim. */
export function maxDimImpl(max: boolean, input: Tensor, dim: number, keepdim: boolean): ReturnTypes {
  const d = wrapDim(dim, input.rank);
  nonEmpty(max ? 'max' : 'min', input, [d]);
  const shape = reducedShape(input.shape, input.rank === 0 ? [] : [d], keepdim);
  if (input.size === 0) return new ReturnTypes(max ? 'max' : 'min', ops.fill(shape, 0, input.dtype as LoadedDType), ops.fill(shape, 0, 'int32'));
  const [values, indices] = tidy(() => {
    const x = input.rank === 0 ? ops.reshape(input, [1]) : input;
    const i = (max ? ops.argMax : ops.argMin)(x.dtype === 'bool' ? ops.cast(x, 'int32') : x, input.rank === 0 ? 0 : d);
    const v = reduceAs(max ? 'max' : 'min', input, input.rank === 0 ? [] : [d], keepdim, input.dtype as LoadedDType);
    return [v, ops.reshape(i, shape)];
  });
  return new ReturnTypes(max ? 'max' : 'min', values, indices);
}

const maxEntries = {
  all: [req('input', tensor)],
  other: [req('input', tensor), req('other', tensor), out],
  dim: [req('input', tensor), req('dim', int), opt('keepdim', bool, false), outs],
  name: named([req('input', tensor), req('dim', dimname), opt('keepdim', bool, false), outs], 'dim'),
} as const;
export const MaxSig = overloads('max', maxEntries);
export const MinSig = overloads('min', maxEntries);

/** The overall maximum or minimum (a 0-dim tensor). */
export function maxAllImpl(max: boolean, input: Tensor): Tensor {
  nonEmpty(max ? 'max' : 'min', input, null);
  return reduceAs(max ? 'max' : 'min', input, [...Array(input.rank).keys()], false, input.dtype as LoadedDType);
}

/**
 * `torch.max(input)`, `torch.max(input, dim, keepdim=False)` (a named tuple of values and
 * indices) or `torch.max(input, other)` (elementwise, as `torch.maximum`).
 * @see https://pytorch.org/docs/1.13/generated/torch.max.html
 */
export function max(...args: OverloadArgs<typeof MaxSig, 'dim'>): ReturnTypes;
export function max(...args: OverloadArgs<typeof MaxSig, 'all' | 'other'>): Tensor;
export function max(...args: OverloadArgs<typeof MaxSig>): Tensor | ReturnTypes {
  return maxOrMin(true, MaxSig.bind(args));
}

/**
 * `torch.min`: as {@link max}, for the minimum.
 * @see https://pytorch.org/docs/1.13/generated/torch.min.html
 */
export function min(...args: OverloadArgs<typeof MinSig, 'dim'>): ReturnTypes;
export function min(...args: OverloadArgs<typeof MinSig, 'all' | 'other'>): Tensor;
export function min(...args: OverloadArgs<typeof MinSig>): Tensor | ReturnTypes {
  return maxOrMin(false, MinSig.bind(args));
}

function maxOrMin(max: boolean, b: ReturnType<typeof MaxSig.bind>): Tensor | ReturnTypes {
  if (b.overload === 'all') return maxAllImpl(max, b.input);
  if (b.overload === 'other') return (max ? maximumImpl : minimumImpl)(b.input, b.other);
  return maxDimImpl(max, b.input, b.dim, b.keepdim);
}

export const ArgmaxSig = signature('argmax', [req('input', tensor), opt('dim', orNone(int), null), opt('keepdim', bool, false), out], native);
export const ArgminSig = signature('argmin', [req('input', tensor), opt('dim', orNone(int), null), opt('keepdim', bool, false), out], native);

export function argmaxImpl(max: boolean, input: Tensor, dim: number | null, keepdim: boolean): Tensor {
  const fn = max ? 'argmax' : 'argmin';
  if (dim === null) {
    if (input.size === 0) throw new IndexError(`${fn}(): Expected reduction dim to be specified for input.numel() == 0.`);
    return tidy(() => {
      const i = maxDimImpl(max, ops.reshape(input, [input.size]), 0, false).indices;
      return ops.reshape(i, keepdim ? input.shape.map(() => 1) : []);
    });
  }
  const d = wrapDim(dim, input.rank);
  if (input.rank > 0 && input.shape[d] === 0) throw new IndexError(`${fn}(): Expected reduction dim ${d} to have non-zero size.`);
  const r = maxDimImpl(max, input, d, keepdim);
  r.values.dispose();
  return r.indices;
}

/** `torch.argmax(input, dim=None, keepdim=False)`: the index of the (first) maximum. @see https://pytorch.org/docs/1.13/generated/torch.argmax.html */
export function argmax(...args: ArgsOf<typeof ArgmaxSig>): Tensor {
  const { input, dim, keepdim } = ArgmaxSig.bind(args);
  return argmaxImpl(true, input, dim, keepdim);
}

/** `torch.argmin(input, dim=None, keepdim=False)`. @see https://pytorch.org/docs/1.13/generated/torch.argmin.html */
export function argmin(...args: ArgsOf<typeof ArgminSig>): Tensor {
  const { input, dim, keepdim } = ArgminSig.bind(args);
  return argmaxImpl(false, input, dim, keepdim);
}

export const ProdSig = overloads('prod', {
  all: [req('input', tensor), kwonly('dtype', orNone(dtype), null)],
  dim: [req('input', tensor), req('dim', int), opt('keepdim', bool, false), kwonly('dtype', orNone(dtype), null), out],
  name: named([req('input', tensor), req('dim', dimname), opt('keepdim', bool, false), kwonly('dtype', orNone(dtype), null), out], 'dim'),
});

export function prodImpl(input: Tensor, dim: number | readonly number[] | null, keepdim: boolean, dt: LoadedDType | null): Tensor {
  const dims = reductionDims(dim, input.rank);
  return reduceAs('prod', input, dims, keepdim, dt ?? (isFloating(input.dtype) ? 'float32' : 'int32'));
}

/** `torch.prod(input, dim, keepdim=False, *, dtype=None)`: the product over one dim or all. @see https://pytorch.org/docs/1.13/generated/torch.prod.html */
export function prod(...args: OverloadArgs<typeof ProdSig>): Tensor {
  const b = ProdSig.bind(args);
  return b.overload === 'all' ? prodImpl(b.input, null, false, b.dtype) : prodImpl(b.input, b.dim, b.keepdim, b.dtype);
}

const varEntries = {
  correction: [req('input', tensor), req('dim', orNone(intListOrInt)), kwonly('correction', orNone(int)), kwonly('keepdim', bool, false), out],
  unbiased: [req('input', tensor), req('dim', orNone(intListOrInt)), opt('unbiased', bool, true), opt('keepdim', bool, false), out],
  all: [req('input', tensor), opt('unbiased', bool, true)],
  names_correction: named([req('input', tensor), req('dim', dimnameListOrName), kwonly('correction', orNone(int)), kwonly('keepdim', bool, false), out], 'dim'),
  names_unbiased: named([req('input', tensor), req('dim', dimnameListOrName), opt('unbiased', bool, true), opt('keepdim', bool, false), out], 'dim'),
} as const;
export const StdSig = overloads('std', varEntries);
export const VarSig = overloads('var', varEntries);

/** Variance (or its square root) with Bessel's `correction`: sum of squares over `max(0, N - correction)`. */
export function varImpl(std: boolean, input: Tensor, dim: number | readonly number[] | null, correction: number, keepdim: boolean): Tensor {
  check(isFloating(input.dtype), () => 'std and var only support floating point and complex dtypes');
  const dims = reductionDims(dim, input.rank);
  const count = numel(dims.map((d) => input.shape[d]));
  return tidy(() => {
    const mu = reduceAs('mean', input, dims, true, 'float32');
    const sq = ops.binary.mul(ops.binary.sub(input, mu), ops.binary.sub(input, mu));
    const v = ops.binary.div(reduceAs('sum', sq, dims, keepdim, 'float32'), ops.scalar(Math.max(0, count - correction), 'float32'));
    return std ? ops.unary.sqrt(v) : v;
  });
}

type VarBound = ReturnType<typeof VarSig.bind>;
const varArgs = (b: VarBound): [number | readonly number[] | null, number, boolean] => {
  if (b.overload === 'correction') return [b.dim, b.correction ?? 1, b.keepdim];
  if (b.overload === 'unbiased') return [b.dim, b.unbiased ? 1 : 0, b.keepdim];
  return [null, b.unbiased ? 1 : 0, false];
};

/**
 * `torch.std(input, dim, unbiased=True, keepdim=False)` or with `correction=`: Bessel-corrected
 * by default, as PyTorch.
 * @see https://pytorch.org/docs/1.13/generated/torch.std.html
 */
export function std(...args: OverloadArgs<typeof StdSig>): Tensor {
  const b = StdSig.bind(args);
  return varImpl(true, b.input, ...varArgs(b));
}

/** `torch.var`: as {@link std}, without the square root. @see https://pytorch.org/docs/1.13/generated/torch.var.html */
export function var_(...args: OverloadArgs<typeof VarSig>): Tensor {
  const b = VarSig.bind(args);
  return varImpl(false, b.input, ...varArgs(b));
}

/** `torch.norm`, a Python function (CPython's binding errors). */
export const NormSig = signature('norm', [
  req('input', tensor),
  opt('p', any<number | 'fro' | 'nuc'>('float'), 'fro'),
  opt('dim', any<number | readonly number[] | null>('tuple of ints'), null),
  opt('keepdim', bool, false),
  opt('out', any<null>('Tensor'), null),
  opt('dtype', any<LoadedDType | null>('torch.dtype'), null),
]);

/** The body of 1.13's `torch.norm`: Frobenius for `'fro'`, the vector p-norm for a number. */
export function normImpl(input: Tensor, p: unknown, dim: unknown, keepdim: boolean, dt: LoadedDType | null): Tensor {
  const dims = dim === null ? [...Array(input.rank).keys()] : typeof dim === 'number' ? [dim] : (dim as number[]);
  if (typeof p === 'string') {
    if (p === 'nuc') throw new NotImplementedError('norm(): the nuclear norm is not supported');
    if (p !== 'fro') throw new RuntimeError(`only valid string values are 'fro' and 'nuc', found ${p}`);
    if (dt !== null) throw new ValueError('dtype argument is not supported in frobenius norm');
    // The default call (no dim) is frobenius_norm over all dims, without the two-dim limit.
    check(dim === null || dims.length <= 2, () => `Expected at most 2 dimensions, but got ${dims.length} dimensions instead.`);
    return vectorNorm(input, 2, dims, keepdim);
  }
  return vectorNorm(input, Number(p), dims, keepdim);
}

function vectorNorm(input: Tensor, p: number, dimList: readonly number[], keepdim: boolean): Tensor {
  const dims = reductionDims(dimList, input.rank);
  return tidy(() => {
    const a = ops.unary.abs(ops.cast(input, 'float32'));
    if (p === Infinity) return reduceAs('max', a, dims, keepdim, 'float32');
    if (p === -Infinity) return reduceAs('min', a, dims, keepdim, 'float32');
    if (p === 0) return reduceAs('sum', ops.binary.ne(a, ops.scalar(0, 'float32')), dims, keepdim, 'float32');
    if (p === 1) return reduceAs('sum', a, dims, keepdim, 'float32');
    if (p === 2) return ops.unary.sqrt(reduceAs('sum', ops.binary.mul(a, a), dims, keepdim, 'float32'));
    const s = reduceAs('sum', ops.binary.pow(a, ops.scalar(p, 'float32')), dims, keepdim, 'float32');
    return ops.binary.pow(s, ops.scalar(1 / p, 'float32'));
  });
}

/**
 * `torch.norm(input, p='fro', dim=None, keepdim=False)`: the Frobenius norm, or the vector
 * p-norm (inf, -inf, 0 and any other number) over `dim`.
 * @see https://pytorch.org/docs/1.13/generated/torch.norm.html
 */
export function norm(...args: ArgsOf<typeof NormSig>): Tensor {
  const { input, p, dim, keepdim, out: target, dtype: dt } = NormSig.bind(args);
  if (target !== null) throw new NotImplementedError('norm(): out= is not supported: tfjs tensors are immutable, use the returned tensor');
  return normImpl(input, p, dim, keepdim, dt);
}

const allAnyEntries = {
  all: [req('input', tensor), out],
  dim: [req('input', tensor), req('dim', int), opt('keepdim', bool, false), out],
  name: named([req('input', tensor), req('dim', dimname), opt('keepdim', bool, false), out], 'nyi'),
} as const;
export const AllSig = overloads('all', allAnyEntries);
export const AnySig = overloads('any', allAnyEntries);

export function allImpl(every: boolean, input: Tensor, dim: number | readonly number[] | null, keepdim: boolean): Tensor {
  const dims = reductionDims(dim, input.rank);
  // Over no elements, all() holds and any() does not.
  if (input.size === 0) return ops.fill(reducedShape(input.shape, dims, keepdim), every ? 1 : 0, 'bool');
  return tidy(() => reduceAs(every ? 'all' : 'any', ops.cast(input, 'bool'), dims, keepdim, 'bool'));
}

/** `torch.all(input, dim=None, keepdim=False)`: whether every element is nonzero. @see https://pytorch.org/docs/1.13/generated/torch.all.html */
export function all(...args: OverloadArgs<typeof AllSig>): Tensor {
  const b = AllSig.bind(args);
  return b.overload === 'all' ? allImpl(true, b.input, null, false) : allImpl(true, b.input, b.dim, b.keepdim);
}

/** `torch.any(input, dim=None, keepdim=False)`: whether any element is nonzero. @see https://pytorch.org/docs/1.13/generated/torch.any.html */
export function any_(...args: OverloadArgs<typeof AnySig>): Tensor {
  const b = AnySig.bind(args);
  return b.overload === 'all' ? allImpl(false, b.input, null, false) : allImpl(false, b.input, b.dim, b.keepdim);
}

export const TopkSig = signature(
  'topk',
  [req('input', tensor), req('k', int), opt('dim', int, -1), opt('largest', bool, true), opt('sorted', bool, true), outs],
  native,
);

/** The `k` largest (or smallest) along `dim`, sorted, ties in index order. */
export function topkImpl(input: Tensor, k: number, dim: number, largest: boolean): ReturnTypes {
  const d = wrapDim(dim, input.rank);
  const size = input.rank === 0 ? 1 : input.shape[d];
  check(k >= 0 && k <= size, () => 'selected index k out of range');
  const [values, indices] = tidy(() => {
    const x = input.rank === 0 ? ops.reshape(input, [1]) : input;
    const work = x.dtype === 'bool' ? ops.cast(x, 'int32') : x;
    const [v, i] = ops.topk(work, k, input.rank === 0 ? 0 : d, largest);
    return [ops.reshape(ops.cast(v, input.dtype as LoadedDType), input.rank === 0 ? [] : v.shape), ops.reshape(i, input.rank === 0 ? [] : i.shape)];
  });
  return new ReturnTypes('topk', values, indices);
}

/**
 * `torch.topk(input, k, dim=-1, largest=True, sorted=True)`: a named tuple of values and indices.
 * @see https://pytorch.org/docs/1.13/generated/torch.topk.html
 */
export function topk(...args: ArgsOf<typeof TopkSig>): ReturnTypes {
  const { input, k, dim, largest } = TopkSig.bind(args);
  return topkImpl(input, k, dim, largest);
}

export const SortSig = overloads('sort', {
  stable: [req('input', tensor), kwonly('stable', orNone(bool)), kwonly('dim', int, -1), kwonly('descending', bool, false), outs],
  dim: [req('input', tensor), opt('dim', int, -1), opt('descending', bool, false), outs],
  names_stable: named([req('input', tensor), kwonly('stable', orNone(bool)), kwonly('dim', dimname), kwonly('descending', bool, false), outs], 'nyi'),
  names: named([req('input', tensor), req('dim', dimname), opt('descending', bool, false), outs], 'nyi'),
});

/** A stable sort along `dim` (ATen's CPU sort orders ties by index too). */
export function sortImpl(input: Tensor, dim: number, descending: boolean): ReturnTypes {
  const d = wrapDim(dim, input.rank);
  const r = topkImpl(input, input.rank === 0 ? 1 : input.shape[d], d, descending);
  return new ReturnTypes('sort', r.values, r.indices);
}

/**
 * `torch.sort(input, dim=-1, descending=False, *, stable=False)`: a named tuple of the sorted
 * values and their indices.
 * @see https://pytorch.org/docs/1.13/generated/torch.sort.html
 */
export function sort(...args: OverloadArgs<typeof SortSig>): ReturnTypes {
  const { input, dim, descending } = SortSig.bind(args);
  return sortImpl(input, dim, descending);
}
