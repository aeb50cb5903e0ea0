/**
 * torchvision 0.14's `models/densenet.py`: DenseNet 121/161/169/201.
 *
 * @see https://pytorch.org/vision/0.14/models/densenet.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as F from '../../functional';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { forwardKwargs } from './_utils';

const DenseLayerSig = signature(
  '_DenseLayer.__init__',
  [
    req('num_input_features', any<number>('int')),
    req('growth_rate', any<number>('int')),
    req('bn_size', any<number>('int')),
    req('drop_rate', any<number>('float')),
    opt('memory_efficient', any<boolean>('bool'), false),
  ],
  { method: true },
);

/**
 * One dense layer: BN-ReLU-1x1 conv to `bn_size * growth_rate` channels, then BN-ReLU-3x3 conv
 * to `growth_rate`, over the concatenation of every earlier feature map. `memory_efficient`
 * (gradient checkpointing) changes nothing here: there is no autograd graph to save memory on.
 */
export class _DenseLayer extends nn.Module {
  norm1: nn.BatchNorm2d;
  relu1: nn.ReLU;
  conv1: nn.Conv2d;
  norm2: nn.BatchNorm2d;
  relu2: nn.ReLU;
  conv2: nn.Conv2d;
  drop_rate: number;
  memory_efficient: boolean;

  constructor(...args: ArgsOf<typeof DenseLayerSig>) {
    super();
    const { num_input_features, growth_rate, bn_size, drop_rate, memory_efficient } = DenseLayerSig.bind(args);
    this.norm1 = new nn.BatchNorm2d(num_input_features);
    this.relu1 = new nn.ReLU({ inplace: true });
    this.conv1 = new nn.Conv2d(num_input_features, bn_size * growth_rate, { kernel_size: 1, stride: 1, bias: false });

    this.norm2 = new nn.BatchNorm2d(bn_size * growth_rate);
    this.relu2 = new nn.ReLU({ inplace: true });
    this.conv2 = new nn.Conv2d(bn_size * growth_rate, growth_rate, { kernel_size: 3, stride: 1, padding: 1, bias: false });

    this.drop_rate = Number(drop_rate);
    this.memory_efficient = memory_efficient;
  }

  bn_function(inputs: Tensor[]): Tensor {
    const concated_features = torch.cat(inputs, 1);
    const bottleneck_output = this.conv1(this.relu1(this.norm1(concated_features)));
    return bottleneck_output;
  }

  forward(input: Tensor | Tensor[]): Tensor {
    const prev_features = Array.isArray(input) ? input : [input];
    const bottleneck_output = this.bn_function(prev_features);
    let new_features = this.conv2(this.relu2(this.norm2(bottleneck_output)));
    if (this.drop_rate > 0) new_features = F.dropout(new_features, { p: this.drop_rate, training: this.training });
    return new_features;
  }
}

const DenseBlockSig = signature(
  '_DenseBlock.__init__',
  [
    req('num_layers', any<number>('int')),
    req('num_input_features', any<number>('int')),
    req('bn_size', any<number>('int')),
    req('growth_rate', any<number>('int')),
    req('drop_rate', any<number>('float')),
    opt('memory_efficient', any<boolean>('bool'), false),
  ],
  { method: true },
);

/** `num_layers` dense layers, each seeing all earlier outputs; returns them all concatenated. */
export class _DenseBlock extends nn.ModuleDict {
  static override _version = 2;

  constructor(...args: ArgsOf<typeof DenseBlockSig>) {
    super();
    const { num_layers, num_input_features, bn_size, growth_rate, drop_rate, memory_efficient } = DenseBlockSig.bind(args);
    for (let i = 0; i < num_layers; i++) {
      const layer = new _DenseLayer(num_input_features + i * growth_rate, { growth_rate, bn_size, drop_rate, memory_efficient });
      this.add_module(`denselayer${i + 1}`, layer);
    }
  }

  override forward(init_features: Tensor): Tensor {
    const features = [init_features];
    for (const [, layer] of this.items()) {
      const new_features = layer(features) as Tensor;
      features.push(new_features);
    }
    return torch.cat(features, 1);
  }
}

const TransitionSig = signature('_Transition.__init__', [req('num_input_features', any<number>('int')), req('num_output_features', any<number>('int'))], { method: true });

/** Between dense blocks: BN-ReLU-1x1 conv (halving the channels), then a 2x2 average pool. */
export class _Transition extends nn.Sequential {
  norm: nn.BatchNorm2d;
  relu: nn.ReLU;
  conv: nn.Conv2d;
  pool: nn.AvgPool2d;

  constructor(...args: ArgsOf<typeof TransitionSig>) {
    super();
    const { num_input_features, num_output_features } = TransitionSig.bind(args);
    this.norm = new nn.BatchNorm2d(num_input_features);
    this.relu = new nn.ReLU({ inplace: true });
    this.conv = new nn.Conv2d(num_input_features, num_output_features, { kernel_size: 1, stride: 1, bias: false });
    this.pool = new nn.AvgPool2d({ kernel_size: 2, stride: 2 });
  }
}

const DenseNetSig = signature(
  'DenseNet.__init__',
  [
    opt('growth_rate', any<number>('int'), 32),
    opt('block_config', any<readonly number[]>('Tuple[int, int, int, int]'), [6, 12, 24, 16]),
    opt('num_init_features', any<number>('int'), 64),
    opt('bn_size', any<number>('int'), 4),
    opt('drop_rate', any<number>('float'), 0),
    opt('num_classes', any<number>('int'), 1000),
    opt('memory_efficient', any<boolean>('bool'), false),
  ],
  { method: true },
);

/** The keyword arguments the DenseNet builders pass through to {@link DenseNet}. */
export type DenseNetKwargs = Omit<KeywordsOf<typeof DenseNetSig>, 'growth_rate' | 'block_config' | 'num_init_features'>;

/**
 * torchvision's `DenseNet(growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64,
 * bn_size=4, drop_rate=0, num_classes=1000, memory_efficient=False)`, from "Densely Connected
 * Convolutional Networks". Input `[N, 3, H, W]` (H, W ≥ 29), output `[N, num_classes]`.
 *
 * torchvision's own checkpoints name some keys in an older form (`denselayer1.norm.1.weight`);
 * load them with {@link _load_state_dict}, which renames them as torchvision does.
 *
 * @see https://pytorch.org/vision/0.14/models/densenet.html
 */
export class DenseNet extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Linear;

  constructor(...args: ArgsOf<typeof DenseNetSig>) {
    super();
    const { growth_rate, block_config, num_init_features, bn_size, drop_rate, num_classes, memory_efficient } = DenseNetSig.bind(args);

    // First convolution
    this.features = new nn.Sequential({
      conv0: new nn.Conv2d(3, num_init_features, { kernel_size: 7, stride: 2, padding: 3, bias: false }),
      norm0: new nn.BatchNorm2d(num_init_features),
      relu0: new nn.ReLU({ inplace: true }),
      pool0: new nn.MaxPool2d({ kernel_size: 3, stride: 2, padding: 1 }),
    });

    // Each denseblock
    let num_features = num_init_features;
    block_config.forEach((num_layers, i) => {
      const block = new _DenseBlock({ num_layers, num_input_features: num_features, bn_size, growth_rate, drop_rate, memory_efficient });
      this.features.add_module(`denseblock${i + 1}`, block);
      num_features = num_features + num_layers * growth_rate;
      if (i !== block_config.length - 1) {
        const trans = new _Transition({ num_input_features: num_features, num_output_features: Math.floor(num_features / 2) });
        this.features.add_module(`transition${i + 1}`, trans);
        num_features = Math.floor(num_features / 2);
      }
    });

    // Final batch norm
    this.features.add_module('norm5', new nn.BatchNorm2d(num_features));

    // Linear layer
    this.classifier = new nn.Linear(num_features, num_classes);

    // Official init from torch repo.
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight);
      } else if (m instanceof nn.BatchNorm2d) {
        nn.init.constant_(m.weight!, 1);
        nn.init.constant_(m.bias!, 0);
      } else if (m instanceof nn.Linear) {
        nn.init.constant_(m.bias!, 0);
      }
    }
  }

  forward(x: Tensor): Tensor {
    const features = this.features(x);
    let out = F.relu(features, { inplace: true });
    out = F.adaptive_avg_pool2d(out, [1, 1]);
    out = torch.flatten(out, 1);
    out = this.classifier(out);
    return out;
  }
}

/**
 * torchvision's `_load_state_dict`, given the checkpoint's state dict instead of its weights
 * enum: renames the old-style keys of torchvision's DenseNet checkpoints
 * (`…denselayer1.norm.1.weight` → `…denselayer1.norm1.weight`), then loads them.
 */
export function _load_state_dict(model: nn.Module, state_dict: nn.StateDict): nn.IncompatibleKeys {
  // '.'s are no longer allowed in module names, but previous _DenseLayer
  // has keys 'norm.1', 'relu.1', 'conv.1', 'norm.2', 'relu.2', 'conv.2'.
  // They are also in the checkpoints in model_urls. This pattern is used
  // to find such keys.
  const pattern = /^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$/;
  const renamed: nn.StateDict = {};
  for (const [key, value] of Object.entries(state_dict)) {
    const res = pattern.exec(key);
    renamed[res !== null ? res[1] + res[2] : key] = value;
  }
  // torchvision renames in place, so the checkpoint's _metadata (module versions) stays with it.
  const metadata = nn.metadataOf(state_dict);
  if (metadata !== undefined) nn.setMetadata(renamed, metadata);
  return model.load_state_dict(renamed);
}

/** torchvision's `_densenet(growth_rate, block_config, num_init_features, weights, progress, **kwargs)` once the weights are refused. */
function _densenet(growth_rate: number, block_config: number[], num_init_features: number, kwargs: Partial<DenseNetKwargs>): DenseNet {
  const own = forwardKwargs('_densenet', 'torchvision.models.densenet._densenet', ['growth_rate', 'block_config', 'num_init_features', 'weights', 'progress'], kwargs);
  return new DenseNet(growth_rate, block_config, num_init_features, own);
}

type Builder = (...args: BuilderArgs<DenseNetKwargs>) => DenseNet;

/** DenseNet-121 from "Densely Connected Convolutional Networks". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.densenet121.html */
export const densenet121: Builder = register_model(function densenet121(...args) {
  return _densenet(32, [6, 12, 24, 16], 64, builderKwargs('densenet121', 'DenseNet121_Weights', args));
});

/** DenseNet-161. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.densenet161.html */
export const densenet161: Builder = register_model(function densenet161(...args) {
  return _densenet(48, [6, 12, 36, 24], 96, builderKwargs('densenet161', 'DenseNet161_Weights', args));
});

/** DenseNet-169. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.densenet169.html */
export const densenet169: Builder = register_model(function densenet169(...args) {
  return _densenet(32, [6, 12, 32, 32], 64, builderKwargs('densenet169', 'DenseNet169_Weights', args));
});

/** DenseNet-201. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.densenet201.html */
export const densenet201: Builder = register_model(function densenet201(...args) {
  return _densenet(32, [6, 12, 48, 32], 64, builderKwargs('densenet201', 'DenseNet201_Weights', args));
});
