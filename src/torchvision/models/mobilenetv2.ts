/**
 * torchvision 0.14's `models/mobilenetv2.py`: MobileNet V2.
 *
 * @see https://pytorch.org/vision/0.14/models/mobilenetv2.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors';
import * as F from '../../functional';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { Conv2dNormActivation } from '../ops/misc';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { pyList, pyRound } from './_python';
import { _make_divisible, make, type ModuleFactory } from './_utils';

/** `norm_layer`: `nn.BatchNorm2d` or any callable `(num_features) => Module`. */
export type NormLayer = ModuleFactory<[number]>;

const InvertedResidualSig = signature(
  'InvertedResidual.__init__',
  [
    req('inp', any<number>('int')),
    req('oup', any<number>('int')),
    req('stride', any<number>('int')),
    req('expand_ratio', any<number>('int')),
    opt('norm_layer', any<NormLayer | null>('Callable'), null),
  ],
  { method: true },
);

/**
 * MobileNet V2's inverted residual: a 1×1 expansion (unless `expand_ratio` is 1), a 3×3
 * depthwise convolution, a linear 1×1 projection, and the input added back when the shapes allow.
 */
export class InvertedResidual extends nn.Module {
  stride: number;
  use_res_connect: boolean;
  conv: nn.Sequential;
  out_channels: number;
  _is_cn: boolean;

  constructor(...args: ArgsOf<typeof InvertedResidualSig>) {
    super();
    let { inp, oup, stride, expand_ratio, norm_layer } = InvertedResidualSig.bind(args);
    this.stride = stride;
    if (![1, 2].includes(stride)) throw new ValueError(`stride should be 1 or 2 insted of ${stride}`);

    if (norm_layer === null) norm_layer = nn.BatchNorm2d;

    const hidden_dim = pyRound(inp * expand_ratio);
    this.use_res_connect = this.stride === 1 && inp === oup;

    const layers: nn.Module[] = [];
    if (expand_ratio !== 1) {
      // pw
      layers.push(new Conv2dNormActivation(inp, hidden_dim, { kernel_size: 1, norm_layer, activation_layer: nn.ReLU6 }));
    }
    layers.push(
      // dw
      new Conv2dNormActivation(hidden_dim, hidden_dim, { stride, groups: hidden_dim, norm_layer, activation_layer: nn.ReLU6 }),
      // pw-linear
      new nn.Conv2d(hidden_dim, oup, 1, 1, 0, { bias: false }),
      make(norm_layer, oup),
    );
    this.conv = new nn.Sequential(...layers);
    this.out_channels = oup;
    this._is_cn = stride > 1;
  }

  forward(x: Tensor): Tensor {
    if (this.use_res_connect) {
      return x.add(this.conv(x));
    } else {
      return this.conv(x);
    }
  }

  /** `forward` on channels-last tensors: the residual sum is the same in either layout. */
  protected override forwardChannelsLast(x: Tensor): Tensor {
    const y = this.chainChannelsLast(x, this.conv);
    return this.use_res_connect ? x.add(y) : y;
  }

  protected override runsChannelsLast(): boolean {
    return this.forward === InvertedResidual.prototype.forward && this.layersRunChannelsLast(this.conv);
  }

  protected override channelsLastEntry(): boolean {
    return this.runsChannelsLast();
  }
}

const MobileNetV2Sig = signature(
  'MobileNetV2.__init__',
  [
    opt('num_classes', any<number>('int'), 1000),
    opt('width_mult', any<number>('float'), 1.0),
    opt('inverted_residual_setting', any<readonly (readonly number[])[] | null>('List[List[int]]'), null),
    opt('round_nearest', any<number>('int'), 8),
    opt('block', any<ModuleFactory | null>('Callable'), null),
    opt('norm_layer', any<NormLayer | null>('Callable'), null),
    opt('dropout', any<number>('float'), 0.2),
  ],
  { method: true },
);

/** The keyword arguments of {@link MobileNetV2}, which `mobilenet_v2` passes through. */
export type MobileNetV2Kwargs = KeywordsOf<typeof MobileNetV2Sig>;

/**
 * torchvision's `MobileNetV2(num_classes=1000, width_mult=1.0, inverted_residual_setting=None,
 * round_nearest=8, block=None, norm_layer=None, dropout=0.2)`. `inverted_residual_setting` lists
 * `[t, c, n, s]` (expansion, channels, repeats, first stride) per stage; channels are scaled by
 * `width_mult` and rounded to multiples of `round_nearest`. Input `[N, 3, H, W]`, output
 * `[N, num_classes]`.
 *
 * @see https://pytorch.org/vision/0.14/models/mobilenetv2.html
 */
export class MobileNetV2 extends nn.Module {
  last_channel: number;
  features: nn.Sequential;
  classifier: nn.Sequential;

  constructor(...args: ArgsOf<typeof MobileNetV2Sig>) {
    super();
    let { num_classes, width_mult, inverted_residual_setting, round_nearest, block, norm_layer, dropout } = MobileNetV2Sig.bind(args);

    if (block === null) block = InvertedResidual;

    if (norm_layer === null) norm_layer = nn.BatchNorm2d;

    let input_channel = 32;
    const last_channel = 1280;

    if (inverted_residual_setting === null) {
      inverted_residual_setting = [
        // t, c, n, s
        [1, 16, 1, 1],
        [6, 24, 2, 2],
        [6, 32, 3, 2],
        [6, 64, 4, 2],
        [6, 96, 3, 1],
        [6, 160, 3, 2],
        [6, 320, 1, 1],
      ];
    }

    // only check the first element, assuming user knows t,c,n,s are required
    if (inverted_residual_setting.length === 0 || inverted_residual_setting[0].length !== 4) {
      throw new ValueError(`inverted_residual_setting should be non-empty or a 4-element list, got ${pyList(inverted_residual_setting)}`);
    }

    // building first layer
    input_channel = _make_divisible(input_channel * width_mult, round_nearest);
    this.last_channel = _make_divisible(last_channel * Math.max(1.0, width_mult), round_nearest);
    const features: nn.Module[] = [new Conv2dNormActivation(3, input_channel, { stride: 2, norm_layer, activation_layer: nn.ReLU6 })];
    // building inverted residual blocks
    for (const [t, c, n, s] of inverted_residual_setting) {
      const output_channel = _make_divisible(c * width_mult, round_nearest);
      for (let i = 0; i < n; i++) {
        const stride = i === 0 ? s : 1;
        features.push(make(block, input_channel, output_channel, stride, { expand_ratio: t, norm_layer }));
        input_channel = output_channel;
      }
    }
    // building last several layers
    features.push(new Conv2dNormActivation(input_channel, this.last_channel, { kernel_size: 1, norm_layer, activation_layer: nn.ReLU6 }));
    // make it nn.Sequential
    this.features = new nn.Sequential(...features);

    // building classifier
    this.classifier = new nn.Sequential(new nn.Dropout({ p: dropout }), new nn.Linear(this.last_channel, num_classes));

    // weight initialization
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight, { mode: 'fan_out' });
        if (m.bias !== null) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
        nn.init.ones_(m.weight);
        nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear) {
        nn.init.normal_(m.weight, 0, 0.01);
        nn.init.zeros_(m.bias);
      }
    }
  }

  _forward_impl(x: Tensor): Tensor {
    // This exists since TorchScript doesn't support inheritance, so the superclass method
    // (this one) needs to have a name other than `forward` that can be accessed in a subclass
    x = this.features(x);
    // Cannot use "squeeze" as batch-size can be 1
    x = F.adaptive_avg_pool2d(x, [1, 1]);
    x = torch.flatten(x, 1);
    x = this.classifier(x);
    return x;
  }

  forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }
}

/** MobileNetV2 from "MobileNetV2: Inverted Residuals and Linear Bottlenecks". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.mobilenet_v2.html */
export const mobilenet_v2: (...args: BuilderArgs<MobileNetV2Kwargs>) => MobileNetV2 = register_model(function mobilenet_v2(...args) {
  return new MobileNetV2(builderKwargs<MobileNetV2Kwargs>('mobilenet_v2', 'MobileNet_V2_Weights', args));
});
