/** torchvision's `mobilenet_v2()` as raw tfjs NHWC: the floor of bench/run.ts (see common.ts). */
import * as tf from '@tensorflow/tfjs-core';
import { globalMean, Weights, type Floor, type Layer, type StateDict } from './common';

/** `[t, c, n, s]`: expansion, channels, repeats, first stride, as torchvision's default setting. */
const SETTING = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export function mobilenetV2(sd: StateDict): Floor {
  const ws = new Weights(sd);
  const layers: Layer[] = [ws.convBn('features.0.0', 'features.0.1', { stride: 2, padding: 1, activation: 'relu6' })];
  let index = 1;
  let inp = 32;
  for (const [t, c, n, s] of SETTING) {
    for (let i = 0; i < n; i++, index++) {
      const p = `features.${index}.conv`;
      const hidden = inp * t;
      const stride = i === 0 ? s : 1;
      const block: Layer[] = [];
      let j = 0;
      if (t !== 1) block.push(ws.convBn(`${p}.${j}.0`, `${p}.${j++}.1`, { activation: 'relu6' }));
      block.push(ws.convBn(`${p}.${j}.0`, `${p}.${j++}.1`, { stride, padding: 1, groups: hidden, activation: 'relu6' }));
      block.push(ws.convBn(`${p}.${j}`, `${p}.${j + 1}`));
      const residual = stride === 1 && inp === c;
      layers.push((x) => {
        const y = block.reduce((h, f) => f(h), x);
        return residual ? tf.add(x, y) : y;
      });
      inp = c;
    }
  }
  layers.push(ws.convBn(`features.${index}.0`, `features.${index}.1`, { activation: 'relu6' }));
  const classifier = ws.linear('classifier.1');
  return {
    forward: (x) => tf.tidy(() => classifier(globalMean(layers.reduce((h, f) => f(h), x)))),
    dispose: () => ws.dispose(),
  };
}
