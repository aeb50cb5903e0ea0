import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { groupNormImpl, layerNormImpl, localResponseNormLayer } from '../functional/normalization';
import { ValueError } from '../errors';
import { mod, truthy } from '../python/ops';
import { opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { pyTypeName } from '../python/signature';
import { emptyShape } from './init';
import { Module } from './module';
import { newParameter } from './parameter';
import { py, pyFloat } from './repr';

/** A parameter of `shape` filled with `value` (`init.ones_` / `init.zeros_` of a fresh one). */
const filledParameter = (shape: readonly number[], value: number): Variable =>
  newParameter(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape);

const GroupNormSig = signature(
  'GroupNorm.__init__',
  [
    req('num_groups', any<number>('int')),
    req('num_channels', any<number>('int')),
    opt('eps', any<number>('float'), 1e-5),
    opt('affine', any<boolean>('bool'), true),
    opt('device', any<string | null>('device'), null),
    opt('dtype', any<'float32' | null>('dtype'), null),
  ],
  { method: true },
);

/**
 * `nn.GroupNorm(num_groups, num_channels, eps=1e-05, affine=True)` on `[N, C, *]`
 * (C = num_channels): the channels split into `num_groups` consecutive groups, each sample's
 * group normalised, `y = (x − mean)/√(var + eps)·weight + bias` (biased variance; `weight`
 * ones and `bias` zeros, `[C]` each, when `affine`). The same in train and eval.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.GroupNorm.html
 */
export class GroupNorm extends Module {
  readonly num_groups: number;
  readonly num_channels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight!: Variable | null;
  bias!: Variable | null;

  constructor(...args: ArgsOf<typeof GroupNormSig>) {
    super();
    const { num_groups, num_channels, eps, affine } = GroupNormSig.bind(args);
    if (mod(num_channels, num_groups) !== 0) throw new ValueError('num_channels must be divisible by num_groups');
    this.num_groups = num_groups;
    this.num_channels = num_channels;
    this.eps = eps;
    this.affine = affine;
    if (truthy(affine)) {
      const shape = emptyShape([num_channels]);
      this.weight = filledParameter(shape, 1);
      this.bias = filledParameter(emptyShape([num_channels]), 0);
    } else {
      this.register_parameter('weight', null);
      this.register_parameter('bias', null);
    }
  }

  forward(input: Tensor): Tensor {
    return groupNormImpl(input, this.num_groups, this.weight, this.bias, this.eps);
  }

  override extra_repr(): string {
    return `${py(this.num_groups)}, ${py(this.num_channels)}, eps=${pyFloat(this.eps)}, affine=${py(this.affine)}`;
  }
}

const LayerNormSig = signature(
  'LayerNorm.__init__',
  [
    req('normalized_shape', any<number | readonly number[]>('int')),
    opt('eps', any<number>('float'), 1e-5),
    opt('elementwise_affine', any<boolean>('bool'), true),
    opt('device', any<string | null>('device'), null),
    opt('dtype', any<'float32' | null>('dtype'), null),
  ],
  { method: true },
);

/** Python's `tuple(x)` of the normalized shape, with its TypeError for what is not iterable. */
function tupleOf(x: unknown): unknown[] {
  if (Array.isArray(x)) return [...x];
  if (typeof x === 'string') return [...x];
  throw new TypeError(`'${pyTypeName(x)}' object is not iterable`);
}

/**
 * `nn.LayerNorm(normalized_shape, eps=1e-05, elementwise_affine=True)`: normalises over the last
 * `len(normalized_shape)` dimensions (an int means one), `y = (x − mean)/√(var + eps)·weight +
 * bias` with the biased variance; `weight` ones and `bias` zeros of shape `normalized_shape`
 * when `elementwise_affine`. Input `[*, *normalized_shape]`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.LayerNorm.html
 */
export class LayerNorm extends Module {
  readonly normalized_shape: readonly number[];
  readonly eps: number;
  readonly elementwise_affine: boolean;
  weight!: Variable | null;
  bias!: Variable | null;

  constructor(...args: ArgsOf<typeof LayerNormSig>) {
    super();
    const { normalized_shape, eps, elementwise_affine } = LayerNormSig.bind(args);
    const integral = typeof normalized_shape === 'number' && Number.isInteger(normalized_shape);
    const shape = integral ? [normalized_shape as number] : tupleOf(normalized_shape);
    this.normalized_shape = shape as number[];
    this.eps = eps;
    this.elementwise_affine = elementwise_affine;
    if (truthy(elementwise_affine)) {
      this.weight = filledParameter(emptyShape(shape, 'empty', 'tuple'), 1);
      this.bias = filledParameter(emptyShape(shape, 'empty', 'tuple'), 0);
    } else {
      this.register_parameter('weight', null);
      this.register_parameter('bias', null);
    }
  }

  forward(input: Tensor): Tensor {
    return layerNormImpl(input, this.normalized_shape, this.weight, this.bias, this.eps);
  }

  override extra_repr(): string {
    return `${py(this.normalized_shape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${py(this.elementwise_affine)}`;
  }
}

const LocalResponseNormSig = signature(
  'LocalResponseNorm.__init__',
  [req('size', any<number>('int')), opt('alpha', any<number>('float'), 1e-4), opt('beta', any<number>('float'), 0.75), opt('k', any<number>('float'), 1.0)],
  { method: true },
);

/**
 * `nn.LocalResponseNorm(size, alpha=0.0001, beta=0.75, k=1.0)` on `[N, C, *]`:
 * `y = x / (k + alpha·mean(x²))^beta`, the mean over `size` neighbouring channels (zero-padded,
 * always divided by `size`).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.LocalResponseNorm.html
 */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(...args: ArgsOf<typeof LocalResponseNormSig>) {
    super();
    const { size, alpha, beta, k } = LocalResponseNormSig.bind(args);
    this.size = size;
    this.alpha = alpha;
    this.beta = beta;
    this.k = k;
  }

  forward(input: Tensor): Tensor {
    return localResponseNormLayer(input, this.size, this.alpha, this.beta, this.k, false);
  }

  /** Channels-last inside chains (the channels are then the last axis), unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return this.forward === LocalResponseNorm.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return localResponseNormLayer(input, this.size, this.alpha, this.beta, this.k, true);
  }

  override extra_repr(): string {
    return `${py(this.size)}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
