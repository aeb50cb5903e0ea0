import * as tf from '@tensorflow/tfjs-core';
import { F, nn, torch } from '../src';
import { BACKENDS, loadFixture } from './helpers';

/**
 * A tensor as the generator made it (`ones_of`): ones of a shape and dtype (running_mean:
 * zeros), or filled by the third element: `arange` (0, 1, 2, ... in C order), `mod5` (that
 * modulo 5, minus 2), or a number.
 */
type Spec = [number[], 'float32' | 'int32' | 'bool', ('arange' | 'mod5' | number)?];
type PoolOp = 'F.max_pool2d' | 'F.avg_pool2d' | 'F.adaptive_avg_pool2d' | 'F.adaptive_max_pool2d';
interface Case {
  id: string;
  op: 'F.conv2d' | 'F.pad' | 'F.batch_norm' | 'nn.Conv2d' | 'nn.BatchNorm2d' | 'F.linear' | 'nn.Linear' | PoolOp;
  input: Spec;
  weight?: Spec | null;
  bias?: Spec | null;
  args?: { stride?: number; padding?: number | number[] | 'same'; dilation?: number; groups?: number; kernel_size?: number; output_size?: number };
  pad?: number[];
  mode?: 'constant' | 'reflect' | 'replicate' | 'circular';
  ctor?: { padding: number; padding_mode: 'zeros' | 'reflect'; bias: boolean };
  running_mean?: Spec | null;
  running_var?: Spec | null;
  training?: boolean;
  result?: { shape: number[]; dtype: string; values?: number[] };
  error?: { type: string; message: string };
  after?: { running_mean: number[]; running_var: number[] | null; num_batches_tracked?: number } | null;
}
/** What test/fixtures/gen_hostile.py recorded from PyTorch 1.13 for int32 / bool / float32 mixtures. */
const CASES = loadFixture<{ dtypes: Case[] }>('hostile.json').dtypes;

function ones(s: Spec | null | undefined): tf.Tensor | null {
  if (s == null) return null;
  const [shape, dtype, fill = 1] = s;
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (fill === 'arange' ? i : fill === 'mod5' ? (i % 5) - 2 : fill));
  return dtype === 'bool' ? tf.tensor(values.map((v) => v !== 0), shape, 'bool') : tf.tensor(values, shape, dtype);
}

interface Setup {
  run(): tf.Tensor;
  /** The running statistics after the call, as the generator read PyTorch's. */
  after(): Case['after'];
  dispose(): void;
}

const read = (t: tf.Tensor | null): number[] | null => (t === null ? null : Array.from(t.dataSync()));

/** The case's tensors and module, made before the call so that the call's own tensors can be counted. */
function setup(c: Case): Setup {
  const [x, w, b] = [ones(c.input)!, ones(c.weight), ones(c.bias)];
  const made: { dispose(): void }[] = [x, ...[w, b].filter((t): t is tf.Tensor => t !== null)];
  const dispose = () => made.forEach((t) => t.dispose());
  switch (c.op) {
    case 'F.conv2d': {
      const { stride = 1, padding = 0, dilation = 1, groups = 1 } = c.args ?? {};
      return { run: () => F.conv2d(x, w!, b, stride, padding as number, dilation, groups), after: () => undefined, dispose };
    }
    case 'F.pad':
      return { run: () => F.pad(x, c.pad!, c.mode), after: () => undefined, dispose };
    case 'F.max_pool2d':
    case 'F.avg_pool2d': {
      const { kernel_size, stride = null, padding = 0 } = c.args!;
      const options = { stride, padding: padding as number };
      const run = () => (c.op === 'F.max_pool2d' ? F.max_pool2d(x, kernel_size!, options) : F.avg_pool2d(x, kernel_size!, options));
      return { run, after: () => undefined, dispose };
    }
    case 'F.adaptive_avg_pool2d':
      return { run: () => F.adaptive_avg_pool2d(x, c.args!.output_size!), after: () => undefined, dispose };
    case 'F.adaptive_max_pool2d':
      return { run: () => F.adaptive_max_pool2d(x, c.args!.output_size!), after: () => undefined, dispose };
    case 'F.linear':
      return { run: () => F.linear(x, w!, b), after: () => undefined, dispose };
    case 'nn.Linear': {
      torch.manual_seed(0);
      const m = new nn.Linear(16, 3);
      made.push(m);
      return { run: () => m(x), after: () => undefined, dispose };
    }
    case 'nn.Conv2d': {
      torch.manual_seed(0);
      const m = new nn.Conv2d(4, 4, 3, c.ctor);
      made.push(m);
      return { run: () => m(x), after: () => undefined, dispose };
    }
    case 'nn.BatchNorm2d': {
      const m = new nn.BatchNorm2d(4);
      m.train(c.training);
      made.push(m);
      const after = () => ({ running_mean: read(m.running_mean)!, running_var: read(m.running_var), num_batches_tracked: read(m.num_batches_tracked)![0] });
      return { run: () => m(x), after, dispose };
    }
    case 'F.batch_norm': {
      // Variables: the statistics that training updates in place.
      const stat = (s: Spec | null | undefined, fill: typeof tf.zeros) => (s == null ? null : tf.tidy(() => tf.variable(fill(s[0], s[1]))));
      const [mean, variance] = [stat(c.running_mean, tf.zeros), stat(c.running_var, tf.ones)];
      made.push(...[mean, variance].filter((t): t is tf.Variable => t !== null));
      const after = () => (mean === null ? null : { running_mean: read(mean)!, running_var: read(variance) });
      return { run: () => F.batch_norm(x, mean, variance, w, b, c.training ?? false), after, dispose };
    }
  }
}

/** What the call raised, or the shape and dtype of what it returned, and its values when it is integer with at most 128. */
function call(s: Setup): { type: string; message: string } | { shape: number[]; dtype: string; values?: number[] } {
  try {
    const y = s.run();
    const values = y.dtype !== 'float32' && y.size <= 128 ? { values: Array.from(y.dataSync()) } : {};
    const result = { shape: y.shape, dtype: y.dtype, ...values };
    y.dispose();
    return result;
  } catch (e) {
    return { type: (e as Error).name, message: (e as Error).message };
  }
}

describe.each(BACKENDS)('int32 and bool tensors through convolution, padding, batch norm, pooling and linear layers on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(CASES.map((c) => [c.id, c] as const))('%s: as PyTorch, statistics untouched on failure, nothing leaked', (_id, c) => {
    const before = tf.memory().numTensors;
    const s = setup(c);
    const made = tf.memory().numTensors;
    expect(call(s)).toEqual(c.error ?? c.result);
    expect(tf.memory().numTensors).toBe(made);
    if (c.after !== undefined) expect(s.after()).toEqual(c.after);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
