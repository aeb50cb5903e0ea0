/**
 * PyTorch's loss functions (torch/nn/functional.py 1.13), with their arguments, defaults,
 * legacy `size_average`/`reduce`, checks and messages. The arithmetic is ../backend/loss.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as L from '../backend/loss';
import { tidy, values } from '../backend/tensor';
import { IndexError, RuntimeError, ValueError } from '../errors';
import { opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { Size } from '../torch/size';

export type Reduction = L.Reduction;
const t = (name: string) => req(name, any<Tensor>('Tensor'));
const weightArg = opt('weight', any<Tensor | null>('Tensor'), null);
const sizeAverage = opt('size_average', any<boolean | null>('bool'), null);
const reduceArg = opt('reduce', any<boolean | null>('bool'), null);
const reductionArg = opt('reduction', any<string>('str'), 'mean');
const ignoreIndex = opt('ignore_index', any<number>('int'), -100);

/** `_Reduction.legacy_get_string` and `get_enum`: the reduction a call asks for, or PyTorch's ValueError. */
export function reductionOf(sizeAverage: boolean | null, reduce: boolean | null, reduction: string, batchmean = false): Reduction {
  if (sizeAverage !== null || reduce !== null) {
    const [s, r] = [sizeAverage ?? true, reduce ?? true];
    return s && r ? 'mean' : r ? 'sum' : 'none';
  }
  if (reduction === 'none' || reduction === 'mean' || reduction === 'sum' || (batchmean && reduction === 'batchmean')) return reduction as Reduction;
  throw new ValueError(`${reduction} is not a valid value for reduction`);
}

const CrossEntropySig = signature('cross_entropy', [t('input'), t('target'), weightArg, sizeAverage, ignoreIndex, reduceArg, reductionArg, opt('label_smoothing', any<number>('float'), 0.0)]);
const NllSig = signature('nll_loss', [t('input'), t('target'), weightArg, sizeAverage, ignoreIndex, reduceArg, reductionArg]);
const pairSig = (name: string) => signature(name, [t('input'), t('target'), sizeAverage, reduceArg, reductionArg]);
const MseSig = pairSig('mse_loss');
const L1Sig = pairSig('l1_loss');
const SmoothL1Sig = signature('smooth_l1_loss', [t('input'), t('target'), sizeAverage, reduceArg, reductionArg, opt('beta', any<number>('float'), 1.0)]);
const HuberSig = signature('huber_loss', [t('input'), t('target'), reductionArg, opt('delta', any<number>('float'), 1.0)]);
const BceSig = signature('binary_cross_entropy', [t('input'), t('target'), weightArg, sizeAverage, reduceArg, reductionArg]);
const BceLogitsSig = signature('binary_cross_entropy_with_logits', [t('input'), t('target'), weightArg, sizeAverage, reduceArg, reductionArg, opt('pos_weight', any<Tensor | null>('Tensor'), null)]);
const KlSig = signature('kl_div', [t('input'), t('target'), sizeAverage, reduceArg, reductionArg, opt('log_target', any<boolean>('bool'), false)]);

/** ATen's checks of a class-index target (`nll_loss_nd`, then the kernel's bound check). */
function checkClassTarget(input: Tensor, target: Tensor, weight: Tensor | null, ignore: number): void {
  if (input.rank < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.rank})`);
  const batched = input.rank !== 1;
  if (batched && input.shape[0] !== target.shape[0]) {
    throw new ValueError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  }
  const classes = input.shape[batched ? 1 : 0] as number;
  if (weight !== null && weight.size !== classes) {
    throw new RuntimeError(`weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${new Size(weight.shape).toString().slice('torch.Size('.length, -1)}`);
  }
  for (const v of values(target)) {
    if (v !== ignore && (v < 0 || v >= classes)) throw new IndexError(`Target ${v} is out of bounds.`);
  }
}

/**
 * `F.cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
 * reduce=None, reduction='mean', label_smoothing=0.0)`: log-softmax over the class dimension (1,
 * or 0 for an unbatched `[C]` input) then the negative log-likelihood. `target` holds class
 * indices (an int tensor, `[N]` or `[N, d1, ...]`) or class probabilities (a float tensor of
 * the input's shape).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.cross_entropy.html
 */
export function cross_entropy(...args: ArgsOf<typeof CrossEntropySig>): Tensor {
  const b = CrossEntropySig.bind(args);
  const reduction = reductionOf(b.size_average, b.reduce, b.reduction);
  if (b.label_smoothing < 0 || b.label_smoothing > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${b.label_smoothing}`);
  if (b.target.dtype === 'float32') {
    if (b.target.shape.join() !== b.input.shape.join()) {
      throw new RuntimeError(`Expected target size ${new Size(b.input.shape)}, got ${new Size(b.target.shape)}`);
    }
    return tidy(() => L.crossEntropyProbs(b.input, b.target, b.weight, reduction, b.label_smoothing));
  }
  checkClassTarget(b.input, b.target, b.weight, b.ignore_index);
  return tidy(() => L.crossEntropyIndices(b.input, b.target, b.weight, reduction, b.ignore_index, b.label_smoothing));
}

/**
 * `F.nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
 * reduction='mean')`: `−weight[t]·input[t]` per element; the mean divides by the summed weights
 * of the targets not ignored.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.nll_loss.html
 */
export function nll_loss(...args: ArgsOf<typeof NllSig>): Tensor {
  const b = NllSig.bind(args);
  const reduction = reductionOf(b.size_average, b.reduce, b.reduction);
  checkClassTarget(b.input, b.target, b.weight, b.ignore_index);
  return tidy(() => L.nllLoss(b.input, b.target, b.weight, reduction, b.ignore_index));
}

/** @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.mse_loss.html */
export function mse_loss(...args: ArgsOf<typeof MseSig>): Tensor {
  const b = MseSig.bind(args);
  return tidy(() => L.mseLoss(b.input, b.target, reductionOf(b.size_average, b.reduce, b.reduction)));
}

/** @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.l1_loss.html */
export function l1_loss(...args: ArgsOf<typeof L1Sig>): Tensor {
  const b = L1Sig.bind(args);
  return tidy(() => L.l1Loss(b.input, b.target, reductionOf(b.size_average, b.reduce, b.reduction)));
}

/** @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.smooth_l1_loss.html */
export function smooth_l1_loss(...args: ArgsOf<typeof SmoothL1Sig>): Tensor {
  const b = SmoothL1Sig.bind(args);
  if (b.beta < 0) throw new RuntimeError('smooth_l1_loss does not support negative values for beta.');
  return tidy(() => L.smoothL1Loss(b.input, b.target, reductionOf(b.size_average, b.reduce, b.reduction), b.beta));
}

/** @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.huber_loss.html */
export function huber_loss(...args: ArgsOf<typeof HuberSig>): Tensor {
  const b = HuberSig.bind(args);
  const reduction = reductionOf(null, null, b.reduction);
  if (b.delta <= 0) throw new RuntimeError('huber_loss does not support non-positive values for delta.');
  return tidy(() => L.huberLoss(b.input, b.target, reduction, b.delta));
}

/** @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.binary_cross_entropy.html */
export function binary_cross_entropy(...args: ArgsOf<typeof BceSig>): Tensor {
  const b = BceSig.bind(args);
  const reduction = reductionOf(b.size_average, b.reduce, b.reduction);
  if (b.target.shape.join() !== b.input.shape.join()) {
    throw new ValueError(`Using a target size (${new Size(b.target.shape)}) that is different to the input size (${new Size(b.input.shape)}) is deprecated. Please ensure they have the same size.`);
  }
  const x = values(b.input);
  if (x.some((v) => !(v >= 0 && v <= 1))) throw new RuntimeError('all elements of input should be between 0 and 1');
  return tidy(() => L.bceLoss(b.input, b.target, b.weight, reduction));
}

/** @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.binary_cross_entropy_with_logits.html */
export function binary_cross_entropy_with_logits(...args: ArgsOf<typeof BceLogitsSig>): Tensor {
  const b = BceLogitsSig.bind(args);
  const reduction = reductionOf(b.size_average, b.reduce, b.reduction);
  if (b.target.shape.join() !== b.input.shape.join()) {
    throw new ValueError(`Target size (${new Size(b.target.shape)}) must be the same as input size (${new Size(b.input.shape)})`);
  }
  return tidy(() => L.bceWithLogitsLoss(b.input, b.target, b.weight, b.pos_weight, reduction));
}

/**
 * `F.kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False)`:
 * `input` holds log-probabilities; `'batchmean'` divides the sum by the batch size.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.kl_div.html
 */
export function kl_div(...args: ArgsOf<typeof KlSig>): Tensor {
  const b = KlSig.bind(args);
  const reduction = b.size_average !== null || b.reduce !== null ? reductionOf(b.size_average, b.reduce, 'mean') : reductionOf(null, null, b.reduction, true);
  return tidy(() => L.klDivLoss(b.input, b.target, reduction as L.Reduction | 'batchmean', b.log_target));
}
