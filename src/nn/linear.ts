import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { clone } from '../backend/ops';
import { tidy } from '../backend/tensor';
import { newFilterCache } from '../functional/conv';
import { linearImpl } from '../functional/linear';
import { truthy } from '../python/ops';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../python/signature';
import { any } from '../python/types';
import { emptyShape, fanIn, kaimingUniform, uniformParameter } from './init';
import { Module } from './module';

/**
 * `nn.Identity(*args, **kwargs)`: returns its input; any arguments are accepted and ignored, as
 * PyTorch's are. The result is a new handle on the input's data (disposing it leaves the input).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Identity.html
 */
export class Identity extends Module {
  // PyTorch's Identity takes any arguments and ignores them.
  constructor(..._args: unknown[]) {
    super();
  }

  forward(input: Tensor): Tensor {
    return tidy(() => clone(input));
  }

  /** Channels-last inside chains, unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return this.forward === Identity.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return input;
  }
}

const LinearSig = signature(
  'Linear.__init__',
  [
    req('in_features', any<number>('int')),
    req('out_features', any<number>('int')),
    opt('bias', any<boolean>('bool'), true),
    opt('device', any<string | null>('device'), null),
    opt('dtype', any<'float32' | null>('dtype'), null),
  ],
  { method: true },
);

/** Every way to call `new nn.Linear(...)`. */
export type LinearArgs = ArgsOf<typeof LinearSig>;
/** Every argument of `nn.Linear` by name. */
export type LinearConfig = KeywordsOf<typeof LinearSig>;

/**
 * `nn.Linear(in_features, out_features, bias=True)`: `y = x·Aᵀ + b` over the last dimension.
 *
 * - input `[*, in_features]`, output `[*, out_features]`.
 * - `weight`: `[out_features, in_features]`, kaiming-uniform with a = √5, i.e.
 *   U(−1/√in_features, 1/√in_features); `bias`: `[out_features]`, U(−1/√in_features,
 *   1/√in_features) (zeros, still drawn, when in_features is 0), or `null`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Linear.html
 */
export class Linear extends Module {
  readonly in_features: number;
  readonly out_features: number;
  weight: Variable;
  bias!: Variable | null;
  /** The weight transposed for tfjs's matMul, once per value of it. */
  private readonly transposed = newFilterCache();

  constructor(...args: LinearArgs) {
    super();
    const { in_features, out_features, bias } = LinearSig.bind(args);
    this.in_features = in_features;
    this.out_features = out_features;
    const shape = emptyShape([out_features, in_features]);
    const biasShape = truthy(bias) ? emptyShape([out_features]) : null;
    // PyTorch's reset_parameters: the weight's draws, then the bias's.
    this.weight = kaimingUniform(shape, Math.sqrt(5));
    if (biasShape !== null) {
      const f = fanIn(shape);
      this.bias = uniformParameter(biasShape, f > 0 ? 1 / Math.sqrt(f) : 0);
    } else {
      this.register_parameter('bias', null);
    }
  }

  forward(input: Tensor): Tensor {
    return linearImpl(input, this.weight, this.bias, this.transposed);
  }

  protected override releaseResources(): void {
    this.transposed.release();
  }

  override extra_repr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}
