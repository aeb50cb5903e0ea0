/**
 * Grouped convolution's exact lowerings against the dense conv of the same channels, on wasm and
 * cpu, and the wasm backend on 1 against 2 threads.
 *
 * Each shape's candidates run round-robin, one call each per round, so that every median (wall
 * time of one forward: NHWC in, result read back, filters converted once as nn.Conv2d keeps
 * them) comes from the same stretch of a shared machine; GFLOP/s counts 2 flops per
 * multiply-add of the convolution itself. Thread counts are fixed when the wasm backend starts,
 * so each count runs in a child process, alternating 1, 2, 1, 2, ...
 * Run: npx tsx bench/grouped-lowering.ts [--reps 25] [--thread-runs 4] [--backends wasm,cpu] (an empty list
 * skips the lowerings)
 */
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as tf from '@tensorflow/tfjs-core';
import { torch } from '../src';
import { depthwiseThenSum, FilterCache, groupMajor, splitConcat, chooseGroupedLowering, type GroupedLowering } from '../src/backend/conv2d';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};

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
  ['article 256→32 k3 g8 12²', 1, 256, 12, 32, 3, 8],
  ['256→256 k3 g32 28²', 1, 256, 28, 256, 3, 32],
  ['256→256 k3 g8 28²', 1, 256, 28, 256, 3, 8],
  ['128→128 k3 g32 56²', 1, 128, 56, 128, 3, 32],
  ['64→64 k3 g2 32²', 1, 64, 32, 64, 3, 2],
  ['32→64 k3 g4 56²', 1, 32, 56, 64, 3, 4],
  ['16→16 k3 g8 56²', 1, 16, 56, 16, 3, 8],
  ['8×64→64 k3 g4 16²', 8, 64, 16, 64, 3, 4],
];
const strategies: [string, GroupedLowering][] = [
  ['split+concat', splitConcat],
  ['group-major', groupMajor],
  ['depthwise+sum', depthwiseThenSum],
  ['block-diagonal', blockDiagonal],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms of each of `fns`, run round-robin `reps` times after 3 warm-up rounds. */
async function paired(fns: (() => tf.Tensor)[], reps: number): Promise<number[]> {
  const times = fns.map(() => [] as number[]);
  for (let r = -3; r < reps; r++) {
    for (const [i, fn] of fns.entries()) {
      const t0 = performance.now();
      const y = tf.tidy(fn);
      await y.data();
      if (r >= 0) times[i].push(performance.now() - t0);
      y.dispose();
    }
  }
  return times.map(median);
}

const gflops = (flops: number, ms: number) => flops / ms / 1e6;

async function lowerings(reps: number, backends: ('wasm' | 'cpu')[]): Promise<void> {
  for (const backend of backends) {
    await torch.set_backend(backend);
    console.log(`\n${backend}: median ms and GFLOP/s; the dense conv has the same channels and groups = 1; * marks the lowering chosen`);
    for (const [name, n, cin, h, cout, k, groups] of shapes) {
      const x = tf.randomUniform([n, h, h, cin]) as tf.Tensor4D;
      const w = tf.randomUniform([cout, cin / groups, k, k]) as tf.Tensor4D;
      const dense = tf.randomUniform([k, k, cin, cout]) as tf.Tensor4D;
      const g = { stride: [1, 1], pads: [1, 1, 1, 1], dilation: [1, 1], groups } as const;
      const caches = strategies.map(() => new FilterCache());
      const fns = [
        () => tf.conv2d(x, dense, 1, 'same'),
        ...strategies.map(([, lower], i) => () => lower(x, w, g, [1, 1], [1, 1], caches[i])),
      ];
      const ms = await paired(fns, backend === 'cpu' ? Math.max(3, Math.round(reps / 5)) : reps);
      const ref = tf.tidy(() => splitConcat(x, w, g, [1, 1], [1, 1]));
      const exact = strategies.map(([, lower]) => tf.tidy(() => tf.max(tf.abs(tf.sub(lower(x, w, g, [1, 1], [1, 1]), ref))).dataSync()[0]));
      const flops = 2 * n * h * h * cout * (cin / groups) * k * k;
      const chosen = chooseGroupedLowering(backend, cout, groups);
      const cells = strategies.map(
        ([s, lower], i) =>
          `${lower === chosen ? '*' : ' '}${s} ${ms[i + 1].toFixed(2)} ms ${gflops(flops, ms[i + 1]).toFixed(1)} (${(ms[i + 1] / ms[1]).toFixed(2)}×${exact[i] === 0 ? '' : `, maxdiff ${exact[i].toExponential(1)}`})`,
      );
      console.log(`  ${name.padEnd(26)} dense ${ms[0].toFixed(2)} ms ${gflops(flops * groups, ms[0]).toFixed(1)} |${cells.join(' |')}`);
      caches.forEach((c) => c.release());
      [x, w, dense, ref].forEach((t) => t.dispose());
    }
  }
}

const threadShapes: [string, number, number, number, number][] = [
  // name, Cin, H, Cout, k
  ['dense 256→256 k3 28²', 256, 28, 256, 3],
  ['dense 64→64 k3 56²', 64, 56, 64, 3],
  ['tiny 16→16 k3 8²', 16, 8, 16, 3],
];

/** In a child process: start wasm on `threads` threads, print init ms, RSS and each shape's median. */
async function threadChild(threads: number, reps: number): Promise<void> {
  const t0 = performance.now();
  torch.set_num_threads(threads);
  await torch.set_backend('wasm');
  const init = performance.now() - t0;
  const medians: number[] = [];
  for (const [, cin, h, cout, k] of threadShapes) {
    const x = tf.randomUniform([1, h, h, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomUniform([k, k, cin, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
    [medians[medians.length]] = await paired([() => tf.conv2d(x, w, 1, 'same')], reps);
    tf.dispose([x, w]);
  }
  const x = tf.randomUniform([1, 28, 28, 256], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, 256, 256], 0, 1, 'float32', 2) as tf.Tensor4D;
  const sum = Array.from(tf.tidy(() => tf.conv2d(x, w, 1, 'same')).dataSync().slice(0, 64));
  console.log(JSON.stringify({ threads: torch.get_num_threads(), init, rss: process.memoryUsage().rss, medians, sum }));
}

function threadRuns(runs: number, reps: number): void {
  console.log(`\nwasm threads: ${runs} child processes alternating 1 and 2 threads, ${reps} calls each`);
  const results = new Map<number, { init: number[]; rss: number[]; medians: number[][]; sum: number[] }>();
  for (let r = 0; r < runs; r++) {
    for (const threads of [1, 2]) {
      const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--thread-child', String(threads), '--reps', String(reps)], { encoding: 'utf8' });
      const line = JSON.parse(out.trim().split('\n').at(-1)!);
      if (line.threads !== threads) throw new Error(`asked for ${threads} threads, the backend runs ${line.threads}`);
      const acc = results.get(threads) ?? { init: [] as number[], rss: [] as number[], medians: threadShapes.map(() => [] as number[]), sum: line.sum as number[] };
      acc.init.push(line.init);
      acc.rss.push(line.rss);
      line.medians.forEach((m: number, i: number) => acc.medians[i].push(m));
      results.set(threads, acc);
    }
  }
  const [one, two] = [results.get(1)!, results.get(2)!];
  console.log(`  init ms (median of runs): 1 thread ${median(one.init).toFixed(0)}, 2 threads ${median(two.init).toFixed(0)}`);
  console.log(`  resident MiB: 1 thread ${(median(one.rss) / 2 ** 20).toFixed(0)}, 2 threads ${(median(two.rss) / 2 ** 20).toFixed(0)}`);
  console.log(`  first 64 outputs of the 256→256 conv bitwise equal: ${one.sum.every((v, i) => Object.is(v, two.sum[i]))}`);
  threadShapes.forEach(([name, cin, h, cout, k], i) => {
    const flops = 2 * h * h * cout * cin * k * k;
    const [a, b] = [median(one.medians[i]), median(two.medians[i])];
    console.log(`  ${name.padEnd(22)} 1 thread ${a.toFixed(2)} ms ${gflops(flops, a).toFixed(1)} GFLOP/s, 2 threads ${b.toFixed(2)} ms ${gflops(flops, b).toFixed(1)} GFLOP/s (${(a / b).toFixed(2)}× faster)`);
  });
}

(async () => {
  const reps = arg('--reps', 25);
  if (process.argv.includes('--thread-child')) return threadChild(arg('--thread-child', 1), reps);
  console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`);
  const i = process.argv.indexOf('--backends');
  await lowerings(reps, (i < 0 ? 'wasm,cpu' : process.argv[i + 1]).split(',').filter((b) => b === 'wasm' || b === 'cpu'));
  threadRuns(arg('--thread-runs', 4), reps);
})();
