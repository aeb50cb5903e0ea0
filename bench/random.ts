/**
 * `npx tsx bench/random.ts`: the cost of PyTorch-exact random generation — median nanoseconds per
 * element of `torch.rand`, `torch.randn` and the `nn.init` fills on a large tensor, and the
 * full-size build time of the torchvision models whose construction is dominated by drawing
 * their initial weights.
 *
 *   npx tsx bench/random.ts                          # print, with a saved baseline's numbers beside
 *   npx tsx bench/random.ts --save FILE              # also write this run's numbers to FILE
 *   npx tsx bench/random.ts --baseline FILE          # compare with FILE (default bench/random_baseline.json)
 *   npx tsx bench/random.ts --no-models              # element rates only
 *   npx tsx bench/random.ts --backend cpu
 *
 * A baseline is the same script's output at an earlier commit, on the same machine; the ratio is
 * baseline / now. bench/random_baseline.json is the run at commit 831694b (before the generator
 * wrote its words straight into the output and the normal and erfinv kernels were restructured). Times are process CPU time (the machine is shared); model builds are timed
 * once each (they take seconds).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { nn, torch, torchvision } from '../src';

interface Results {
  machine: string;
  backend: string;
  /** Median ns per element, by case. */
  perElement: Record<string, number>;
  /** CPU seconds to build each model after manual_seed(0). */
  builds: Record<string, number>;
}

const N = 1 << 20;
const REPEATS = 9;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * Process CPU time in ns. The machine is shared: wall time mostly measures the other processes,
 * CPU time (user + system, this process's threads) much less so.
 */
function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/** Median over REPEATS runs (after one warm-up) of `run`'s CPU time per element, in ns. */
function perElement(run: () => void, n: number): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = cpuNs();
    run();
    times.push((cpuNs() - t0) / n);
  }
  return median(times);
}

/** A parameter of `shape` (1M elements) that the nn.init cases fill in place. */
function weight(): Variable {
  return new nn.Parameter(torch.zeros([256, 256, 4, 4]));
}

function elementCases(): [string, () => void][] {
  const w = weight();
  const drop = (t: Tensor) => t.dispose();
  return [
    ['torch.rand([1048576])', () => drop(torch.rand([N]))],
    ['torch.randn([1048576])', () => drop(torch.randn([N]))],
    ['torch.randn([15]) x 69905 (the double path)', () => {
      for (let i = 0; i < Math.floor(N / 15); i++) drop(torch.randn([15]));
    }],
    ['nn.init.uniform_(w, -0.1, 0.1)', () => void nn.init.uniform_(w, -0.1, 0.1)],
    ['nn.init.normal_(w, 0, 0.01)', () => void nn.init.normal_(w, 0, 0.01)],
    ['nn.init.kaiming_uniform_(w, a=sqrt(5))', () => void nn.init.kaiming_uniform_(w, { a: Math.sqrt(5) })],
    ['nn.init.kaiming_normal_(w, mode=fan_out)', () => void nn.init.kaiming_normal_(w, { mode: 'fan_out', nonlinearity: 'relu' })],
    ['nn.init.trunc_normal_(w, std=0.1, a=-2, b=2)', () => void nn.init.trunc_normal_(w, { std: 0.1, a: -2, b: 2 })],
  ];
}

const MODELS = ['vgg16', 'inception_v3'];

function buildSeconds(name: string): number {
  torch.manual_seed(0);
  const t0 = cpuNs();
  const m = torchvision.models.get_model(name) as nn.Module;
  const seconds = (cpuNs() - t0) / 1e9;
  m.dispose();
  return seconds;
}

function ratio(before: number | undefined, now: number): string {
  return before === undefined ? '' : `${before.toFixed(1).padStart(9)} → ${now.toFixed(1).padStart(7)}   ${(before / now).toFixed(1)}×`;
}

async function main(): Promise<void> {
  const { values: opts } = parseArgs({
    options: {
      save: { type: 'string' },
      baseline: { type: 'string', default: path.join(__dirname, 'random_baseline.json') },
      'no-models': { type: 'boolean', default: false },
      backend: { type: 'string' },
    },
  });
  await torch.ready();
  if (opts.backend !== undefined) torch.set_backend(opts.backend as 'cpu' | 'wasm');
  const base: Results | undefined = fs.existsSync(opts.baseline) ? JSON.parse(fs.readFileSync(opts.baseline, 'utf8')) : undefined;
  const results: Results = { machine: `${process.arch} ${require('os').cpus()[0]?.model ?? ''}`.trim(), backend: torch.get_backend(), perElement: {}, builds: {} };
  console.log(`backend ${results.backend}; ${results.machine}${base ? `; baseline ${opts.baseline} (${base.backend})` : ''}`);
  console.log(`\nmedian CPU ns per element, ${N} elements, ${REPEATS} runs${base ? '                 before →   after   ratio' : ''}`);
  torch.manual_seed(0);
  for (const [label, run] of elementCases()) {
    const ns = perElement(run, N);
    results.perElement[label] = ns;
    console.log(`  ${label.padEnd(46)} ${base ? ratio(base.perElement[label], ns) : ns.toFixed(1)}`);
  }
  if (!opts['no-models']) {
    console.log(`\nfull-size build after manual_seed(0), CPU seconds${base ? '                 before →   after   ratio' : ''}`);
    for (const name of MODELS) {
      const s = buildSeconds(name);
      results.builds[name] = s;
      console.log(`  torchvision.models.${name}()`.padEnd(48) + ` ${base ? ratio(base.builds[name], s) : s.toFixed(2)}`);
    }
  }
  if (opts.save !== undefined) fs.writeFileSync(opts.save, JSON.stringify(results, null, 2) + '\n');
}

main();
