/**
 * torchvision 0.14's `models/vgg.py`: VGG 11/13/16/19, with and without BatchNorm.
 *
 * @see https://pytorch.org/vision/0.14/models/vgg.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { forwardKwargs } from './_utils';

const VGGSig = signature(
  'VGG.__init__',
  [
    req('features', any<nn.Module>('Module')),
    opt('num_classes', any<number>('int'), 1000),
    opt('init_weights', any<boolean>('bool'), true),
    opt('dropout', any<number>('float'), 0.5),
  ],
  { method: true },
);

/** The keyword arguments the VGG builders pass through to {@link VGG}. */
export type VGGKwargs = Omit<KeywordsOf<typeof VGGSig>, 'features'>;

/**
 * torchvision's `VGG(features, num_classes=1000, init_weights=True, dropout=0.5)`: the
 * convolutional `features`, a 7x7 adaptive average pool and a three-layer classifier. Input
 * `[N, 3, H, W]` (H, W ≥ 32), output `[N, num_classes]`.
 *
 * @see https://pytorch.org/vision/0.14/models/vgg.html
 */
export class VGG extends nn.Module {
  features: nn.Module;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;

  constructor(...args: ArgsOf<typeof VGGSig>) {
    super();
    const { features, num_classes, init_weights, dropout } = VGGSig.bind(args);
    this.features = features;
    this.avgpool = new nn.AdaptiveAvgPool2d([7, 7]);
    this.classifier = new nn.Sequential(
      new nn.Linear(512 * 7 * 7, 4096),
      new nn.ReLU(true),
      new nn.Dropout({ p: dropout }),
      new nn.Linear(4096, 4096),
      new nn.ReLU(true),
      new nn.Dropout({ p: dropout }),
      new nn.Linear(4096, num_classes),
    );
    if (init_weights) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d) {
          nn.init.kaiming_normal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
          if (m.bias !== null) nn.init.constant_(m.bias!, 0);
        } else if (m instanceof nn.BatchNorm2d) {
          nn.init.constant_(m.weight!, 1);
          nn.init.constant_(m.bias!, 0);
        } else if (m instanceof nn.Linear) {
          nn.init.normal_(m.weight, 0, 0.01);
          nn.init.constant_(m.bias!, 0);
        }
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = torch.flatten(x, 1);
    x = this.classifier(x);
    return x;
  }
}

/** torchvision's `make_layers(cfg, batch_norm=False)`: 3x3 convolutions (`int`) and 2x2 max pools (`'M'`). */
export function make_layers(cfg: readonly (number | 'M')[], batch_norm = false): nn.Sequential {
  const layers: nn.Module[] = [];
  let in_channels = 3;
  for (const v of cfg) {
    if (v === 'M') {
      layers.push(new nn.MaxPool2d({ kernel_size: 2, stride: 2 }));
    } else {
      const conv2d = new nn.Conv2d(in_channels, v, { kernel_size: 3, padding: 1 });
      if (batch_norm) {
        layers.push(conv2d, new nn.BatchNorm2d(v), new nn.ReLU({ inplace: true }));
      } else {
        layers.push(conv2d, new nn.ReLU({ inplace: true }));
      }
      in_channels = v;
    }
  }
  return new nn.Sequential(...layers);
}

/** The layer lists of VGG 11 (`A`), 13 (`B`), 16 (`D`) and 19 (`E`). */
export const cfgs: Record<'A' | 'B' | 'D' | 'E', (number | 'M')[]> = {
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** torchvision's `_vgg(cfg, batch_norm, weights, progress, **kwargs)` once the weights are refused. */
function _vgg(cfg: keyof typeof cfgs, batch_norm: boolean, kwargs: Partial<VGGKwargs>): VGG {
  const own = forwardKwargs('_vgg', 'torchvision.models.vgg._vgg', ['cfg', 'batch_norm', 'weights', 'progress'], kwargs);
  return new VGG(make_layers(cfgs[cfg], batch_norm), own);
}

type Builder = (...args: BuilderArgs<VGGKwargs>) => VGG;

/** VGG-11 from "Very Deep Convolutional Networks for Large-Scale Image Recognition". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.vgg11.html */
export const vgg11: Builder = register_model(function vgg11(...args) {
  return _vgg('A', false, builderKwargs('vgg11', 'VGG11_Weights', args));
});

/** VGG-11-BN. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.vgg11_bn.html */
export const vgg11_bn: Builder = register_model(function vgg11_bn(...args) {
  return _vgg('A', true, builderKwargs('vgg11_bn', 'VGG11_BN_Weights', args));
});

/** VGG-13. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.vgg13.html */
export const vgg13: Builder = register_model(function vgg13(...args) {
  return _vgg('B', false, builderKwargs('vgg13', 'VGG13_Weights', args));
});

/** VGG-13-BN. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.vgg13_bn.html */
export const vgg13_bn: Builder = register_model(function vgg13_bn(...args) {
  return _vgg('B', true, builderKwargs('vgg13_bn', 'VGG13_BN_Weights', args));
});

/** VGG-16. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.vgg16.html */
export const vgg16: Builder = register_model(function vgg16(...args) {
  return _vgg('D', false, builderKwargs('vgg16', 'VGG16_Weights', args));
});

/** VGG-16-BN. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.vgg16_bn.html */
export const vgg16_bn: Builder = register_model(function vgg16_bn(...args) {
  return _vgg('D', true, builderKwargs('vgg16_bn', 'VGG16_BN_Weights', args));
});

/** VGG-19. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.vgg19.html */
export const vgg19: Builder = register_model(function vgg19(...args) {
  return _vgg('E', false, builderKwargs('vgg19', 'VGG19_Weights', args));
});

/** VGG-19-BN. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.vgg19_bn.html */
export const vgg19_bn: Builder = register_model(function vgg19_bn(...args) {
  return _vgg('E', true, builderKwargs('vgg19_bn', 'VGG19_BN_Weights', args));
});
