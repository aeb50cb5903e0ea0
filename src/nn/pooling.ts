import type { Tensor } from '@tensorflow/tfjs-core';
import type { IntOrTuple } from '../functional/args';
import { adaptiveAvgPool2dLayer, adaptiveMaxPool2dLayer, avgPool2dLayer, maxPool2dLayer, type AdaptiveSize } from '../functional/pooling';
import { truthy } from '../python/ops';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../python/signature';
import { any } from '../python/types';
import { Module } from './module';
import { py } from './repr';

/** What a pooling layer with `return_indices` returns: `[output, indices]`. */
export type WithIndices<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

/** PyTorch's `_MaxPoolNd.__init__`, which MaxPool2d inherits. */
const MaxPoolSig = signature(
  '_MaxPoolNd.__init__',
  [
    req('kernel_size', any<IntOrTuple>('int')),
    opt('stride', any<IntOrTuple | null>('int'), null),
    opt('padding', any<IntOrTuple>('int'), 0),
    opt('dilation', any<IntOrTuple>('int'), 1),
    opt('return_indices', any<boolean>('bool'), false),
    opt('ceil_mode', any<boolean>('bool'), false),
  ],
  { method: true },
);

/** Every way to call `new nn.MaxPool2d(...)`. */
export type MaxPool2dArgs = ArgsOf<typeof MaxPoolSig>;
/** Every argument of `nn.MaxPool2d` by name. */
export type MaxPool2dConfig = KeywordsOf<typeof MaxPoolSig>;

/**
 * `nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
 * ceil_mode=False)`: the maximum over each window of `[N, C, H, W]` or `[C, H, W]` input.
 *
 * `stride` defaults to `kernel_size`; the padding is −∞ and may be at most half the kernel;
 * `H_out = ⌊(H + 2·padding − dilation·(kernel−1) − 1) / stride⌋ + 1` (⌈…⌉ with `ceil_mode`, less
 * one when the last window would start past the input and its left padding), likewise W. The
 * arguments are kept as given and checked in forward, as PyTorch does. With `return_indices`,
 * forward returns `[output, indices]` (flat `h·W + w` per plane, int32); write
 * `new nn.MaxPool2d<true>(...)` for that type.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.MaxPool2d.html
 */
export class MaxPool2d<R extends boolean = false> extends Module {
  readonly kernel_size: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly dilation: IntOrTuple;
  readonly return_indices: R;
  readonly ceil_mode: boolean;

  constructor(...args: MaxPool2dArgs) {
    super();
    const a = MaxPoolSig.bind(args);
    this.kernel_size = a.kernel_size;
    this.stride = a.stride ?? a.kernel_size;
    this.padding = a.padding;
    this.dilation = a.dilation;
    this.return_indices = a.return_indices as R;
    this.ceil_mode = a.ceil_mode;
  }

  forward(input: Tensor): WithIndices<R> {
    return maxPool2dLayer(input, this, false) as WithIndices<R>;
  }

  /** Channels-last inside chains when it returns one tensor, unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return !truthy(this.return_indices) && this.forward === MaxPool2d.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return maxPool2dLayer(input, this, true) as Tensor;
  }

  override extra_repr(): string {
    return `kernel_size=${show(this.kernel_size)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceil_mode=${show(this.ceil_mode)}`;
  }
}

/** Python's `str()` of an argument kept as given (an int, a tuple, or whatever was passed). */
const show = (v: unknown): string => (Array.isArray(v) || typeof v === 'number' || typeof v === 'boolean' || v === null ? py(v as never) : String(v));

const AvgPoolSig = signature(
  'AvgPool2d.__init__',
  [
    req('kernel_size', any<IntOrTuple>('int')),
    opt('stride', any<IntOrTuple | null>('int'), null),
    opt('padding', any<IntOrTuple>('int'), 0),
    opt('ceil_mode', any<boolean>('bool'), false),
    opt('count_include_pad', any<boolean>('bool'), true),
    opt('divisor_override', any<number | null>('int'), null),
  ],
  { method: true },
);

/** Every way to call `new nn.AvgPool2d(...)`. */
export type AvgPool2dArgs = ArgsOf<typeof AvgPoolSig>;
/** Every argument of `nn.AvgPool2d` by name. */
export type AvgPool2dConfig = KeywordsOf<typeof AvgPoolSig>;

/**
 * `nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
 * divisor_override=None)`: the average over each window of the zero-padded `[N, C, H, W]` or
 * `[C, H, W]` input, divided by `divisor_override`, else by the window's positions inside the
 * padded input (`count_include_pad`) or inside the input. Output sizes as MaxPool2d's with
 * dilation 1.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.AvgPool2d.html
 */
export class AvgPool2d extends Module {
  readonly kernel_size: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly ceil_mode: boolean;
  readonly count_include_pad: boolean;
  readonly divisor_override: number | null;

  constructor(...args: AvgPool2dArgs) {
    super();
    const a = AvgPoolSig.bind(args);
    this.kernel_size = a.kernel_size;
    this.stride = a.stride ?? a.kernel_size;
    this.padding = a.padding;
    this.ceil_mode = a.ceil_mode;
    this.count_include_pad = a.count_include_pad;
    this.divisor_override = a.divisor_override;
  }

  forward(input: Tensor): Tensor {
    return avgPool2dLayer(input, this, false);
  }

  /** Channels-last inside chains, unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return this.forward === AvgPool2d.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return avgPool2dLayer(input, this, true);
  }

  override extra_repr(): string {
    return `kernel_size=${show(this.kernel_size)}, stride=${show(this.stride)}, padding=${show(this.padding)}`;
  }
}

const AdaptiveAvgPoolSig = signature('_AdaptiveAvgPoolNd.__init__', [req('output_size', any<AdaptiveSize>('int'))], { method: true });

/**
 * `nn.AdaptiveAvgPool2d(output_size)`: averages `[N, C, H, W]` or `[C, H, W]` input to
 * `output_size` (an int or a pair; `null` keeps that size), output `(i, j)` over rows
 * `⌊i·H/H_out⌋ … ⌈(i+1)·H/H_out⌉ − 1` and the same columns of W, whether or not the sizes divide.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.AdaptiveAvgPool2d.html
 */
export class AdaptiveAvgPool2d extends Module {
  readonly output_size: AdaptiveSize;

  constructor(...args: ArgsOf<typeof AdaptiveAvgPoolSig>) {
    super();
    this.output_size = AdaptiveAvgPoolSig.bind(args).output_size;
  }

  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2dLayer(input, this.output_size, false);
  }

  /** Channels-last inside chains, unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return this.forward === AdaptiveAvgPool2d.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return adaptiveAvgPool2dLayer(input, this.output_size, true);
  }

  override extra_repr(): string {
    return `output_size=${show(this.output_size)}`;
  }
}

const AdaptiveMaxPoolSig = signature('_AdaptiveMaxPoolNd.__init__', [req('output_size', any<AdaptiveSize>('int')), opt('return_indices', any<boolean>('bool'), false)], {
  method: true,
});

/**
 * `nn.AdaptiveMaxPool2d(output_size, return_indices=False)`: the maximum over adaptive pooling's
 * windows (see AdaptiveAvgPool2d); with `return_indices`, `[output, indices]` as MaxPool2d's
 * (`new nn.AdaptiveMaxPool2d<true>(...)` for that type).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.AdaptiveMaxPool2d.html
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends Module {
  readonly output_size: AdaptiveSize;
  readonly return_indices: R;

  constructor(...args: ArgsOf<typeof AdaptiveMaxPoolSig>) {
    super();
    const a = AdaptiveMaxPoolSig.bind(args);
    this.output_size = a.output_size;
    this.return_indices = a.return_indices as R;
  }

  forward(input: Tensor): WithIndices<R> {
    return adaptiveMaxPool2dLayer(input, this.output_size, this.return_indices, false) as WithIndices<R>;
  }

  /** Channels-last inside chains when it returns one tensor, unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return !truthy(this.return_indices) && this.forward === AdaptiveMaxPool2d.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return adaptiveMaxPool2dLayer(input, this.output_size, false, true) as Tensor;
  }

  override extra_repr(): string {
    return `output_size=${show(this.output_size)}`;
  }
}
