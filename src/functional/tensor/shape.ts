/**
 * `torch.*` shape functions with PyTorch 1.13's semantics and errors: views (reshape, flatten,
 * permute, ...), joins (cat, stack), splits (chunk, split, narrow, select) and copies (flip,
 * roll, tile, broadcast_to). tfjs tensors are immutable and contiguous, so what PyTorch returns
 * as a view is a new tensor here with the same values.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as ops from '../../backend/ops';
import { tidy, values } from '../../backend/tensor';
import { check, IndexError, RuntimeError } from '../../errors';
import { named, overloads, type OverloadArgs } from '../../python/overloads';
import { opt, req, signature, type ArgsOf } from '../../python/signature';
import { dimname, dimnameList, int, intList, intListOrInt, out, symIntList, tensor, tensorList } from '../../python/types';
import { reshaped, stridesOf, viewStrides, withStrides } from './strides';
import { dtypeOf, inferSize, numel, resultType, sizeStr, tensorTypeName, wrapDim, wrapDims } from './util';

const native = { dialect: 'native' } as const;
const dims = (x: Tensor) => [...Array(x.rank).keys()];

// ---- views ----

/** `reshape`: the same values in `shape` (one -1 inferred); a view when the input's strides allow. */
export function reshapeImpl(input: Tensor, shape: readonly number[]): Tensor {
  return reshaped(input, tidy(() => ops.reshape(input, inferSize(shape, input.size))));
}

/** `x.view(shape)`: as reshape, but PyTorch's error where the input's strides allow no view. */
export function viewImpl(input: Tensor, shape: readonly number[]): Tensor {
  const size = inferSize(shape, input.size);
  const strides = viewStrides(input, size);
  check(strides !== null, () => "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
  return withStrides(tidy(() => ops.reshape(input, size)), strides);
}

export const ReshapeSig = signature('reshape', [req('input', tensor), req('shape', symIntList)], native);

/**
 * `torch.reshape(input, shape)`.
 * @see https://pytorch.org/docs/1.13/generated/torch.reshape.html
 */
export function reshape(...args: ArgsOf<typeof ReshapeSig>): Tensor {
  const { input, shape } = ReshapeSig.bind(args);
  return reshapeImpl(input, shape);
}

export function flattenImpl(input: Tensor, startDim: number, endDim: number): Tensor {
  const [start, end] = [wrapDim(startDim, input.rank), wrapDim(endDim, input.rank)];
  check(start <= end, () => 'flatten() has invalid args: start_dim cannot come after end_dim');
  const shape = input.rank === 0 ? [1] : [...input.shape.slice(0, start), numel(input.shape.slice(start, end + 1)), ...input.shape.slice(end + 1)];
  return reshaped(input, tidy(() => ops.reshape(input, shape)));
}

export const FlattenSig = overloads('flatten', {
  out_dim: named([req('input', tensor), req('start_dim', int), req('end_dim', int), req('out_dim', dimname)]),
  dims: [req('input', tensor), opt('start_dim', int, 0), opt('end_dim', int, -1)],
  names: named([req('input', tensor), req('start_dim', dimname), req('end_dim', dimname), req('out_dim', dimname)], 'start_dim'),
  list: named([req('input', tensor), req('dims', dimnameList), req('out_dim', dimname)], 'dims'),
});

/**
 * `torch.flatten(input, start_dim=0, end_dim=-1)` (and `F`'s, which nn.Flatten calls).
 * @see https://pytorch.org/docs/1.13/generated/torch.flatten.html
 */
export function flatten(...args: OverloadArgs<typeof FlattenSig>): Tensor {
  const { input, start_dim, end_dim } = FlattenSig.bind(args);
  return flattenImpl(input, start_dim, end_dim);
}

/** ATen's unflatten: any size error is reported as the sizes not multiplying up. */
export function unflattenImpl(input: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = wrapDim(dim, input.rank);
  check(sizes.length > 0, () => 'unflatten: sizes must be non-empty');
  let inferred: number[];
  try {
    inferred = inferSize(sizes, input.shape[d]);
  } catch {
    throw new RuntimeError(`unflatten: Provided sizes ${sizeStr(sizes)} don't multiply up to the size of dim ${d} (${input.shape[d]}) in the input tensor`);
  }
  return reshaped(input, tidy(() => ops.reshape(input, [...input.shape.slice(0, d), ...inferred, ...input.shape.slice(d + 1)])));
}

export const UnflattenSig = overloads('unflatten', {
  names: named([req('input', tensor), req('dim', dimname), req('sizes', intList), req('names', dimnameList)], 'dim'),
  dims: [req('input', tensor), req('dim', int), req('sizes', intList)],
});

/**
 * `torch.unflatten(input, dim, sizes)` (and `F`'s, which nn.Unflatten calls).
 * @see https://pytorch.org/docs/1.13/generated/torch.unflatten.html
 */
export function unflatten(...args: OverloadArgs<typeof UnflattenSig>): Tensor {
  const { input, dim, sizes } = UnflattenSig.bind(args);
  return unflattenImpl(input, dim, sizes);
}

export function squeezeImpl(input: Tensor, dim: number | null): Tensor {
  const d = dim === null ? null : wrapDim(dim, input.rank);
  const shape = input.shape.filter((s, i) => s !== 1 || (d !== null && i !== d));
  return reshaped(input, tidy(() => ops.reshape(input, shape)));
}

export const SqueezeSig = overloads('squeeze', {
  all: [req('input', tensor)],
  dim: [req('input', tensor), req('dim', int)],
  name: named([req('input', tensor), req('dim', dimname)], 'dim'),
});

/**
 * `torch.squeeze(input, dim=None)`: drops size-1 dimensions (only `dim`, if given and of size 1).
 * @see https://pytorch.org/docs/1.13/generated/torch.squeeze.html
 */
export function squeeze(...args: OverloadArgs<typeof SqueezeSig>): Tensor {
  const b = SqueezeSig.bind(args);
  return squeezeImpl(b.input, b.overload === 'dim' ? b.dim : null);
}

export function unsqueezeImpl(input: Tensor, dim: number): Tensor {
  const d = wrapDim(dim, input.rank + 1);
  return reshaped(input, tidy(() => ops.reshape(input, [...input.shape.slice(0, d), 1, ...input.shape.slice(d)])));
}

export const UnsqueezeSig = signature('unsqueeze', [req('input', tensor), req('dim', int)], native);

/**
 * `torch.unsqueeze(input, dim)`.
 * @see https://pytorch.org/docs/1.13/generated/torch.unsqueeze.html
 */
export function unsqueeze(...args: ArgsOf<typeof UnsqueezeSig>): Tensor {
  const { input, dim } = UnsqueezeSig.bind(args);
  return unsqueezeImpl(input, dim);
}

export function permuteImpl(input: Tensor, order: readonly number[]): Tensor {
  check(
    order.length === input.rank,
    () =>
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${input.rank} is not equal to len(dims) = ${order.length}`,
  );
  const perm = order.map((d) => wrapDim(d, input.rank));
  perm.forEach((d, i) => check(!perm.slice(0, i).includes(d), () => 'permute(): duplicate dims are not allowed.'));
  return permuted(input, perm);
}

/** A permutation of `input`'s dims: PyTorch's result is a view with the strides permuted too. */
function permuted(input: Tensor, perm: readonly number[]): Tensor {
  const strides = stridesOf(input);
  return withStrides(tidy(() => ops.transpose(input, [...perm])), perm.map((p) => strides[p]));
}

export const PermuteSig = signature('permute', [req('input', tensor), req('dims', intList)], native);

/**
 * `torch.permute(input, dims)`.
 * @see https://pytorch.org/docs/1.13/generated/torch.permute.html
 */
export function permute(...args: ArgsOf<typeof PermuteSig>): Tensor {
  const { input, dims: order } = PermuteSig.bind(args);
  return permuteImpl(input, order);
}

export function transposeImpl(input: Tensor, dim0: number, dim1: number): Tensor {
  const [a, b] = [wrapDim(dim0, input.rank), wrapDim(dim1, input.rank)];
  const perm = dims(input);
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return permuted(input, perm);
}

export const TransposeSig = overloads('transpose', {
  dims: [req('input', tensor), req('dim0', int), req('dim1', int)],
  names: named([req('input', tensor), req('dim0', dimname), req('dim1', dimname)], 'dim1'),
});

/**
 * `torch.transpose(input, dim0, dim1)`: swaps two dimensions.
 * @see https://pytorch.org/docs/1.13/generated/torch.transpose.html
 */
export function transpose(...args: OverloadArgs<typeof TransposeSig>): Tensor {
  const { input, dim0, dim1 } = TransposeSig.bind(args);
  return transposeImpl(input, dim0, dim1);
}

export function tImpl(input: Tensor): Tensor {
  check(input.rank <= 2, () => `t() expects a tensor with <= 2 dimensions, but self is ${input.rank}D`);
  return input.rank < 2 ? tidy(() => ops.reshape(input, input.shape)) : transposeImpl(input, 0, 1);
}

export const TSig = signature('t', [req('input', tensor)], native);

/**
 * `torch.t(input)`: the transpose of a matrix; 0-D and 1-D tensors are returned as they are.
 * @see https://pytorch.org/docs/1.13/generated/torch.t.html
 */
export function t(...args: ArgsOf<typeof TSig>): Tensor {
  return tImpl(TSig.bind(args).input);
}

// ---- joins ----

/** A 1-D tensor with no elements: the legacy empty tensor cat skips, whatever the others' shapes. */
const skipped = (x: Tensor) => x.rank === 1 && x.size === 0;

export function catImpl(tensors: readonly Tensor[], dim: number): Tensor {
  check(tensors.length > 0, () => 'torch.cat(): expected a non-empty list of Tensors');
  tensors.forEach((x, i) => check(x.rank > 0, () => `zero-dimensional tensor (at position ${i}) cannot be concatenated`));
  const kept = tensors.filter((x) => !skipped(x));
  const dtype = resultType(...tensors);
  if (kept.length === 0) return tidy(() => ops.cast(tensors[0], dtype));
  const d = wrapDim(dim, kept[0].rank);
  tensors.forEach((x, i) => {
    if (skipped(x)) return;
    check(x.rank === kept[0].rank, () => `Tensors must have same number of dimensions: got ${kept[0].rank} and ${x.rank}`);
    x.shape.forEach((s, j) => {
      const e = kept[0].shape[j];
      check(j === d || s === e, () => `Sizes of tensors must match except in dimension ${d}. Expected size ${e} but got size ${s} for tensor number ${i} in the list.`);
    });
  });
  return tidy(() => ops.concat(kept, d, dtype));
}

export const CatSig = overloads('cat', {
  dim: [req('tensors', tensorList), opt('dim', int, 0), out],
  name: named([req('tensors', tensorList), req('dim', dimname), out], 'dim'),
});
export const ConcatSig = overloads('concat', CatSig.entries);

/**
 * `torch.cat(tensors, dim=0)`: joins tensors along an existing dimension (their dtypes promoted,
 * 1-D empty tensors skipped, as in PyTorch).
 * @see https://pytorch.org/docs/1.13/generated/torch.cat.html
 */
export function cat(...args: OverloadArgs<typeof CatSig>): Tensor {
  const { tensors, dim } = CatSig.bind(args);
  return catImpl(tensors, dim);
}

/**
 * `torch.concat`: an alias of {@link cat}.
 * @see https://pytorch.org/docs/1.13/generated/torch.concat.html
 */
export function concat(...args: OverloadArgs<typeof ConcatSig>): Tensor {
  const { tensors, dim } = ConcatSig.bind(args);
  return catImpl(tensors, dim);
}

export const StackSig = signature('stack', [req('tensors', tensorList), opt('dim', int, 0), out], native);

/**
 * `torch.stack(tensors, dim=0)`: joins equal-sized tensors along a new dimension.
 * @see https://pytorch.org/docs/1.13/generated/torch.stack.html
 */
export function stack(...args: ArgsOf<typeof StackSig>): Tensor {
  const { tensors, dim } = StackSig.bind(args);
  check(tensors.length > 0, () => 'stack expects a non-empty TensorList');
  const d = wrapDim(dim, tensors[0].rank + 1);
  if (d < tensors[0].rank) {
    const first = tensors[0].shape;
    tensors.forEach((x, i) =>
      check(sizeStr(x.shape) === sizeStr(first), () => `stack expects each tensor to be equal size, but got ${sizeStr(first)} at entry 0 and ${sizeStr(x.shape)} at entry ${i}`),
    );
  }
  return tidy(() => catImpl(tensors.map((x) => unsqueezeImpl(x, d)), d));
}

// ---- splits ----

export function narrowImpl(input: Tensor, dim: number, start: number, length: number): Tensor {
  check(input.rank > 0, () => 'narrow() cannot be applied to a 0-dim tensor.');
  const d = wrapDim(dim, input.rank);
  const size = input.shape[d];
  const s = start === size ? start : wrapDim(start, size);
  check(length >= 0 && s <= size - length, () => `start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  const begin = input.shape.map((_, i) => (i === d ? s : 0));
  return withStrides(tidy(() => ops.slice(input, begin, input.shape.map((n, i) => (i === d ? length : n)))), stridesOf(input));
}

export const NarrowSig = overloads('narrow', {
  tensor: [req('input', tensor), req('dim', int), req('start', tensor), req('length', int)],
  int: [req('input', tensor), req('dim', int), req('start', int), req('length', int)],
});

/** A 0-dim integral tensor's value, where PyTorch takes one for an int. */
export function intItem(x: Tensor, what: string): number {
  check(x.rank === 0 && x.dtype === 'int32', () => `${what} must be an 0-dim integral Tensor.`);
  return values(x)[0];
}

/**
 * `torch.narrow(input, dim, start, length)`: `length` elements of `dim` from `start`.
 * @see https://pytorch.org/docs/1.13/generated/torch.narrow.html
 */
export function narrow(...args: OverloadArgs<typeof NarrowSig>): Tensor {
  const b = NarrowSig.bind(args);
  return narrowImpl(b.input, b.dim, b.overload === 'tensor' ? intItem(b.start, 'start') : b.start, b.length);
}

export function splitSizeImpl(input: Tensor, size: number, dim: number): Tensor[] {
  check(input.rank !== 0, () => 'split expects at least a 1-dimensional tensor');
  check(size >= 0, () => `split expects split_size be non-negative, but got split_size=${size}`);
  const dimSize = input.shape[wrapDim(dim, input.rank)];
  check(size > 0 || dimSize === 0, () => `split_size can only be 0 if dimension size is 0, but got dimension size of ${dimSize}`);
  const count = size === 0 ? 1 : Math.max(Math.ceil(dimSize / size), 1);
  const last = size - (size * count - dimSize);
  return Array.from({ length: count }, (_, i) => narrowImpl(input, dim, i * size, i < count - 1 ? size : last));
}

export function splitSizesImpl(input: Tensor, sizes: readonly number[], dim: number): Tensor[] {
  check(input.rank !== 0, () => 'split expects at least a 1-dimensional tensor');
  const dimSize = input.shape[wrapDim(dim, input.rank)];
  const pieces: Tensor[] = [];
  let start = 0;
  try {
    for (const length of sizes) {
      check(length >= 0, () => `split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${sizeStr(sizes)}`);
      pieces.push(narrowImpl(input, dim, start, length));
      start += length;
    }
    check(start === dimSize, () => `split_with_sizes expects split_sizes to sum exactly to ${dimSize} (input tensor's size at dimension ${dim}), but got split_sizes=${sizeStr(sizes)}`);
  } catch (e) {
    pieces.forEach((p) => p.dispose());
    throw e;
  }
  return pieces;
}

export function chunkImpl(input: Tensor, chunks: number, dim: number): Tensor[] {
  check(input.rank > 0, () => 'chunk expects at least a 1-dimensional tensor');
  check(chunks > 0, () => `chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const dimSize = input.shape[wrapDim(dim, input.rank)];
  const size = Math.ceil(dimSize / chunks);
  // Zero-sized chunks of a zero-sized dim: split would lose the count, so PyTorch lists them.
  if (size === 0 && dimSize === 0) return splitSizesImpl(input, Array(chunks).fill(0), dim);
  return splitSizeImpl(input, size, dim);
}

export const ChunkSig = signature('chunk', [req('input', tensor), req('chunks', int), opt('dim', int, 0)], native);

/**
 * `torch.chunk(input, chunks, dim=0)`: pieces of `ceil(size / chunks)` along `dim`, the last
 * smaller, so there may be fewer than `chunks` pieces (PyTorch's rule, not tfjs's even split).
 * @see https://pytorch.org/docs/1.13/generated/torch.chunk.html
 */
export function chunk(...args: ArgsOf<typeof ChunkSig>): Tensor[] {
  const { input, chunks, dim } = ChunkSig.bind(args);
  return chunkImpl(input, chunks, dim);
}

const VfSplitSig = signature('split', [req('input', tensor), req('split_size', int), opt('dim', int, 0)], native);
const VfSplitWithSizesSig = signature('split_with_sizes', [req('input', tensor), req('split_sizes', intList), opt('dim', int, 0)], native);

/** `Tensor.split`'s body: an int is a piece size, anything else a list of sizes. */
export function splitDispatch(input: Tensor, sizeOrSections: unknown, dim: unknown): Tensor[] {
  if (typeof sizeOrSections === 'number' && Number.isInteger(sizeOrSections)) {
    const b = VfSplitSig.bind([input, sizeOrSections, dim]);
    return splitSizeImpl(b.input, b.split_size, b.dim);
  }
  const b = VfSplitWithSizesSig.bind([input, sizeOrSections, dim]);
  return splitSizesImpl(b.input, b.split_sizes, b.dim);
}

/** Python's `torch.split`, a function written in Python (so its binding errors are CPython's). */
export const SplitSig = signature('split', [req('tensor', tensor), req('split_size_or_sections', intListOrInt), opt('dim', int, 0)]);

/**
 * `torch.split(tensor, split_size_or_sections, dim=0)`: an int is the size of each piece (the
 * last smaller), a list the sizes of all pieces. (tfjs's `split` takes a number of pieces.)
 * @see https://pytorch.org/docs/1.13/generated/torch.split.html
 */
export function split(...args: ArgsOf<typeof SplitSig>): Tensor[] {
  const { tensor: input, split_size_or_sections, dim } = SplitSig.bind(args);
  return splitDispatch(input, split_size_or_sections, dim);
}

export function selectImpl(input: Tensor, dim: number, index: number): Tensor {
  if (input.rank === 0) throw new IndexError('select() cannot be applied to a 0-dim tensor.');
  const d = wrapDim(dim, input.rank);
  const size = input.shape[d];
  if (index < -size || index >= size) throw new IndexError(`select(): index ${index} out of range for tensor of size ${sizeStr(input.shape)} at dimension ${d}`);
  const strides = stridesOf(input).filter((_, i) => i !== d);
  return withStrides(tidy(() => ops.reshape(narrowImpl(input, d, index < 0 ? index + size : index, 1), input.shape.filter((_, i) => i !== d))), strides);
}

export const SelectSig = overloads('select', {
  int: [req('input', tensor), req('dim', int), req('index', int)],
  name: named([req('input', tensor), req('dim', dimname), req('index', int)], 'dim'),
});

/**
 * `torch.select(input, dim, index)`: the slice at `index` of `dim`, without that dimension.
 * @see https://pytorch.org/docs/1.13/generated/torch.select.html
 */
export function select(...args: OverloadArgs<typeof SelectSig>): Tensor {
  const { input, dim, index } = SelectSig.bind(args);
  return selectImpl(input, dim, index);
}

export function indexSelectImpl(input: Tensor, dim: number, index: Tensor): Tensor {
  const d = wrapDim(dim, input.rank);
  if (index.rank > 1) throw new IndexError('index_select(): Index is supposed to be a vector');
  check(!(input.rank === 0 && index.size !== 1), () => `index_select(): Index to scalar can have only 1 value, got ${index.size} value(s)`);
  check(index.dtype === 'int32', () => 'index_select(): Expected dtype int32 or int64 for index');
  const size = input.rank === 0 ? 1 : input.shape[d];
  const ids = Array.from(values(index));
  ids.forEach((id) => check(id >= 0 && id < size, () => `INDICES element is out of DATA bounds, id=${id} axis_dim=${size}`));
  if (input.rank === 0) return tidy(() => ops.clone(input));
  return tidy(() => ops.gather(input, ids, d));
}

export const IndexSelectSig = overloads('index_select', {
  int: [req('input', tensor), req('dim', int), req('index', tensor), out],
  name: named([req('input', tensor), req('dim', dimname), req('index', tensor), out], 'nyi'),
});

/**
 * `torch.index_select(input, dim, index)`: the entries of `dim` listed by a 1-D int tensor.
 * @see https://pytorch.org/docs/1.13/generated/torch.index_select.html
 */
export function index_select(...args: OverloadArgs<typeof IndexSelectSig>): Tensor {
  const { input, dim, index } = IndexSelectSig.bind(args);
  return indexSelectImpl(input, dim, index);
}

// ---- copies ----

export function flipImpl(input: Tensor, axes: readonly number[]): Tensor {
  const ds = wrapDims(axes, input.rank);
  return tidy(() => (ds.length === 0 || input.rank === 0 ? ops.clone(input) : ops.reverse(input, ds)));
}

export const FlipSig = signature('flip', [req('input', tensor), req('dims', intList)], native);

/**
 * `torch.flip(input, dims)`: reverses the order along each of `dims`.
 * @see https://pytorch.org/docs/1.13/generated/torch.flip.html
 */
export function flip(...args: ArgsOf<typeof FlipSig>): Tensor {
  const { input, dims: axes } = FlipSig.bind(args);
  return flipImpl(input, axes);
}

export function rollImpl(input: Tensor, shifts: number | readonly number[], rollDims: number | readonly number[]): Tensor {
  const s = typeof shifts === 'number' ? [shifts] : shifts;
  const ds = typeof rollDims === 'number' ? [rollDims] : rollDims;
  check(s.length > 0, () => '`shifts` required');
  if (ds.length === 0 && s.length === 1) return tidy(() => ops.reshape(rollImpl(ops.reshape(input, [input.size]), s, [0]), input.shape));
  check(s.length === ds.length, () => `shifts and dimensions must align. shifts: ${s.length}, dims:${ds.length}`);
  return tidy(() =>
    s.reduce((x, shift, i) => {
      const d = wrapDim(ds[i], x.rank);
      const size = x.shape[d];
      if (size === 0) return x;
      const start = (((size - shift) % size) + size) % size;
      if (start === 0) return x;
      const [a, b] = [narrowImpl(x, d, start, size - start), narrowImpl(x, d, 0, start)];
      return ops.concat([a, b], d);
    }, input),
  ) as Tensor;
}

export const RollSig = signature('roll', [req('input', tensor), req('shifts', intListOrInt), opt('dims', intListOrInt, [])], native);

/**
 * `torch.roll(input, shifts, dims=None)`: shifts elements along `dims`, wrapping around; with no
 * dims, along the flattened tensor.
 * @see https://pytorch.org/docs/1.13/generated/torch.roll.html
 */
export function roll(...args: ArgsOf<typeof RollSig>): Tensor {
  const { input, shifts, dims: rollDims } = RollSig.bind(args);
  return rollImpl(input, shifts, rollDims);
}

/** `Tensor.repeat`: `reps` copies along each dimension, new leading ones as needed. */
export function repeatImpl(input: Tensor, reps: readonly number[]): Tensor {
  check(reps.length >= input.rank, () => 'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  const padded = [...Array(reps.length - input.rank).fill(1), ...input.shape];
  const target = padded.map((s, i) => s * reps[i]);
  const negative = target.find((s) => s < 0);
  check(negative === undefined, () => `Trying to create tensor with negative dimension ${negative}: ${sizeStr(target)}`);
  return tidy(() => (numel(target) === 0 ? ops.fill(target, 0, dtypeOf(input)) : ops.tile(ops.reshape(input, padded), reps)));
}

export function tileImpl(input: Tensor, reps: readonly number[]): Tensor {
  return repeatImpl(input, [...Array(Math.max(input.rank - reps.length, 0)).fill(1), ...reps]);
}

export const TileSig = signature('tile', [req('input', tensor), req('dims', intList)], native);

/**
 * `torch.tile(input, dims)`: repeats the tensor, `dims` padded with leading 1s to its rank.
 * @see https://pytorch.org/docs/1.13/generated/torch.tile.html
 */
export function tile(...args: ArgsOf<typeof TileSig>): Tensor {
  const { input, dims: reps } = TileSig.bind(args);
  return tileImpl(input, reps);
}

/** `Tensor.expand`: size-1 (and new leading) dimensions repeated to `size`; -1 keeps a size. */
export function expandImpl(input: Tensor, size: readonly number[]): Tensor {
  check(
    size.length >= input.rank,
    () =>
      `expand(${tensorTypeName(input.dtype)}{${sizeStr(input.shape)}}, size=${sizeStr(size)}): the number of sizes provided (${size.length}) must be greater or equal to the number of dimensions in the tensor (${input.rank})`,
  );
  const lead = size.length - input.rank;
  const target = size.map((s, i) => {
    const existing = i < lead ? 1 : input.shape[i - lead];
    if (s === -1) {
      check(i >= lead, () => `The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      return existing;
    }
    check(
      i < lead || existing === s || existing === 1,
      () => `The expanded size of the tensor (${s}) must match the existing size (${existing}) at non-singleton dimension ${i}.  Target sizes: ${sizeStr(size)}.  Tensor sizes: ${sizeStr(input.shape)}`,
    );
    return s;
  });
  const strides = stridesOf(input);
  const expanded = target.map((s, i) => (i < lead || (input.shape[i - lead] === 1 && s !== 1) ? 0 : strides[i - lead]));
  return withStrides(tidy(() => (numel(target) === 0 ? ops.fill(target, 0, dtypeOf(input)) : ops.broadcastTo(ops.reshape(input, [...Array(lead).fill(1), ...input.shape]), target))), expanded);
}

export const BroadcastToSig = signature('broadcast_to', [req('input', tensor), req('size', intList)], native);

/**
 * `torch.broadcast_to(input, size)`: `input` expanded to `size` (-1 keeps a dimension).
 * @see https://pytorch.org/docs/1.13/generated/torch.broadcast_to.html
 */
export function broadcast_to(...args: ArgsOf<typeof BroadcastToSig>): Tensor {
  const { input, size } = BroadcastToSig.bind(args);
  return expandImpl(input, size);
}
