/**
 * PyTorch's loss modules (torch/nn/modules/loss.py 1.13): each keeps its options, registers
 * `weight` (and `pos_weight`) as buffers as `_WeightedLoss` does, and calls its `F` function.
 * `criterion(output, target)` is Python's `criterion(output, target)`.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as F from '../functional/loss';
import { opt, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { Module } from './module';

const weightArg = opt('weight', any<Tensor | null>('Tensor'), null);
const sizeAverage = opt('size_average', any<boolean | null>('bool'), null);
const reduceArg = opt('reduce', any<boolean | null>('bool'), null);
const reductionArg = opt('reduction', any<string>('str'), 'mean');
const ignoreIndex = opt('ignore_index', any<number>('int'), -100);

/** `_Loss.__init__`: the reduction, legacy arguments resolved once as PyTorch resolves them. */
abstract class Loss extends Module {
  readonly reduction: string;

  constructor(sizeAverageValue: boolean | null, reduceValue: boolean | null, reduction: string) {
    super();
    this.reduction = sizeAverageValue !== null || reduceValue !== null ? F.reductionOf(sizeAverageValue, reduceValue, reduction) : reduction;
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/** `_WeightedLoss.__init__`: also a `weight` buffer (or None). */
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;

  constructor(weight: Tensor | null, sizeAverageValue: boolean | null, reduceValue: boolean | null, reduction: string) {
    super(sizeAverageValue, reduceValue, reduction);
    this.register_buffer('weight', weight);
  }
}

const CrossEntropySig = signature('CrossEntropyLoss.__init__', [weightArg, sizeAverage, ignoreIndex, reduceArg, reductionArg, opt('label_smoothing', any<number>('float'), 0.0)], { method: true });

/**
 * `nn.CrossEntropyLoss(weight=None, size_average=None, ignore_index=-100, reduce=None,
 * reduction='mean', label_smoothing=0.0)`; targets are class indices or probabilities.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.CrossEntropyLoss.html
 */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignore_index: number;
  readonly label_smoothing: number;

  constructor(...args: ArgsOf<typeof CrossEntropySig>) {
    const b = CrossEntropySig.bind(args);
    super(b.weight, b.size_average, b.reduce, b.reduction);
    this.ignore_index = b.ignore_index;
    this.label_smoothing = b.label_smoothing;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.cross_entropy(input, target, { weight: this.weight, ignore_index: this.ignore_index, reduction: this.reduction, label_smoothing: this.label_smoothing });
  }
}

const NllSig = signature('NLLLoss.__init__', [weightArg, sizeAverage, ignoreIndex, reduceArg, reductionArg], { method: true });

/**
 * `nn.NLLLoss(weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean')`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.NLLLoss.html
 */
export class NLLLoss extends WeightedLoss {
  readonly ignore_index: number;

  constructor(...args: ArgsOf<typeof NllSig>) {
    const b = NllSig.bind(args);
    super(b.weight, b.size_average, b.reduce, b.reduction);
    this.ignore_index = b.ignore_index;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nll_loss(input, target, { weight: this.weight, ignore_index: this.ignore_index, reduction: this.reduction });
  }
}

const plainSig = (name: string) => signature(`${name}.__init__`, [sizeAverage, reduceArg, reductionArg], { method: true });
const MseSig = plainSig('MSELoss');
const L1Sig = plainSig('L1Loss');

/** `nn.MSELoss(size_average=None, reduce=None, reduction='mean')`. @see https://pytorch.org/docs/1.13/generated/torch.nn.MSELoss.html */
export class MSELoss extends Loss {
  constructor(...args: ArgsOf<typeof MseSig>) {
    const b = MseSig.bind(args);
    super(b.size_average, b.reduce, b.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mse_loss(input, target, { reduction: this.reduction });
  }
}

/** `nn.L1Loss(size_average=None, reduce=None, reduction='mean')`. @see https://pytorch.org/docs/1.13/generated/torch.nn.L1Loss.html */
export class L1Loss extends Loss {
  constructor(...args: ArgsOf<typeof L1Sig>) {
    const b = L1Sig.bind(args);
    super(b.size_average, b.reduce, b.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1_loss(input, target, { reduction: this.reduction });
  }
}

const SmoothL1Sig = signature('SmoothL1Loss.__init__', [sizeAverage, reduceArg, reductionArg, opt('beta', any<number>('float'), 1.0)], { method: true });

/** `nn.SmoothL1Loss(size_average=None, reduce=None, reduction='mean', beta=1.0)`. @see https://pytorch.org/docs/1.13/generated/torch.nn.SmoothL1Loss.html */
export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(...args: ArgsOf<typeof SmoothL1Sig>) {
    const b = SmoothL1Sig.bind(args);
    super(b.size_average, b.reduce, b.reduction);
    this.beta = b.beta;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.smooth_l1_loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

const HuberSig = signature('HuberLoss.__init__', [reductionArg, opt('delta', any<number>('float'), 1.0)], { method: true });

/** `nn.HuberLoss(reduction='mean', delta=1.0)`. @see https://pytorch.org/docs/1.13/generated/torch.nn.HuberLoss.html */
export class HuberLoss extends Loss {
  readonly delta: number;

  constructor(...args: ArgsOf<typeof HuberSig>) {
    const b = HuberSig.bind(args);
    super(null, null, b.reduction);
    this.delta = b.delta;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.huber_loss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

const BceSig = signature('BCELoss.__init__', [weightArg, sizeAverage, reduceArg, reductionArg], { method: true });

/** `nn.BCELoss(weight=None, size_average=None, reduce=None, reduction='mean')`. @see https://pytorch.org/docs/1.13/generated/torch.nn.BCELoss.html */
export class BCELoss extends WeightedLoss {
  constructor(...args: ArgsOf<typeof BceSig>) {
    const b = BceSig.bind(args);
    super(b.weight, b.size_average, b.reduce, b.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

const BceLogitsSig = signature('BCEWithLogitsLoss.__init__', [weightArg, sizeAverage, reduceArg, reductionArg, opt('pos_weight', any<Tensor | null>('Tensor'), null)], { method: true });

/**
 * `nn.BCEWithLogitsLoss(weight=None, size_average=None, reduce=None, reduction='mean',
 * pos_weight=None)`: `weight` and `pos_weight` are buffers.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.BCEWithLogitsLoss.html
 */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;

  constructor(...args: ArgsOf<typeof BceLogitsSig>) {
    const b = BceLogitsSig.bind(args);
    super(b.size_average, b.reduce, b.reduction);
    this.register_buffer('weight', b.weight);
    this.register_buffer('pos_weight', b.pos_weight);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy_with_logits(input, target, { weight: this.weight, pos_weight: this.pos_weight, reduction: this.reduction });
  }
}

const KlSig = signature('KLDivLoss.__init__', [sizeAverage, reduceArg, reductionArg, opt('log_target', any<boolean>('bool'), false)], { method: true });

/** `nn.KLDivLoss(size_average=None, reduce=None, reduction='mean', log_target=False)`. @see https://pytorch.org/docs/1.13/generated/torch.nn.KLDivLoss.html */
export class KLDivLoss extends Loss {
  readonly log_target: boolean;

  constructor(...args: ArgsOf<typeof KlSig>) {
    const b = KlSig.bind(args);
    super(b.size_average, b.reduce, b.reduction);
    this.log_target = b.log_target;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.kl_div(input, target, { reduction: this.reduction, log_target: this.log_target });
  }
}
