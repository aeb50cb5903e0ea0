/**
 * `torch.compile` against eager and the raw tfjs floor (bench/floor/): the four networks of the
 * issue at 1×3×224×224, timed in one run, interleaved rep by rep so that the machine's noise
 * falls on all three alike. Prints each median and the ratios from this run.
 *
 *   npx tsx bench/compile.ts [--backend wasm|cpu] [--reps 9] [--threads 1]
 */
import * as tf from '@tensorflow/tfjs-core';
import { nn, torch, torchvision } from '../src';
import type { Floor, StateDict } from './floor/common';
import { mobilenetV2 } from './floor/mobilenet_v2';
import { resnet18, resnext50_32x4d } from './floor/resnet';
import { shufflenetV2 } from './floor/shufflenet_v2';

const NETS: [string, (sd: StateDict) => Floor][] = [
  ['mobilenet_v2', mobilenetV2],
  ['resnet18', resnet18],
  ['resnext50_32x4d', resnext50_32x4d],
  ['shufflenet_v2_x1_0', shufflenetV2],
];

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One timed call: the result is read back, so the backend has finished. */
function time(fn: () => tf.Tensor): number {
  const start = performance.now();
  const y = fn();
  y.dataSync();
  const ms = performance.now() - start;
  y.dispose();
  return ms;
}

function relative(a: tf.Tensor, b: tf.Tensor): number {
  const [x, y] = [a.dataSync(), b.dataSync()];
  let scale = 0;
  let worst = 0;
  y.forEach((v, i) => ((scale = Math.max(scale, Math.abs(v))), (worst = Math.max(worst, Math.abs(x[i] - v)))));
  return worst / scale;
}

async function main() {
  torch.set_num_threads(Number(arg('threads', '1')));
  await torch.set_backend(arg('backend', 'wasm') as 'wasm' | 'cpu');
  const reps = Number(arg('reps', '9'));
  const ratios: number[] = [];
  console.log(`backend ${torch.get_backend()}, ${torch.get_num_threads()} thread(s), ${reps} interleaved reps, medians in ms`);
  console.log('| model | eager | compiled | floor | compiled/eager | compiled/floor | compiled vs eager (rel) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, makeFloor] of NETS) {
    torch.manual_seed(0);
    const model = (torchvision.models.get_model(name) as nn.Module).eval();
    const floor = makeFloor(model.state_dict());
    const compiled = torch.compile(model);
    const x = torch.rand(1, 3, 224, 224);
    const xNhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
    const eager = () => model(x) as tf.Tensor;
    const fast = () => compiled(x) as tf.Tensor;
    // Our grad mode keeps tfjs's tape on (src/backend/autograd.ts), under which tfjs's fused ops
    // do not fuse: the floor runs with it off, as it would without this library.
    const raw = () => torch.no_grad(() => floor.forward(xNhwc));
    const [ye, yc] = [eager(), (tf.dispose(fast()), fast())];
    const diff = relative(yc, ye);
    tf.dispose([ye, yc]);
    [eager, fast, raw].forEach((f) => time(f));
    const t: [number[], number[], number[]] = [[], [], []];
    for (let i = 0; i < reps; i++) [eager, fast, raw].forEach((f, k) => t[k].push(time(f)));
    const [me, mc, mf] = t.map(median);
    ratios.push(mc / mf);
    console.log(`| ${name} | ${me.toFixed(1)} | ${mc.toFixed(1)} | ${mf.toFixed(1)} | ${(mc / me).toFixed(2)} | ${(mc / mf).toFixed(2)} | ${diff.toExponential(1)} |`);
    tf.dispose([x, xNhwc]);
    floor.dispose();
    compiled.dispose();
  }
  const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
  console.log(`geomean compiled/floor: ${geomean.toFixed(3)}`);
}

main();
