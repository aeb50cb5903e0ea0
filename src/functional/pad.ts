import type { Tensor } from '@tensorflow/tfjs-core';
import { constantPad, gatherPad, type AxisGather } from '../backend/pad';
import { tidy } from '../backend/tensor';
import { check, IndexError, NotImplementedError } from '../errors';
import { pyMod, sizes } from './args';
import { scalarTypeName } from './dtypes';
import { opt, pyType, req, signature, type ArgsOf } from '../python/signature';
import { intList, optionalFloat, tensor } from '../python/types';

/** The modes that copy input values into the border (nn.Conv2d's padding modes other than zeros). */
export const EDGE_PAD_MODES = ['reflect', 'replicate', 'circular'] as const;
export type EdgePadMode = (typeof EDGE_PAD_MODES)[number];
export const PAD_MODES = ['constant', ...EDGE_PAD_MODES] as const;
export type PadMode = (typeof PAD_MODES)[number];

/** `F.pad`'s signature: PyTorch 1.13's native `pad(Tensor input, SymInt[] pad, str mode="constant", float? value=None)`. */
const PadSig = signature(
  'pad',
  [req('input', tensor), req('pad', intList), opt('mode', pyType<PadMode>('str', (v) => typeof v === 'string'), 'constant'), opt('value', optionalFloat, null)],
  { dialect: 'native' },
);

/** Every way to call `F.pad`: `F.pad(x, [1, 1], 'reflect')`, `F.pad(x, [1, 1], { mode: 'reflect' })`. */
export type PadArgs = ArgsOf<typeof PadSig>;

/**
 * `F.pad(input, pad, mode='constant', value=None)`.
 *
 * `pad` lists `[before, after]` amounts starting from the LAST dimension, as PyTorch does:
 * `[left, right]` pads W; `[left, right, top, bottom]` pads W then H. Constant mode pads any
 * trailing dimensions and crops where an amount is negative. reflect and replicate pad the last
 * 1, 2 or 3 dimensions of a batched or unbatched input; circular only of a batched one (as in
 * PyTorch 1.13). Limits are PyTorch's: reflect needs `pad < size`, circular `pad <= size`,
 * replicate takes any amount.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.pad.html
 */
export function pad(...args: PadArgs): Tensor {
  const { input, pad: padding, mode, value } = PadSig.bind(args);
  const ndim = input.rank;
  if (!(PAD_MODES as readonly string[]).includes(mode)) throw new NotImplementedError(`Unrecognised padding mode ${mode}`);
  check(padding.length % 2 === 0, () => 'Padding length must be divisible by 2');
  check(padding.length <= ndim * 2, () => 'Padding length too large');
  if (mode === 'constant') return constantPadNd(input, padding, value ?? 0);
  check(value === null || value === 0, () => `Padding mode "${mode}" doesn't take in value argument`);
  const k = padding.length / 2;
  if (!(ndim === k + 1 || ndim === k + 2)) {
    throw new NotImplementedError('Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now');
  }
  const axes = mode === 'circular' ? circularAxes(input.shape, padding) : edgeAxes(input.shape, padding, mode as Exclude<EdgePadMode, 'circular'>);
  if (mode !== 'circular') {
    // ATen's reflection and replication kernels dispatch on floating types only, after their shape checks.
    const kernel = mode === 'reflect' ? ['reflection_pad1d', 'reflection_pad2d', 'reflection_pad3d_cpu'][k - 1] : `replication_pad${k}d_cpu`;
    check(input.dtype === 'float32', () => `"${kernel}" not implemented for '${scalarTypeName(input.dtype)}'`);
  }
  return tidy(() => gatherPad(input, axes));
}

/** The padded dimensions, innermost first, each with its `[before, after]` and size. */
function paddedDims(shape: readonly number[], padding: readonly number[]) {
  return Array.from({ length: padding.length / 2 }, (_, j) => {
    const axis = shape.length - 1 - j;
    return { axis, before: padding[2 * j], after: padding[2 * j + 1], size: shape[axis] };
  });
}

/** ATen's `constant_pad_nd`: negative amounts narrow first, with `narrow`'s own errors. */
function constantPadNd(input: Tensor, padding: readonly number[], value: number): Tensor {
  const dims = paddedDims(input.shape, padding).reverse();
  for (const { before, after, size } of dims) {
    let cur = size;
    if (before < 0) {
      const start = -before;
      if (start !== cur) {
        if (start < -cur || start > cur - 1) {
          throw new IndexError(`Dimension out of range (expected to be in range of [${-cur}, ${cur - 1}], but got ${start})`);
        }
      }
      narrowCheck(start, cur + before, cur);
      cur += before;
    }
    if (after < 0) narrowCheck(0, cur + after, cur);
  }
  if (dims.some(({ before, after }) => before > 0 || after > 0)) {
    dims.forEach(({ axis, before, after, size }) =>
      check(size + before + after > 0, () =>
        `The input size ${size}, plus negative padding ${before} and ${after} resulted in a negative output size, which is invalid. Check dimension ${axis} of your input.`));
  }
  const full = input.shape.map(() => [0, 0] as [number, number]);
  dims.forEach(({ axis, before, after }) => (full[axis] = [before, after]));
  return tidy(() => constantPad(input, full, value));
}

function narrowCheck(start: number, length: number, cur: number): void {
  check(length >= 0 && start <= cur - length, () => `start (${start}) + length (${length}) exceeds dimension size (${cur}).`);
}

/** reflect and replicate: ATen's reflection_pad{1,2,3}d / replication_pad checks, then index maps. */
function edgeAxes(shape: readonly number[], padding: readonly number[], mode: 'reflect' | 'replicate'): AxisGather[] {
  const ndim = shape.length;
  const dims = paddedDims(shape, padding);
  if (mode === 'reflect') {
    // The message names the input by rank for 2-d padding and by its sizes otherwise.
    const input = dims.length === 2 ? String(ndim) : sizes(shape);
    dims.forEach(({ axis, before, after, size }, j) =>
      check(before < size && after < size, () =>
        `Argument #${4 + 2 * j}: Padding size should be less than the corresponding input dimension, but got: padding (${before}, ${after}) at dimension ${axis} of input ${input}`));
  }
  return dims.map(({ axis, before, after, size }) => {
    const length = size + before + after;
    check(length >= 0, () => `Trying to create tensor with negative dimension ${length}: ${sizes(shape.map((s, i) => (i === axis ? length : s)))}`);
    const source = mode === 'reflect'
      ? (i: number) => reflect(i - before, size)
      : (i: number) => Math.min(Math.max(i - before, 0), size - 1);
    return { axis, length, source };
  });
}

const reflect = (j: number, n: number): number => (j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j);

/**
 * ATen's `_pad_circular`: crops negative amounts first, then wraps the positive ones around
 * what is left.
 */
function circularAxes(shape: readonly number[], padding: readonly number[]): AxisGather[] {
  const spatial = shape.length - 2;
  check(padding.length === 2 * spatial, () => `Invalid padding size, expected ${2 * spatial} but got ${padding.length}`);
  const dims = paddedDims(shape, padding).reverse();
  dims.forEach(({ before, after, size }) => {
    check(before <= size && after <= size, () => 'Padding value causes wrapping around more than once.');
    check(size + before + after >= 0, () => 'Negative padding value is resulting in an empty dimension');
  });
  return dims.map(({ axis, before, after, size }) => {
    const offset = Math.max(-before, 0);
    const kept = size - offset - Math.max(-after, 0);
    const lead = Math.max(before, 0);
    return { axis, length: size + before + after, source: (i: number) => offset + pyMod(i - lead, kept) };
  });
}
