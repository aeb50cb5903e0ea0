/**
 * torchvision 0.14's `models/convnext.py`: ConvNeXt tiny, small, base and large.
 *
 * @see https://pytorch.org/vision/0.14/models/convnext.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors';
import * as F from '../../functional';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { Conv2dNormActivation, Permute } from '../ops/misc';
import { StochasticDepth } from '../ops/stochastic_depth';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { bindKwargs } from './_python';
import { forwardKwargs, make, type ModuleFactory } from './_utils';

/** `norm_layer`: a callable `(num_features) => Module`. */
export type NormLayer = ModuleFactory<[number]>;

/** `nn.LayerNorm` over the channels of an NCHW input: permuted to channels-last and back. */
export class LayerNorm2d extends nn.LayerNorm {
  override forward(x: Tensor): Tensor {
    x = x.permute(0, 2, 3, 1);
    x = F.layer_norm(x, this.normalized_shape, this.weight, this.bias, this.eps);
    x = x.permute(0, 3, 1, 2);
    return x;
  }
}

const CNBlockSig = signature(
  'CNBlock.__init__',
  [
    req('dim', any<number>('int')),
    req('layer_scale', any<number>('float')),
    req('stochastic_depth_prob', any<number>('float')),
    opt('norm_layer', any<NormLayer | null>('Callable'), null),
  ],
  { method: true },
);

/**
 * ConvNeXt's block: 7×7 depthwise convolution, LayerNorm, a 4× MLP with GELU (channels-last),
 * scaled per channel by the learned `layer_scale`, through stochastic depth, plus the input.
 */
export class CNBlock extends nn.Module {
  block: nn.Sequential;
  layer_scale: nn.Parameter;
  stochastic_depth: StochasticDepth;

  constructor(...args: ArgsOf<typeof CNBlockSig>) {
    super();
    let { dim, layer_scale, stochastic_depth_prob, norm_layer } = CNBlockSig.bind(args);
    if (norm_layer === null) norm_layer = (normalized_shape: number) => new nn.LayerNorm(normalized_shape, { eps: 1e-6 });

    this.block = new nn.Sequential(
      new nn.Conv2d(dim, dim, { kernel_size: 7, padding: 3, groups: dim, bias: true }),
      new Permute([0, 2, 3, 1]),
      make(norm_layer, dim),
      new nn.Linear({ in_features: dim, out_features: 4 * dim, bias: true }),
      new nn.GELU(),
      new nn.Linear({ in_features: 4 * dim, out_features: dim, bias: true }),
      new Permute([0, 3, 1, 2]),
    );
    // Outside a module call nothing frees intermediates: the ones are disposed by hand.
    const ones = torch.ones([dim, 1, 1]);
    this.layer_scale = new nn.Parameter(ones.mul(layer_scale));
    ones.dispose();
    this.stochastic_depth = new StochasticDepth(stochastic_depth_prob, 'row');
  }

  forward(input: Tensor): Tensor {
    let result = this.layer_scale.mul(this.block(input));
    result = this.stochastic_depth(result);
    result = result.add(input);
    return result;
  }
}

const CNBlockConfigSig = signature(
  'CNBlockConfig.__init__',
  [req('input_channels', any<number>('int')), req('out_channels', any<number | null>('int')), req('num_layers', any<number>('int'))],
  { method: true },
);

/** One stage of section 3 of the ConvNeXt paper: its width, the next stage's (or `null` for the last) and its depth. */
export class CNBlockConfig {
  input_channels: number;
  out_channels: number | null;
  num_layers: number;

  // Stores information listed at Section 3 of the ConvNeXt paper
  constructor(...args: ArgsOf<typeof CNBlockConfigSig>) {
    const { input_channels, out_channels, num_layers } = CNBlockConfigSig.bind(args);
    this.input_channels = input_channels;
    this.out_channels = out_channels;
    this.num_layers = num_layers;
  }

  toString(): string {
    return `${this.constructor.name}(input_channels=${this.input_channels}, out_channels=${this.out_channels === null ? 'None' : this.out_channels}, num_layers=${this.num_layers})`;
  }
}

const ConvNeXtSig = signature(
  'ConvNeXt.__init__',
  [
    req('block_setting', any<readonly CNBlockConfig[]>('List[CNBlockConfig]')),
    opt('stochastic_depth_prob', any<number>('float'), 0.0),
    opt('layer_scale', any<number>('float'), 1e-6),
    opt('num_classes', any<number>('int'), 1000),
    opt('block', any<ModuleFactory<[number, number, number]> | null>('Callable'), null),
    opt('norm_layer', any<NormLayer | null>('Callable'), null),
  ],
  { method: true },
);

/** The keyword arguments the ConvNeXt builders pass through to {@link ConvNeXt}. */
export type ConvNeXtKwargs = Omit<KeywordsOf<typeof ConvNeXtSig>, 'block_setting'>;

/**
 * torchvision's `ConvNeXt(block_setting, stochastic_depth_prob=0.0, layer_scale=1e-6,
 * num_classes=1000, block=None, norm_layer=None, **kwargs)`: a 4×4 patchify stem, then per
 * stage its blocks and (except after the last) a LayerNorm2d + 2×2 stride-2 downsampling; the
 * stochastic-depth probability grows linearly over the blocks up to `stochastic_depth_prob`.
 * Other keywords are accepted and ignored, as Python's `**kwargs` takes them. Input
 * `[N, 3, H, W]`, output `[N, num_classes]`.
 *
 * @see https://pytorch.org/vision/0.14/models/convnext.html
 */
export class ConvNeXt extends nn.Module {
  features: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;

  constructor(...args: ArgsOf<typeof ConvNeXtSig>) {
    super();
    let [{ block_setting, stochastic_depth_prob, layer_scale, num_classes, block, norm_layer }] = bindKwargs(ConvNeXtSig, args);

    if (block_setting.length === 0) {
      throw new ValueError('The block_setting should not be empty');
    } else if (!(Array.isArray(block_setting) && block_setting.every((s) => s instanceof CNBlockConfig))) {
      throw new TypeError('The block_setting should be List[CNBlockConfig]');
    }

    if (block === null) block = CNBlock;

    if (norm_layer === null) norm_layer = (normalized_shape: number) => new LayerNorm2d(normalized_shape, { eps: 1e-6 });

    const layers: nn.Module[] = [];

    // Stem
    const firstconv_output_channels = block_setting[0].input_channels;
    layers.push(
      new Conv2dNormActivation(3, firstconv_output_channels, { kernel_size: 4, stride: 4, padding: 0, norm_layer, activation_layer: null, bias: true }),
    );

    const total_stage_blocks = block_setting.reduce((sum, cnf) => sum + cnf.num_layers, 0);
    let stage_block_id = 0;
    for (const cnf of block_setting) {
      // Bottlenecks
      const stage: nn.Module[] = [];
      for (let _ = 0; _ < cnf.num_layers; _++) {
        // adjust stochastic depth probability based on the depth of the stage block
        const sd_prob = (stochastic_depth_prob * stage_block_id) / (total_stage_blocks - 1.0);
        stage.push(make(block, cnf.input_channels, layer_scale, sd_prob));
        stage_block_id += 1;
      }
      layers.push(new nn.Sequential(...stage));
      if (cnf.out_channels !== null) {
        // Downsampling
        layers.push(new nn.Sequential(make(norm_layer, cnf.input_channels), new nn.Conv2d(cnf.input_channels, cnf.out_channels, { kernel_size: 2, stride: 2 })));
      }
    }

    this.features = new nn.Sequential(...layers);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);

    const lastblock = block_setting[block_setting.length - 1];
    const lastconv_output_channels = lastblock.out_channels !== null ? lastblock.out_channels : lastblock.input_channels;
    this.classifier = new nn.Sequential(make(norm_layer, lastconv_output_channels), new nn.Flatten(1), new nn.Linear(lastconv_output_channels, num_classes));

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
        nn.init.trunc_normal_(m.weight, { std: 0.02 });
        if (m.bias !== null) nn.init.zeros_(m.bias);
      }
    }
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = this.classifier(x);
    return x;
  }

  forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }
}

type Builder = (...args: BuilderArgs<ConvNeXtKwargs>) => ConvNeXt;

/**
 * The builders' `kwargs.pop("stochastic_depth_prob", default)`, then torchvision's
 * `_convnext(block_setting, stochastic_depth_prob, weights, progress, **kwargs)` once the
 * weights are refused.
 */
function _convnext(block_setting: CNBlockConfig[], default_stochastic_depth_prob: number, kwargs: Partial<ConvNeXtKwargs>): ConvNeXt {
  const { stochastic_depth_prob = default_stochastic_depth_prob, ...rest } = kwargs;
  const own = forwardKwargs('_convnext', 'torchvision.models.convnext._convnext', ['block_setting', 'stochastic_depth_prob', 'weights', 'progress'], rest);
  return new ConvNeXt(block_setting, { stochastic_depth_prob, ...own });
}

/** ConvNeXt Tiny from "A ConvNet for the 2020s". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.convnext_tiny.html */
export const convnext_tiny: Builder = register_model(function convnext_tiny(...args) {
  const block_setting = [new CNBlockConfig(96, 192, 3), new CNBlockConfig(192, 384, 3), new CNBlockConfig(384, 768, 9), new CNBlockConfig(768, null, 3)];
  return _convnext(block_setting, 0.1, builderKwargs('convnext_tiny', 'ConvNeXt_Tiny_Weights', args));
});

/** ConvNeXt Small. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.convnext_small.html */
export const convnext_small: Builder = register_model(function convnext_small(...args) {
  const block_setting = [new CNBlockConfig(96, 192, 3), new CNBlockConfig(192, 384, 3), new CNBlockConfig(384, 768, 27), new CNBlockConfig(768, null, 3)];
  return _convnext(block_setting, 0.4, builderKwargs('convnext_small', 'ConvNeXt_Small_Weights', args));
});

/** ConvNeXt Base. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.convnext_base.html */
export const convnext_base: Builder = register_model(function convnext_base(...args) {
  const block_setting = [new CNBlockConfig(128, 256, 3), new CNBlockConfig(256, 512, 3), new CNBlockConfig(512, 1024, 27), new CNBlockConfig(1024, null, 3)];
  return _convnext(block_setting, 0.5, builderKwargs('convnext_base', 'ConvNeXt_Base_Weights', args));
});

/** ConvNeXt Large. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.convnext_large.html */
export const convnext_large: Builder = register_model(function convnext_large(...args) {
  const block_setting = [new CNBlockConfig(192, 384, 3), new CNBlockConfig(384, 768, 3), new CNBlockConfig(768, 1536, 27), new CNBlockConfig(1536, null, 3)];
  return _convnext(block_setting, 0.5, builderKwargs('convnext_large', 'ConvNeXt_Large_Weights', args));
});
