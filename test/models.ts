import type { Tensor } from '@tensorflow/tfjs-core';
import { nn } from '../src';

/** test/fixtures/article_model.py's Stem, ported as a user would port it. */
export class Stem extends nn.Module {
  features = new nn.Sequential(new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(true));
  block = new nn.DepthWiseConv(8, 4);
  head = new nn.Conv2d(4, 2, 1);

  forward(x: Tensor): Tensor {
    return this.head(this.block(this.features(x)));
  }
}
