/**
 * torchvision 0.14's `models/alexnet.py`.
 *
 * @see https://pytorch.org/vision/0.14/models/alexnet.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as nn from '../../nn';
import { opt, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { builderKwargs, register_model, type BuilderArgs } from './_api';

const AlexNetSig = signature('AlexNet.__init__', [opt('num_classes', any<number>('int'), 1000), opt('dropout', any<number>('float'), 0.5)], { method: true });

/** The keyword arguments `alexnet()` passes through to {@link AlexNet}. */
export type AlexNetKwargs = KeywordsOf<typeof AlexNetSig>;

/**
 * torchvision's `AlexNet(num_classes=1000, dropout=0.5)`, the "One weird trick" variant. Input
 * `[N, 3, H, W]` (H, W ≥ 63), output `[N, num_classes]`. Its layers keep PyTorch's default
 * initialisation.
 *
 * @see https://pytorch.org/vision/0.14/models/alexnet.html
 */
export class AlexNet extends nn.Module {
  features: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;

  constructor(...args: ArgsOf<typeof AlexNetSig>) {
    super();
    const { num_classes, dropout } = AlexNetSig.bind(args);
    this.features = new nn.Sequential(
      new nn.Conv2d(3, 64, { kernel_size: 11, stride: 4, padding: 2 }),
      new nn.ReLU({ inplace: true }),
      new nn.MaxPool2d({ kernel_size: 3, stride: 2 }),
      new nn.Conv2d(64, 192, { kernel_size: 5, padding: 2 }),
      new nn.ReLU({ inplace: true }),
      new nn.MaxPool2d({ kernel_size: 3, stride: 2 }),
      new nn.Conv2d(192, 384, { kernel_size: 3, padding: 1 }),
      new nn.ReLU({ inplace: true }),
      new nn.Conv2d(384, 256, { kernel_size: 3, padding: 1 }),
      new nn.ReLU({ inplace: true }),
      new nn.Conv2d(256, 256, { kernel_size: 3, padding: 1 }),
      new nn.ReLU({ inplace: true }),
      new nn.MaxPool2d({ kernel_size: 3, stride: 2 }),
    );
    this.avgpool = new nn.AdaptiveAvgPool2d([6, 6]);
    this.classifier = new nn.Sequential(
      new nn.Dropout({ p: dropout }),
      new nn.Linear(256 * 6 * 6, 4096),
      new nn.ReLU({ inplace: true }),
      new nn.Dropout({ p: dropout }),
      new nn.Linear(4096, 4096),
      new nn.ReLU({ inplace: true }),
      new nn.Linear(4096, num_classes),
    );
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = torch.flatten(x, 1);
    x = this.classifier(x);
    return x;
  }
}

/** AlexNet from "One weird trick for parallelizing convolutional neural networks". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.alexnet.html */
export const alexnet: (...args: BuilderArgs<AlexNetKwargs>) => AlexNet = register_model(function alexnet(...args) {
  return new AlexNet(builderKwargs<AlexNetKwargs>('alexnet', 'AlexNet_Weights', args));
});
