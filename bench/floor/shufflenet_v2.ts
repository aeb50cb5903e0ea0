/** torchvision's `shufflenet_v2_x1_0()` as raw tfjs NHWC: the floor of bench/run.ts (see common.ts). */
import * as tf from '@tensorflow/tfjs-core';
import { globalMean, maxPool, Weights, type Floor, type Layer, type StateDict } from './common';

const REPEATS = [4, 8, 4];
const CHANNELS = [24, 116, 232, 464, 1024];

/** Interleaves two halves of the channels, on a rank-3 view (rank-5 transposes are slow in tfjs). */
function shuffle(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.reshape(tf.transpose(tf.reshape(x, [n * h * w, 2, c / 2]), [0, 2, 1]), [n, h, w, c]);
}

export function shufflenetV2(sd: StateDict): Floor {
  const ws = new Weights(sd);
  const stem = ws.convBn('conv1.0', 'conv1.1', { stride: 2, padding: 1, activation: 'relu' });
  const units: Layer[] = [];
  REPEATS.forEach((n, s) => {
    const half = CHANNELS[s + 1] / 2;
    for (let i = 0; i < n; i++) {
      const p = `stage${s + 2}.${i}`;
      const stride = i === 0 ? 2 : 1;
      const chain = (layers: Layer[]): Layer => (x) => layers.reduce((h, f) => f(h), x);
      const branch2 = chain([
        ws.convBn(`${p}.branch2.0`, `${p}.branch2.1`, { activation: 'relu' }),
        ws.convBn(`${p}.branch2.3`, `${p}.branch2.4`, { stride, padding: 1, groups: half }),
        ws.convBn(`${p}.branch2.5`, `${p}.branch2.6`, { activation: 'relu' }),
      ]);
      if (stride === 1) {
        units.push((x) => {
          const [x1, x2] = tf.split(x, 2, 3);
          return shuffle(tf.concat([x1 as tf.Tensor4D, branch2(x2 as tf.Tensor4D)], 3));
        });
      } else {
        const inp = CHANNELS[s];
        const branch1 = chain([
          ws.convBn(`${p}.branch1.0`, `${p}.branch1.1`, { stride, padding: 1, groups: inp }),
          ws.convBn(`${p}.branch1.2`, `${p}.branch1.3`, { activation: 'relu' }),
        ]);
        units.push((x) => shuffle(tf.concat([branch1(x), branch2(x)], 3)));
      }
    }
  });
  const conv5 = ws.convBn('conv5.0', 'conv5.1', { activation: 'relu' });
  const fc = ws.linear('fc');
  return {
    forward: (x) => tf.tidy(() => fc(globalMean(conv5(units.reduce((h, f) => f(h), maxPool(stem(x), 3, 2, 1)))))),
    dispose: () => ws.dispose(),
  };
}
