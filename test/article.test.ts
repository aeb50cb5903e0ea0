import { memory } from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';
import { Stem } from './models';
import { BACKENDS, expectClose, loadFixture, tensorFrom, thrown } from './helpers';

type State = Record<string, { shape: number[]; values: number[] }>;
interface BnCase {
  id: string;
  kwargs: nn.BatchNorm2dOptions;
  shape: number[];
  repr: string;
  initial: State;
  steps: { mode: 'train' | 'eval'; input: number[]; output: number[]; state: State }[];
}
interface BnError {
  id: string;
  num_features: number;
  kwargs: nn.BatchNorm2dOptions;
  shape: number[];
  mode: 'train' | 'eval';
  error: { type: string; message: string };
  num_batches_tracked_before: number | null;
  num_batches_tracked_after: number | null;
}
interface ModuleRun {
  seed: number;
  repr: string;
  initial: State;
  input_shape: number[];
  input: number[];
  train_output_shape: number[];
  train_output: number[];
  state_after_train: State;
  eval_output: number[];
  named_modules: [string, string][];
  state_dict_keys: string[];
}
const fixture = loadFixture<{
  batchnorm: BnCase[];
  batchnorm_errors: BnError[];
  reprs: [string, string][];
  block: ModuleRun;
  block_batch: ModuleRun;
  stem: ModuleRun;
  sequential: {
    nested: ModuleRun;
    ordered: ModuleRun;
    appended: { repr: string; len: number; index_minus_1: string; index_0: string; index_error: { type: string; message: string }; index_error_negative: { type: string; message: string } };
  };
}>('article.json');

const makers: Record<string, () => nn.Module> = {
  block: () => new nn.DepthWiseConv(3, 16),
  block_batch: () => new nn.DepthWiseConv(4, 6),
  stem: () => new Stem(),
  nested: () => new nn.Sequential(new nn.Sequential(new nn.Conv2d(2, 4, 3), new nn.BatchNorm2d(4)), new nn.ReLU(), new nn.Conv2d(4, 3, 1)),
  ordered: () => new nn.Sequential({ conv: new nn.Conv2d(3, 4, 3, { padding: 1 }), bn: new nn.BatchNorm2d(4), act: new nn.ReLU(true) }),
};
const runs: [string, ModuleRun][] = [
  ['block', fixture.block],
  ['block_batch', fixture.block_batch],
  ['stem', fixture.stem],
  ['nested', fixture.sequential.nested],
  ['ordered', fixture.sequential.ordered],
];

/** PyTorch names its classes as the article does; ours are TypeScript names. */
const pythonNames = (repr: string) => repr.replace(/DepthWiseConv\(/g, 'Depth_Wise_Conv(');

const stateOf = (m: nn.Module): Record<string, { shape: number[]; values: number[] }> =>
  Object.fromEntries(Object.entries(m.state_dict()).map(([k, v]) => [k, { shape: v.shape, values: Array.from(v.dataSync()) }]));

function expectState(m: nn.Module, expected: State): void {
  const got = m.state_dict();
  expect(Object.keys(got)).toEqual(Object.keys(expected));
  for (const [k, { shape, values }] of Object.entries(expected)) expectClose(got[k], shape, values);
}

function loadState(m: nn.Module, s: State): void {
  const tensors = Object.fromEntries(Object.entries(s).map(([k, { shape, values }]) => [k, tensorFrom(values, shape)]));
  m.load_state_dict(tensors);
  Object.values(tensors).forEach((t) => t.dispose());
}

describe.each(BACKENDS)('BatchNorm2d on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(fixture.batchnorm.map((c) => [c.id, c] as const))('%s', (_, c) => {
    it('matches PyTorch over train, train, eval steps, running statistics included', () => {
      const bn = new nn.BatchNorm2d(c.shape[1], c.kwargs);
      expect(String(bn)).toBe(c.repr);
      loadState(bn, c.initial);
      for (const step of c.steps) {
        bn.train(step.mode === 'train');
        const x = tensorFrom(step.input, c.shape);
        const y = bn(x);
        expectClose(y, c.shape, step.output);
        expectState(bn, step.state);
        [x, y].forEach((t) => t.dispose());
      }
      bn.dispose();
    });
  });
});

describe('BatchNorm2d errors', () => {
  beforeAll(() => torch.set_backend('cpu'));

  it.each(fixture.batchnorm_errors.map((c) => [c.id, c] as const))('%s', (_, c) => {
    const bn = new nn.BatchNorm2d(c.num_features, c.kwargs);
    bn.train(c.mode === 'train');
    const x = torch.rand(c.shape);
    const count = () => (bn.num_batches_tracked === null ? null : bn.num_batches_tracked.dataSync()[0]);
    expect(count()).toBe(c.num_batches_tracked_before);
    const before = memory().numTensors;
    expect(thrown(() => bn(x))).toEqual(c.error);
    expect(memory().numTensors).toBe(before);
    expect(count()).toBe(c.num_batches_tracked_after);
    x.dispose();
    bn.dispose();
  });
});

describe('reprs', () => {
  beforeAll(() => torch.set_backend('cpu'));

  const made: Record<string, () => nn.Module> = {
    'BatchNorm2d(16)': () => new nn.BatchNorm2d(16),
    'BatchNorm2d(3, eps=0.001, momentum=None, affine=False, track_running_stats=False)': () =>
      new nn.BatchNorm2d(3, { eps: 0.001, momentum: null, affine: false, track_running_stats: false }),
    'BatchNorm2d(8, eps=1e-7, momentum=0.3)': () => new nn.BatchNorm2d(8, { eps: 1e-7, momentum: 0.3 }),
    'BatchNorm2d(8, eps=0.5, momentum=1.0)': () => new nn.BatchNorm2d(8, { eps: 0.5, momentum: 1.0 }),
    'ReLU()': () => new nn.ReLU(),
    'ReLU(inplace=True)': () => new nn.ReLU({ inplace: true }),
  };
  it.each(fixture.reprs)('%s', (python, expected) => {
    const m = made[python]();
    expect(String(m)).toBe(expected);
    m.dispose();
  });

  it('positional ReLU(true) prints as ReLU(inplace=True)', () => {
    expect(String(new nn.ReLU(true))).toBe('ReLU(inplace=True)');
  });
});

describe.each(BACKENDS)('article modules on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(runs)('%s', (name, run) => {
    it('prints, names and keys its state as PyTorch does', () => {
      const m = makers[name]();
      expect(pythonNames(String(m))).toBe(run.repr);
      expect([...m.named_modules()].map(([k, v]) => [k, v.constructor.name === 'DepthWiseConv' ? 'Depth_Wise_Conv' : v.constructor.name])).toEqual(run.named_modules);
      expect(Object.keys(m.state_dict())).toEqual(run.state_dict_keys);
      m.dispose();
    });

    it('initialises bit-identically after the same seed', () => {
      torch.manual_seed(run.seed);
      const m = makers[name]();
      const x = torch.rand(run.input_shape);
      const s = stateOf(m);
      expect(Object.keys(s)).toEqual(Object.keys(run.initial));
      for (const [k, v] of Object.entries(run.initial)) expect(s[k]).toEqual(v);
      expect(Array.from(x.dataSync())).toEqual(run.input);
      x.dispose();
      m.dispose();
    });

    it('matches PyTorch in train mode (batch statistics, running statistics updated), then in eval mode', () => {
      const m = makers[name]();
      loadState(m, run.initial);
      const x = tensorFrom(run.input, run.input_shape);
      const yTrain = m(x);
      expectClose(yTrain, run.train_output_shape, run.train_output);
      expectState(m, run.state_after_train);
      m.eval();
      const yEval = m(x);
      expectClose(yEval, run.train_output_shape, run.eval_output);
      [x, yTrain, yEval].forEach((t) => t.dispose());
      m.dispose();
    });

    it('leaks no tensor over 20 calls, and dispose() frees the rest', () => {
      const start = memory().numTensors;
      const m = makers[name]();
      const x = torch.rand(run.input_shape);
      m(x).dispose(); // converts weights to tfjs's layouts once
      const before = memory().numTensors;
      for (let i = 0; i < 20; i++) m(x).dispose();
      expect(memory().numTensors).toBe(before);
      x.dispose();
      m.dispose();
      expect(memory().numTensors).toBe(start);
    });
  });
});

describe('Sequential indexing', () => {
  beforeAll(() => torch.set_backend('cpu'));
  const a = fixture.sequential.appended;

  it('append, length, at() with negative indices, iteration and IndexError as PyTorch', () => {
    const seq = makers.nested() as nn.Sequential;
    seq.append(new nn.ReLU());
    expect(String(seq)).toBe(a.repr);
    expect(seq.length).toBe(a.len);
    expect(String(seq.at(-1))).toBe(a.index_minus_1);
    expect(String(seq.at(0))).toBe(a.index_0);
    expect([...seq].map(String)).toEqual([0, 1, 2, 3].map((i) => String(seq.at(i))));
    expect(thrown(() => seq.at(4))).toEqual(a.index_error);
    expect(thrown(() => seq.at(-5))).toEqual(a.index_error_negative);
    seq.dispose();
  });
});

describe('BatchNorm2d eval terms', () => {
  beforeAll(() => torch.set_backend('cpu'));

  it('follow load_state_dict and training between eval calls', () => {
    const [bn, fresh] = [new nn.BatchNorm2d(3), new nn.BatchNorm2d(3)];
    const x = torch.rand(2, 3, 4, 4);
    bn.eval();
    bn(x).dispose(); // computes eval terms from the initial statistics
    fresh.train();
    fresh.call(x).dispose(); // moves fresh's running statistics
    bn.load_state_dict(fresh.state_dict());
    fresh.eval();
    const [a, b] = [bn(x), fresh.call(x)];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    [x, a, b].forEach((t) => t.dispose());
    bn.dispose();
    fresh.dispose();
  });
});
