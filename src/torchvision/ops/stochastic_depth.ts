/**
 * torchvision 0.14's `ops/stochastic_depth.py`: `stochastic_depth` and `StochasticDepth`.
 *
 * @see https://pytorch.org/vision/0.14/generated/torchvision.ops.stochastic_depth.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { tidy } from '../../backend/tensor';
import { ValueError } from '../../errors';
import * as nn from '../../nn';
import { pyFloat } from '../../nn/repr';
import { gt, lt } from '../../python/ops';
import { opt, req, signature, type ArgsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { bernoulli } from '../../torch/random';

/** How `mode` is passed: `"row"` drops whole samples of the batch, `"batch"` the whole input. */
export type StochasticDepthMode = 'batch' | 'row';

const StochasticDepthFnSig = signature('stochastic_depth', [
  req('input', any<Tensor>('Tensor')),
  req('p', any<number>('float')),
  req('mode', any<StochasticDepthMode>('str')),
  opt('training', any<boolean>('bool'), true),
]);

/**
 * `stochastic_depth(input, p, mode, training=True)` from "Deep Networks with Stochastic Depth":
 * in training, zeroes each row of the batch (`mode="row"`) or the whole input (`"batch"`) with
 * probability `p` and scales what survives by `1 / (1 - p)`; otherwise returns `input` itself.
 *
 * The noise is drawn as torchvision draws it, `torch.empty(size).bernoulli_(1 - p)`: one draw
 * per row (or one for the batch) from the default generator, the very values PyTorch's CPU
 * generator gives after the same `torch.manual_seed`. Nothing is drawn when `p` is 0 or in eval.
 *
 * @see https://pytorch.org/vision/0.14/generated/torchvision.ops.stochastic_depth.html
 */
export function stochastic_depth(...args: ArgsOf<typeof StochasticDepthFnSig>): Tensor {
  const { input, p, mode, training } = StochasticDepthFnSig.bind(args);
  if (lt(p, 0.0, 'float') || gt(p, 1.0, 'float')) throw new ValueError(`drop probability has to be between 0 and 1, but got ${pyFloat(p)}`);
  if (!['batch', 'row'].includes(mode)) throw new ValueError(`mode has to be either 'batch' or 'row', but got ${mode}`);
  if (!training || p === 0.0) return input;

  const survival_rate = 1.0 - p;
  const size = mode === 'row' ? [input.shape[0], ...Array<number>(input.rank - 1).fill(1)] : Array<number>(input.rank).fill(1);
  const mask = bernoulli(size.reduce((a, b) => a * b, 1), survival_rate);
  // ATen divides the float32 noise by the float32 rounding of survival_rate.
  const kept = survival_rate > 0.0 ? Math.fround(1 / Math.fround(survival_rate)) : 1;
  // As every F function, it frees what it makes on the way.
  return tidy(() => {
    const noise = torch.tensor(Array.from(mask, (m) => m * kept)).view(size);
    return input.mul(noise);
  });
}

const StochasticDepthSig = signature('StochasticDepth.__init__', [req('p', any<number>('float')), req('mode', any<StochasticDepthMode>('str'))], { method: true });

/**
 * `StochasticDepth(p, mode)`: {@link stochastic_depth} as a module, active in train mode only.
 *
 * @see https://pytorch.org/vision/0.14/generated/torchvision.ops.StochasticDepth.html
 */
export class StochasticDepth extends nn.Module {
  p: number;
  mode: StochasticDepthMode;

  constructor(...args: ArgsOf<typeof StochasticDepthSig>) {
    super();
    const { p, mode } = StochasticDepthSig.bind(args);
    this.p = p;
    this.mode = mode;
  }

  forward(input: Tensor): Tensor {
    return stochastic_depth(input, this.p, this.mode, this.training);
  }

  /** Its noise is one value per row (the batch dimension, first in either layout) or one in all. */
  protected override runsChannelsLast(): boolean {
    return this.forward === StochasticDepth.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return stochastic_depth(input, this.p, this.mode, this.training);
  }

  /** torchvision overrides `__repr__` itself, without quotes around the mode. */
  override toString(): string {
    return `${this.constructor.name}(p=${pyFloat(this.p)}, mode=${this.mode})`;
  }
}
