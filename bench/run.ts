/**
 * `npm run bench`: median forward time of our modules (NCHW in, NCHW out, read back) against the
 * same computation written directly with tfjs NHWC ops on the same backend, onnxruntime-node
 * (1 thread) and PyTorch, when those are on the machine. Ratios are per shape, from this run.
 * Writes BENCHMARKS.md.
 *
 *   npm run bench                      # wasm
 *   npm run bench -- --backend cpu
 *   npm install --no-save --ignore-scripts onnxruntime-node   # to include onnxruntime
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';

interface Shape {
  name: string;
  kind: 'conv' | 'blocks';
  n: number;
  cin: number;
  cout: number;
  k: number;
  size: number;
  padding: number;
  groups: number;
  blocks?: number;
}
type Timed = () => Promise<void>;

const shapes: Shape[] = JSON.parse(fs.readFileSync(path.join(__dirname, 'shapes.json'), 'utf8'));

async function medianMs(fn: Timed, minReps = 10, budgetMs = 1000): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start < budgetMs && times.length < 200)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * Medians of two computations timed alternately, call for call, so that a noisy neighbour on a
 * shared machine slows both alike and their ratio stays meaningful.
 */
async function medianPairMs(a: Timed, b: Timed, minReps = 15, budgetMs = 2000): Promise<[number, number]> {
  for (let i = 0; i < 3; i++) {
    await a();
    await b();
  }
  const [ta, tb]: number[][] = [[], []];
  const start = performance.now();
  while (ta.length < minReps || (performance.now() - start < budgetMs && ta.length < 3000)) {
    for (const [fn, times] of [[a, ta], [b, tb]] as const) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
  }
  return [median(ta), median(tb)];
}

function median(times: number[]): number {
  const sorted = [...times].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `forward` and reads the result back, disposing it: one timed call. */
const timed = (forward: () => tf.Tensor): Timed => async () => {
  const y = forward();
  await y.data();
  y.dispose();
};

const block = (c: number) =>
  new nn.Sequential(new nn.Conv2d(c, c, 3, { padding: 1, groups: c }), new nn.Conv2d(c, c, 1), new nn.BatchNorm2d(c), new nn.ReLU());

function ourModel(s: Shape): nn.Module {
  if (s.kind === 'blocks') return new nn.Sequential(...Array.from({ length: s.blocks! }, () => block(s.cin))).eval();
  return new nn.Conv2d(s.cin, s.cout, s.k, { padding: s.padding, groups: s.groups }).eval();
}

/**
 * The same computation as a tfjs user writes it: NHWC throughout, weights converted once.
 * Returns the forward and a function freeing what it keeps.
 */
function rawTfjs(s: Shape, model: nn.Module): [() => tf.Tensor, () => void] {
  const kept: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    kept.push(t);
    return tf.keep(t);
  };
  // The shapes pad 0 or (k−1)/2 at stride 1, which tfjs calls 'valid' and 'same'.
  const pad = (p: number) => (p === 0 ? 'valid' : 'same');
  const conv = (m: nn.Conv2d): ((x: tf.Tensor4D) => tf.Tensor4D) => {
    const hwio = keep(tf.transpose(m.weight, [2, 3, 1, 0])) as tf.Tensor4D;
    const bias = m.bias!;
    const p = pad((m.padding as number[])[0]);
    if (m.groups === 1) return (x) => tf.fused.conv2d({ x, filter: hwio, strides: 1, pad: p, bias });
    if (m.groups === m.in_channels) {
      const filter = keep(tf.transpose(m.weight, [2, 3, 0, 1])) as tf.Tensor4D;
      return (x) => tf.fused.depthwiseConv2d({ x, filter, strides: 1, pad: p, bias });
    }
    const ws = tf.split(hwio, m.groups, 3).map((w) => keep(w));
    return (x) => tf.add(tf.concat(tf.split(x, m.groups, 3).map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ws[i] as tf.Tensor4D, 1, p)), 3), bias) as tf.Tensor4D;
  };
  const layers: ((x: tf.Tensor4D) => tf.Tensor4D)[] = [];
  const visit = (m: nn.Module) => {
    if (m instanceof nn.Conv2d) layers.push(conv(m));
    else if (m instanceof nn.BatchNorm2d) layers.push((x) => tf.batchNorm4d(x, m.running_mean as tf.Tensor1D, m.running_var as tf.Tensor1D, m.bias as tf.Tensor1D, m.weight as tf.Tensor1D, m.eps));
    else if (m instanceof nn.ReLU) layers.push((x) => tf.relu(x));
    else for (const c of m.children()) visit(c);
  };
  visit(model);
  const x = keep(tf.randomUniform([s.n, s.size, s.size, s.cin])) as tf.Tensor4D;
  return [() => tf.tidy(() => layers.reduce((h, f) => f(h), x)), () => kept.forEach((t) => t.dispose())];
}

function pytorch(outDir: string): { threads: number; version: string; medians: Record<string, number> } | null {
  if (!fs.existsSync('/usr/bin/python3')) return null;
  try {
    return JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, 'torch_bench.py'), outDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return null;
  }
}

async function onnxruntime(outDir: string): Promise<Record<string, number> | null> {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = require('onnxruntime-node');
  } catch {
    return null;
  }
  const medians: Record<string, number> = {};
  for (const [i, s] of shapes.entries()) {
    const file = path.join(outDir, `${i}.onnx`);
    if (!fs.existsSync(file)) return null;
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const x = new ort.Tensor('float32', Float32Array.from({ length: s.n * s.cin * s.size * s.size }, Math.random), [s.n, s.cin, s.size, s.size]);
    medians[s.name] = await medianMs(async () => {
      const out = await session.run({ x });
      void out.y.data;
    });
    await session.release();
  }
  return medians;
}

const geomean = (v: number[]) => Math.exp(v.reduce((a, b) => a + Math.log(b), 0) / v.length);
const fmt = (v: number | undefined, digits = 3) => (v === undefined ? '—' : v.toFixed(digits));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' } } });
  await torch.set_backend(values.backend as torch.BackendName);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-torch-bench-'));
  const torchResults = pytorch(outDir);
  const ortResults = await onnxruntime(outDir);

  const rows: { s: Shape; ours: number; raw: number; ort?: number; pt?: number }[] = [];
  for (const s of shapes) {
    torch.manual_seed(0);
    const model = ourModel(s);
    const x = torch.rand(s.n, s.cin, s.size, s.size);
    const [raw, freeRaw] = rawTfjs(s, model);
    const [ours, rawMs] = await medianPairMs(timed(() => model(x)), timed(raw));
    freeRaw();
    rows.push({ s, ours, raw: rawMs, ort: ortResults?.[s.name], pt: torchResults?.medians[s.name] });
    console.log(`${s.name}: ours ${ours.toFixed(3)} ms, raw tfjs ${rawMs.toFixed(3)} ms`);
    x.dispose();
    model.dispose();
  }

  const singles = rows.filter((r) => r.s.kind === 'conv');
  const ratio = (sel: (r: (typeof rows)[number]) => number | undefined, set = rows) => {
    const v = set.filter((r) => sel(r) !== undefined).map((r) => r.ours / sel(r)!);
    return v.length ? geomean(v) : undefined;
  };
  const rawRatio = (sel: (r: (typeof rows)[number]) => number | undefined) => {
    const v = rows.filter((r) => sel(r) !== undefined).map((r) => r.raw / sel(r)!);
    return v.length ? geomean(v) : undefined;
  };
  const tiny = rows.find((r) => r.s.name.startsWith('article depthwise'))!;
  const macs = (s: Shape) => s.n * s.cout * s.size * s.size * (s.cin / s.groups) * s.k * s.k;
  const gflops = (name: string) => {
    const r = rows.find((q) => q.s.name === name)!;
    return macs(r.s) / r.ours / 1e6;
  };
  const cpu = os.cpus()[0];
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${cpu.model}, ${os.cpus().length} cores, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Backend: **${torch.get_backend()}** ` +
      `(tfjs ${tf.version_core}${values.backend === 'wasm' ? `, threads: ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'on' : 'off'}` : ''}).`,
    torchResults ? `PyTorch ${torchResults.version} (Debian), ${torchResults.threads} thread(s).` : 'PyTorch: not on this machine.',
    ortResults ? 'onnxruntime-node: 1 intra-op thread, models exported by torch.onnx.export.' : 'onnxruntime-node: not installed.',
    '',
    'Median milliseconds of one forward, result read back; ours and raw tfjs timed alternately, call for call. Ratios: ours ÷ theirs, same run (lower is better for us).',
    '',
    '| shape | ours | raw tfjs NHWC | ours/raw | onnxruntime | ours/ort | PyTorch | ours/PyTorch |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.s.name} | ${fmt(r.ours)} | ${fmt(r.raw)} | ${fmt(r.ours / r.raw, 2)} | ${fmt(r.ort)} | ${r.ort ? fmt(r.ours / r.ort, 2) : '—'} | ${fmt(r.pt)} | ${r.pt ? fmt(r.ours / r.pt, 2) : '—'} |`,
    ),
    '',
    `- single layers, geomean ours/raw tfjs: ${fmt(ratio((r) => r.raw, singles), 2)}×`,
    `- chain (3 separable blocks), ours/raw tfjs: ${fmt(ratio((r) => r.raw, rows.filter((r) => r.s.kind === 'blocks')), 2)}×`,
    `- per-call overhead on the article depthwise shape: ${((tiny.ours - tiny.raw) * 1000).toFixed(0)} µs (ours ${fmt(tiny.ours)} ms, raw ${fmt(tiny.raw)} ms)`,
    `- geomean ours/onnxruntime: ${fmt(ratio((r) => r.ort), 2)}×; geomean ours/PyTorch: ${fmt(ratio((r) => r.pt), 2)}×`,
    `- the backend's own bound, raw tfjs ÷ theirs: onnxruntime ${fmt(rawRatio((r) => r.ort), 2)}×, PyTorch ${fmt(rawRatio((r) => r.pt), 2)}×`,
    `- GFLOP/s (2 × multiply-adds): dense 256→256 ${fmt(2 * gflops('dense 256→256 k3, 28²'), 1)}, g8 ${fmt(2 * gflops('grouped 256→256 k3 g8, 28²'), 1)}, g32 ${fmt(2 * gflops('grouped 256→256 k3 g32, 28²'), 1)}`,
    '',
  ];
  fs.writeFileSync(path.join(__dirname, '..', 'BENCHMARKS.md'), lines.join('\n'));
  console.log(lines.join('\n'));
  fs.rmSync(outDir, { recursive: true, force: true });
}

main();
