/**
 * Measures the exact lowerings of grouped convolution on each backend: median wall time of one
 * forward (NHWC in, result read back, filters converted once as nn.Conv2d keeps them), same-run
 * ratios to split+concat.
 * Run: npx tsx bench/grouped-lowering.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'os';
import { torch } from '../src';
import { depthwiseThenSum, FilterCache, splitConcat, type GroupedLowering } from '../src/backend/conv2d';

/** Rejected alternative, kept here to show the measurement: one dense conv with a block-diagonal weight. */
const blockDiagonal: GroupedLowering = (x, w, g, strides, dilations, cache = null) => {
  const cinG = w.shape[1];
  const make = () => {
    const blocks = tf.split(w, g.groups, 0).map((wg, i) => tf.pad(wg, [[0, 0], [i * cinG, (g.groups - 1 - i) * cinG], [0, 0], [0, 0]]));
    return [tf.transpose(tf.concat(blocks, 0), [2, 3, 1, 0])];
  };
  const [filter] = cache === null ? make() : cache.get(w, 'block-diagonal', make);
  const [top, bottom, left, right] = g.pads;
  return tf.conv2d(x, filter as tf.Tensor4D, strides, [[0, 0], [top, bottom], [left, right], [0, 0]], 'NHWC', dilations);
};

const shapes: [string, number, number, number, number, number, number][] = [
  // name, N, Cin, H, Cout, k, groups
  ['article group 256→32 k3 g8 12²', 1, 256, 12, 32, 3, 8],
  ['256→256 k3 g32 28²', 1, 256, 28, 256, 3, 32],
  ['64→64 k3 g2 32²', 1, 64, 32, 64, 3, 2],
  ['32→64 k3 g4 56²', 1, 32, 56, 64, 3, 4],
  ['16→16 k3 g8 56²', 1, 16, 56, 16, 3, 8],
];
const strategies: [string, GroupedLowering][] = [
  ['split+concat', splitConcat],
  ['depthwise+sum', depthwiseThenSum],
  ['block-diagonal', blockDiagonal],
];

async function median(fn: () => tf.Tensor, reps: number): Promise<number> {
  for (let i = 0; i < 3; i++) await tf.tidy(fn).data();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const y = tf.tidy(fn);
    await y.data();
    times.push(performance.now() - t0);
    y.dispose();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

(async () => {
  console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, node ${process.version}`);
  for (const backend of ['wasm', 'cpu'] as const) {
    await torch.set_backend(backend);
    console.log(`\nbackend ${backend}: median ms (ratio to split+concat)`);
    for (const [name, n, cin, h, cout, k, groups] of shapes) {
      const x = tf.randomUniform([n, h, h, cin]) as tf.Tensor4D;
      const w = tf.randomUniform([cout, cin / groups, k, k]) as tf.Tensor4D;
      const g = { stride: [1, 1], pads: [1, 1, 1, 1], dilation: [1, 1], groups } as const;
      const reps = backend === 'cpu' ? 5 : 25;
      const results: number[] = [];
      for (const [, lower] of strategies) {
        const cache = new FilterCache();
        results.push(await median(() => lower(x, w, g, [1, 1], [1, 1], cache), reps));
        cache.release();
      }
      const ref = tf.tidy(() => splitConcat(x, w, g, [1, 1], [1, 1]));
      const diffs = strategies.map(([, lower]) => tf.tidy(() => tf.max(tf.abs(tf.sub(lower(x, w, g, [1, 1], [1, 1]), ref))).dataSync()[0]));
      console.log(
        `  ${name.padEnd(34)} ` +
          strategies.map(([s], i) => `${s} ${results[i].toFixed(2)} (${(results[i] / results[0]).toFixed(2)}×, maxdiff ${diffs[i].toExponential(1)})`).join('  '),
      );
      [x, w, ref].forEach((t) => t.dispose());
    }
  }
})();
