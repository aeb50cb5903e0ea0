/**
 * torchvision's `resnet18()` and `resnext50_32x4d()` as raw tfjs NHWC: floors of bench/run.ts
 * (see common.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { globalMean, maxPool, Weights, type Floor, type Layer, type StateDict } from './common';

/** A ResNet: `bottleneck` blocks (conv1 1×1, conv2 3×3 with `groups`, conv3 1×1) or basic ones, `repeats` per stage. */
function resnet(sd: StateDict, repeats: number[], bottleneck: boolean, groups: number): Floor {
  const ws = new Weights(sd);
  const stem = ws.convBn('conv1', 'bn1', { stride: 2, padding: 3, activation: 'relu' });
  const blocks: Layer[] = [];
  repeats.forEach((n, stage) => {
    for (let b = 0; b < n; b++) {
      const p = `layer${stage + 1}.${b}`;
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const convs = bottleneck
        ? [
            ws.convBn(`${p}.conv1`, `${p}.bn1`, { activation: 'relu' }),
            ws.convBn(`${p}.conv2`, `${p}.bn2`, { stride, padding: 1, groups, activation: 'relu' }),
            ws.convBn(`${p}.conv3`, `${p}.bn3`),
          ]
        : [ws.convBn(`${p}.conv1`, `${p}.bn1`, { stride, padding: 1, activation: 'relu' }), ws.convBn(`${p}.conv2`, `${p}.bn2`, { padding: 1 })];
      const downsample = ws.has(`${p}.downsample.0.weight`) ? ws.convBn(`${p}.downsample.0`, `${p}.downsample.1`, { stride }) : null;
      blocks.push((x) => tf.relu(tf.add(convs.reduce((h, f) => f(h), x), downsample === null ? x : downsample(x))) as tf.Tensor4D);
    }
  });
  const fc = ws.linear('fc');
  return {
    forward: (x) => tf.tidy(() => fc(globalMean(blocks.reduce((h, f) => f(h), maxPool(stem(x), 3, 2, 1))))),
    dispose: () => ws.dispose(),
  };
}

export const resnet18 = (sd: StateDict): Floor => resnet(sd, [2, 2, 2, 2], false, 1);
export const resnext50_32x4d = (sd: StateDict): Floor => resnet(sd, [3, 4, 6, 3], true, 32);
