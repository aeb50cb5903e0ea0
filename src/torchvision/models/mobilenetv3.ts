/**
 * torchvision 0.14's `models/mobilenetv3.py`: MobileNet V3 large and small.
 *
 * @see https://pytorch.org/vision/0.14/models/mobilenetv3.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { Conv2dNormActivation, SqueezeExcitation as SElayer } from '../ops/misc';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { bindKwargs } from './_python';
import { forwardKwargs, _make_divisible, make, type ModuleFactory } from './_utils';

/** `norm_layer`: `nn.BatchNorm2d` or any callable `(num_features) => Module`. */
export type NormLayer = ModuleFactory<[number]>;

const InvertedResidualConfigSig = signature(
  'InvertedResidualConfig.__init__',
  [
    req('input_channels', any<number>('int')),
    req('kernel', any<number>('int')),
    req('expanded_channels', any<number>('int')),
    req('out_channels', any<number>('int')),
    req('use_se', any<boolean>('bool')),
    req('activation', any<'RE' | 'HS'>('str')),
    req('stride', any<number>('int')),
    req('dilation', any<number>('int')),
    req('width_mult', any<number>('float')),
  ],
  { method: true },
);

/** One row of Tables 1 and 2 of the MobileNetV3 paper, channels scaled by `width_mult`. */
export class InvertedResidualConfig {
  input_channels: number;
  kernel: number;
  expanded_channels: number;
  out_channels: number;
  use_se: boolean;
  use_hs: boolean;
  stride: number;
  dilation: number;

  // Stores information listed at Tables 1 and 2 of the MobileNetV3 paper
  constructor(...args: ArgsOf<typeof InvertedResidualConfigSig>) {
    const { input_channels, kernel, expanded_channels, out_channels, use_se, activation, stride, dilation, width_mult } = InvertedResidualConfigSig.bind(args);
    this.input_channels = InvertedResidualConfig.adjust_channels(input_channels, width_mult);
    this.kernel = kernel;
    this.expanded_channels = InvertedResidualConfig.adjust_channels(expanded_channels, width_mult);
    this.out_channels = InvertedResidualConfig.adjust_channels(out_channels, width_mult);
    this.use_se = use_se;
    this.use_hs = activation === 'HS';
    this.stride = stride;
    this.dilation = dilation;
  }

  static adjust_channels(channels: number, width_mult: number): number {
    return _make_divisible(channels * width_mult, 8);
  }
}

const InvertedResidualSig = signature(
  'InvertedResidual.__init__',
  [
    req('cnf', any<InvertedResidualConfig>('InvertedResidualConfig')),
    req('norm_layer', any<NormLayer>('Callable')),
    opt('se_layer', any<ModuleFactory<[number, number]>>('Callable'), (input_channels: number, squeeze_channels: number) =>
      new SElayer(input_channels, squeeze_channels, { scale_activation: nn.Hardsigmoid }),
    ),
  ],
  { method: true },
);

/**
 * MobileNet V3's block (section 5 of the paper): expansion, depthwise convolution, optional
 * squeeze-and-excitation, linear projection, and the residual when the shapes allow.
 */
export class InvertedResidual extends nn.Module {
  use_res_connect: boolean;
  block: nn.Sequential;
  out_channels: number;
  _is_cn: boolean;

  // Implemented as described at section 5 of MobileNetV3 paper
  constructor(...args: ArgsOf<typeof InvertedResidualSig>) {
    super();
    const { cnf, norm_layer, se_layer } = InvertedResidualSig.bind(args);
    if (!(1 <= cnf.stride && cnf.stride <= 2)) throw new ValueError('illegal stride value');

    this.use_res_connect = cnf.stride === 1 && cnf.input_channels === cnf.out_channels;

    const layers: nn.Module[] = [];
    const activation_layer = cnf.use_hs ? nn.Hardswish : nn.ReLU;

    // expand
    if (cnf.expanded_channels !== cnf.input_channels) {
      layers.push(new Conv2dNormActivation(cnf.input_channels, cnf.expanded_channels, { kernel_size: 1, norm_layer, activation_layer }));
    }

    // depthwise
    const stride = cnf.dilation > 1 ? 1 : cnf.stride;
    layers.push(
      new Conv2dNormActivation(cnf.expanded_channels, cnf.expanded_channels, {
        kernel_size: cnf.kernel,
        stride,
        dilation: cnf.dilation,
        groups: cnf.expanded_channels,
        norm_layer,
        activation_layer,
      }),
    );
    if (cnf.use_se) {
      const squeeze_channels = _make_divisible(Math.floor(cnf.expanded_channels / 4), 8);
      layers.push(make(se_layer, cnf.expanded_channels, squeeze_channels));
    }

    // project
    layers.push(new Conv2dNormActivation(cnf.expanded_channels, cnf.out_channels, { kernel_size: 1, norm_layer, activation_layer: null }));

    this.block = new nn.Sequential(...layers);
    this.out_channels = cnf.out_channels;
    this._is_cn = cnf.stride > 1;
  }

  forward(input: Tensor): Tensor {
    let result = this.block(input);
    if (this.use_res_connect) result = result.add(input);
    return result;
  }

  /** `forward` on channels-last tensors: the residual sum is the same in either layout. */
  protected override forwardChannelsLast(input: Tensor): Tensor {
    const result = this.chainChannelsLast(input, this.block);
    return this.use_res_connect ? result.add(input) : result;
  }

  protected override runsChannelsLast(): boolean {
    return this.forward === InvertedResidual.prototype.forward && this.layersRunChannelsLast(this.block);
  }

  protected override channelsLastEntry(): boolean {
    return this.runsChannelsLast();
  }
}

const MobileNetV3Sig = signature(
  'MobileNetV3.__init__',
  [
    req('inverted_residual_setting', any<readonly InvertedResidualConfig[]>('List[InvertedResidualConfig]')),
    req('last_channel', any<number>('int')),
    opt('num_classes', any<number>('int'), 1000),
    opt('block', any<ModuleFactory<[InvertedResidualConfig, NormLayer]> | null>('Callable'), null),
    opt('norm_layer', any<NormLayer | null>('Callable'), null),
    opt('dropout', any<number>('float'), 0.2),
  ],
  { method: true },
);

/**
 * torchvision's `MobileNetV3(inverted_residual_setting, last_channel, num_classes=1000,
 * block=None, norm_layer=None, dropout=0.2, **kwargs)`; other keywords are accepted and ignored,
 * as Python's `**kwargs` takes them. Input `[N, 3, H, W]`, output `[N, num_classes]`.
 *
 * @see https://pytorch.org/vision/0.14/models/mobilenetv3.html
 */
export class MobileNetV3 extends nn.Module {
  features: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;

  constructor(...args: ArgsOf<typeof MobileNetV3Sig>) {
    super();
    let [{ inverted_residual_setting, last_channel, num_classes, block, norm_layer, dropout }] = bindKwargs(MobileNetV3Sig, args);

    if (inverted_residual_setting.length === 0) {
      throw new ValueError('The inverted_residual_setting should not be empty');
    } else if (!(Array.isArray(inverted_residual_setting) && inverted_residual_setting.every((s) => s instanceof InvertedResidualConfig))) {
      throw new TypeError('The inverted_residual_setting should be List[InvertedResidualConfig]');
    }

    if (block === null) block = InvertedResidual;

    if (norm_layer === null) norm_layer = (num_features: number) => new nn.BatchNorm2d(num_features, { eps: 0.001, momentum: 0.01 });

    const layers: nn.Module[] = [];

    // building first layer
    const firstconv_output_channels = inverted_residual_setting[0].input_channels;
    layers.push(new Conv2dNormActivation(3, firstconv_output_channels, { kernel_size: 3, stride: 2, norm_layer, activation_layer: nn.Hardswish }));

    // building inverted residual blocks
    for (const cnf of inverted_residual_setting) layers.push(make(block, cnf, norm_layer));

    // building last several layers
    const lastconv_input_channels = inverted_residual_setting[inverted_residual_setting.length - 1].out_channels;
    const lastconv_output_channels = 6 * lastconv_input_channels;
    layers.push(new Conv2dNormActivation(lastconv_input_channels, lastconv_output_channels, { kernel_size: 1, norm_layer, activation_layer: nn.Hardswish }));

    this.features = new nn.Sequential(...layers);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.classifier = new nn.Sequential(
      new nn.Linear(lastconv_output_channels, last_channel),
      new nn.Hardswish({ inplace: true }),
      new nn.Dropout({ p: dropout, inplace: true }),
      new nn.Linear(last_channel, num_classes),
    );

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
    x = this.features(x);

    x = this.avgpool(x);
    x = torch.flatten(x, 1);

    x = this.classifier(x);

    return x;
  }

  forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }
}

/** `_mobilenet_v3_conf`'s keywords: channel scaling, halved last stage, dilated last stage. */
export interface MobileNetV3ConfKwargs {
  width_mult?: number;
  reduced_tail?: boolean;
  dilated?: boolean;
}

/** The keyword arguments the MobileNet V3 builders take. */
export type MobileNetV3Kwargs = Omit<KeywordsOf<typeof MobileNetV3Sig>, 'inverted_residual_setting' | 'last_channel'> & MobileNetV3ConfKwargs;

/** torchvision's `_mobilenet_v3_conf(arch, width_mult=1.0, reduced_tail=False, dilated=False, **kwargs)`. */
export function _mobilenet_v3_conf(arch: string, { width_mult = 1.0, reduced_tail = false, dilated = false }: MobileNetV3ConfKwargs = {}): [InvertedResidualConfig[], number] {
  const reduce_divider = reduced_tail ? 2 : 1;
  const dilation = dilated ? 2 : 1;

  const bneck_conf = (input_channels: number, kernel: number, expanded_channels: number, out_channels: number, use_se: boolean, activation: 'RE' | 'HS', stride: number, dilation: number) =>
    new InvertedResidualConfig(input_channels, kernel, expanded_channels, out_channels, use_se, activation, stride, dilation, { width_mult });
  const adjust_channels = (channels: number) => InvertedResidualConfig.adjust_channels(channels, width_mult);
  const d = (n: number) => Math.floor(n / reduce_divider);

  let inverted_residual_setting: InvertedResidualConfig[];
  let last_channel: number;
  if (arch === 'mobilenet_v3_large') {
    inverted_residual_setting = [
      bneck_conf(16, 3, 16, 16, false, 'RE', 1, 1),
      bneck_conf(16, 3, 64, 24, false, 'RE', 2, 1), // C1
      bneck_conf(24, 3, 72, 24, false, 'RE', 1, 1),
      bneck_conf(24, 5, 72, 40, true, 'RE', 2, 1), // C2
      bneck_conf(40, 5, 120, 40, true, 'RE', 1, 1),
      bneck_conf(40, 5, 120, 40, true, 'RE', 1, 1),
      bneck_conf(40, 3, 240, 80, false, 'HS', 2, 1), // C3
      bneck_conf(80, 3, 200, 80, false, 'HS', 1, 1),
      bneck_conf(80, 3, 184, 80, false, 'HS', 1, 1),
      bneck_conf(80, 3, 184, 80, false, 'HS', 1, 1),
      bneck_conf(80, 3, 480, 112, true, 'HS', 1, 1),
      bneck_conf(112, 3, 672, 112, true, 'HS', 1, 1),
      bneck_conf(112, 5, 672, d(160), true, 'HS', 2, dilation), // C4
      bneck_conf(d(160), 5, d(960), d(160), true, 'HS', 1, dilation),
      bneck_conf(d(160), 5, d(960), d(160), true, 'HS', 1, dilation),
    ];
    last_channel = adjust_channels(d(1280)); // C5
  } else if (arch === 'mobilenet_v3_small') {
    inverted_residual_setting = [
      bneck_conf(16, 3, 16, 16, true, 'RE', 2, 1), // C1
      bneck_conf(16, 3, 72, 24, false, 'RE', 2, 1), // C2
      bneck_conf(24, 3, 88, 24, false, 'RE', 1, 1),
      bneck_conf(24, 5, 96, 40, true, 'HS', 2, 1), // C3
      bneck_conf(40, 5, 240, 40, true, 'HS', 1, 1),
      bneck_conf(40, 5, 240, 40, true, 'HS', 1, 1),
      bneck_conf(40, 5, 120, 48, true, 'HS', 1, 1),
      bneck_conf(48, 5, 144, 48, true, 'HS', 1, 1),
      bneck_conf(48, 5, 288, d(96), true, 'HS', 2, dilation), // C4
      bneck_conf(d(96), 5, d(576), d(96), true, 'HS', 1, dilation),
      bneck_conf(d(96), 5, d(576), d(96), true, 'HS', 1, dilation),
    ];
    last_channel = adjust_channels(d(1024)); // C5
  } else {
    throw new ValueError(`Unsupported model type ${arch}`);
  }

  return [inverted_residual_setting, last_channel];
}

type Builder = (...args: BuilderArgs<MobileNetV3Kwargs>) => MobileNetV3;

/** torchvision's `_mobilenet_v3(inverted_residual_setting, last_channel, weights, progress, **kwargs)` once the weights are refused. */
function _mobilenet_v3(arch: string, kwargs: Partial<MobileNetV3Kwargs>): MobileNetV3 {
  const [inverted_residual_setting, last_channel] = _mobilenet_v3_conf(arch, forwardKwargs('_mobilenet_v3_conf', 'torchvision.models.mobilenetv3._mobilenet_v3_conf', ['arch'], kwargs));
  const own = forwardKwargs('_mobilenet_v3', 'torchvision.models.mobilenetv3._mobilenet_v3', ['inverted_residual_setting', 'last_channel', 'weights', 'progress'], kwargs);
  return new MobileNetV3(inverted_residual_setting, last_channel, own);
}

/** MobileNetV3 large from "Searching for MobileNetV3". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.mobilenet_v3_large.html */
export const mobilenet_v3_large: Builder = register_model(function mobilenet_v3_large(...args) {
  return _mobilenet_v3('mobilenet_v3_large', builderKwargs('mobilenet_v3_large', 'MobileNet_V3_Large_Weights', args));
});

/** MobileNetV3 small. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.mobilenet_v3_small.html */
export const mobilenet_v3_small: Builder = register_model(function mobilenet_v3_small(...args) {
  return _mobilenet_v3('mobilenet_v3_small', builderKwargs('mobilenet_v3_small', 'MobileNet_V3_Small_Weights', args));
});
