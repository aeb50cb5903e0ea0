import type { Tensor } from '@tensorflow/tfjs-core';
import { clone } from '../backend/ops';
import { affine, alongAxis, localResponseNorm, standardiseGroups, standardiseLast } from '../backend/normalization';
import { tidy } from '../backend/tensor';
import { AttributeError, check, RuntimeError, ValueError, ZeroDivisionError } from '../errors';
import { opt, pyTypeName, req, signature, type ArgsOf } from '../python/signature';
import { any, bool, float, int, intList, orNone, tensor } from '../python/types';
import { sizes } from './args';
import { wrapDim } from './tensor/util';

const native = { dialect: 'native' } as const;

// ---- layer_norm ----

const LayerNormSig = signature('layer_norm', [
  req('input', any<Tensor>('Tensor')),
  req('normalized_shape', any<readonly number[]>('List[int]')),
  opt('weight', any<Tensor | null>('Tensor'), null),
  opt('bias', any<Tensor | null>('Tensor'), null),
  opt('eps', any<number>('float'), 1e-5),
]);
const LayerNormNative = signature(
  'layer_norm',
  [req('input', tensor), req('normalized_shape', intList), opt('weight', orNone(tensor), null), opt('bias', orNone(tensor), null), opt('eps', float, 1e-5), opt('cudnn_enable', bool, true)],
  native,
);

/**
 * `F.layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05)`: over the last
 * `len(normalized_shape)` dimensions (which must equal `normalized_shape`),
 * `y = (x − mean)/√(var + eps)·weight + bias` with the biased variance; weight and bias have
 * the shape `normalized_shape`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.layer_norm.html
 */
export function layer_norm(...args: ArgsOf<typeof LayerNormSig>): Tensor {
  const a = LayerNormSig.bind(args);
  return layerNormImpl(a.input, a.normalized_shape, a.weight, a.bias, a.eps);
}

/** F.layer_norm after binding: `torch.layer_norm`'s parser, then ATen's checks in its order. */
export function layerNormImpl(input: Tensor, normalizedShape: readonly number[], weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const n = LayerNormNative.bind([input, normalizedShape, weight, bias, eps, true]);
  const shape = n.normalized_shape as readonly number[];
  const same = (t: readonly number[]) => t.length === shape.length && t.every((d, i) => d === shape[i]);
  check(shape.length >= 1, () => `Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = ${sizes(shape)}`);
  check(weight === null || same(weight.shape), () => `Expected weight to be of same shape as normalized_shape, but got weight of shape ${sizes(weight!.shape)} and normalized_shape = ${sizes(shape)}`);
  check(bias === null || same(bias.shape), () => `Expected bias to be of same shape as normalized_shape, but got bias of shape ${sizes(bias!.shape)} and normalized_shape = ${sizes(shape)}`);
  if (input.rank < shape.length || !same(input.shape.slice(input.rank - shape.length))) {
    throw new RuntimeError(`Given normalized_shape=${sizes(shape)}, expected input with shape [*${shape.map((d) => `, ${d}`).join('')}], but got input of size${sizes(input.shape)}`);
  }
  if (input.size === 0) return tidy(() => clone(input));
  return tidy(() => affine(standardiseLast(input, shape.length, eps), weight, bias));
}

// ---- group_norm ----

const GroupNormSig = signature('group_norm', [
  req('input', any<Tensor>('Tensor')),
  req('num_groups', any<number>('int')),
  opt('weight', any<Tensor | null>('Tensor'), null),
  opt('bias', any<Tensor | null>('Tensor'), null),
  opt('eps', any<number>('float'), 1e-5),
]);
const GroupNormNative = signature(
  'group_norm',
  [req('input', tensor), req('num_groups', int), opt('weight', orNone(tensor), null), opt('bias', orNone(tensor), null), opt('eps', float, 1e-5), opt('cudnn_enabled', bool, true)],
  native,
);

/**
 * `F.group_norm(input, num_groups, weight=None, bias=None, eps=1e-05)` on `[N, C, *]`: the C
 * channels split into `num_groups` consecutive groups, each sample's group normalised by its
 * mean and biased variance, then `·weight + bias` per channel (`[C]` each).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.group_norm.html
 */
export function group_norm(...args: ArgsOf<typeof GroupNormSig>): Tensor {
  const a = GroupNormSig.bind(args);
  return groupNormImpl(a.input, a.num_groups, a.weight, a.bias, a.eps);
}

/** F.group_norm after binding: its Python check, `torch.group_norm`'s parser, then ATen's checks. */
export function groupNormImpl(input: Tensor, numGroups: number, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  if (!tensor.accepts!(input)) throw new AttributeError(`'${pyTypeName(input)}' object has no attribute 'size'`);
  const [n, c] = [0, 1].map((d) => input.shape[wrapDim(d, input.rank)]);
  if (typeof numGroups === 'number' && numGroups === 0) throw new ZeroDivisionError('integer division or modulo by zero');
  verifyBatchSize([Math.floor((n * c) / numGroups), numGroups, ...input.shape.slice(2)]);
  GroupNormNative.bind([input, numGroups, weight, bias, eps, true]);
  check(numGroups > 0, () => `Expected num groups to be greater than 0, got ${numGroups}`);
  check(c % numGroups === 0, () => `Expected number of channels in input to be divisible by num_groups, but got input of shape ${sizes(input.shape)} and num_groups=${numGroups}`);
  // ATen's message for a bad bias prints the weight's shape ([0] when there is none).
  const weightShape = sizes(weight?.shape ?? [0]);
  check(weight === null || (weight.rank === 1 && weight.size === c), () =>
    `Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape ${weightShape} and input of shape ${sizes(input.shape)}`);
  check(bias === null || (bias.rank === 1 && bias.size === c), () =>
    `Expected bias to be a vector of size equal to the number of channels in input, but got bias of shape ${weightShape} and input of shape ${sizes(input.shape)}`);
  if (input.size === 0) return tidy(() => clone(input));
  const along = (t: Tensor | null) => (t === null ? null : alongAxis(t, input.rank, 1));
  return tidy(() => affine(standardiseGroups(input, numGroups, eps), along(weight), along(bias)));
}

/** torch.nn.functional's `_verify_batch_size`: a normalisation over one value per channel is refused. */
function verifyBatchSize(size: readonly number[]): void {
  const values = size.reduce((a, b, i) => (i === 1 ? a : a * b), 1);
  if (values === 1) throw new ValueError(`Expected more than 1 value per channel when training, got input size ${sizes(size)}`);
}

// ---- local_response_norm ----

const LocalResponseNormSig = signature('local_response_norm', [
  req('input', any<Tensor>('Tensor')),
  req('size', any<number>('int')),
  opt('alpha', any<number>('float'), 1e-4),
  opt('beta', any<number>('float'), 0.75),
  opt('k', any<number>('float'), 1.0),
]);

/**
 * `F.local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0)` on `[N, C, *]`:
 * `y = x / (k + alpha·mean(x²))^beta`, the mean over `size` channels around each (zero-padded
 * by `⌊size/2⌋` before and `⌊(size−1)/2⌋` after, divided by `size`).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.local_response_norm.html
 */
export function local_response_norm(...args: ArgsOf<typeof LocalResponseNormSig>): Tensor {
  const a = LocalResponseNormSig.bind(args);
  return localResponseNormLayer(a.input, a.size, a.alpha, a.beta, a.k, false);
}

/** F.local_response_norm's work, on `[N, C, *]` or (in a chain) channels-last `[N, H, W, C]` input. */
export function localResponseNormLayer(input: Tensor, size: number, alpha: number, beta: number, k: number, channelsLast: boolean): Tensor {
  if (!tensor.accepts!(input)) throw new AttributeError(`'${pyTypeName(input)}' object has no attribute 'dim'`);
  const dim = input.rank;
  // The Python source continues this message's string on an indented line, so its spaces are part of it.
  if (dim < 3) throw new ValueError(`Expected 3D or higher dimensionality${' '.repeat(26)}input (got ${dim} dimensions)`);
  if (input.size === 0) return tidy(() => clone(input));
  // PyTorch pools over the channels with average pooling of kernel (size, 1) or (size, 1, 1).
  check(size > 0, () => `kernel size should be greater than zero, but got ${dim === 3 ? `kH: ${size} kW: 1` : `kT: ${size} kH: 1 kW: 1`}`);
  return tidy(() => localResponseNorm(input, channelsLast ? dim - 1 : 1, size, alpha, beta, k));
}
