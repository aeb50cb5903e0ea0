import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { floorDiv, isPaddingString, pair, pyMod, sizes, type Conv2dPadding, type IntOrTuple, type PaddingString } from '../functional/args';
import { conv2dLayer, conv2dLayerChannelsLast, newFilterCache, type Conv2dLayer } from '../functional/conv';
import { EDGE_PAD_MODES } from '../functional/pad';
import { RuntimeError, ValueError } from '../errors';
import { fanIn, kaimingUniform, uniformParameter } from './init';
import { Module } from './module';
import { py } from './repr';

/** `nn.Conv2d`'s padding modes; all but zeros pad with `F.pad` before an unpadded convolution. */
export const PADDING_MODES = ['zeros', ...EDGE_PAD_MODES] as const;
export type PaddingMode = (typeof PADDING_MODES)[number];

/** Keyword arguments of `nn.Conv2d` after the three positional ones. */
export interface Conv2dOptions {
  stride?: IntOrTuple;
  padding?: Conv2dPadding;
  dilation?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  padding_mode?: PaddingMode;
}

/** Every argument of `nn.Conv2d` by name: `new nn.Conv2d({ in_channels: 3, out_channels: 8, kernel_size: 3 })`. */
export interface Conv2dConfig extends Conv2dOptions {
  in_channels: number;
  out_channels: number;
  kernel_size: IntOrTuple;
}

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
  bias: Variable | null;
  /** PyTorch's attribute: F.pad's `[left, right, top, bottom]` for the non-zeros padding modes. */
  readonly _reversed_padding_repeated_twice: readonly number[];
  /** The settings F receives, and the weight in tfjs's layouts, converted once per value. */
  private readonly layer: Conv2dLayer;

  constructor(config: Conv2dConfig);
  constructor(in_channels: number, out_channels: number, kernel_size: IntOrTuple, options?: Conv2dOptions);
  constructor(inOrConfig: number | Conv2dConfig, out_channels?: number, kernel_size?: IntOrTuple, options: Conv2dOptions = {}) {
    super();
    const c: Conv2dConfig =
      typeof inOrConfig === 'object' ? inOrConfig : { ...options, in_channels: inOrConfig, out_channels: out_channels!, kernel_size: kernel_size! };
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, padding_mode = 'zeros' } = c;
    this.in_channels = c.in_channels;
    this.out_channels = c.out_channels;
    this.kernel_size = pair(c.kernel_size);
    this.stride = pair(stride);
    this.padding = typeof padding === 'string' ? padding : pair(padding);
    this.dilation = pair(dilation);
    this.groups = groups;
    this.padding_mode = padding_mode;

    if (groups <= 0) throw new ValueError('groups must be a positive integer');
    if (pyMod(c.in_channels, groups) !== 0) throw new ValueError('in_channels must be divisible by groups');
    if (pyMod(c.out_channels, groups) !== 0) throw new ValueError('out_channels must be divisible by groups');
    if (typeof padding === 'string') {
      if (!isPaddingString(padding)) throw new ValueError(`Invalid padding string '${padding}', should be one of ${PADDING_STRINGS_SET}`);
      if (padding === 'same' && this.stride.some((s) => s !== 1)) throw new ValueError("padding='same' is not supported for strided convolutions");
    }
    if (!(PADDING_MODES as readonly string[]).includes(padding_mode)) {
      throw new ValueError(`padding_mode must be one of ${PADDING_MODES_SET}, but got padding_mode='${padding_mode}'`);
    }
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

    const weightShape = [c.out_channels, floorDiv(c.in_channels, groups), ...this.kernel_size];
    checkSize(weightShape);
    this.weight = kaimingUniform(weightShape, Math.sqrt(5));
    if (bias) {
      checkSize([c.out_channels]);
      const f = fanIn(weightShape);
      this.bias = uniformParameter([c.out_channels], f !== 0 ? 1 / Math.sqrt(f) : null);
    } else {
      this.bias = null;
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

  protected override releaseResources(): void {
    this.layer.cache.release();
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

/** `torch.empty(size)`'s checks: whole numbers (TypeError), then no negative dimension. */
function checkSize(shape: readonly number[]): void {
  const bad = shape.findIndex((d) => !Number.isInteger(d));
  if (bad >= 0) throw new TypeError(`empty(): argument 'size' must be tuple of SymInts, but found element of type float at pos ${bad + 1}`);
  const negative = shape.find((d) => d < 0);
  if (negative !== undefined) throw new RuntimeError(`Trying to create tensor with negative dimension ${negative}: ${sizes(shape)}`);
}
