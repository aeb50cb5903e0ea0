/**
 * torchvision 0.14's `models/resnet.py`: ResNet, ResNeXt and Wide ResNet, ported line for line.
 *
 * @see https://pytorch.org/vision/0.14/models/resnet.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { NotImplementedError, ValueError } from '../../errors';
import { toChannelsFirst } from '../../functional/layout';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { forwardKwargs, _ovewrite_named_param, make, type ModuleFactory } from './_utils';

/** 3x3 convolution with padding */
export function conv3x3(in_planes: number, out_planes: number, stride = 1, groups = 1, dilation = 1): nn.Conv2d {
  return new nn.Conv2d(in_planes, out_planes, { kernel_size: 3, stride, padding: dilation, groups, bias: false, dilation });
}

/** 1x1 convolution */
export function conv1x1(in_planes: number, out_planes: number, stride = 1): nn.Conv2d {
  return new nn.Conv2d(in_planes, out_planes, { kernel_size: 1, stride, bias: false });
}

/** `norm_layer`: `nn.BatchNorm2d` or any callable `(num_features) => Module`. */
export type NormLayer = ModuleFactory<[number]>;

const blockParams = (name: string) =>
  signature(
    `${name}.__init__`,
    [
      req('inplanes', any<number>('int')),
      req('planes', any<number>('int')),
      opt('stride', any<number>('int'), 1),
      opt('downsample', any<nn.Module | null>('Module'), null),
      opt('groups', any<number>('int'), 1),
      opt('base_width', any<number>('int'), 64),
      opt('dilation', any<number>('int'), 1),
      opt('norm_layer', any<NormLayer | null>('Callable'), null),
    ],
    { method: true },
  );
const BasicBlockSig = blockParams('BasicBlock');
const BottleneckSig = blockParams('Bottleneck');

/**
 * ResNet-18/34's residual block: two 3x3 convolutions with BatchNorm and ReLU, plus the
 * (optionally downsampled) input.
 */
export class BasicBlock extends nn.Module {
  static readonly expansion: number = 1;
  conv1: nn.Conv2d;
  bn1: nn.Module;
  relu: nn.ReLU;
  conv2: nn.Conv2d;
  bn2: nn.Module;
  downsample: nn.Module | null;
  stride: number;

  constructor(...args: ArgsOf<typeof BasicBlockSig>) {
    super();
    let { inplanes, planes, stride, downsample, groups, base_width, dilation, norm_layer } = BasicBlockSig.bind(args);
    if (norm_layer === null) norm_layer = nn.BatchNorm2d;
    if (groups !== 1 || base_width !== 64) throw new ValueError('BasicBlock only supports groups=1 and base_width=64');
    if (dilation > 1) throw new NotImplementedError('Dilation > 1 not supported in BasicBlock');
    // Both self.conv1 and self.downsample layers downsample the input when stride != 1
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = make(norm_layer, planes);
    this.relu = new nn.ReLU({ inplace: true });
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = make(norm_layer, planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    let identity = x;

    let out = this.conv1(x);
    out = this.bn1(out);
    out = this.relu(out);

    out = this.conv2(out);
    out = this.bn2(out);

    if (this.downsample !== null) identity = this.downsample(x);

    out = out.add(identity);
    out = this.relu(out);

    return out;
  }

  /** `forward`'s steps on channels-last tensors, each chain fused where it can be (see `chainChannelsLast`). */
  protected override forwardChannelsLast(x: Tensor): Tensor {
    const out = this.chainChannelsLast(x, this.conv1, this.bn1, this.relu, this.conv2, this.bn2);
    const identity = this.downsample === null ? x : this.chainChannelsLast(x, this.downsample);
    return this.chainChannelsLast(out.add(identity), this.relu);
  }

  protected override runsChannelsLast(): boolean {
    return this.forward === BasicBlock.prototype.forward && this.layersRunChannelsLast(this.conv1, this.bn1, this.relu, this.conv2, this.bn2, this.downsample);
  }

  protected override channelsLastEntry(): boolean {
    return this.runsChannelsLast();
  }
}

/**
 * ResNet-50 and deeper's block: 1x1, 3x3 (grouped for ResNeXt), 1x1 convolutions. As
 * torchvision's, the stride sits on the 3x3 convolution (ResNet V1.5).
 */
export class Bottleneck extends nn.Module {
  static readonly expansion: number = 4;
  conv1: nn.Conv2d;
  bn1: nn.Module;
  conv2: nn.Conv2d;
  bn2: nn.Module;
  conv3: nn.Conv2d;
  bn3: nn.Module;
  relu: nn.ReLU;
  downsample: nn.Module | null;
  stride: number;

  constructor(...args: ArgsOf<typeof BottleneckSig>) {
    super();
    let { inplanes, planes, stride, downsample, groups, base_width, dilation, norm_layer } = BottleneckSig.bind(args);
    if (norm_layer === null) norm_layer = nn.BatchNorm2d;
    const width = Math.trunc(planes * (base_width / 64.0)) * groups;
    // Both self.conv2 and self.downsample layers downsample the input when stride != 1
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = make(norm_layer, width);
    this.conv2 = conv3x3(width, width, stride, groups, dilation);
    this.bn2 = make(norm_layer, width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion);
    this.bn3 = make(norm_layer, planes * Bottleneck.expansion);
    this.relu = new nn.ReLU({ inplace: true });
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    let identity = x;

    let out = this.conv1(x);
    out = this.bn1(out);
    out = this.relu(out);

    out = this.conv2(out);
    out = this.bn2(out);
    out = this.relu(out);

    out = this.conv3(out);
    out = this.bn3(out);

    if (this.downsample !== null) identity = this.downsample(x);

    out = out.add(identity);
    out = this.relu(out);

    return out;
  }

  /** `forward`'s steps on channels-last tensors, each chain fused where it can be (see `chainChannelsLast`). */
  protected override forwardChannelsLast(x: Tensor): Tensor {
    const out = this.chainChannelsLast(x, this.conv1, this.bn1, this.relu, this.conv2, this.bn2, this.relu, this.conv3, this.bn3);
    const identity = this.downsample === null ? x : this.chainChannelsLast(x, this.downsample);
    return this.chainChannelsLast(out.add(identity), this.relu);
  }

  protected override runsChannelsLast(): boolean {
    return (
      this.forward === Bottleneck.prototype.forward &&
      this.layersRunChannelsLast(this.conv1, this.bn1, this.conv2, this.bn2, this.conv3, this.bn3, this.relu, this.downsample)
    );
  }

  protected override channelsLastEntry(): boolean {
    return this.runsChannelsLast();
  }
}

/** `block`: the class `ResNet` stacks, `BasicBlock` or `Bottleneck`. */
export type Block = typeof BasicBlock | typeof Bottleneck;

const ResNetSig = signature(
  'ResNet.__init__',
  [
    req('block', any<Block>('type')),
    req('layers', any<readonly number[]>('List[int]')),
    opt('num_classes', any<number>('int'), 1000),
    opt('zero_init_residual', any<boolean>('bool'), false),
    opt('groups', any<number>('int'), 1),
    opt('width_per_group', any<number>('int'), 64),
    opt('replace_stride_with_dilation', any<readonly boolean[] | null>('List[bool]'), null),
    opt('norm_layer', any<NormLayer | null>('Callable'), null),
  ],
  { method: true },
);

/** The keyword arguments the ResNet builders pass through to {@link ResNet}. */
export type ResNetKwargs = Omit<KeywordsOf<typeof ResNetSig>, 'block' | 'layers'>;

/**
 * torchvision's `ResNet(block, layers, num_classes=1000, zero_init_residual=False, groups=1,
 * width_per_group=64, replace_stride_with_dilation=None, norm_layer=None)`: input
 * `[N, 3, H, W]`, output `[N, num_classes]` logits.
 *
 * @see https://pytorch.org/vision/0.14/models/resnet.html
 */
export class ResNet extends nn.Module {
  _norm_layer: NormLayer;
  inplanes: number;
  dilation: number;
  groups: number;
  base_width: number;
  conv1: nn.Conv2d;
  bn1: nn.Module;
  relu: nn.ReLU;
  maxpool: nn.MaxPool2d;
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  layer4: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  fc: nn.Linear;

  constructor(...args: ArgsOf<typeof ResNetSig>) {
    super();
    let { block, layers, num_classes, zero_init_residual, groups, width_per_group, replace_stride_with_dilation, norm_layer } = ResNetSig.bind(args);
    if (norm_layer === null) norm_layer = nn.BatchNorm2d;
    this._norm_layer = norm_layer;

    this.inplanes = 64;
    this.dilation = 1;
    if (replace_stride_with_dilation === null) {
      // each element in the tuple indicates if we should replace
      // the 2x2 stride with a dilated convolution instead
      replace_stride_with_dilation = [false, false, false];
    }
    if (replace_stride_with_dilation.length !== 3) {
      throw new ValueError(`replace_stride_with_dilation should be None or a 3-element tuple, got ${pyList(replace_stride_with_dilation)}`);
    }
    this.groups = groups;
    this.base_width = width_per_group;
    this.conv1 = new nn.Conv2d(3, this.inplanes, { kernel_size: 7, stride: 2, padding: 3, bias: false });
    this.bn1 = make(norm_layer, this.inplanes);
    this.relu = new nn.ReLU({ inplace: true });
    this.maxpool = new nn.MaxPool2d({ kernel_size: 3, stride: 2, padding: 1 });
    this.layer1 = this._make_layer(block, 64, layers[0]);
    this.layer2 = this._make_layer(block, 128, layers[1], 2, replace_stride_with_dilation[0]);
    this.layer3 = this._make_layer(block, 256, layers[2], 2, replace_stride_with_dilation[1]);
    this.layer4 = this._make_layer(block, 512, layers[3], 2, replace_stride_with_dilation[2]);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = new nn.Linear(512 * block.expansion, num_classes);

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      } else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
        nn.init.constant_(m.weight!, 1);
        nn.init.constant_(m.bias!, 0);
      }
    }

    // Zero-initialize the last BN in each residual branch,
    // so that the residual branch starts with zeros, and each residual block behaves like an identity.
    // This improves the model by 0.2~0.3% according to https://arxiv.org/abs/1706.02677
    if (zero_init_residual) {
      for (const m of this.modules()) {
        if (m instanceof Bottleneck && weightOf(m.bn3) !== null) {
          nn.init.constant_(weightOf(m.bn3)!, 0);
        } else if (m instanceof BasicBlock && weightOf(m.bn2) !== null) {
          nn.init.constant_(weightOf(m.bn2)!, 0);
        }
      }
    }
  }

  _make_layer(block: Block, planes: number, blocks: number, stride = 1, dilate = false): nn.Sequential {
    const norm_layer = this._norm_layer;
    let downsample: nn.Module | null = null;
    const previous_dilation = this.dilation;
    if (dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    if (stride !== 1 || this.inplanes !== planes * block.expansion) {
      downsample = new nn.Sequential(conv1x1(this.inplanes, planes * block.expansion, stride), make(norm_layer, planes * block.expansion));
    }

    const layers: nn.Module[] = [];
    layers.push(new block(this.inplanes, planes, stride, downsample, this.groups, this.base_width, previous_dilation, norm_layer));
    this.inplanes = planes * block.expansion;
    for (let _ = 1; _ < blocks; _++) {
      layers.push(new block(this.inplanes, planes, { groups: this.groups, base_width: this.base_width, dilation: this.dilation, norm_layer }));
    }

    return new nn.Sequential(...layers);
  }

  _forward_impl(x: Tensor): Tensor {
    // See note [TorchScript super()]
    x = this.conv1(x);
    x = this.bn1(x);
    x = this.relu(x);
    x = this.maxpool(x);

    x = this.layer1(x);
    x = this.layer2(x);
    x = this.layer3(x);
    x = this.layer4(x);

    x = this.avgpool(x);
    x = torch.flatten(x, 1);
    x = this.fc(x);

    return x;
  }

  forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }

  /**
   * `_forward_impl` with everything up to the average pool channels-last (one conversion in,
   * one of the pooled `[N, 1, 1, C]` out), then the same flatten and `fc`.
   */
  protected override forwardChannelsLast(x: Tensor): Tensor {
    const layers = [this.conv1, this.bn1, this.relu, this.maxpool, this.layer1, this.layer2, this.layer3, this.layer4, this.avgpool];
    x = toChannelsFirst(this.chainChannelsLast(x, ...layers));
    return this.fc(torch.flatten(x, 1));
  }

  protected override channelsLastEntry(): boolean {
    return (
      this.forward === ResNet.prototype.forward &&
      this._forward_impl === ResNet.prototype._forward_impl &&
      this.layersRunChannelsLast(this.conv1, this.bn1, this.relu, this.maxpool, this.layer1, this.layer2, this.layer3, this.layer4, this.avgpool)
    );
  }
}

/** A norm layer's `weight` (`m.bn3.weight`): any module a `norm_layer` made may have one. */
const weightOf = (m: nn.Module) => (m as nn.Module & { weight?: nn.Parameter | null }).weight ?? null;

/** Python's `str()` of a list of bools, as the message prints `replace_stride_with_dilation`. */
const pyList = (xs: readonly unknown[]) => `[${xs.map((x) => (x === true ? 'True' : x === false ? 'False' : String(x))).join(', ')}]`;

type Builder = (...args: BuilderArgs<ResNetKwargs>) => ResNet;

/** torchvision's `_resnet(block, layers, weights, progress, **kwargs)` once the weights are refused. */
function _resnet(block: Block, layers: number[], kwargs: Partial<ResNetKwargs>): ResNet {
  return new ResNet(block, layers, forwardKwargs('_resnet', 'torchvision.models.resnet._resnet', ['block', 'layers', 'weights', 'progress'], kwargs));
}

/** ResNet-18 from "Deep Residual Learning for Image Recognition". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.resnet18.html */
export const resnet18: Builder = register_model(function resnet18(...args) {
  return _resnet(BasicBlock, [2, 2, 2, 2], builderKwargs('resnet18', 'ResNet18_Weights', args));
});

/** ResNet-34. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.resnet34.html */
export const resnet34: Builder = register_model(function resnet34(...args) {
  return _resnet(BasicBlock, [3, 4, 6, 3], builderKwargs('resnet34', 'ResNet34_Weights', args));
});

/** ResNet-50. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.resnet50.html */
export const resnet50: Builder = register_model(function resnet50(...args) {
  return _resnet(Bottleneck, [3, 4, 6, 3], builderKwargs('resnet50', 'ResNet50_Weights', args));
});

/** ResNet-101. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.resnet101.html */
export const resnet101: Builder = register_model(function resnet101(...args) {
  return _resnet(Bottleneck, [3, 4, 23, 3], builderKwargs('resnet101', 'ResNet101_Weights', args));
});

/** ResNet-152. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.resnet152.html */
export const resnet152: Builder = register_model(function resnet152(...args) {
  return _resnet(Bottleneck, [3, 8, 36, 3], builderKwargs('resnet152', 'ResNet152_Weights', args));
});

/** ResNeXt-50 32x4d from "Aggregated Residual Transformation for Deep Neural Networks". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.resnext50_32x4d.html */
export const resnext50_32x4d: Builder = register_model(function resnext50_32x4d(...args) {
  const kwargs = builderKwargs<ResNetKwargs>('resnext50_32x4d', 'ResNeXt50_32X4D_Weights', args);
  _ovewrite_named_param(kwargs, 'groups', 32);
  _ovewrite_named_param(kwargs, 'width_per_group', 4);
  return _resnet(Bottleneck, [3, 4, 6, 3], kwargs);
});

/** ResNeXt-101 32x8d. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.resnext101_32x8d.html */
export const resnext101_32x8d: Builder = register_model(function resnext101_32x8d(...args) {
  const kwargs = builderKwargs<ResNetKwargs>('resnext101_32x8d', 'ResNeXt101_32X8D_Weights', args);
  _ovewrite_named_param(kwargs, 'groups', 32);
  _ovewrite_named_param(kwargs, 'width_per_group', 8);
  return _resnet(Bottleneck, [3, 4, 23, 3], kwargs);
});

/** ResNeXt-101 64x4d. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.resnext101_64x4d.html */
export const resnext101_64x4d: Builder = register_model(function resnext101_64x4d(...args) {
  const kwargs = builderKwargs<ResNetKwargs>('resnext101_64x4d', 'ResNeXt101_64X4D_Weights', args);
  _ovewrite_named_param(kwargs, 'groups', 64);
  _ovewrite_named_param(kwargs, 'width_per_group', 4);
  return _resnet(Bottleneck, [3, 4, 23, 3], kwargs);
});

/** Wide ResNet-50-2 from "Wide Residual Networks". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.wide_resnet50_2.html */
export const wide_resnet50_2: Builder = register_model(function wide_resnet50_2(...args) {
  const kwargs = builderKwargs<ResNetKwargs>('wide_resnet50_2', 'Wide_ResNet50_2_Weights', args);
  _ovewrite_named_param(kwargs, 'width_per_group', 64 * 2);
  return _resnet(Bottleneck, [3, 4, 6, 3], kwargs);
});

/** Wide ResNet-101-2. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.wide_resnet101_2.html */
export const wide_resnet101_2: Builder = register_model(function wide_resnet101_2(...args) {
  const kwargs = builderKwargs<ResNetKwargs>('wide_resnet101_2', 'Wide_ResNet101_2_Weights', args);
  _ovewrite_named_param(kwargs, 'width_per_group', 64 * 2);
  return _resnet(Bottleneck, [3, 4, 23, 3], kwargs);
});
