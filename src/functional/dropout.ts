import type { Tensor } from '@tensorflow/tfjs-core';
import { applyNoise, zeroed } from '../backend/dropout';
import { clone } from '../backend/ops';
import { tidy } from '../backend/tensor';
import { check, ValueError } from '../errors';
import { gt, lt } from '../python/ops';
import { pyFloat } from '../python/repr';
import { opt, req, signature, type ArgsOf } from '../python/signature';
import { any, bool, float, tensor } from '../python/types';
import { bernoulli } from '../torch/random';

const native = { dialect: 'native' } as const;
const dropoutSignature = (name: string) =>
  signature(name, [req('input', any<Tensor>('Tensor')), opt('p', any<number>('float'), 0.5), opt('training', any<boolean>('bool'), true), opt('inplace', any<boolean>('bool'), false)]);
const DropoutSig = dropoutSignature('dropout');
const Dropout2dSig = dropoutSignature('dropout2d');
const DropoutNative = signature('dropout', [req('input', tensor), req('p', float), req('train', bool)], native);
const FeatureDropoutNative = signature('feature_dropout', [req('input', tensor), req('p', float), req('train', bool)], native);

/**
 * `F.dropout(input, p=0.5, training=True, inplace=False)`: in training, each element is zeroed
 * with probability `p` and the rest scaled by `1/(1−p)`; otherwise the input's values (a new
 * tensor handle on the same data, so disposing it leaves the input alive). The mask is the one
 * PyTorch draws after the same `manual_seed`: one double uniform per element, kept when below
 * `1−p`. `inplace` is accepted; tfjs tensors are immutable, so the result is always returned.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.dropout.html
 */
export function dropout(...args: ArgsOf<typeof DropoutSig>): Tensor {
  const { input, p, training } = DropoutSig.bind(args);
  return dropoutImpl(input, p, training, false);
}

/**
 * `F.dropout2d(input, p=0.5, training=True, inplace=False)`: whole channels of `[N, C, H, W]`
 * zeroed together (one draw per `(n, c)`), the rest scaled by `1/(1−p)`. As in PyTorch 1.13, a
 * 3-D input is read as `[N, C, L]`, not as one unbatched image.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.dropout2d.html
 */
export function dropout2d(...args: ArgsOf<typeof Dropout2dSig>): Tensor {
  const { input, p, training } = Dropout2dSig.bind(args);
  return dropoutImpl(input, p, training, true);
}

/** F.dropout's and F.dropout2d's work, ATen's `_dropout_impl`: per element, or per channel (`feature`). */
export function dropoutImpl(input: Tensor, p: number, training: boolean, feature: boolean): Tensor {
  if (lt(p, 0.0, 'float') || gt(p, 1.0, 'float')) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${pyFloat(p)}`);
  (feature ? FeatureDropoutNative : DropoutNative).bind([input, p, training]);
  if (p === 0 || !training || input.size === 0) return tidy(() => clone(input));
  if (p === 1) return tidy(() => zeroed(input));
  let noiseShape = input.shape;
  if (feature) {
    check(input.rank >= 2, () => 'Feature dropout requires at least 2 dimensions in the input');
    noiseShape = input.shape.map((d, i) => (i < 2 ? d : 1));
  }
  const keep = bernoulli(noiseShape.reduce((a, b) => a * b, 1), 1 - p);
  const scale = Math.fround(1 / Math.fround(1 - p));
  return tidy(() => applyNoise(input, keep, noiseShape, scale));
}
