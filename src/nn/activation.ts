import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { elu, gelu, hardsigmoid, hardswish, leaky_relu, mish, preluImpl, relu, relu6, sigmoid, silu, softmaxLayer, tanh } from '../functional/activation';
import type { FusedActivation } from '../functional/conv';
import { truthy } from '../python/ops';
import { pyStrRepr } from '../python/repr';
import { opt, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { emptyShape } from './init';
import { Module } from './module';
import { newParameter } from './parameter';
import { py, pyFloat } from './repr';

/**
 * A layer whose forward is one elementwise function: the same in any layout, so it runs
 * channels-last inside chains. `inplace`, where PyTorch has it, is kept for the printout; tfjs
 * tensors are immutable, so the input is never overwritten and the result is returned.
 */
abstract class Elementwise extends Module {
  protected abstract apply1(input: Tensor): Tensor;

  forward(input: Tensor): Tensor {
    return this.apply1(input);
  }

  /** Channels-last inside chains, unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return this.forward === Elementwise.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return this.apply1(input);
  }
}

/** `inplace=True` when set, as the activations that print it do. */
const inplaceRepr = (inplace: unknown, lead = ''): string => (truthy(inplace) ? `${lead}inplace=True` : '');

const inplaceSignature = (qualname: string) => signature(qualname, [opt('inplace', any<boolean>('bool'), false)], { method: true });
const ReLUSig = inplaceSignature('ReLU.__init__');

/**
 * `nn.ReLU(inplace=False)`: `max(0, x)` elementwise, any shape.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.ReLU.html
 */
export class ReLU extends Elementwise {
  readonly inplace: boolean;

  constructor(...args: ArgsOf<typeof ReLUSig>) {
    super();
    this.inplace = ReLUSig.bind(args).inplace;
  }

  protected apply1(input: Tensor): Tensor {
    return relu(input);
  }

  protected override fusedActivation(): FusedActivation | null {
    return this.runsChannelsLast() && this.apply1 === ReLU.prototype.apply1 ? 'relu' : null;
  }

  override extra_repr(): string {
    return inplaceRepr(this.inplace);
  }
}

const ReLU6Sig = inplaceSignature('ReLU6.__init__');

/**
 * `nn.ReLU6(inplace=False)`: `min(max(0, x), 6)`, PyTorch's Hardtanh(0, 6) (`min_val`, `max_val`).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.ReLU6.html
 */
export class ReLU6 extends Elementwise {
  readonly min_val = 0.0;
  readonly max_val = 6.0;
  readonly inplace: boolean;

  constructor(...args: ArgsOf<typeof ReLU6Sig>) {
    super();
    this.inplace = ReLU6Sig.bind(args).inplace;
  }

  protected apply1(input: Tensor): Tensor {
    return relu6(input, this.inplace);
  }

  protected override fusedActivation(): FusedActivation | null {
    return this.runsChannelsLast() && this.apply1 === ReLU6.prototype.apply1 ? 'relu6' : null;
  }

  override extra_repr(): string {
    return inplaceRepr(this.inplace);
  }
}

const HardswishSig = inplaceSignature('Hardswish.__init__');

/**
 * `nn.Hardswish(inplace=False)`: `x·relu6(x + 3)/6`. PyTorch prints no `inplace` for it.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Hardswish.html
 */
export class Hardswish extends Elementwise {
  readonly inplace: boolean;

  constructor(...args: ArgsOf<typeof HardswishSig>) {
    super();
    this.inplace = HardswishSig.bind(args).inplace;
  }

  protected apply1(input: Tensor): Tensor {
    return hardswish(input, this.inplace);
  }
}

const HardsigmoidSig = inplaceSignature('Hardsigmoid.__init__');

/**
 * `nn.Hardsigmoid(inplace=False)`: `relu6(x + 3)/6`. PyTorch prints no `inplace` for it.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Hardsigmoid.html
 */
export class Hardsigmoid extends Elementwise {
  readonly inplace: boolean;

  constructor(...args: ArgsOf<typeof HardsigmoidSig>) {
    super();
    this.inplace = HardsigmoidSig.bind(args).inplace;
  }

  protected apply1(input: Tensor): Tensor {
    return hardsigmoid(input, this.inplace);
  }
}

const SiLUSig = inplaceSignature('SiLU.__init__');

/**
 * `nn.SiLU(inplace=False)`: `x·σ(x)` (swish).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.SiLU.html
 */
export class SiLU extends Elementwise {
  readonly inplace: boolean;

  constructor(...args: ArgsOf<typeof SiLUSig>) {
    super();
    this.inplace = SiLUSig.bind(args).inplace;
  }

  protected apply1(input: Tensor): Tensor {
    return silu(input, this.inplace);
  }

  override extra_repr(): string {
    return inplaceRepr(this.inplace);
  }
}

const MishSig = inplaceSignature('Mish.__init__');

/**
 * `nn.Mish(inplace=False)`: `x·tanh(softplus(x))`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Mish.html
 */
export class Mish extends Elementwise {
  readonly inplace: boolean;

  constructor(...args: ArgsOf<typeof MishSig>) {
    super();
    this.inplace = MishSig.bind(args).inplace;
  }

  protected apply1(input: Tensor): Tensor {
    return mish(input, this.inplace);
  }

  override extra_repr(): string {
    return inplaceRepr(this.inplace);
  }
}

/** `Module.__init__()`, which the activations without arguments inherit. */
const ModuleSig = signature('Module.__init__', [], { method: true });

/**
 * `nn.Sigmoid()`: `1/(1 + exp(−x))`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Sigmoid.html
 */
export class Sigmoid extends Elementwise {
  constructor(...args: ArgsOf<typeof ModuleSig>) {
    super();
    ModuleSig.bind(args);
  }

  protected apply1(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

/**
 * `nn.Tanh()`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Tanh.html
 */
export class Tanh extends Elementwise {
  constructor(...args: ArgsOf<typeof ModuleSig>) {
    super();
    ModuleSig.bind(args);
  }

  protected apply1(input: Tensor): Tensor {
    return tanh(input);
  }
}

const GELUSig = signature('GELU.__init__', [opt('approximate', any<'none' | 'tanh'>('str'), 'none')], { method: true });

/**
 * `nn.GELU(approximate='none')`: `x·Φ(x)`, or with `'tanh'`
 * `½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`. Another string fails in forward, as in PyTorch.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.GELU.html
 */
export class GELU extends Elementwise {
  readonly approximate: 'none' | 'tanh';

  constructor(...args: ArgsOf<typeof GELUSig>) {
    super();
    this.approximate = GELUSig.bind(args).approximate;
  }

  protected apply1(input: Tensor): Tensor {
    return gelu(input, { approximate: this.approximate });
  }

  override extra_repr(): string {
    return `approximate=${typeof this.approximate === 'string' ? pyStrRepr(this.approximate) : py(this.approximate)}`;
  }
}

const LeakyReLUSig = signature('LeakyReLU.__init__', [opt('negative_slope', any<number>('float'), 1e-2), opt('inplace', any<boolean>('bool'), false)], { method: true });

/**
 * `nn.LeakyReLU(negative_slope=0.01, inplace=False)`: `x > 0 ? x : negative_slope·x`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.LeakyReLU.html
 */
export class LeakyReLU extends Elementwise {
  readonly negative_slope: number;
  readonly inplace: boolean;

  constructor(...args: ArgsOf<typeof LeakyReLUSig>) {
    super();
    const { negative_slope, inplace } = LeakyReLUSig.bind(args);
    this.negative_slope = negative_slope;
    this.inplace = inplace;
  }

  protected apply1(input: Tensor): Tensor {
    return leaky_relu(input, this.negative_slope, this.inplace);
  }

  override extra_repr(): string {
    return `negative_slope=${pyNumber(this.negative_slope)}${inplaceRepr(this.inplace, ', ')}`;
  }
}

const ELUSig = signature('ELU.__init__', [opt('alpha', any<number>('float'), 1.0), opt('inplace', any<boolean>('bool'), false)], { method: true });

/**
 * `nn.ELU(alpha=1.0, inplace=False)`: `x > 0 ? x : alpha·(exp(x) − 1)`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.ELU.html
 */
export class ELU extends Elementwise {
  readonly alpha: number;
  readonly inplace: boolean;

  constructor(...args: ArgsOf<typeof ELUSig>) {
    super();
    const { alpha, inplace } = ELUSig.bind(args);
    this.alpha = alpha;
    this.inplace = inplace;
  }

  protected apply1(input: Tensor): Tensor {
    return elu(input, this.alpha, this.inplace);
  }

  override extra_repr(): string {
    return `alpha=${pyNumber(this.alpha)}${inplaceRepr(this.inplace, ', ')}`;
  }
}

/** Python's `str()` of an argument declared float: JavaScript cannot tell `2` from `2.0`, so numbers print as floats. */
const pyNumber = (v: unknown): string => (typeof v === 'number' ? pyFloat(v) : py(v as never));

const PReLUSig = signature(
  'PReLU.__init__',
  [opt('num_parameters', any<number>('int'), 1), opt('init', any<number>('float'), 0.25), opt('device', any<string | null>('device'), null), opt('dtype', any<'float32' | null>('dtype'), null)],
  { method: true },
);

/**
 * `nn.PReLU(num_parameters=1, init=0.25)`: `x > 0 ? x : a·x` with a learnt `weight` `a`
 * (`[num_parameters]`, filled with `init`): one for every element, or one per channel
 * (dimension 1 of the input).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.PReLU.html
 */
export class PReLU extends Module {
  readonly num_parameters: number;
  weight: Variable;

  constructor(...args: ArgsOf<typeof PReLUSig>) {
    super();
    const { num_parameters, init } = PReLUSig.bind(args);
    this.num_parameters = num_parameters;
    const [n] = emptyShape([num_parameters]);
    this.weight = newParameter(new Float32Array(n).fill(init), [n]);
  }

  forward(input: Tensor): Tensor {
    return preluImpl(input, this.weight, input.rank, 1);
  }

  /** Channels-last inside chains (the channel axis is then the last), unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return this.forward === PReLU.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return preluImpl(input, this.weight, input.rank, 3);
  }

  override extra_repr(): string {
    return `num_parameters=${py(this.num_parameters)}`;
  }
}

const softmaxSignature = (qualname: string) => signature(qualname, [opt('dim', any<number | null>('int'), null)], { method: true });
const SoftmaxSig = softmaxSignature('Softmax.__init__');
const LogSoftmaxSig = softmaxSignature('LogSoftmax.__init__');

/** Softmax's and LogSoftmax's shared forward, along an NCHW dimension in either layout. */
abstract class SoftmaxBase extends Module {
  readonly dim: number | null;
  protected abstract readonly log: boolean;

  constructor(dim: number | null) {
    super();
    this.dim = dim;
  }

  forward(input: Tensor): Tensor {
    return softmaxLayer(this.log, input, this.dim, null, false);
  }

  /** Channels-last inside chains, unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return this.forward === SoftmaxBase.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return softmaxLayer(this.log, input, this.dim, null, true);
  }

  override extra_repr(): string {
    return `dim=${py(this.dim)}`;
  }
}

/**
 * `nn.Softmax(dim=None)`: `exp(x)/Σ exp(x)` along `dim`; without it, PyTorch's deprecated
 * implicit choice (0 for 0-, 1- and 3-D input, else 1).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Softmax.html
 */
export class Softmax extends SoftmaxBase {
  protected readonly log = false;

  constructor(...args: ArgsOf<typeof SoftmaxSig>) {
    super(SoftmaxSig.bind(args).dim);
  }
}

/**
 * `nn.LogSoftmax(dim=None)`: `log(softmax(x))` along `dim`, computed stably.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.LogSoftmax.html
 */
export class LogSoftmax extends SoftmaxBase {
  protected readonly log = true;

  constructor(...args: ArgsOf<typeof LogSoftmaxSig>) {
    super(LogSoftmaxSig.bind(args).dim);
  }
}
