import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { floorDiv, isPaddingString, type Conv2dPadding, type IntOrTuple, type PaddingString } from '../functional/args';
import { conv2dLayer, conv2dLayerChannelsLast, conv2dLayerChannelsLastFused, FoldedConv, newFilterCache, type Conv2dLayer, type FoldableNorm, type FusedActivation } from '../functional/conv';
import { EDGE_PAD_MODES } from '../functional/pad';
import { ValueError } from '../errors';
import { floordiv, le, mod, ntuple, truthy } from '../python/ops';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../python/signature';
import { any } from '../python/types';
import { emptyShape, fanIn, kaimingUniform, uniformParameter } from './init';
import { Module } from './module';
import { py } from './repr';

/** `nn.Conv2d`'s padding modes; all but zeros pad with `F.pad` before an unpadded convolution. */
export const PADDING_MODES = ['zeros', ...EDGE_PAD_MODES] as const;
export type PaddingMode = (typeof PADDING_MODES)[number];

/** `nn.Conv2d`'s signature, as PyTorch declares `Conv2d.__init__`. */
const Conv2dSig = signature(
  'Conv2d.__init__',
  [
    req('in_channels', any<number>('int')),
    req('out_channels', any<number>('int')),
    req('kernel_size', any<IntOrTuple>('int')),
    opt('stride', any<IntOrTuple>('int'), 1),
    opt('padding', any<Conv2dPadding>('int'), 0),
    opt('dilation', any<IntOrTuple>('int'), 1),
    opt('groups', any<number>('int'), 1),
    opt('bias', any<boolean>('bool'), true),
    opt('padding_mode', any<PaddingMode>('str'), 'zeros'),
    opt('device', any<string | null>('device'), null),
    opt('dtype', any<'float32' | null>('dtype'), null),
  ],
  { method: true },
);

/** Every way to call `new nn.Conv2d(...)`: positional arguments, then optionally one keyword object. */
export type Conv2dArgs = ArgsOf<typeof Conv2dSig>;
/** Every argument of `nn.Conv2d` by name: `new nn.Conv2d({ in_channels: 3, out_channels: 8, kernel_size: 3 })`. */
export type Conv2dConfig = KeywordsOf<typeof Conv2dSig>;

/**
 * How Python prints these messages' sets. Python's set order depends on the process's hash seed,
 * so PyTorch's own wording varies from run to run; this is the order under PYTHONHASHSEED=0.
 */
const PADDING_STRINGS_SET = "{'same', 'valid'}";
const PADDING_MODES_SET = "{'replicate', 'reflect', 'zeros', 'circular'}";

/**
 * `nn.Conv2d`: a 2-D convolution over NCHW input, with PyTorch's arguments, defaults,
 * initialisation, errors and printout.
 *
 * - input `[N, C_in, H, W]` or unbatched `[C_in, H, W]`; output `[N, C_out, H_out, W_out]` with
 *   `H_out = floor((H + 2*padding[0] - dilation[0]*(kernel_size[0]-1) - 1) / stride[0]) + 1`,
 *   likewise W (for `'same'`, `H_out = H`).
 * - `weight`: `[C_out, C_in/groups, kH, kW]`, kaiming-uniform with a = √5, i.e. U(−1/√fan_in, 1/√fan_in)
 *   with `fan_in = C_in/groups·kH·kW`; `bias`: `[C_out]`, U(−1/√fan_in, 1/√fan_in), or `null`.
 * - defaults: stride 1, padding 0, dilation 1, groups 1, bias true, padding_mode `'zeros'`.
 *
 * The constructor checks what PyTorch's does (groups, divisibility, padding string, `'same'`
 * with stride, padding_mode, sizes); strides, paddings and dilations are checked in forward,
 * where PyTorch checks them.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Conv2d.html
 */
export class Conv2d extends Module {
  readonly in_channels: number;
  readonly out_channels: number;
  readonly kernel_size: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[] | PaddingString;
  readonly dilation: readonly number[];
  readonly groups: number;
  readonly padding_mode: PaddingMode;
  weight: Variable;
  bias!: Variable | null;
  /** PyTorch's attribute: F.pad's `[left, right, top, bottom]` for the non-zeros padding modes. */
  readonly _reversed_padding_repeated_twice: readonly number[];
  /** The settings F receives, and the weight in tfjs's layouts, converted once per value. */
  private readonly layer: Conv2dLayer;
  /** The weights with a following BatchNorm folded in, for chains (see `forwardChannelsLastFused`). */
  private readonly folded = new FoldedConv();

  constructor(...args: Conv2dArgs) {
    super();
    const c = Conv2dSig.bind(args);
    const { in_channels, out_channels, groups, padding, padding_mode } = c;
    // PyTorch's _ConvNd.__init__, step by step, so a wrong type fails where and as Python's does.
    this.kernel_size = ntuple(c.kernel_size);
    this.stride = ntuple(c.stride);
    this.padding = typeof padding === 'string' ? padding : ntuple(padding);
    this.dilation = ntuple(c.dilation);
    if (le(groups, 0)) throw new ValueError('groups must be a positive integer');
    if (mod(in_channels, groups) !== 0) throw new ValueError('in_channels must be divisible by groups');
    if (mod(out_channels, groups) !== 0) throw new ValueError('out_channels must be divisible by groups');
    if (typeof padding === 'string') {
      if (!isPaddingString(padding)) throw new ValueError(`Invalid padding string '${padding}', should be one of ${PADDING_STRINGS_SET}`);
      if (padding === 'same' && this.stride.some((s) => s !== 1)) throw new ValueError("padding='same' is not supported for strided convolutions");
    }
    if (!(PADDING_MODES as readonly string[]).includes(padding_mode)) {
      throw new ValueError(`padding_mode must be one of ${PADDING_MODES_SET}, but got padding_mode='${padding_mode}'`);
    }
    this.in_channels = in_channels;
    this.out_channels = out_channels;
    this.groups = groups;
    this.padding_mode = padding_mode;
    this._reversed_padding_repeated_twice = reversedPadding(this.padding, this.kernel_size, this.dilation);
    this.layer = {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups,
      paddingMode: padding_mode,
      reversedPadding: this._reversed_padding_repeated_twice,
      cache: newFilterCache(),
    };

    const weightShape = emptyShape([out_channels, floordiv(in_channels, groups), ...this.kernel_size]);
    this.weight = kaimingUniform(weightShape, Math.sqrt(5));
    if (truthy(c.bias)) {
      const f = fanIn(weightShape);
      this.bias = uniformParameter(emptyShape([out_channels]), f !== 0 ? 1 / Math.sqrt(f) : null);
    } else {
      this.register_parameter('bias', null);
    }
  }

  forward(input: Tensor): Tensor {
    return conv2dLayer(input, this.weight, this.bias, this.layer);
  }

  /** Channels-last inside chains, unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return this.padding_mode === 'zeros' && this.forward === Conv2d.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return conv2dLayerChannelsLast(input, this.weight, this.bias, this.layer);
  }

  protected override forwardChannelsLastFused(input: Tensor, norm: FoldableNorm | null, activation: FusedActivation | null): Tensor | null {
    return conv2dLayerChannelsLastFused(input, this.weight, this.bias, this.layer, norm, activation, this.folded);
  }

  protected override releaseResources(): void {
    this.layer.cache.release();
    this.folded.release();
  }

  override extra_repr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${py(this.kernel_size)}, stride=${py(this.stride)}`;
    if (typeof this.padding === 'string' || this.padding.some((p) => p !== 0)) s += `, padding=${py(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${py(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.padding_mode !== 'zeros') s += `, padding_mode=${this.padding_mode}`;
    return s;
  }
}

/**
 * PyTorch's `_reversed_padding_repeated_twice`: F.pad's amounts, last dimension first. For
 * `'same'`, `dilation*(k-1)` split with the smaller half first.
 */
function reversedPadding(padding: readonly number[] | PaddingString, kernel: readonly number[], dilation: readonly number[]): number[] {
  if (typeof padding !== 'string') return [...padding].reverse().flatMap((p) => [p, p]);
  if (padding === 'valid') return kernel.flatMap(() => [0, 0]);
  return kernel
    .map((k, i) => {
      const total = dilation[i] * (k - 1);
      return [floorDiv(total, 2), total - floorDiv(total, 2)];
    })
    .reverse()
    .flat();
}
