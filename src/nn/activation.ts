import type { Tensor } from '@tensorflow/tfjs-core';
import { relu } from '../functional/activation';
import { Module } from './module';

/**
 * `nn.ReLU(inplace=False)`: `max(0, x)` elementwise, any shape. `inplace` is kept for the printout;
 * tfjs tensors are immutable, so the input is never overwritten.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.ReLU.html
 */
export class ReLU extends Module {
  readonly inplace: boolean;

  constructor(inplaceOrOptions: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = typeof inplaceOrOptions === 'boolean' ? inplaceOrOptions : (inplaceOrOptions.inplace ?? false);
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
    return this.inplace ? 'inplace=True' : '';
  }
}
