/**
 * torchvision 0.14's `models/regnet.py`: RegNetY 400MF–128GF and RegNetX 400MF–32GF.
 *
 * @see https://pytorch.org/vision/0.14/models/regnet.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import { Conv2dNormActivation, SqueezeExcitation } from '../ops/misc';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { bindKwargs, pyRound } from './_python';
import { forwardKwargs, _make_divisible, make, type ModuleFactory } from './_utils';

/** `norm_layer`: `nn.BatchNorm2d` or any callable `(num_features) => Module`. */
export type NormLayer = ModuleFactory<[number]>;
/** `activation`: `nn.ReLU` or any callable taking `{ inplace }` (or nothing). */
export type ActivationLayer = ModuleFactory;

const SimpleStemINSig = signature(
  'SimpleStemIN.__init__',
  [req('width_in', any<number>('int')), req('width_out', any<number>('int')), req('norm_layer', any<NormLayer>('Callable')), req('activation_layer', any<ActivationLayer>('Callable'))],
  { method: true },
);

/** Simple stem for ImageNet: 3x3, BN, ReLU. */
export class SimpleStemIN extends Conv2dNormActivation {
  constructor(...args: ArgsOf<typeof SimpleStemINSig>) {
    const { width_in, width_out, norm_layer, activation_layer } = SimpleStemINSig.bind(args);
    super(width_in, width_out, { kernel_size: 3, stride: 2, norm_layer, activation_layer });
  }
}

const BottleneckTransformSig = signature(
  'BottleneckTransform.__init__',
  [
    req('width_in', any<number>('int')),
    req('width_out', any<number>('int')),
    req('stride', any<number>('int')),
    req('norm_layer', any<NormLayer>('Callable')),
    req('activation_layer', any<ActivationLayer>('Callable')),
    req('group_width', any<number>('int')),
    req('bottleneck_multiplier', any<number>('float')),
    req('se_ratio', any<number | null>('float')),
  ],
  { method: true },
);

/** Bottleneck transformation: 1x1, 3x3 [+SE], 1x1. */
export class BottleneckTransform extends nn.Sequential {
  constructor(...args: ArgsOf<typeof BottleneckTransformSig>) {
    const { width_in, width_out, stride, norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio } = BottleneckTransformSig.bind(args);
    const layers: Record<string, nn.Module> = {};
    const w_b = pyRound(width_out * bottleneck_multiplier);
    const g = Math.floor(w_b / group_width);

    layers.a = new Conv2dNormActivation(width_in, w_b, { kernel_size: 1, stride: 1, norm_layer, activation_layer });
    layers.b = new Conv2dNormActivation(w_b, w_b, { kernel_size: 3, stride, groups: g, norm_layer, activation_layer });

    if (se_ratio) {
      // The SE reduction ratio is defined with respect to the
      // beginning of the block
      const width_se_out = pyRound(se_ratio * width_in);
      layers.se = new SqueezeExcitation({ input_channels: w_b, squeeze_channels: width_se_out, activation: activation_layer });
    }

    layers.c = new Conv2dNormActivation(w_b, width_out, { kernel_size: 1, stride: 1, norm_layer, activation_layer: null });
    super(layers);
  }
}

const ResBottleneckBlockSig = signature(
  'ResBottleneckBlock.__init__',
  [
    req('width_in', any<number>('int')),
    req('width_out', any<number>('int')),
    req('stride', any<number>('int')),
    req('norm_layer', any<NormLayer>('Callable')),
    req('activation_layer', any<ActivationLayer>('Callable')),
    opt('group_width', any<number>('int'), 1),
    opt('bottleneck_multiplier', any<number>('float'), 1.0),
    opt('se_ratio', any<number | null>('float'), null),
  ],
  { method: true },
);

/** Residual bottleneck block: x + F(x), F = bottleneck transform. */
export class ResBottleneckBlock extends nn.Module {
  proj: Conv2dNormActivation | null;
  f: BottleneckTransform;
  activation: nn.Module;

  constructor(...args: ArgsOf<typeof ResBottleneckBlockSig>) {
    super();
    const { width_in, width_out, stride, norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio } = ResBottleneckBlockSig.bind(args);

    // Use skip connection with projection if shape changes
    this.proj = null;
    const should_proj = width_in !== width_out || stride !== 1;
    if (should_proj) {
      this.proj = new Conv2dNormActivation(width_in, width_out, { kernel_size: 1, stride, norm_layer, activation_layer: null });
    }
    this.f = new BottleneckTransform(width_in, width_out, stride, norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio);
    this.activation = make(activation_layer, { inplace: true });
  }

  forward(x: Tensor): Tensor {
    if (this.proj !== null) {
      x = this.proj(x).add(this.f(x));
    } else {
      x = x.add(this.f(x));
    }
    return this.activation(x);
  }
}

/** A stage's block: called with the eight arguments {@link ResBottleneckBlock} takes. */
export type BlockConstructor = ModuleFactory<[number, number, number, NormLayer, ActivationLayer, number, number, number | null]>;

const AnyStageSig = signature(
  'AnyStage.__init__',
  [
    req('width_in', any<number>('int')),
    req('width_out', any<number>('int')),
    req('stride', any<number>('int')),
    req('depth', any<number>('int')),
    req('block_constructor', any<BlockConstructor>('Callable')),
    req('norm_layer', any<NormLayer>('Callable')),
    req('activation_layer', any<ActivationLayer>('Callable')),
    req('group_width', any<number>('int')),
    req('bottleneck_multiplier', any<number>('float')),
    opt('se_ratio', any<number | null>('float'), null),
    opt('stage_index', any<number>('int'), 0),
  ],
  { method: true },
);

/** AnyNet stage (sequence of blocks w/ the same output shape). */
export class AnyStage extends nn.Sequential {
  constructor(...args: ArgsOf<typeof AnyStageSig>) {
    super();
    const { width_in, width_out, stride, depth, block_constructor, norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio, stage_index } =
      AnyStageSig.bind(args);

    for (let i = 0; i < depth; i++) {
      const block = make(
        block_constructor,
        i === 0 ? width_in : width_out,
        width_out,
        i === 0 ? stride : 1,
        norm_layer,
        activation_layer,
        group_width,
        bottleneck_multiplier,
        se_ratio,
      );

      this.add_module(`block${stage_index}-${i}`, block);
    }
  }
}

const BlockParamsSig = signature(
  'BlockParams.__init__',
  [
    req('depths', any<readonly number[]>('List[int]')),
    req('widths', any<readonly number[]>('List[int]')),
    req('group_widths', any<readonly number[]>('List[int]')),
    req('bottleneck_multipliers', any<readonly number[]>('List[float]')),
    req('strides', any<readonly number[]>('List[int]')),
    opt('se_ratio', any<number | null>('float'), null),
  ],
  { method: true },
);

const FromInitParamsSig = signature('BlockParams.from_init_params', [
  req('depth', any<number>('int')),
  req('w_0', any<number>('int')),
  req('w_a', any<number>('float')),
  req('w_m', any<number>('float')),
  req('group_width', any<number>('int')),
  opt('bottleneck_multiplier', any<number>('float'), 1.0),
  opt('se_ratio', any<number | null>('float'), null),
]);

const f32 = Math.fround;

/** Python's `round` on a float32 (`torch.round`): halves to even, then the float32 it is. */
const roundF32 = (x: number) => f32(pyRound(x));

/** The per-stage settings of a RegNet: depths, widths, group widths, bottleneck multipliers, strides, SE ratio. */
export class BlockParams {
  depths: readonly number[];
  widths: readonly number[];
  group_widths: readonly number[];
  bottleneck_multipliers: readonly number[];
  strides: readonly number[];
  se_ratio: number | null;

  constructor(...args: ArgsOf<typeof BlockParamsSig>) {
    const { depths, widths, group_widths, bottleneck_multipliers, strides, se_ratio } = BlockParamsSig.bind(args);
    this.depths = depths;
    this.widths = widths;
    this.group_widths = group_widths;
    this.bottleneck_multipliers = bottleneck_multipliers;
    this.strides = strides;
    this.se_ratio = se_ratio;
  }

  /**
   * Programmatically compute all the per-block settings, given the RegNet parameters.
   *
   * The first step is to compute the quantized linear block parameters, in log space. Key
   * parameters are:
   * - `w_a` is the width progression slope
   * - `w_0` is the initial width
   * - `w_m` is the width stepping in the log space
   *
   * In other terms
   * `log(block_width) = log(w_0) + w_m * block_capacity`,
   * with `bock_capacity` ramping up following the w_0 and w_a params.
   * This block width is finally quantized to multiples of 8.
   *
   * The second step is to compute the parameters per stage,
   * taking into account the skip connection and the final 1x1 convolutions.
   * We use the fact that the output width is constant within a stage.
   *
   * Other keywords (Python's `**kwargs`) are ignored. torchvision computes the block widths on
   * float32 tensors; so does this, one float32 rounding per tensor operation.
   */
  static from_init_params(...args: ArgsOf<typeof FromInitParamsSig>): BlockParams {
    const [{ depth, w_0, w_a, w_m, group_width, bottleneck_multiplier, se_ratio }] = bindKwargs(FromInitParamsSig, args);
    const QUANT = 8;
    const STRIDE = 2;

    if (w_a < 0 || w_0 <= 0 || w_m <= 1 || w_0 % 8 !== 0) throw new ValueError('Invalid RegNet settings');
    // Compute the block widths. Each stage has one unique block width
    const widths_cont = Array.from({ length: depth }, (_, i) => f32(f32(i * f32(w_a)) + w_0));
    const block_capacity = widths_cont.map((w) => roundF32(f32(f32(Math.log(f32(w / w_0))) / f32(Math.log(w_m)))));
    const block_widths = block_capacity.map((c) => roundF32(f32(f32(w_0 * f32(Math.pow(f32(w_m), c))) / QUANT)) * QUANT);
    const num_stages = new Set(block_widths).size;

    // Convert to per stage parameters
    const split_helper = [...block_widths, 0].map((w, i) => [w, [0, ...block_widths][i], [...block_widths, 0][i], [0, ...block_widths][i]]);
    const splits = split_helper.map(([w, wp, r, rp]) => w !== wp || r !== rp);

    const stage_widths_all = block_widths.filter((_, i) => splits[i]);
    const starts = splits.flatMap((t, d) => (t ? [d] : []));
    const stage_depths = starts.slice(1).map((d, i) => d - starts[i]);

    const strides = Array<number>(num_stages).fill(STRIDE);
    const bottleneck_multipliers = Array<number>(num_stages).fill(bottleneck_multiplier);
    const group_widths_all = Array<number>(num_stages).fill(group_width);

    // Adjust the compatibility of stage widths and group widths
    const [stage_widths, group_widths] = BlockParams._adjust_widths_groups_compatibilty(stage_widths_all, bottleneck_multipliers, group_widths_all);

    return new BlockParams({ depths: stage_depths, widths: stage_widths, group_widths, bottleneck_multipliers, strides, se_ratio });
  }

  _get_expanded_params(): [number, number, number, number, number][] {
    return this.widths.map((w, i) => [w, this.strides[i], this.depths[i], this.group_widths[i], this.bottleneck_multipliers[i]]);
  }

  /** Adjusts the compatibility of widths and groups, depending on the bottleneck ratio. */
  static _adjust_widths_groups_compatibilty(stage_widths: readonly number[], bottleneck_ratios: readonly number[], group_widths: readonly number[]): [number[], number[]] {
    // Compute all widths for the current settings
    const widths = stage_widths.map((w, i) => Math.trunc(w * bottleneck_ratios[i]));
    const group_widths_min = group_widths.map((g, i) => Math.min(g, widths[i]));

    // Compute the adjusted widths so that stage and group widths fit
    const ws_bot = widths.map((w_bot, i) => _make_divisible(w_bot, group_widths_min[i]));
    return [ws_bot.map((w_bot, i) => Math.trunc(w_bot / bottleneck_ratios[i])), group_widths_min];
  }
}

const RegNetSig = signature(
  'RegNet.__init__',
  [
    req('block_params', any<BlockParams>('BlockParams')),
    opt('num_classes', any<number>('int'), 1000),
    opt('stem_width', any<number>('int'), 32),
    opt('stem_type', any<ModuleFactory<[number, number, NormLayer, ActivationLayer]> | null>('Callable'), null),
    opt('block_type', any<BlockConstructor | null>('Callable'), null),
    opt('norm_layer', any<NormLayer | null>('Callable'), null),
    opt('activation', any<ActivationLayer | null>('Callable'), null),
  ],
  { method: true },
);

/** The keyword arguments the RegNet builders pass through to {@link RegNet}. */
export type RegNetKwargs = Omit<KeywordsOf<typeof RegNetSig>, 'block_params'>;

/**
 * torchvision's `RegNet(block_params, num_classes=1000, stem_width=32, stem_type=None,
 * block_type=None, norm_layer=None, activation=None)`: `stem`, `trunk_output` (one `AnyStage`
 * per stage of `block_params`), average pool and `fc`. Input `[N, 3, H, W]`, output
 * `[N, num_classes]`.
 *
 * @see https://pytorch.org/vision/0.14/models/regnet.html
 */
export class RegNet extends nn.Module {
  stem: nn.Module;
  trunk_output: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  fc: nn.Linear;

  constructor(...args: ArgsOf<typeof RegNetSig>) {
    super();
    let { block_params, num_classes, stem_width, stem_type, block_type, norm_layer, activation } = RegNetSig.bind(args);

    // Get the stem
    if (stem_type === null) stem_type = SimpleStemIN;
    if (norm_layer === null) norm_layer = nn.BatchNorm2d;
    if (block_type === null) block_type = ResBottleneckBlock;
    if (activation === null) activation = nn.ReLU;

    // Ad hoc stem
    this.stem = make(
      stem_type,
      3, // width_in
      stem_width,
      norm_layer,
      activation,
    );

    let current_width = stem_width;

    const blocks: [string, nn.Module][] = [];
    for (const [i, [width_out, stride, depth, group_width, bottleneck_multiplier]] of block_params._get_expanded_params().entries()) {
      blocks.push([
        `block${i + 1}`,
        new AnyStage(current_width, width_out, stride, depth, block_type, norm_layer, activation, group_width, bottleneck_multiplier, block_params.se_ratio, {
          stage_index: i + 1,
        }),
      ]);

      current_width = width_out;
    }

    this.trunk_output = new nn.Sequential(Object.fromEntries(blocks));

    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = new nn.Linear({ in_features: current_width, out_features: num_classes });

    // Performs ResNet-style weight initialization
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        // Note that there is no bias due to BN
        const fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels;
        nn.init.normal_(m.weight, { mean: 0.0, std: Math.sqrt(2.0 / fan_out) });
      } else if (m instanceof nn.BatchNorm2d) {
        nn.init.ones_(m.weight);
        nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear) {
        nn.init.normal_(m.weight, { mean: 0.0, std: 0.01 });
        nn.init.zeros_(m.bias);
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.stem(x);
    x = this.trunk_output(x);

    x = this.avgpool(x);
    x = x.flatten({ start_dim: 1 });
    x = this.fc(x);

    return x;
  }
}

type Builder = (...args: BuilderArgs<RegNetKwargs>) => RegNet;

/** torchvision's `_regnet(block_params, weights, progress, **kwargs)` once the weights are refused. */
function _regnet(block_params: BlockParams, kwargs: Partial<RegNetKwargs>): RegNet {
  const { norm_layer = (num_features: number) => new nn.BatchNorm2d(num_features, { eps: 1e-5, momentum: 0.1 }), ...rest } = kwargs;
  return new RegNet(block_params, { norm_layer, ...rest });
}

/** The builders' `BlockParams.from_init_params(..., **kwargs)`, then `_regnet`. */
function regnet(name: string, weightsEnum: string, args: BuilderArgs<RegNetKwargs>, params: { depth: number; w_0: number; w_a: number; w_m: number; group_width: number; se_ratio?: number }): RegNet {
  const kwargs = builderKwargs<RegNetKwargs>(name, weightsEnum, args);
  const init = forwardKwargs<Record<string, unknown>>('from_init_params', 'torchvision.models.regnet.BlockParams.from_init_params', [], kwargs, params);
  const block_params = BlockParams.from_init_params(init as typeof params & Partial<RegNetKwargs>);
  return _regnet(block_params, forwardKwargs('_regnet', 'torchvision.models.regnet._regnet', ['block_params', 'weights', 'progress'], kwargs));
}

/** RegNetY_400MF from "Designing Network Design Spaces". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_y_400mf.html */
export const regnet_y_400mf: Builder = register_model(function regnet_y_400mf(...args) {
  return regnet('regnet_y_400mf', 'RegNet_Y_400MF_Weights', args, { depth: 16, w_0: 48, w_a: 27.89, w_m: 2.09, group_width: 8, se_ratio: 0.25 });
});

/** RegNetY_800MF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_y_800mf.html */
export const regnet_y_800mf: Builder = register_model(function regnet_y_800mf(...args) {
  return regnet('regnet_y_800mf', 'RegNet_Y_800MF_Weights', args, { depth: 14, w_0: 56, w_a: 38.84, w_m: 2.4, group_width: 16, se_ratio: 0.25 });
});

/** RegNetY_1.6GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_y_1_6gf.html */
export const regnet_y_1_6gf: Builder = register_model(function regnet_y_1_6gf(...args) {
  return regnet('regnet_y_1_6gf', 'RegNet_Y_1_6GF_Weights', args, { depth: 27, w_0: 48, w_a: 20.71, w_m: 2.65, group_width: 24, se_ratio: 0.25 });
});

/** RegNetY_3.2GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_y_3_2gf.html */
export const regnet_y_3_2gf: Builder = register_model(function regnet_y_3_2gf(...args) {
  return regnet('regnet_y_3_2gf', 'RegNet_Y_3_2GF_Weights', args, { depth: 21, w_0: 80, w_a: 42.63, w_m: 2.66, group_width: 24, se_ratio: 0.25 });
});

/** RegNetY_8GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_y_8gf.html */
export const regnet_y_8gf: Builder = register_model(function regnet_y_8gf(...args) {
  return regnet('regnet_y_8gf', 'RegNet_Y_8GF_Weights', args, { depth: 17, w_0: 192, w_a: 76.82, w_m: 2.19, group_width: 56, se_ratio: 0.25 });
});

/** RegNetY_16GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_y_16gf.html */
export const regnet_y_16gf: Builder = register_model(function regnet_y_16gf(...args) {
  return regnet('regnet_y_16gf', 'RegNet_Y_16GF_Weights', args, { depth: 18, w_0: 200, w_a: 106.23, w_m: 2.48, group_width: 112, se_ratio: 0.25 });
});

/** RegNetY_32GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_y_32gf.html */
export const regnet_y_32gf: Builder = register_model(function regnet_y_32gf(...args) {
  return regnet('regnet_y_32gf', 'RegNet_Y_32GF_Weights', args, { depth: 20, w_0: 232, w_a: 115.89, w_m: 2.53, group_width: 232, se_ratio: 0.25 });
});

/** RegNetY_128GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_y_128gf.html */
export const regnet_y_128gf: Builder = register_model(function regnet_y_128gf(...args) {
  return regnet('regnet_y_128gf', 'RegNet_Y_128GF_Weights', args, { depth: 27, w_0: 456, w_a: 160.83, w_m: 2.52, group_width: 264, se_ratio: 0.25 });
});

/** RegNetX_400MF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_x_400mf.html */
export const regnet_x_400mf: Builder = register_model(function regnet_x_400mf(...args) {
  return regnet('regnet_x_400mf', 'RegNet_X_400MF_Weights', args, { depth: 22, w_0: 24, w_a: 24.48, w_m: 2.54, group_width: 16 });
});

/** RegNetX_800MF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_x_800mf.html */
export const regnet_x_800mf: Builder = register_model(function regnet_x_800mf(...args) {
  return regnet('regnet_x_800mf', 'RegNet_X_800MF_Weights', args, { depth: 16, w_0: 56, w_a: 35.73, w_m: 2.28, group_width: 16 });
});

/** RegNetX_1.6GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_x_1_6gf.html */
export const regnet_x_1_6gf: Builder = register_model(function regnet_x_1_6gf(...args) {
  return regnet('regnet_x_1_6gf', 'RegNet_X_1_6GF_Weights', args, { depth: 18, w_0: 80, w_a: 34.01, w_m: 2.25, group_width: 24 });
});

/** RegNetX_3.2GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_x_3_2gf.html */
export const regnet_x_3_2gf: Builder = register_model(function regnet_x_3_2gf(...args) {
  return regnet('regnet_x_3_2gf', 'RegNet_X_3_2GF_Weights', args, { depth: 25, w_0: 88, w_a: 26.31, w_m: 2.25, group_width: 48 });
});

/** RegNetX_8GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_x_8gf.html */
export const regnet_x_8gf: Builder = register_model(function regnet_x_8gf(...args) {
  return regnet('regnet_x_8gf', 'RegNet_X_8GF_Weights', args, { depth: 23, w_0: 80, w_a: 49.56, w_m: 2.88, group_width: 120 });
});

/** RegNetX_16GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_x_16gf.html */
export const regnet_x_16gf: Builder = register_model(function regnet_x_16gf(...args) {
  return regnet('regnet_x_16gf', 'RegNet_X_16GF_Weights', args, { depth: 22, w_0: 216, w_a: 55.59, w_m: 2.1, group_width: 128 });
});

/** RegNetX_32GF. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.regnet_x_32gf.html */
export const regnet_x_32gf: Builder = register_model(function regnet_x_32gf(...args) {
  return regnet('regnet_x_32gf', 'RegNet_X_32GF_Weights', args, { depth: 23, w_0: 320, w_a: 69.86, w_m: 2.0, group_width: 168 });
});
