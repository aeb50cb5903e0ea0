/**
 * torchvision 0.14's `models/squeezenet.py`: SqueezeNet 1.0 and 1.1.
 *
 * @see https://pytorch.org/vision/0.14/models/squeezenet.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { forwardKwargs } from './_utils';

const init = nn.init;

const FireSig = signature(
  'Fire.__init__',
  [req('inplanes', any<number>('int')), req('squeeze_planes', any<number>('int')), req('expand1x1_planes', any<number>('int')), req('expand3x3_planes', any<number>('int'))],
  { method: true },
);

/** SqueezeNet's Fire module: a 1x1 squeeze, then 1x1 and 3x3 expands concatenated on channels. */
export class Fire extends nn.Module {
  inplanes: number;
  squeeze: nn.Conv2d;
  squeeze_activation: nn.ReLU;
  expand1x1: nn.Conv2d;
  expand1x1_activation: nn.ReLU;
  expand3x3: nn.Conv2d;
  expand3x3_activation: nn.ReLU;

  constructor(...args: ArgsOf<typeof FireSig>) {
    super();
    const { inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes } = FireSig.bind(args);
    this.inplanes = inplanes;
    this.squeeze = new nn.Conv2d(inplanes, squeeze_planes, { kernel_size: 1 });
    this.squeeze_activation = new nn.ReLU({ inplace: true });
    this.expand1x1 = new nn.Conv2d(squeeze_planes, expand1x1_planes, { kernel_size: 1 });
    this.expand1x1_activation = new nn.ReLU({ inplace: true });
    this.expand3x3 = new nn.Conv2d(squeeze_planes, expand3x3_planes, { kernel_size: 3, padding: 1 });
    this.expand3x3_activation = new nn.ReLU({ inplace: true });
  }

  forward(x: Tensor): Tensor {
    x = this.squeeze_activation(this.squeeze(x));
    return torch.cat([this.expand1x1_activation(this.expand1x1(x)), this.expand3x3_activation(this.expand3x3(x))], 1);
  }
}

const SqueezeNetSig = signature(
  'SqueezeNet.__init__',
  [opt('version', any<string>('str'), '1_0'), opt('num_classes', any<number>('int'), 1000), opt('dropout', any<number>('float'), 0.5)],
  { method: true },
);

/** The keyword arguments the SqueezeNet builders pass through to {@link SqueezeNet}. */
export type SqueezeNetKwargs = Omit<KeywordsOf<typeof SqueezeNetSig>, 'version'>;

/**
 * torchvision's `SqueezeNet(version='1_0', num_classes=1000, dropout=0.5)`. Input
 * `[N, 3, H, W]` (H, W ≥ 21 for 1.0, 17 for 1.1), output `[N, num_classes]`. Its max pools use
 * `ceil_mode=True`.
 *
 * @see https://pytorch.org/vision/0.14/models/squeezenet.html
 */
export class SqueezeNet extends nn.Module {
  num_classes: number;
  features: nn.Sequential;
  classifier: nn.Sequential;

  constructor(...args: ArgsOf<typeof SqueezeNetSig>) {
    super();
    const { version, num_classes, dropout } = SqueezeNetSig.bind(args);
    this.num_classes = num_classes;
    if (version === '1_0') {
      this.features = new nn.Sequential(
        new nn.Conv2d(3, 96, { kernel_size: 7, stride: 2 }),
        new nn.ReLU({ inplace: true }),
        new nn.MaxPool2d({ kernel_size: 3, stride: 2, ceil_mode: true }),
        new Fire(96, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        new Fire(128, 32, 128, 128),
        new nn.MaxPool2d({ kernel_size: 3, stride: 2, ceil_mode: true }),
        new Fire(256, 32, 128, 128),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        new nn.MaxPool2d({ kernel_size: 3, stride: 2, ceil_mode: true }),
        new Fire(512, 64, 256, 256),
      );
    } else if (version === '1_1') {
      this.features = new nn.Sequential(
        new nn.Conv2d(3, 64, { kernel_size: 3, stride: 2 }),
        new nn.ReLU({ inplace: true }),
        new nn.MaxPool2d({ kernel_size: 3, stride: 2, ceil_mode: true }),
        new Fire(64, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        new nn.MaxPool2d({ kernel_size: 3, stride: 2, ceil_mode: true }),
        new Fire(128, 32, 128, 128),
        new Fire(256, 32, 128, 128),
        new nn.MaxPool2d({ kernel_size: 3, stride: 2, ceil_mode: true }),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        new Fire(512, 64, 256, 256),
      );
    } else {
      // FIXME: Is this needed? SqueezeNet should only be called from the
      // FIXME: squeezenet1_x() functions
      // FIXME: This checking is not done for the other models
      throw new ValueError(`Unsupported SqueezeNet version ${version}: 1_0 or 1_1 expected`);
    }

    // Final convolution is initialized differently from the rest
    const final_conv = new nn.Conv2d(512, this.num_classes, { kernel_size: 1 });
    this.classifier = new nn.Sequential(new nn.Dropout({ p: dropout }), final_conv, new nn.ReLU({ inplace: true }), new nn.AdaptiveAvgPool2d([1, 1]));

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        if (m === final_conv) {
          init.normal_(m.weight, { mean: 0.0, std: 0.01 });
        } else {
          init.kaiming_uniform_(m.weight);
        }
        if (m.bias !== null) init.constant_(m.bias, 0);
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.classifier(x);
    return torch.flatten(x, 1);
  }
}

type Builder = (...args: BuilderArgs<SqueezeNetKwargs>) => SqueezeNet;

/** torchvision's `_squeezenet(version, weights, progress, **kwargs)` once the weights are refused. */
function _squeezenet(version: '1_0' | '1_1', kwargs: Partial<SqueezeNetKwargs>): SqueezeNet {
  return new SqueezeNet(version, forwardKwargs('_squeezenet', 'torchvision.models.squeezenet._squeezenet', ['version', 'weights', 'progress'], kwargs));
}

/** SqueezeNet 1.0 from "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.squeezenet1_0.html */
export const squeezenet1_0: Builder = register_model(function squeezenet1_0(...args) {
  return _squeezenet('1_0', builderKwargs<SqueezeNetKwargs>('squeezenet1_0', 'SqueezeNet1_0_Weights', args));
});

/** SqueezeNet 1.1, with 2.4x less computation than 1.0. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.squeezenet1_1.html */
export const squeezenet1_1: Builder = register_model(function squeezenet1_1(...args) {
  return _squeezenet('1_1', builderKwargs<SqueezeNetKwargs>('squeezenet1_1', 'SqueezeNet1_1_Weights', args));
});
