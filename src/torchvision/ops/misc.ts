/**
 * torchvision 0.14's `ops/misc.py`: the blocks its models share — `ConvNormActivation` and
 * `Conv2dNormActivation`, `SqueezeExcitation`, `MLP` and `Permute`.
 *
 * Where torchvision takes a layer class (`norm_layer=nn.BatchNorm2d`, or a `partial`), these take
 * the class itself or a function returning a module: `{ norm_layer: nn.BatchNorm2d }`,
 * `{ norm_layer: (c) => new nn.BatchNorm2d(c, { eps: 1e-3 }) }`.
 *
 * @see https://pytorch.org/vision/0.14/ops.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as nn from '../../nn';
import { floordiv, ntuple } from '../../python/ops';
import { opt, req, signature, type ArgsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { make, type ModuleFactory } from '../models/_utils';

type IntOrTuple = number | readonly number[];

const convNormActivationParams = [
  req('in_channels', any<number>('int')),
  req('out_channels', any<number>('int')),
  opt('kernel_size', any<IntOrTuple>('int'), 3),
  opt('stride', any<IntOrTuple>('int'), 1),
  opt('padding', any<IntOrTuple | string | null>('int'), null),
  opt('groups', any<number>('int'), 1),
  opt('norm_layer', any<ModuleFactory<[number]> | null>('Callable'), nn.BatchNorm2d),
  opt('activation_layer', any<ModuleFactory | null>('Callable'), nn.ReLU),
  opt('dilation', any<IntOrTuple>('int'), 1),
  opt('inplace', any<boolean | null>('bool'), true),
  opt('bias', any<boolean | null>('bool'), null),
] as const;

const ConvNormActivationSig = signature(
  'ConvNormActivation.__init__',
  [...convNormActivationParams, opt('conv_layer', any<ModuleFactory>('Callable'), nn.Conv2d)],
  { method: true },
);

/**
 * A convolution, then a norm layer and an activation when given: torchvision's base of
 * {@link Conv2dNormActivation}. Used directly it warns, as torchvision's does.
 * `padding` defaults to `(kernel_size - 1) // 2 * dilation` per dimension ("same" for odd
 * kernels at stride 1); `bias` defaults to whether there is no norm layer.
 *
 * @see https://pytorch.org/vision/0.14/generated/torchvision.ops.Conv2dNormActivation.html
 */
export class ConvNormActivation extends nn.Sequential {
  out_channels: number;

  constructor(...args: ArgsOf<typeof ConvNormActivationSig>) {
    let { in_channels, out_channels, kernel_size, stride, padding, groups, norm_layer, activation_layer, dilation, inplace, bias, conv_layer } =
      ConvNormActivationSig.bind(args);
    if (padding === null) {
      if (typeof kernel_size === 'number' && typeof dilation === 'number') {
        padding = floordiv(kernel_size - 1, 2) * dilation;
      } else {
        const _conv_dim = Array.isArray(kernel_size) ? kernel_size.length : (dilation as readonly number[]).length;
        const k = ntuple(kernel_size, _conv_dim);
        const d = ntuple(dilation, _conv_dim);
        kernel_size = k;
        dilation = d;
        padding = k.map((_, i) => floordiv(k[i] - 1, 2) * d[i]);
      }
    }
    if (bias === null) bias = norm_layer === null;

    const layers: nn.Module[] = [make(conv_layer, in_channels, out_channels, kernel_size, stride, padding, { dilation, groups, bias })];

    if (norm_layer !== null) layers.push(make(norm_layer, out_channels));

    if (activation_layer !== null) {
      const params = inplace === null ? {} : { inplace };
      layers.push(make(activation_layer, params));
    }
    super(...layers);
    this.out_channels = out_channels;

    if (this.constructor === ConvNormActivation) {
      process.emitWarning("Don't use ConvNormActivation directly, please use Conv2dNormActivation and Conv3dNormActivation instead.", 'UserWarning');
    }
  }
}

const Conv2dNormActivationSig = signature('Conv2dNormActivation.__init__', convNormActivationParams, { method: true });

/**
 * `Conv2dNormActivation(in_channels, out_channels, kernel_size=3, stride=1, padding=None,
 * groups=1, norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True,
 * bias=None)`: `nn.Conv2d`, then the norm layer, then the activation (either may be `null`), as
 * a Sequential whose children are `0`, `1`, `2`.
 *
 * @see https://pytorch.org/vision/0.14/generated/torchvision.ops.Conv2dNormActivation.html
 */
export class Conv2dNormActivation extends ConvNormActivation {
  constructor(...args: ArgsOf<typeof Conv2dNormActivationSig>) {
    const { in_channels, out_channels, kernel_size, stride, padding, groups, norm_layer, activation_layer, dilation, inplace, bias } =
      Conv2dNormActivationSig.bind(args);
    super(in_channels, out_channels, kernel_size, stride, padding, groups, norm_layer, activation_layer, dilation, inplace, bias, nn.Conv2d);
  }
}

const SqueezeExcitationSig = signature(
  'SqueezeExcitation.__init__',
  [
    req('input_channels', any<number>('int')),
    req('squeeze_channels', any<number>('int')),
    opt('activation', any<ModuleFactory<[]>>('Callable'), nn.ReLU),
    opt('scale_activation', any<ModuleFactory<[]>>('Callable'), nn.Sigmoid),
  ],
  { method: true },
);

/**
 * The Squeeze-and-Excitation block of https://arxiv.org/abs/1709.01507 (Fig. 1): global average
 * pool, `fc1` (1×1 conv to `squeeze_channels`), `activation` (δ), `fc2` back to
 * `input_channels`, `scale_activation` (σ), and the input scaled by the result per channel.
 *
 * @see https://pytorch.org/vision/0.14/generated/torchvision.ops.SqueezeExcitation.html
 */
export class SqueezeExcitation extends nn.Module {
  avgpool: nn.AdaptiveAvgPool2d;
  fc1: nn.Conv2d;
  fc2: nn.Conv2d;
  activation: nn.Module;
  scale_activation: nn.Module;

  constructor(...args: ArgsOf<typeof SqueezeExcitationSig>) {
    super();
    const { input_channels, squeeze_channels, activation, scale_activation } = SqueezeExcitationSig.bind(args);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.fc1 = new nn.Conv2d(input_channels, squeeze_channels, 1);
    this.fc2 = new nn.Conv2d(squeeze_channels, input_channels, 1);
    this.activation = make(activation);
    this.scale_activation = make(scale_activation);
  }

  _scale(input: Tensor): Tensor {
    let scale = this.avgpool(input);
    scale = this.fc1(scale);
    scale = this.activation(scale);
    scale = this.fc2(scale);
    return this.scale_activation(scale);
  }

  forward(input: Tensor): Tensor {
    const scale = this._scale(input);
    return scale.mul(input);
  }

  /** `forward` on channels-last tensors: the pooled `[N, 1, 1, C]` scale broadcasts over H and W. */
  protected override forwardChannelsLast(input: Tensor): Tensor {
    return this.chainChannelsLast(input, this.avgpool, this.fc1, this.activation, this.fc2, this.scale_activation).mul(input);
  }

  protected override runsChannelsLast(): boolean {
    return (
      this.forward === SqueezeExcitation.prototype.forward &&
      this._scale === SqueezeExcitation.prototype._scale &&
      this.layersRunChannelsLast(this.avgpool, this.fc1, this.activation, this.fc2, this.scale_activation)
    );
  }
}

const MLPSig = signature(
  'MLP.__init__',
  [
    req('in_channels', any<number>('int')),
    req('hidden_channels', any<readonly number[]>('List[int]')),
    opt('norm_layer', any<ModuleFactory<[number]> | null>('Callable'), null),
    opt('activation_layer', any<ModuleFactory>('Callable'), nn.ReLU),
    opt('inplace', any<boolean | null>('bool'), true),
    opt('bias', any<boolean>('bool'), true),
    opt('dropout', any<number>('float'), 0.0),
  ],
  { method: true },
);

/**
 * The multi-layer perceptron: for each hidden width but the last, `Linear`, the norm layer (if
 * any), the activation and `Dropout`; then a last `Linear` and `Dropout`.
 *
 * @see https://pytorch.org/vision/0.14/generated/torchvision.ops.MLP.html
 */
export class MLP extends nn.Sequential {
  constructor(...args: ArgsOf<typeof MLPSig>) {
    const { in_channels, hidden_channels, norm_layer, activation_layer, inplace, bias, dropout } = MLPSig.bind(args);
    // The addition of `norm_layer` is inspired from the implementation of TorchMultimodal:
    // https://github.com/facebookresearch/multimodal/blob/5dec8a/torchmultimodal/modules/layers/mlp.py
    const params = inplace === null ? {} : { inplace };

    const layers: nn.Module[] = [];
    let in_dim = in_channels;
    for (const hidden_dim of hidden_channels.slice(0, -1)) {
      layers.push(new nn.Linear(in_dim, hidden_dim, { bias }));
      if (norm_layer !== null) layers.push(make(norm_layer, hidden_dim));
      layers.push(make(activation_layer, params));
      layers.push(new nn.Dropout(dropout, params));
      in_dim = hidden_dim;
    }

    layers.push(new nn.Linear(in_dim, hidden_channels[hidden_channels.length - 1], { bias }));
    layers.push(new nn.Dropout(dropout, params));

    super(...layers);
  }
}

const PermuteSig = signature('Permute.__init__', [req('dims', any<readonly number[]>('List[int]'))], { method: true });

/**
 * `Permute(dims)`: `torch.permute(x, dims)` as a module (ConvNeXt's channels-last blocks).
 *
 * @see https://pytorch.org/vision/0.14/generated/torchvision.ops.Permute.html
 */
export class Permute extends nn.Module {
  dims: readonly number[];

  constructor(...args: ArgsOf<typeof PermuteSig>) {
    super();
    this.dims = PermuteSig.bind(args).dims;
  }

  forward(x: Tensor): Tensor {
    return torch.permute(x, this.dims);
  }
}
