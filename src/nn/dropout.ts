import type { Tensor } from '@tensorflow/tfjs-core';
import { dropoutImpl } from '../functional/dropout';
import { ValueError } from '../errors';
import { gt, lt } from '../python/ops';
import { pyFloat } from '../python/repr';
import { opt, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { Module } from './module';
import { py } from './repr';

/** PyTorch's `_DropoutNd.__init__`, which Dropout and Dropout2d inherit. */
const DropoutSig = signature('_DropoutNd.__init__', [opt('p', any<number>('float'), 0.5), opt('inplace', any<boolean>('bool'), false)], { method: true });

/** Every way to call `new nn.Dropout(...)` or `new nn.Dropout2d(...)`. */
export type DropoutArgs = ArgsOf<typeof DropoutSig>;

/** Dropout's and Dropout2d's shared settings and printout, as PyTorch's `_DropoutNd`. */
abstract class DropoutNd extends Module {
  readonly p: number;
  readonly inplace: boolean;
  /** Whole channels (Dropout2d) rather than elements. */
  protected abstract readonly feature: boolean;

  constructor(...args: DropoutArgs) {
    super();
    const { p, inplace } = DropoutSig.bind(args);
    if (lt(p, 0) || gt(p, 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${pyFloat(p)}`);
    this.p = p;
    this.inplace = inplace;
  }

  forward(input: Tensor): Tensor {
    return dropoutImpl(input, this.p, this.training, this.feature);
  }

  /** Channels-last inside chains in eval mode, where it passes its input on. */
  protected override runsChannelsLast(): boolean {
    return !this.training && this.forward === DropoutNd.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return input;
  }

  override extra_repr(): string {
    return `p=${pyFloat(this.p)}, inplace=${py(this.inplace)}`;
  }
}

/**
 * `nn.Dropout(p=0.5, inplace=False)`: in training mode, zeroes each element with probability
 * `p` and scales the rest by `1/(1−p)`, drawing the mask PyTorch draws after the same
 * `manual_seed`; in eval mode, passes the input on (a new handle on its data). Any shape.
 * `inplace` is kept for the printout; tfjs tensors are immutable, so the result is returned.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Dropout.html
 */
export class Dropout extends DropoutNd {
  protected readonly feature = false;
}

/**
 * `nn.Dropout2d(p=0.5, inplace=False)`: as Dropout, but zeroing whole channels of
 * `[N, C, H, W]` (one draw per sample and channel). As in PyTorch 1.13, a 3-D input is read as
 * `[N, C, L]`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Dropout2d.html
 */
export class Dropout2d extends DropoutNd {
  protected readonly feature = true;
}
