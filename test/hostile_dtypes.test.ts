import * as tf from '@tensorflow/tfjs-core';
import { F, nn, torch } from '../src';
import { BACKENDS, loadFixture } from './helpers';

/** A tensor as the generator made it: ones of a shape and dtype (running_mean: zeros). */
type Spec = [number[], 'float32' | 'int32' | 'bool'];
interface Case {
  id: string;
  op: 'F.conv2d' | 'F.pad' | 'F.batch_norm' | 'nn.Conv2d' | 'nn.BatchNorm2d';
  input: Spec;
  weight?: Spec | null;
  bias?: Spec | null;
  args?: { stride?: number; padding?: number | 'same'; dilation?: number; groups?: number };
  pad?: number[];
  mode?: 'constant' | 'reflect' | 'replicate' | 'circular';
  ctor?: { padding: number; padding_mode: 'zeros' | 'reflect'; bias: boolean };
  running_mean?: Spec | null;
  running_var?: Spec | null;
  training?: boolean;
  result?: { shape: number[]; dtype: string };
  error?: { type: string; message: string };
  after?: { running_mean: number[]; running_var: number[] | null; num_batches_tracked?: number } | null;
}
/** What test/fixtures/gen_hostile.py recorded from PyTorch 1.13 for int32 / bool / float32 mixtures. */
const CASES = loadFixture<{ dtypes: Case[] }>('hostile.json').dtypes;

const ones = (s: Spec | null | undefined): tf.Tensor | null => (s == null ? null : tf.ones(s[0], s[1]));

/**
 * PyTorch's CPU kernel computes an int32 convolution; tfjs has only float32 convolutions, so
 * here it is a NotImplementedError that says so (a documented divergence).
 */
const INT_CONVOLUTIONS = ['conv_xint32_wint32_bNone', 'conv_xint32_wint32_bint32'];

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
      return { run: () => F.conv2d(x, w!, b, stride, padding, dilation, groups), after: () => undefined, dispose };
    }
    case 'F.pad':
      return { run: () => F.pad(x, c.pad!, c.mode), after: () => undefined, dispose };
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

/** What the call raised, or the shape and dtype of what it returned. */
function call(s: Setup): { type: string; message: string } | { shape: number[]; dtype: string } {
  try {
    const y = s.run();
    const result = { shape: y.shape, dtype: y.dtype };
    y.dispose();
    return result;
  } catch (e) {
    return { type: (e as Error).name, message: (e as Error).message };
  }
}

describe.each(BACKENDS)('int32 and bool tensors through convolution, padding and batch norm on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  const same = CASES.filter((c) => !INT_CONVOLUTIONS.includes(c.id));
  it.each(same.map((c) => [c.id, c] as const))('%s: as PyTorch, statistics untouched on failure, nothing leaked', (_id, c) => {
    const before = tf.memory().numTensors;
    const s = setup(c);
    const made = tf.memory().numTensors;
    expect(call(s)).toEqual(c.error ?? c.result);
    expect(tf.memory().numTensors).toBe(made);
    if (c.after !== undefined) expect(s.after()).toEqual(c.after);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(INT_CONVOLUTIONS)('%s: PyTorch computes it in int32, tfjs has no integer convolution', (id) => {
    const c = CASES.find((x) => x.id === id)!;
    expect(c.result?.dtype).toBe(c.input[1]);
    const s = setup(c);
    expect(call(s)).toEqual({
      type: 'NotImplementedError',
      message: "conv2d of int32 input and weight: PyTorch's CPU kernel computes it in int32 arithmetic, but tfjs convolves only float32 tensors; cast both to float32",
    });
    s.dispose();
  });
});
