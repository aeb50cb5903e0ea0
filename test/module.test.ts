import { memory, type Tensor } from '@tensorflow/tfjs-core';
import { F, nn, RuntimeError, torch } from '../src';
import { BACKENDS, expectClose, loadFixture, tensorFrom, thrown } from './helpers';

/** The Python classes of gen_module.py, ported as a user would port them. */
class TwoConvs extends nn.Module {
  conv_a = new nn.Conv2d(3, 4, 3, { padding: 1 });
  conv_b = new nn.Conv2d(4, 2, 1, { bias: false });

  forward(x: Tensor): Tensor {
    return this.conv_b(this.conv_a(x));
  }
}

class Nested extends nn.Module {
  stem = new nn.Conv2d(2, 3, 1);
  body = new TwoConvs();
  shared = this.stem;

  forward(x: Tensor): Tensor {
    return this.body(this.stem(x));
  }
}

const fixture = loadFixture<{
  two_convs: {
    repr: string;
    state_dict: [string, number[]][];
    state: Record<string, number[]>;
    input_shape: number[];
    input: number[];
    output_shape: number[];
    output: number[];
    named_parameters: string[];
    named_children: string[];
    named_modules: [string, string][];
  };
  nested: { repr: string; state_dict: [string, number[]][]; named_parameters: string[]; named_modules: [string, string][]; children: string[]; parameters_count: number };
  load_errors: Record<string, string>;
  creation_errors: { fn: 'rand' | 'randn' | 'zeros' | 'ones'; args: number[]; type: string; message: string }[];
  self_load_unchanged: boolean;
  non_strict: { missing_keys: string[]; unexpected_keys: string[]; repr: string };
  all_matched_repr: string;
  training: { initial: boolean; after_eval: boolean; after_train: boolean };
}>('module.json');

const keysAndShapes = (m: nn.Module) => Object.entries(m.state_dict()).map(([k, v]) => [k, v.shape]);

beforeAll(() => torch.set_backend('cpu'));

describe('a user-defined module', () => {
  it('registers children and parameters in assignment order', () => {
    const m = new TwoConvs();
    expect(String(m)).toBe(fixture.two_convs.repr);
    expect(keysAndShapes(m)).toEqual(fixture.two_convs.state_dict);
    expect([...m.named_parameters()].map(([k]) => k)).toEqual(fixture.two_convs.named_parameters);
    expect([...m.named_children()].map(([k]) => k)).toEqual(fixture.two_convs.named_children);
    expect([...m.named_modules()].map(([k, v]) => [k, v.constructor.name])).toEqual(fixture.two_convs.named_modules);
    m.dispose();
  });

  it('lists a shared child once in modules() and parameters() but under both names in state_dict()', () => {
    const m = new Nested();
    expect(String(m)).toBe(fixture.nested.repr);
    expect(keysAndShapes(m)).toEqual(fixture.nested.state_dict);
    expect([...m.named_parameters()].map(([k]) => k)).toEqual(fixture.nested.named_parameters);
    expect([...m.named_modules()].map(([k, v]) => [k, v.constructor.name])).toEqual(fixture.nested.named_modules);
    expect([...m.children()].map((c) => c.constructor.name)).toEqual(fixture.nested.children);
    expect([...m.parameters()].length).toBe(fixture.nested.parameters_count);
    m.dispose();
  });

  it('prints through console.log as PyTorch prints it', () => {
    const m = new TwoConvs();
    const { inspect } = require('util') as typeof import('util');
    expect(inspect(m)).toBe(fixture.two_convs.repr);
    m.dispose();
  });
});

describe.each(BACKENDS)('load_state_dict then forward on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it('reproduces PyTorch\'s output with PyTorch\'s weights', () => {
    const m = new TwoConvs();
    const shapes = Object.fromEntries(fixture.two_convs.state_dict);
    const sd = Object.fromEntries(Object.entries(fixture.two_convs.state).map(([k, v]) => [k, tensorFrom(v, shapes[k])]));
    expect(String(m.load_state_dict(sd))).toBe(fixture.all_matched_repr);
    const x = tensorFrom(fixture.two_convs.input, fixture.two_convs.input_shape);
    const y = m(x);
    expectClose(y, fixture.two_convs.output_shape, fixture.two_convs.output);
    [x, y, ...Object.values(sd)].forEach((t) => t.dispose());
    m.dispose();
  });
});

describe('load_state_dict errors', () => {
  const conv = () => new nn.Conv2d(3, 4, 3);
  const cases: [string, () => nn.Module, () => Record<string, Tensor>][] = [
    ['missing_bias', conv, () => ({ weight: torch.zeros(4, 3, 3, 3) })],
    ['unexpected_key', conv, () => ({ weight: torch.zeros(4, 3, 3, 3), bias: torch.zeros(4), extra: torch.zeros(1) })],
    ['missing_and_unexpected', conv, () => ({ weight: torch.zeros(4, 3, 3, 3), running_mean: torch.zeros(4) })],
    ['shape_mismatch', conv, () => ({ weight: torch.zeros(4, 3, 5, 5), bias: torch.zeros(4) })],
    ['shape_mismatch_and_missing', conv, () => ({ weight: torch.zeros(4, 3, 5, 5) })],
    ['nested_missing', () => new TwoConvs(), () => ({ 'conv_a.weight': torch.zeros(4, 3, 3, 3), 'conv_a.bias': torch.zeros(4) })],
    [
      'nested_unexpected',
      () => new TwoConvs(),
      () => ({
        'conv_a.weight': torch.zeros(4, 3, 3, 3),
        'conv_a.bias': torch.zeros(4),
        'conv_b.weight': torch.zeros(2, 4, 1, 1),
        'conv_b.bias': torch.zeros(2),
        'conv_c.weight': torch.zeros(1),
      }),
    ],
  ];

  it.each(cases)('%s', (id, make, state) => {
    const m = make();
    const sd = state();
    const before = memory().numTensors;
    const error = thrown(() => m.load_state_dict(sd));
    expect(error).toEqual({ type: 'RuntimeError', message: fixture.load_errors[id] });
    expect(memory().numTensors).toBe(before);
    Object.values(sd).forEach((t) => t.dispose());
    m.dispose();
  });

  it('copies what matches even when it raises, as PyTorch does', () => {
    const m = conv();
    const sd = { weight: torch.ones(4, 3, 3, 3) };
    expect(() => m.load_state_dict(sd)).toThrow(RuntimeError);
    expect(Array.from(new Set(m.weight.dataSync()))).toEqual([1]);
    sd.weight.dispose();
    m.dispose();
  });

  it('reports missing and unexpected keys without raising when strict is false', () => {
    const m = conv();
    const sd = { weight: torch.zeros(4, 3, 3, 3), extra: torch.zeros(1) };
    const result = m.load_state_dict(sd, false);
    expect([result.missing_keys, result.unexpected_keys]).toEqual([fixture.non_strict.missing_keys, fixture.non_strict.unexpected_keys]);
    expect(String(result)).toBe(fixture.non_strict.repr);
    Object.values(sd).forEach((t) => t.dispose());
    m.dispose();
  });
});

describe('train and eval', () => {
  it('switch training on the module and every descendant', () => {
    const m = new Nested();
    expect(m.training).toBe(fixture.training.initial);
    m.eval();
    expect([...m.modules()].map((c) => c.training)).toEqual([...m.modules()].map(() => fixture.training.after_eval));
    m.train();
    expect([...m.modules()].map((c) => c.training)).toEqual([...m.modules()].map(() => fixture.training.after_train));
    m.dispose();
  });
});

describe('tensor creation errors', () => {
  it.each(fixture.creation_errors.map((c) => [`${c.fn}(${c.args.join(', ')})`, c] as const))('%s', (_, c) => {
    expect(thrown(() => torch[c.fn](...c.args))).toEqual({ type: c.type, message: c.message });
  });
});

describe('loading a module\'s own state_dict', () => {
  it('leaves its parameters intact, as in PyTorch', () => {
    const m = new nn.Conv2d(3, 4, 3);
    const before = Object.values(m.state_dict()).map((t) => Array.from(t.dataSync()));
    m.load_state_dict(m.state_dict());
    const after = Object.values(m.state_dict()).map((t) => Array.from(t.dataSync()));
    expect(after.every((v, i) => v.every((x, j) => x === before[i][j]))).toBe(fixture.self_load_unchanged);
    m.dispose();
  });
});

describe('subclassed layers', () => {
  /** A Conv2d with a ReLU in its own forward: inside a chain that forward must still run. */
  class ConvRelu extends nn.Conv2d {
    override forward(x: Tensor): Tensor {
      return F.relu(super.forward(x));
    }
  }

  it('run their own forward inside a Sequential', () => {
    torch.manual_seed(0);
    const inner = new ConvRelu(2, 2, 1);
    const seq = new nn.Sequential(inner);
    const x = torch.randn(1, 2, 3, 3);
    const [alone, chained] = [inner.call(x), seq(x)];
    expect(Array.from(chained.dataSync())).toEqual(Array.from(alone.dataSync()));
    expect(Math.min(...chained.dataSync())).toBeGreaterThanOrEqual(0);
    [x, alone, chained].forEach((t) => t.dispose());
    seq.dispose();
  });
});
