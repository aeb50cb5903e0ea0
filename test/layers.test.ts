import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { F, nn, torch } from '../src';
import { BACKENDS, loadFixture, tensorFrom, thrown } from './helpers';

/** JSON has no NaN or infinities: the generator writes them as strings. */
type Num = number | 'nan' | 'inf' | '-inf';
interface InputSpec {
  shape: number[];
  seed?: number;
  dist?: 'rand' | 'randn';
  scale?: number;
  values?: Num[];
}
interface Forward {
  input: InputSpec;
  training: boolean;
  seed?: number;
  output_shape: number[];
  output: Num[];
  indices?: number[];
}
interface ModuleCase {
  id: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  seed: number;
  repr: string;
  state: [string, number[]][];
  params: Record<string, Num[]>;
  load?: Record<string, Num[]>;
  forwards: Forward[];
}
interface ErrorCase {
  id: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  input_shape: number[] | null;
  stage: 'ctor' | 'forward';
  type: string;
  message: string;
  /** A message our argument parser does not reproduce yet (see gen_layers.py): the test expects the difference. */
}
interface FunctionalCase {
  id: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  output_shape?: number[];
  output?: Num[];
  indices?: number[];
  type?: string;
  message?: string;
}
const fixture = loadFixture<{ modules: ModuleCase[]; errors: ErrorCase[]; functional: FunctionalCase[]; functional_errors: FunctionalCase[] }>('layers.json');

const decode = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

/** A fixture input: PyTorch's `torch.rand`/`torch.randn` after its seed (times its scale), or its values. */
function input(spec: InputSpec): Tensor {
  if (spec.values !== undefined) return tensorFrom(spec.values.map(decode), spec.shape);
  torch.manual_seed(spec.seed!);
  const x = spec.dist === 'rand' ? torch.rand(spec.shape) : torch.randn(spec.shape);
  if (spec.scale === undefined) return x;
  const y = tf.tidy(() => tf.mul(x, tf.scalar(spec.scale!)));
  x.dispose();
  return y;
}

/** Within float32 tolerance (|Δ| ≤ 1e-5 + 1e-4·|expected|); NaN and infinities exactly. */
function expectValues(actual: Tensor, shape: readonly number[], expected: readonly Num[]): void {
  expect(actual.shape).toEqual(shape);
  const got = actual.dataSync();
  const bad: string[] = [];
  expected.map(decode).forEach((e, i) => {
    const ok = Number.isFinite(e) ? Math.abs(got[i] - e) <= 1e-5 + 1e-4 * Math.abs(e) : Object.is(got[i], e) || (Number.isNaN(e) && Number.isNaN(got[i]));
    if (!ok) bad.push(`[${i}] ${got[i]} vs ${e}`);
  });
  expect(bad.slice(0, 5)).toEqual([]);
}

/** `new nn[name](...args, kwargs)`, as a user writes the Python call. */
function construct(name: string, args: readonly unknown[], kwargs: Record<string, unknown>): nn.Module {
  const Layer = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[name];
  return Object.keys(kwargs).length > 0 ? new Layer(...args, kwargs) : new Layer(...args);
}

/** A fixture's F call: `{tensor: spec}` arguments become tensors; returns them for disposal. */
function materialise(args: readonly unknown[], kwargs: Record<string, unknown>): [unknown[], Tensor[]] {
  const made: Tensor[] = [];
  const value = (v: unknown): unknown => {
    if (typeof v === 'object' && v !== null && 'tensor' in v) {
      const t = input((v as { tensor: InputSpec }).tensor);
      made.push(t);
      return t;
    }
    return v;
  };
  const positional = args.map(value);
  const keywords = Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k, value(v)]));
  return [Object.keys(kwargs).length > 0 ? [...positional, keywords] : positional, made];
}

const outputs = (y: unknown): Tensor[] => (Array.isArray(y) ? y : [y as Tensor]);
const dispose = (ts: unknown[]) => ts.forEach((t) => (t as Tensor).dispose());

describe('layers: repr, state_dict and initialisation after manual_seed match PyTorch', () => {
  beforeAll(() => torch.set_backend('cpu'));

  describe.each(fixture.modules.map((c) => [c.id, c] as const))('%s', (_, c) => {
    it('prints as PyTorch, with its state_dict keys and shapes', () => {
      const m = construct(c.name, c.args, c.kwargs);
      expect(String(m)).toBe(c.repr);
      expect(Object.entries(m.state_dict()).map(([k, t]) => [k, t.shape])).toEqual(c.state);
      m.dispose();
    });

    it('initialises bit for bit as PyTorch after manual_seed', () => {
      torch.manual_seed(c.seed);
      const m = construct(c.name, c.args, c.kwargs);
      const got = Object.fromEntries(Object.entries(m.state_dict()).map(([k, t]) => [k, Array.from(t.dataSync())]));
      expect(got).toEqual(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, v.map(decode)])));
      m.dispose();
    });
  });
});

describe.each(BACKENDS)('layers on %s match PyTorch', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(fixture.modules.map((c) => [c.id, c] as const))('%s', (_, c) => {
    it.each(c.forwards.map((f) => [`${f.training ? 'train' : 'eval'} on [${f.input.shape.join(', ')}]`, f] as const))('%s', (_, f) => {
      torch.manual_seed(c.seed);
      const m = construct(c.name, c.args, c.kwargs);
      if (c.load !== undefined) {
        const sd = Object.fromEntries(c.state.map(([k, shape]) => [k, tensorFrom(c.load![k].map(decode), shape)]));
        m.load_state_dict(sd);
        dispose(Object.values(sd));
      }
      m.train(f.training);
      const x = input(f.input);
      if (f.seed !== undefined) torch.manual_seed(f.seed);
      const y = m(x) as unknown;
      const [out, indices] = outputs(y);
      if (f.training && f.seed !== undefined) {
        // Dropout's mask is PyTorch's, and the scaling is one float32 multiply: bit for bit.
        expect(Array.from(out.dataSync())).toEqual(f.output.map(decode));
      } else {
        expectValues(out, f.output_shape, f.output);
      }
      expect(indices === undefined ? undefined : Array.from(indices.dataSync())).toEqual(f.indices);
      if (indices !== undefined) expect(indices.shape).toEqual(f.output_shape);
      dispose([x, ...outputs(y)]);
      m.dispose();
    });
  });

  describe.each(fixture.functional.map((c) => [c.id, c] as const))('%s', (_, c) => {
    it('matches PyTorch', () => {
      const [args, made] = materialise(c.args, c.kwargs);
      const y = (F as unknown as Record<string, (...a: unknown[]) => unknown>)[c.name](...args);
      const [out, indices] = outputs(y);
      expectValues(out, c.output_shape!, c.output!);
      expect(indices === undefined ? undefined : Array.from(indices.dataSync())).toEqual(c.indices);
      dispose([...made, ...outputs(y)]);
    });
  });
});

/**
 * The eval forwards of 4-D inputs with one output: what a layer computes inside a chain. Empty
 * inputs are left out: the chain's NCHW→NHWC conversion itself fails on them on wasm (tfjs's
 * wasm Transpose divides by zero), before any layer runs.
 */
const chainable = fixture.modules.flatMap((c) =>
  c.forwards.filter((f) => !f.training && f.input.shape.length === 4 && !f.input.shape.includes(0) && f.indices === undefined).map((f) => [`${c.id} on [${f.input.shape.join(', ')}]`, c, f] as const),
);
/** The layers that run channels-last inside a chain. */
const CHANNELS_LAST = new Set(['Identity', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'AdaptiveMaxPool2d', 'Dropout', 'Dropout2d', 'ReLU6', 'Hardswish', 'Hardsigmoid', 'SiLU', 'Sigmoid', 'Tanh', 'GELU', 'LeakyReLU', 'ELU', 'Mish', 'PReLU', 'Softmax', 'LogSoftmax', 'LocalResponseNorm']);

describe.each(BACKENDS)('layers inside a Sequential on %s (channels-last where they can) match PyTorch', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(chainable)('%s', (_, c, f) => {
    torch.manual_seed(c.seed);
    const m = construct(c.name, c.args, c.kwargs);
    if (c.load !== undefined) {
      const sd = Object.fromEntries(c.state.map(([k, shape]) => [k, tensorFrom(c.load![k].map(decode), shape)]));
      m.load_state_dict(sd);
      dispose(Object.values(sd));
    }
    const seq = new nn.Sequential(m).eval();
    expect((m as unknown as { runsChannelsLast(): boolean }).runsChannelsLast()).toBe(CHANNELS_LAST.has(c.name) && !c.kwargs.return_indices && c.args[4] !== true);
    const x = input(f.input);
    const y = seq(x);
    expectValues(y, f.output_shape, f.output);
    dispose([x, y]);
    seq.dispose();
  });
});

describe.each(BACKENDS)('no tensor leaks on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(fixture.modules.map((c) => [c.id, c] as const))('%s: repeated forwards leave the tensor count unchanged, dispose() frees the rest', (_, c) => {
    const start = tf.memory().numTensors;
    const m = construct(c.name, c.args, c.kwargs);
    for (const f of c.forwards) {
      m.train(f.training);
      const x = input(f.input);
      // A layer keeps what it derives from its weights once (Linear's transposed weight);
      // dispose() below must free it.
      dispose(outputs(m(x)));
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) dispose(outputs(m(x)));
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    }
    m.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('layer errors are PyTorch\'s: class and message', () => {
  beforeAll(() => torch.set_backend('cpu'));

  const raised = (c: ErrorCase) => {
    if (c.stage === 'ctor') {
      expect(thrown(() => construct(c.name, c.args, c.kwargs))).toEqual({ type: c.type, message: c.message });
      return;
    }
    const m = construct(c.name, c.args, c.kwargs);
    const x = torch.rand(c.input_shape!);
    try {
      const before = tf.memory().numTensors;
      expect(thrown(() => m(x))).toEqual({ type: c.type, message: c.message });
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      x.dispose();
      m.dispose();
    }
  };
  it.each(fixture.errors.map((c) => [c.id, c] as const))('%s', (_, c) => raised(c));

  it.each(fixture.functional_errors.map((c) => [c.id, c] as const))('%s', (_, c) => {
    const [args, made] = materialise(c.args, c.kwargs);
    const before = tf.memory().numTensors;
    const fn = (F as unknown as Record<string, (...a: unknown[]) => unknown>)[c.name];
    expect(thrown(() => fn(...args))).toEqual({ type: c.type, message: c.message });
    expect(tf.memory().numTensors).toBe(before);
    dispose(made);
  });
});
