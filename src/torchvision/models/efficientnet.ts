/**
 * torchvision 0.14's `models/efficientnet.py`: EfficientNet B0–B7 and EfficientNetV2 S, M, L.
 *
 * @see https://pytorch.org/vision/0.14/models/efficientnet.html
 * @see https://pytorch.org/vision/0.14/models/efficientnetv2.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { Conv2dNormActivation, SqueezeExcitation } from '../ops/misc';
import { StochasticDepth } from '../ops/stochastic_depth';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { bindKwargs } from './_python';
import { forwardKwargs, _make_divisible, make, type ModuleFactory } from './_utils';

/** `norm_layer`: `nn.BatchNorm2d` or any callable `(num_features) => Module`. */
export type NormLayer = ModuleFactory<[number]>;
/** A stage's block: called as `block(cnf, stochastic_depth_prob, norm_layer)`. */
export type BlockFactory = ModuleFactory<[_MBConvConfig, number, NormLayer]>;

/** The fields both stage configurations share (torchvision's `@dataclass _MBConvConfig`). */
export class _MBConvConfig {
  constructor(
    public expand_ratio: number,
    public kernel: number,
    public stride: number,
    public input_channels: number,
    public out_channels: number,
    public num_layers: number,
    public block: BlockFactory,
  ) {}

  static adjust_channels(channels: number, width_mult: number, min_value: number | null = null): number {
    return _make_divisible(channels * width_mult, 8, min_value);
  }

  adjust_channels(channels: number, width_mult: number, min_value: number | null = null): number {
    return _MBConvConfig.adjust_channels(channels, width_mult, min_value);
  }
}

const MBConvConfigSig = signature(
  'MBConvConfig.__init__',
  [
    req('expand_ratio', any<number>('float')),
    req('kernel', any<number>('int')),
    req('stride', any<number>('int')),
    req('input_channels', any<number>('int')),
    req('out_channels', any<number>('int')),
    req('num_layers', any<number>('int')),
    opt('width_mult', any<number>('float'), 1.0),
    opt('depth_mult', any<number>('float'), 1.0),
    opt('block', any<BlockFactory | null>('Callable'), null),
  ],
  { method: true },
);

/** One stage of Table 1 of the EfficientNet paper (and Table 4 of EfficientNetV2's), scaled by `width_mult` and `depth_mult`. */
export class MBConvConfig extends _MBConvConfig {
  // Stores information listed at Table 1 of the EfficientNet paper & Table 4 of the EfficientNetV2 paper
  constructor(...args: ArgsOf<typeof MBConvConfigSig>) {
    let { expand_ratio, kernel, stride, input_channels, out_channels, num_layers, width_mult, depth_mult, block } = MBConvConfigSig.bind(args);
    input_channels = _MBConvConfig.adjust_channels(input_channels, width_mult);
    out_channels = _MBConvConfig.adjust_channels(out_channels, width_mult);
    num_layers = MBConvConfig.adjust_depth(num_layers, depth_mult);
    if (block === null) block = MBConv;
    super(expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block);
  }

  static adjust_depth(num_layers: number, depth_mult: number): number {
    return Math.ceil(num_layers * depth_mult);
  }
}

const FusedMBConvConfigSig = signature(
  'FusedMBConvConfig.__init__',
  [
    req('expand_ratio', any<number>('float')),
    req('kernel', any<number>('int')),
    req('stride', any<number>('int')),
    req('input_channels', any<number>('int')),
    req('out_channels', any<number>('int')),
    req('num_layers', any<number>('int')),
    opt('block', any<BlockFactory | null>('Callable'), null),
  ],
  { method: true },
);

/** One fused stage of Table 4 of the EfficientNetV2 paper. */
export class FusedMBConvConfig extends _MBConvConfig {
  // Stores information listed at Table 4 of the EfficientNetV2 paper
  constructor(...args: ArgsOf<typeof FusedMBConvConfigSig>) {
    let { expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block } = FusedMBConvConfigSig.bind(args);
    if (block === null) block = FusedMBConv;
    super(expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block);
  }
}

const MBConvSig = signature(
  'MBConv.__init__',
  [
    req('cnf', any<_MBConvConfig>('MBConvConfig')),
    req('stochastic_depth_prob', any<number>('float')),
    req('norm_layer', any<NormLayer>('Callable')),
    opt('se_layer', any<ModuleFactory>('Callable'), SqueezeExcitation),
  ],
  { method: true },
);

/**
 * EfficientNet's mobile inverted bottleneck: 1×1 expansion, depthwise convolution,
 * squeeze-and-excitation, linear 1×1 projection; with the residual (through stochastic depth)
 * when the shapes allow.
 */
export class MBConv extends nn.Module {
  use_res_connect: boolean;
  block: nn.Sequential;
  stochastic_depth: StochasticDepth;
  out_channels: number;

  constructor(...args: ArgsOf<typeof MBConvSig>) {
    super();
    const { cnf, stochastic_depth_prob, norm_layer, se_layer } = MBConvSig.bind(args);

    if (!(1 <= cnf.stride && cnf.stride <= 2)) throw new ValueError('illegal stride value');

    this.use_res_connect = cnf.stride === 1 && cnf.input_channels === cnf.out_channels;

    const layers: nn.Module[] = [];
    const activation_layer = nn.SiLU;

    // expand
    const expanded_channels = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio);
    if (expanded_channels !== cnf.input_channels) {
      layers.push(new Conv2dNormActivation(cnf.input_channels, expanded_channels, { kernel_size: 1, norm_layer, activation_layer }));
    }

    // depthwise
    layers.push(
      new Conv2dNormActivation(expanded_channels, expanded_channels, {
        kernel_size: cnf.kernel,
        stride: cnf.stride,
        groups: expanded_channels,
        norm_layer,
        activation_layer,
      }),
    );

    // squeeze and excitation
    const squeeze_channels = Math.max(1, Math.floor(cnf.input_channels / 4));
    layers.push(make(se_layer, expanded_channels, squeeze_channels, { activation: () => new nn.SiLU({ inplace: true }) }));

    // project
    layers.push(new Conv2dNormActivation(expanded_channels, cnf.out_channels, { kernel_size: 1, norm_layer, activation_layer: null }));

    this.block = new nn.Sequential(...layers);
    this.stochastic_depth = new StochasticDepth(stochastic_depth_prob, 'row');
    this.out_channels = cnf.out_channels;
  }

  forward(input: Tensor): Tensor {
    let result = this.block(input);
    if (this.use_res_connect) {
      result = this.stochastic_depth(result);
      result = result.add(input);
    }
    return result;
  }

  /** `forward` on channels-last tensors: stochastic depth drops whole rows, and the residual sum is the same in either layout. */
  protected override forwardChannelsLast(input: Tensor): Tensor {
    let result = this.chainChannelsLast(input, this.block);
    if (this.use_res_connect) result = this.chainChannelsLast(result, this.stochastic_depth).add(input);
    return result;
  }

  protected override runsChannelsLast(): boolean {
    return this.forward === MBConv.prototype.forward && this.layersRunChannelsLast(this.block, this.stochastic_depth);
  }

  protected override channelsLastEntry(): boolean {
    return this.runsChannelsLast();
  }
}

const FusedMBConvSig = signature(
  'FusedMBConv.__init__',
  [req('cnf', any<_MBConvConfig>('FusedMBConvConfig')), req('stochastic_depth_prob', any<number>('float')), req('norm_layer', any<NormLayer>('Callable'))],
  { method: true },
);

/** EfficientNetV2's fused block: one full convolution in place of expansion and depthwise, then a projection. */
export class FusedMBConv extends nn.Module {
  use_res_connect: boolean;
  block: nn.Sequential;
  stochastic_depth: StochasticDepth;
  out_channels: number;

  constructor(...args: ArgsOf<typeof FusedMBConvSig>) {
    super();
    const { cnf, stochastic_depth_prob, norm_layer } = FusedMBConvSig.bind(args);

    if (!(1 <= cnf.stride && cnf.stride <= 2)) throw new ValueError('illegal stride value');

    this.use_res_connect = cnf.stride === 1 && cnf.input_channels === cnf.out_channels;

    const layers: nn.Module[] = [];
    const activation_layer = nn.SiLU;

    const expanded_channels = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio);
    if (expanded_channels !== cnf.input_channels) {
      // fused expand
      layers.push(
        new Conv2dNormActivation(cnf.input_channels, expanded_channels, { kernel_size: cnf.kernel, stride: cnf.stride, norm_layer, activation_layer }),
      );

      // project
      layers.push(new Conv2dNormActivation(expanded_channels, cnf.out_channels, { kernel_size: 1, norm_layer, activation_layer: null }));
    } else {
      layers.push(
        new Conv2dNormActivation(cnf.input_channels, cnf.out_channels, { kernel_size: cnf.kernel, stride: cnf.stride, norm_layer, activation_layer }),
      );
    }

    this.block = new nn.Sequential(...layers);
    this.stochastic_depth = new StochasticDepth(stochastic_depth_prob, 'row');
    this.out_channels = cnf.out_channels;
  }

  forward(input: Tensor): Tensor {
    let result = this.block(input);
    if (this.use_res_connect) {
      result = this.stochastic_depth(result);
      result = result.add(input);
    }
    return result;
  }
}

const EfficientNetSig = signature(
  'EfficientNet.__init__',
  [
    req('inverted_residual_setting', any<readonly _MBConvConfig[]>('Sequence[Union[MBConvConfig, FusedMBConvConfig]]')),
    req('dropout', any<number>('float')),
    opt('stochastic_depth_prob', any<number>('float'), 0.2),
    opt('num_classes', any<number>('int'), 1000),
    opt('norm_layer', any<NormLayer | null>('Callable'), null),
    opt('last_channel', any<number | null>('int'), null),
  ],
  { method: true },
);

/**
 * The keyword arguments the EfficientNet builders pass through to {@link EfficientNet}; `block`
 * is torchvision's deprecated way to replace every `MBConvConfig`'s block.
 */
export type EfficientNetKwargs = Omit<KeywordsOf<typeof EfficientNetSig>, 'inverted_residual_setting' | 'dropout' | 'last_channel'> & { block?: BlockFactory | null };

/**
 * torchvision's `EfficientNet(inverted_residual_setting, dropout, stochastic_depth_prob=0.2,
 * num_classes=1000, norm_layer=None, last_channel=None, **kwargs)`. The stochastic-depth
 * probability grows linearly from 0 over the blocks, up to `stochastic_depth_prob`. Other
 * keywords are accepted and ignored, as Python's `**kwargs` takes them (`block` warns and
 * replaces the blocks of the `MBConvConfig`s). Input `[N, 3, H, W]`, output `[N, num_classes]`.
 *
 * @see https://pytorch.org/vision/0.14/models/efficientnet.html
 */
export class EfficientNet extends nn.Module {
  features: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;

  constructor(...args: ArgsOf<typeof EfficientNetSig>) {
    super();
    let [{ inverted_residual_setting, dropout, stochastic_depth_prob, num_classes, norm_layer, last_channel }, kwargs] = bindKwargs(EfficientNetSig, args);

    if (inverted_residual_setting.length === 0) {
      throw new ValueError('The inverted_residual_setting should not be empty');
    } else if (!(Array.isArray(inverted_residual_setting) && inverted_residual_setting.every((s) => s instanceof _MBConvConfig))) {
      throw new TypeError('The inverted_residual_setting should be List[MBConvConfig]');
    }

    if ('block' in kwargs) {
      process.emitWarning(
        "The parameter 'block' is deprecated since 0.13 and will be removed 0.15. Please pass this information on 'MBConvConfig.block' instead.",
        'UserWarning',
      );
      if (kwargs.block !== null && kwargs.block !== undefined) {
        for (const s of inverted_residual_setting) {
          if (s instanceof MBConvConfig) s.block = kwargs.block as BlockFactory;
        }
      }
    }

    if (norm_layer === null) norm_layer = nn.BatchNorm2d;

    const layers: nn.Module[] = [];

    // building first layer
    const firstconv_output_channels = inverted_residual_setting[0].input_channels;
    layers.push(new Conv2dNormActivation(3, firstconv_output_channels, { kernel_size: 3, stride: 2, norm_layer, activation_layer: nn.SiLU }));

    // building inverted residual blocks
    const total_stage_blocks = inverted_residual_setting.reduce((sum, cnf) => sum + cnf.num_layers, 0);
    let stage_block_id = 0;
    for (const cnf of inverted_residual_setting) {
      const stage: nn.Module[] = [];
      for (let _ = 0; _ < cnf.num_layers; _++) {
        // copy to avoid modifications. shallow copy is enough
        const block_cnf: _MBConvConfig = Object.assign(Object.create(Object.getPrototypeOf(cnf)), cnf);

        // overwrite info if not the first conv in the stage
        if (stage.length > 0) {
          block_cnf.input_channels = block_cnf.out_channels;
          block_cnf.stride = 1;
        }

        // adjust stochastic depth probability based on the depth of the stage block
        const sd_prob = (stochastic_depth_prob * stage_block_id) / total_stage_blocks;

        stage.push(make(block_cnf.block, block_cnf, sd_prob, norm_layer));
        stage_block_id += 1;
      }
      layers.push(new nn.Sequential(...stage));
    }

    // building last several layers
    const lastconv_input_channels = inverted_residual_setting[inverted_residual_setting.length - 1].out_channels;
    const lastconv_output_channels = last_channel !== null ? last_channel : 4 * lastconv_input_channels;
    layers.push(new Conv2dNormActivation(lastconv_input_channels, lastconv_output_channels, { kernel_size: 1, norm_layer, activation_layer: nn.SiLU }));

    this.features = new nn.Sequential(...layers);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.classifier = new nn.Sequential(new nn.Dropout({ p: dropout, inplace: true }), new nn.Linear(lastconv_output_channels, num_classes));

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight, { mode: 'fan_out' });
        if (m.bias !== null) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
        nn.init.ones_(m.weight);
        nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear) {
        const init_range = 1.0 / Math.sqrt(m.out_features);
        nn.init.uniform_(m.weight, -init_range, init_range);
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

/** torchvision's `_efficientnet_conf(arch, **kwargs)`: the stage settings and `last_channel` of each architecture. */
export function _efficientnet_conf(arch: string, kwargs: { width_mult?: number; depth_mult?: number } = {}): [_MBConvConfig[], number | null] {
  let inverted_residual_setting: _MBConvConfig[];
  let last_channel: number | null;
  if (arch.startsWith('efficientnet_b')) {
    const { width_mult, depth_mult } = kwargs;
    const bneck_conf = (expand_ratio: number, kernel: number, stride: number, input_channels: number, out_channels: number, num_layers: number) =>
      new MBConvConfig(expand_ratio, kernel, stride, input_channels, out_channels, num_layers, { width_mult, depth_mult });
    inverted_residual_setting = [
      bneck_conf(1, 3, 1, 32, 16, 1),
      bneck_conf(6, 3, 2, 16, 24, 2),
      bneck_conf(6, 5, 2, 24, 40, 2),
      bneck_conf(6, 3, 2, 40, 80, 3),
      bneck_conf(6, 5, 1, 80, 112, 3),
      bneck_conf(6, 5, 2, 112, 192, 4),
      bneck_conf(6, 3, 1, 192, 320, 1),
    ];
    last_channel = null;
  } else if (arch.startsWith('efficientnet_v2_s')) {
    inverted_residual_setting = [
      new FusedMBConvConfig(1, 3, 1, 24, 24, 2),
      new FusedMBConvConfig(4, 3, 2, 24, 48, 4),
      new FusedMBConvConfig(4, 3, 2, 48, 64, 4),
      new MBConvConfig(4, 3, 2, 64, 128, 6),
      new MBConvConfig(6, 3, 1, 128, 160, 9),
      new MBConvConfig(6, 3, 2, 160, 256, 15),
    ];
    last_channel = 1280;
  } else if (arch.startsWith('efficientnet_v2_m')) {
    inverted_residual_setting = [
      new FusedMBConvConfig(1, 3, 1, 24, 24, 3),
      new FusedMBConvConfig(4, 3, 2, 24, 48, 5),
      new FusedMBConvConfig(4, 3, 2, 48, 80, 5),
      new MBConvConfig(4, 3, 2, 80, 160, 7),
      new MBConvConfig(6, 3, 1, 160, 176, 14),
      new MBConvConfig(6, 3, 2, 176, 304, 18),
      new MBConvConfig(6, 3, 1, 304, 512, 5),
    ];
    last_channel = 1280;
  } else if (arch.startsWith('efficientnet_v2_l')) {
    inverted_residual_setting = [
      new FusedMBConvConfig(1, 3, 1, 32, 32, 4),
      new FusedMBConvConfig(4, 3, 2, 32, 64, 7),
      new FusedMBConvConfig(4, 3, 2, 64, 96, 7),
      new MBConvConfig(4, 3, 2, 96, 192, 10),
      new MBConvConfig(6, 3, 1, 192, 224, 19),
      new MBConvConfig(6, 3, 2, 224, 384, 25),
      new MBConvConfig(6, 3, 1, 384, 640, 7),
    ];
    last_channel = 1280;
  } else {
    throw new ValueError(`Unsupported model type ${arch}`);
  }

  return [inverted_residual_setting, last_channel];
}

type Builder = (...args: BuilderArgs<EfficientNetKwargs>) => EfficientNet;

/**
 * torchvision's `_efficientnet(inverted_residual_setting, dropout, last_channel, weights,
 * progress, **kwargs)` once the weights are refused; `norm_layer` is the builder's own, if it
 * fixes one.
 */
function _efficientnet([inverted_residual_setting, last_channel]: [_MBConvConfig[], number | null], dropout: number, kwargs: Partial<EfficientNetKwargs>, fixed: Partial<EfficientNetKwargs> = {}): EfficientNet {
  const own = forwardKwargs('_efficientnet', 'torchvision.models.efficientnet._efficientnet', ['inverted_residual_setting', 'dropout', 'last_channel', 'weights', 'progress'], kwargs, fixed);
  return new EfficientNet(inverted_residual_setting, dropout, { last_channel, ...own });
}

/** B5–B7 normalise as the TensorFlow originals: `partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)`. */
const bnTF = (num_features: number) => new nn.BatchNorm2d(num_features, { eps: 0.001, momentum: 0.01 });
/** The V2 models' `partial(nn.BatchNorm2d, eps=1e-03)`. */
const bnV2 = (num_features: number) => new nn.BatchNorm2d(num_features, { eps: 1e-3 });

/** EfficientNet B0 from "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_b0.html */
export const efficientnet_b0: Builder = register_model(function efficientnet_b0(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_b0', { width_mult: 1.0, depth_mult: 1.0 }), 0.2, builderKwargs('efficientnet_b0', 'EfficientNet_B0_Weights', args));
});

/** EfficientNet B1. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_b1.html */
export const efficientnet_b1: Builder = register_model(function efficientnet_b1(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_b1', { width_mult: 1.0, depth_mult: 1.1 }), 0.2, builderKwargs('efficientnet_b1', 'EfficientNet_B1_Weights', args));
});

/** EfficientNet B2. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_b2.html */
export const efficientnet_b2: Builder = register_model(function efficientnet_b2(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_b2', { width_mult: 1.1, depth_mult: 1.2 }), 0.3, builderKwargs('efficientnet_b2', 'EfficientNet_B2_Weights', args));
});

/** EfficientNet B3. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_b3.html */
export const efficientnet_b3: Builder = register_model(function efficientnet_b3(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_b3', { width_mult: 1.2, depth_mult: 1.4 }), 0.3, builderKwargs('efficientnet_b3', 'EfficientNet_B3_Weights', args));
});

/** EfficientNet B4. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_b4.html */
export const efficientnet_b4: Builder = register_model(function efficientnet_b4(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_b4', { width_mult: 1.4, depth_mult: 1.8 }), 0.4, builderKwargs('efficientnet_b4', 'EfficientNet_B4_Weights', args));
});

/** EfficientNet B5. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_b5.html */
export const efficientnet_b5: Builder = register_model(function efficientnet_b5(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_b5', { width_mult: 1.6, depth_mult: 2.2 }), 0.4, builderKwargs('efficientnet_b5', 'EfficientNet_B5_Weights', args), { norm_layer: bnTF });
});

/** EfficientNet B6. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_b6.html */
export const efficientnet_b6: Builder = register_model(function efficientnet_b6(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_b6', { width_mult: 1.8, depth_mult: 2.6 }), 0.5, builderKwargs('efficientnet_b6', 'EfficientNet_B6_Weights', args), { norm_layer: bnTF });
});

/** EfficientNet B7. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_b7.html */
export const efficientnet_b7: Builder = register_model(function efficientnet_b7(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_b7', { width_mult: 2.0, depth_mult: 3.1 }), 0.5, builderKwargs('efficientnet_b7', 'EfficientNet_B7_Weights', args), { norm_layer: bnTF });
});

/** EfficientNetV2-S from "EfficientNetV2: Smaller Models and Faster Training". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_v2_s.html */
export const efficientnet_v2_s: Builder = register_model(function efficientnet_v2_s(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_v2_s'), 0.2, builderKwargs('efficientnet_v2_s', 'EfficientNet_V2_S_Weights', args), { norm_layer: bnV2 });
});

/** EfficientNetV2-M. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_v2_m.html */
export const efficientnet_v2_m: Builder = register_model(function efficientnet_v2_m(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_v2_m'), 0.3, builderKwargs('efficientnet_v2_m', 'EfficientNet_V2_M_Weights', args), { norm_layer: bnV2 });
});

/** EfficientNetV2-L. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.efficientnet_v2_l.html */
export const efficientnet_v2_l: Builder = register_model(function efficientnet_v2_l(...args) {
  return _efficientnet(_efficientnet_conf('efficientnet_v2_l'), 0.4, builderKwargs('efficientnet_v2_l', 'EfficientNet_V2_L_Weights', args), { norm_layer: bnV2 });
});
