import type { Tensor } from '@tensorflow/tfjs-core';
import { ReLU } from './activation';
import { BatchNorm2d } from './batchnorm';
import { Conv2d } from './conv';
import { Module } from './module';
import { req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';

/** The article's `Depth_Wise_Conv.__init__(self, in_channel, out_channel)`. */
const DepthWiseConvSig = signature('Depth_Wise_Conv.__init__', [req('in_channel', any<number>('int')), req('out_channel', any<number>('int'))], { method: true });

/**
 * The article's `Depth_Wise_Conv` block, line for line: a 3×3 depthwise convolution
 * (`groups = in_channel`, padding 1), a 1×1 pointwise convolution to `out_channel`, BatchNorm2d
 * and ReLU. Children: `conv_group`, `conv_point`, `bn`, `act`.
 *
 * Input `[N, in_channel, H, W]`; output `[N, out_channel, H + 2, W + 2]`. The article gives the
 * pointwise convolution `padding=1` too, and PyTorch honours it: a 1×1 kernel over a zero
 * border adds one row and column on each side, so a `1×3×16×16` input gives `1×16×18×18`. This
 * port keeps that quirk so its numbers and shapes are the article's; the border pixels are
 * `ReLU(BN(bias))`.
 */
export class DepthWiseConv extends Module {
  conv_group: Conv2d;
  conv_point: Conv2d;
  bn: BatchNorm2d;
  act: ReLU;

  constructor(...args: ArgsOf<typeof DepthWiseConvSig>) {
    super();
    const { in_channel, out_channel } = DepthWiseConvSig.bind(args);
    this.conv_group = new Conv2d(in_channel, in_channel, { kernel_size: 3, stride: 1, padding: 1, groups: in_channel });
    this.conv_point = new Conv2d(in_channel, out_channel, { kernel_size: 1, stride: 1, padding: 1, groups: 1 });
    this.bn = new BatchNorm2d(out_channel);
    this.act = new ReLU();
  }

  /** The article's `conv_group → conv_point → bn → act`, run as one chain (channels-last inside). */
  forward(inputs: Tensor): Tensor {
    return this.chain(inputs, this.conv_group, this.conv_point, this.bn, this.act);
  }

  /** The same four layers, unless a subclass's own forward must run. */
  protected override chainLayers(): Module[] | null {
    return this.forward === DepthWiseConv.prototype.forward ? [this.conv_group, this.conv_point, this.bn, this.act] : null;
  }
}
