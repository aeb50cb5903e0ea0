/**
 * torchvision 0.14's `models/shufflenetv2.py`: ShuffleNet V2 x0.5, x1.0, x1.5 and x2.0.
 *
 * @see https://pytorch.org/vision/0.14/models/shufflenetv2.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors';
import { toChannelsFirst } from '../../functional/layout';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { make, type ModuleFactory } from './_utils';

/** Interleaves the channels of `groups` groups: `[a0 a1 b0 b1]` → `[a0 b0 a1 b1]`. */
export function channel_shuffle(x: Tensor, groups: number): Tensor {
  const [batchsize, num_channels, height, width] = x.shape;
  const channels_per_group = Math.floor(num_channels / groups);

  // reshape
  x = x.view(batchsize, groups, channels_per_group, height, width);

  x = torch.transpose(x, 1, 2).contiguous();

  // flatten
  x = x.view(batchsize, -1, height, width);

  return x;
}

const InvertedResidualSig = signature(
  'InvertedResidual.__init__',
  [req('inp', any<number>('int')), req('oup', any<number>('int')), req('stride', any<number>('int'))],
  { method: true },
);

/**
 * ShuffleNet V2's unit: at stride 1 half the channels pass through and the other half go through
 * `branch2`; at stride 2 both `branch1` and `branch2` see the whole input. The halves are then
 * concatenated and shuffled.
 */
export class InvertedResidual extends nn.Module {
  stride: number;
  branch1: nn.Sequential;
  branch2: nn.Sequential;

  constructor(...args: ArgsOf<typeof InvertedResidualSig>) {
    super();
    const { inp, oup, stride } = InvertedResidualSig.bind(args);

    if (!(1 <= stride && stride <= 3)) throw new ValueError('illegal stride value');
    this.stride = stride;

    const branch_features = Math.floor(oup / 2);
    if (this.stride === 1 && inp !== branch_features << 1) {
      throw new ValueError(
        `Invalid combination of stride ${stride}, inp ${inp} and oup ${oup} values. If stride == 1 then inp should be equal to oup // 2 << 1.`,
      );
    }

    if (this.stride > 1) {
      this.branch1 = new nn.Sequential(
        InvertedResidual.depthwise_conv(inp, inp, { kernel_size: 3, stride: this.stride, padding: 1 }),
        new nn.BatchNorm2d(inp),
        new nn.Conv2d(inp, branch_features, { kernel_size: 1, stride: 1, padding: 0, bias: false }),
        new nn.BatchNorm2d(branch_features),
        new nn.ReLU({ inplace: true }),
      );
    } else {
      this.branch1 = new nn.Sequential();
    }

    this.branch2 = new nn.Sequential(
      new nn.Conv2d(this.stride > 1 ? inp : branch_features, branch_features, { kernel_size: 1, stride: 1, padding: 0, bias: false }),
      new nn.BatchNorm2d(branch_features),
      new nn.ReLU({ inplace: true }),
      InvertedResidual.depthwise_conv(branch_features, branch_features, { kernel_size: 3, stride: this.stride, padding: 1 }),
      new nn.BatchNorm2d(branch_features),
      new nn.Conv2d(branch_features, branch_features, { kernel_size: 1, stride: 1, padding: 0, bias: false }),
      new nn.BatchNorm2d(branch_features),
      new nn.ReLU({ inplace: true }),
    );
  }

  static depthwise_conv(i: number, o: number, { kernel_size, stride = 1, padding = 0, bias = false }: { kernel_size: number; stride?: number; padding?: number; bias?: boolean }): nn.Conv2d {
    return new nn.Conv2d(i, o, kernel_size, stride, padding, { bias, groups: i });
  }

  forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = x.chunk(2, { dim: 1 });
      out = torch.cat([x1, this.branch2(x2)], { dim: 1 });
    } else {
      out = torch.cat([this.branch1(x), this.branch2(x)], { dim: 1 });
    }

    out = channel_shuffle(out, 2);

    return out;
  }

  /** `forward` on channels-last tensors: the halves split, join and shuffle along the last dim. */
  protected override forwardChannelsLast(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = x.chunk(2, { dim: 3 });
      out = torch.cat([x1, this.chainChannelsLast(x2, this.branch2)], { dim: 3 });
    } else {
      out = torch.cat([this.chainChannelsLast(x, this.branch1), this.chainChannelsLast(x, this.branch2)], { dim: 3 });
    }
    const [n, h, w, c] = out.shape;
    return torch.transpose(out.view(n, h, w, 2, Math.floor(c / 2)), 3, 4).contiguous().view(n, h, w, -1);
  }

  protected override runsChannelsLast(): boolean {
    return this.forward === InvertedResidual.prototype.forward && this.layersRunChannelsLast(this.branch1, this.branch2);
  }

  protected override channelsLastEntry(): boolean {
    return this.runsChannelsLast();
  }
}

const ShuffleNetV2Sig = signature(
  'ShuffleNetV2.__init__',
  [
    req('stages_repeats', any<readonly number[]>('List[int]')),
    req('stages_out_channels', any<readonly number[]>('List[int]')),
    opt('num_classes', any<number>('int'), 1000),
    opt('inverted_residual', any<ModuleFactory<[number, number, number]>>('Callable'), InvertedResidual),
  ],
  { method: true },
);

/** The keyword arguments the ShuffleNet V2 builders pass through to {@link ShuffleNetV2}. */
export type ShuffleNetV2Kwargs = Omit<KeywordsOf<typeof ShuffleNetV2Sig>, 'stages_repeats' | 'stages_out_channels'>;

/**
 * torchvision's `ShuffleNetV2(stages_repeats, stages_out_channels, num_classes=1000,
 * inverted_residual=InvertedResidual)`: `conv1`, `maxpool`, `stage2`–`stage4` (the first unit of
 * each at stride 2), `conv5`, a global mean and `fc`. Input `[N, 3, H, W]`, output
 * `[N, num_classes]`. It keeps PyTorch's default initialisation.
 *
 * @see https://pytorch.org/vision/0.14/models/shufflenetv2.html
 */
export class ShuffleNetV2 extends nn.Module {
  _stage_out_channels: readonly number[];
  conv1: nn.Sequential;
  maxpool: nn.MaxPool2d;
  // Assigned by name in the constructor's loop, as torchvision's setattr.
  declare stage2: nn.Sequential;
  declare stage3: nn.Sequential;
  declare stage4: nn.Sequential;
  conv5: nn.Sequential;
  fc: nn.Linear;

  constructor(...args: ArgsOf<typeof ShuffleNetV2Sig>) {
    super();
    const { stages_repeats, stages_out_channels, num_classes, inverted_residual } = ShuffleNetV2Sig.bind(args);

    if (stages_repeats.length !== 3) throw new ValueError('expected stages_repeats as list of 3 positive ints');
    if (stages_out_channels.length !== 5) throw new ValueError('expected stages_out_channels as list of 5 positive ints');
    this._stage_out_channels = stages_out_channels;

    let input_channels = 3;
    let output_channels = this._stage_out_channels[0];
    this.conv1 = new nn.Sequential(
      new nn.Conv2d(input_channels, output_channels, 3, 2, 1, { bias: false }),
      new nn.BatchNorm2d(output_channels),
      new nn.ReLU({ inplace: true }),
    );
    input_channels = output_channels;

    this.maxpool = new nn.MaxPool2d({ kernel_size: 3, stride: 2, padding: 1 });

    const stage_names = [2, 3, 4].map((i) => `stage${i}`);
    stage_names.forEach((name, s) => {
      const [repeats, output_channels] = [stages_repeats[s], this._stage_out_channels[s + 1]];
      const seq = [make(inverted_residual, input_channels, output_channels, 2)];
      for (let i = 0; i < repeats - 1; i++) seq.push(make(inverted_residual, output_channels, output_channels, 1));
      (this as unknown as Record<string, nn.Module>)[name] = new nn.Sequential(...seq);
      input_channels = output_channels;
    });

    output_channels = this._stage_out_channels[this._stage_out_channels.length - 1];
    this.conv5 = new nn.Sequential(
      new nn.Conv2d(input_channels, output_channels, 1, 1, 0, { bias: false }),
      new nn.BatchNorm2d(output_channels),
      new nn.ReLU({ inplace: true }),
    );

    this.fc = new nn.Linear(output_channels, num_classes);
  }

  _forward_impl(x: Tensor): Tensor {
    // See note [TorchScript super()]
    x = this.conv1(x);
    x = this.maxpool(x);
    x = this.stage2(x);
    x = this.stage3(x);
    x = this.stage4(x);
    x = this.conv5(x);
    x = x.mean([2, 3]); // globalpool
    x = this.fc(x);
    return x;
  }

  forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }

  /** `_forward_impl` with everything up to `conv5` channels-last (one conversion in, one out), then the same mean and `fc`. */
  protected override forwardChannelsLast(x: Tensor): Tensor {
    x = toChannelsFirst(this.chainChannelsLast(x, this.conv1, this.maxpool, this.stage2, this.stage3, this.stage4, this.conv5));
    return this.fc(x.mean([2, 3]));
  }

  protected override channelsLastEntry(): boolean {
    return (
      this.forward === ShuffleNetV2.prototype.forward &&
      this._forward_impl === ShuffleNetV2.prototype._forward_impl &&
      this.layersRunChannelsLast(this.conv1, this.maxpool, this.stage2, this.stage3, this.stage4, this.conv5)
    );
  }
}

type Builder = (...args: BuilderArgs<ShuffleNetV2Kwargs>) => ShuffleNetV2;

/** torchvision's `_shufflenetv2(weights, progress, *args, **kwargs)` once the weights are refused. */
function _shufflenetv2(stages_repeats: number[], stages_out_channels: number[], kwargs: Partial<ShuffleNetV2Kwargs>): ShuffleNetV2 {
  return new ShuffleNetV2(stages_repeats, stages_out_channels, kwargs);
}

/** ShuffleNet V2 with 0.5x output channels, from "ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.shufflenet_v2_x0_5.html */
export const shufflenet_v2_x0_5: Builder = register_model(function shufflenet_v2_x0_5(...args) {
  return _shufflenetv2([4, 8, 4], [24, 48, 96, 192, 1024], builderKwargs('shufflenet_v2_x0_5', 'ShuffleNet_V2_X0_5_Weights', args));
});

/** ShuffleNet V2 with 1.0x output channels. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.shufflenet_v2_x1_0.html */
export const shufflenet_v2_x1_0: Builder = register_model(function shufflenet_v2_x1_0(...args) {
  return _shufflenetv2([4, 8, 4], [24, 116, 232, 464, 1024], builderKwargs('shufflenet_v2_x1_0', 'ShuffleNet_V2_X1_0_Weights', args));
});

/** ShuffleNet V2 with 1.5x output channels. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.shufflenet_v2_x1_5.html */
export const shufflenet_v2_x1_5: Builder = register_model(function shufflenet_v2_x1_5(...args) {
  return _shufflenetv2([4, 8, 4], [24, 176, 352, 704, 1024], builderKwargs('shufflenet_v2_x1_5', 'ShuffleNet_V2_X1_5_Weights', args));
});

/** ShuffleNet V2 with 2.0x output channels. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.shufflenet_v2_x2_0.html */
export const shufflenet_v2_x2_0: Builder = register_model(function shufflenet_v2_x2_0(...args) {
  return _shufflenetv2([4, 8, 4], [24, 244, 488, 976, 2048], builderKwargs('shufflenet_v2_x2_0', 'ShuffleNet_V2_X2_0_Weights', args));
});
