/**
 * `npm run bench`: median forward time of our modules (NCHW in, NCHW out, read back) against the
 * same computation written directly with tfjs NHWC ops on the same backend, onnxruntime-node
 * (1 thread) and PyTorch, when those are on the machine; then whole torchvision models at
 * 1×3×224×224 (eager, compiled, compiled on 2 threads) against the raw tfjs floors of
 * bench/floor/, onnxruntime and PyTorch (eager and TorchScript). Ratios are per row, from this
 * run. Writes BENCHMARKS.md after a full run.
 *
 *   npm run bench                      # wasm
 *   npm run bench -- --backend cpu
 *   npm run bench -- --models mobilenet_v2,resnet18 --no-shapes   # a part, printed only
 *   npm run bench -- --keep DIR        # PyTorch's side once into DIR, reused by later runs
 *   npm install --no-save --ignore-scripts onnxruntime-node   # to include onnxruntime
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import { nn, safetensors, torch, torchvision } from '../src';
import type { Floor, StateDict } from './floor/common';
import { mobilenetV2 } from './floor/mobilenet_v2';
import { resnet18, resnext50_32x4d } from './floor/resnet';
import { shufflenetV2 } from './floor/shufflenet_v2';

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

interface TorchResults {
  threads: number;
  version: string;
  medians: Record<string, number>;
  models: Record<string, { eager: number; script: number }>;
}

/** PyTorch's side (bench/torch_bench.py), which also writes the ONNX files and the models' weights into `outDir`. */
function pytorch(outDir: string): TorchResults | null {
  const saved = path.join(outDir, 'torch.json');
  if (fs.existsSync(saved)) return JSON.parse(fs.readFileSync(saved, 'utf8'));
  if (!fs.existsSync('/usr/bin/python3')) return null;
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'torch_bench.py'), outDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    fs.writeFileSync(saved, out);
    return JSON.parse(out);
  } catch {
    return null;
  }
}

/** Medians of onnxruntime-node (1 thread) on the ONNX files torch_bench.py exported, by name; null without the package or the files. */
async function onnxruntime(runs: { name: string; file: string; shape: number[] }[], minReps = 10, budgetMs = 1000): Promise<Record<string, number> | null> {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = require('onnxruntime-node');
  } catch {
    return null;
  }
  const medians: Record<string, number> = {};
  for (const { name, file, shape } of runs) {
    if (!fs.existsSync(file)) return null;
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const x = new ort.Tensor('float32', Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, Math.random), shape);
    medians[name] = await medianMs(
      async () => {
        const out = await session.run({ x });
        void out.y.data;
      },
      minReps,
      budgetMs,
    );
    await session.release();
  }
  return medians;
}

/** The whole models of the table, each with its raw tfjs floor. */
const MODELS: { name: string; label: string; floor: (sd: StateDict) => Floor }[] = [
  { name: 'mobilenet_v2', label: 'MobileNetV2', floor: mobilenetV2 },
  { name: 'resnet18', label: 'ResNet18', floor: resnet18 },
  { name: 'resnext50_32x4d', label: 'ResNeXt50 32x4d', floor: resnext50_32x4d },
  { name: 'shufflenet_v2_x1_0', label: 'ShuffleNetV2 x1.0', floor: shufflenetV2 },
];

/**
 * `torch.compile` and `torch.set_num_threads`, when this build has them: the table gets their
 * columns only then. The thread count is fixed when the backend starts, so the 2-thread column
 * comes from a child process of this script (`--threads 2`), which prints its rows as JSON.
 */
const optional = torch as unknown as { compile?: (model: nn.Module) => (x: tf.Tensor) => tf.Tensor; set_num_threads?: (n: number) => void };

interface ModelRow {
  label: string;
  eager: number;
  floor: number;
  compiled?: number;
  floorCompiled?: number;
  compiled2?: number;
  floor2?: number;
  ort?: number;
  ptEager?: number;
  ptScript?: number;
  /** Largest |ours − floor| over the largest |floor|, and |ours − PyTorch| over the largest |PyTorch|. */
  floorDiff: number;
  torchDiff: number;
}

/** max |a − b| ÷ max |b|. */
function relativeDiff(a: tf.Tensor, b: tf.Tensor): number {
  const [x, y] = [a.dataSync(), b.dataSync()];
  let diff = 0;
  let scale = 0;
  y.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(x[i] - v));
    scale = Math.max(scale, Math.abs(v));
  });
  return diff / scale;
}

/**
 * One model of the table: ours (torchvision's builder, PyTorch's state_dict loaded, eval) and its
 * floor, built from the same state_dict, timed pair by pair; each of our variants alternates
 * with the floor in the same conditions, so every ratio comes from one pairing. `compiledOnly`
 * times the compiled model alone (with its floor), for the run on more threads.
 */
async function benchModel(spec: (typeof MODELS)[number], outDir: string, torchResults: TorchResults | null, ortMs: number | undefined, compiledOnly = false): Promise<ModelRow> {
  const sd = safetensors.load_file(path.join(outDir, `model_${spec.name}.safetensors`));
  const io = safetensors.load_file(path.join(outDir, `model_${spec.name}_io.safetensors`));
  const model = torchvision.models.get_model(spec.name) as nn.Module;
  model.load_state_dict(sd);
  model.eval();
  const built = spec.floor(sd);
  // Our grad mode keeps tfjs's gradientDepth raised (see src/backend/autograd.ts), and tfjs's
  // fused ops do not fuse an activation under a gradient tape: the floor runs with grad mode
  // off, as in a process without this library.
  const floor = { forward: (t: tf.Tensor4D) => torch.no_grad(() => built.forward(t)), dispose: () => built.dispose() };
  const x = io.x;
  const xNhwc = tf.keep(tf.transpose(x, [0, 2, 3, 1])) as tf.Tensor4D;
  const ours = (model as unknown as (x: tf.Tensor) => tf.Tensor)(x);
  const raw = floor.forward(xNhwc);
  const row: ModelRow = { label: spec.label, eager: NaN, floor: NaN, floorDiff: relativeDiff(ours, raw), torchDiff: relativeDiff(ours, io.y), ort: ortMs };
  [ours, raw].forEach((t) => t.dispose());
  if (row.floorDiff > 1e-4) throw new Error(`${spec.label}: the floor's output differs from ours by ${row.floorDiff.toExponential(2)} (relative), not the same net`);
  const floorTimed = timed(() => floor.forward(xNhwc));
  const budget = { minReps: 7, budgetMs: 6000 };
  if (!compiledOnly) [row.eager, row.floor] = await medianPairMs(timed(() => (model as unknown as (x: tf.Tensor) => tf.Tensor)(x)), floorTimed, budget.minReps, budget.budgetMs);
  if (!compiledOnly) console.log(`${spec.label}: eager ${row.eager.toFixed(2)} ms, floor ${row.floor.toFixed(2)} ms (output ≤ ${row.floorDiff.toExponential(1)} from the floor's, ${row.torchDiff.toExponential(1)} from PyTorch's)`);
  if (optional.compile !== undefined) {
    const compiled = optional.compile(model);
    const diff = relativeDiff(compiled(x), io.y);
    if (diff > 1e-4) throw new Error(`${spec.label}: torch.compile's output differs from PyTorch's by ${diff.toExponential(2)} (relative)`);
    [row.compiled, row.floorCompiled] = await medianPairMs(timed(() => compiled(x)), floorTimed, budget.minReps, budget.budgetMs);
    console.log(`${spec.label}: compiled ${row.compiled.toFixed(2)} ms, floor ${row.floorCompiled.toFixed(2)} ms`);
  }
  row.ptEager = torchResults?.models[spec.name]?.eager;
  row.ptScript = torchResults?.models[spec.name]?.script;
  floor.dispose();
  model.dispose();
  xNhwc.dispose();
  [...Object.values(sd), ...Object.values(io)].forEach((t) => t.dispose());
  return row;
}

const geomean = (v: number[]) => Math.exp(v.reduce((a, b) => a + Math.log(b), 0) / v.length);
const fmt = (v: number | undefined, digits = 3) => (v === undefined ? '—' : v.toFixed(digits));

/** The compiled models' rows from a child process running the backend on `threads` threads. */
function threadedRows(models: typeof MODELS, outDir: string, threads: number): ModelRow[] {
  const args = [path.join(__dirname, 'run.ts'), '--threads', String(threads), '--keep', outDir, '--models', models.map((m) => m.name).join(',')];
  const out = execFileSync(process.execPath, [...process.execArgv, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  process.stdout.write(out.split('\n').filter((l) => !l.startsWith('ROWS ')).map((l) => (l ? `${threads} threads: ${l}\n` : '')).join(''));
  return JSON.parse(out.split('\n').find((l) => l.startsWith('ROWS '))!.slice(5));
}

const ratioCell = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '—' : fmt(a / b, 2));

/** The whole-model table's lines. */
function modelTable(rows: ModelRow[]): string[] {
  const compiled = rows.some((r) => r.compiled !== undefined);
  const threads = rows.some((r) => r.compiled2 !== undefined);
  const eagerRatios = rows.map((r) => r.eager / r.floor);
  return [
    '## Whole models, 1×3×224×224',
    '',
    'torchvision builders with PyTorch\'s state_dict loaded (BatchNorm statistics randomised, so that folding is exercised), eval mode, against ' +
      'the same net written with raw tfjs NHWC ops (bench/floor/: BatchNorm folded into the convolutions, bias and activation fused; the floor) ' +
      'built from the same state_dict; each floor\'s output matches ours within the relative difference shown. Each of our columns is timed alternately with the floor, ' +
      'call for call, and its ratio is to that pairing\'s floor median (the floor column is the eager pairing\'s). onnxruntime and PyTorch run in their own processes, ' +
      'on 1 thread; PyTorch "script" is `torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(m)))` (Debian\'s eager PyTorch sends 1×1 convolutions ' +
      'at batch 1 to a slow fallback, so eager alone misleads).',
    '',
    `| model | ours eager | ${compiled ? 'ours compiled | ' : ''}${threads ? 'compiled, 2 threads | ' : ''}raw tfjs floor | eager/floor | ${compiled ? 'compiled/floor | ' : ''}${threads ? '2 threads/floor | ' : ''}onnxruntime | floor/ort | PyTorch eager | PyTorch script | floor/script | ours vs floor, PyTorch |`,
    `| --- | ---: | ${compiled ? '---: | ' : ''}${threads ? '---: | ' : ''}---: | ---: | ${compiled ? '---: | ' : ''}${threads ? '---: | ' : ''}---: | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map(
      (r) =>
        `| ${r.label} | ${fmt(r.eager, 2)} | ${compiled ? `${fmt(r.compiled, 2)} | ` : ''}${threads ? `${fmt(r.compiled2, 2)} | ` : ''}${fmt(r.floor, 2)} | ${ratioCell(r.eager, r.floor)} | ` +
        `${compiled ? `${ratioCell(r.compiled, r.floorCompiled)} | ` : ''}${threads ? `${ratioCell(r.compiled2, r.floor2)} | ` : ''}${fmt(r.ort, 2)} | ${ratioCell(r.floor, r.ort)} | ` +
        `${fmt(r.ptEager, 1)} | ${fmt(r.ptScript, 2)} | ${ratioCell(r.floor, r.ptScript)} | ${r.floorDiff.toExponential(1)}, ${r.torchDiff.toExponential(1)} |`,
    ),
    '',
    `- geomean ours eager/floor: ${fmt(geomean(eagerRatios), 2)}×` +
      (compiled ? `; compiled/floor: ${fmt(geomean(rows.filter((r) => r.compiled !== undefined).map((r) => r.compiled! / r.floorCompiled!)), 2)}×` : '; torch.compile: not in this build') +
      (threads ? `; compiled on 2 threads/floor on 2 threads: ${fmt(geomean(rows.filter((r) => r.compiled2 !== undefined).map((r) => r.compiled2! / r.floor2!)), 2)}×` : compiled ? '; torch.set_num_threads: not in this build' : ''),
    '',
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'wasm' },
      models: { type: 'string' },
      'no-shapes': { type: 'boolean' },
      keep: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  const models = values.models === undefined ? MODELS : MODELS.filter((m) => values.models!.split(',').includes(m.name));
  if (values.threads !== undefined) {
    // The child of threadedRows: the compiled models on more threads, printed as one JSON line.
    optional.set_num_threads!(Number(values.threads));
    await torch.set_backend(values.backend as torch.BackendName);
    const rows: ModelRow[] = [];
    for (const m of models) rows.push(await benchModel(m, values.keep!, null, undefined, true));
    console.log(`ROWS ${JSON.stringify(rows)}`);
    return;
  }
  await torch.set_backend(values.backend as torch.BackendName);
  const outDir = values.keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-torch-bench-'));
  fs.mkdirSync(outDir, { recursive: true });
  const torchResults = pytorch(outDir);
  const full = values.models === undefined && !values['no-shapes'];

  const rows: { s: Shape; ours: number; raw: number; ort?: number; pt?: number }[] = [];
  if (!values['no-shapes']) {
    const ortResults = await onnxruntime(shapes.map((s, i) => ({ name: s.name, file: path.join(outDir, `${i}.onnx`), shape: [s.n, s.cin, s.size, s.size] })));
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
  }

  const ortModels = await onnxruntime(
    models.map((m) => ({ name: m.name, file: path.join(outDir, `model_${m.name}.onnx`), shape: [1, 3, 224, 224] })),
    5,
    3000,
  );
  const modelRows: ModelRow[] = [];
  for (const m of models) modelRows.push(await benchModel(m, outDir, torchResults, ortModels?.[m.name]));
  if (optional.compile !== undefined && optional.set_num_threads !== undefined && values.backend === 'wasm') {
    const threaded = threadedRows(models, outDir, 2);
    modelRows.forEach((r, i) => {
      r.compiled2 = threaded[i].compiled;
      r.floor2 = threaded[i].floorCompiled;
    });
  }
  const table = modelTable(modelRows);
  if (!full) {
    console.log(table.join('\n'));
    if (values.keep === undefined) fs.rmSync(outDir, { recursive: true, force: true });
    return;
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
    ortModels ? 'onnxruntime-node: 1 intra-op thread, models exported by torch.onnx.export.' : 'onnxruntime-node: not installed.',
    '',
    ...table,
    '## Single layers',
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
  if (values.keep === undefined) fs.rmSync(outDir, { recursive: true, force: true });
}

main();
