import type { Tensor } from '@tensorflow/tfjs-core';
import { relu } from '../functional/activation';
import { truthy } from '../python/ops';
import { opt, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { Module } from './module';

const ReLUSig = signature('ReLU.__init__', [opt('inplace', any<boolean>('bool'), false)], { method: true });

/**
 * `nn.ReLU(inplace=False)`: `max(0, x)` elementwise, any shape. `inplace` is kept for the printout;
 * tfjs tensors are immutable, so the input is never overwritten and the result is returned.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.ReLU.html
 */
export class ReLU extends Module {
  readonly inplace: boolean;

  constructor(...args: ArgsOf<typeof ReLUSig>) {
    super();
    this.inplace = ReLUSig.bind(args).inplace;
  }

  forward(input: Tensor): Tensor {
    return relu(input);
  }

  /** Channels-last inside chains, unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return this.forward === ReLU.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return relu(input);
  }

  override extra_repr(): string {
    return truthy(this.inplace) ? 'inplace=True' : '';
  }
}
