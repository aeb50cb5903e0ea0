import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { memory } from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';
import { BACKENDS, loadFixture, thrown } from './helpers';

interface OptCase {
  id: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  kwargs: Record<string, unknown>;
  groups?: Record<string, unknown>[];
  target: number[];
  losses: number[];
  first_grads: Record<string, number[]>;
  weights: Record<string, number[]>[];
  param_groups: Record<string, unknown>[];
  group_params: number[][];
  state_keys: Record<string, string[]>;
}
interface SchedCase {
  id: string;
  scheduler: string;
  kwargs: Record<string, unknown>;
  optimizer_kwargs?: Record<string, unknown>;
  metrics?: number[];
  lrs: number[];
  momenta: number[];
}
interface LoaderCase {
  id: string;
  n: number;
  kwargs: Record<string, unknown>;
  epochs: number[][][][];
  seed: number;
  length: number;
  after: number[];
  pairs?: boolean;
}

/** gen_optim.py's `Pairs`: item i is `(torch.full((2,), i), i * 3)`. */
class Pairs extends torch.utils.data.Dataset<[Tensor, number]> {
  constructor(readonly n: number) {
    super();
  }

  getitem(i: number): [Tensor, number] {
    return [torch.full([2], i), i * 3];
  }

  get length(): number {
    return this.n;
  }
}
const fx = loadFixture<{ steps: number; optimizers: OptCase[]; schedulers: SchedCase[]; loaders: LoaderCase[]; reprs: Record<string, string> }>('optim.json');
const errors = loadFixture<{ errors: { id: string; type: string; message: string }[] }>('autograd.json').errors;

function expectNear(actual: Tensor | number[], expected: number[], tol: number): void {
  const got = Array.isArray(actual) ? actual : Array.from(actual.dataSync());
  const scale = Math.max(1e-6, ...expected.map(Math.abs));
  expect(expected.map((e, i) => [i, got[i], e]).filter(([, g, e]) => !(Math.abs((g as number) - (e as number)) <= tol * scale))).toEqual([]);
}

/** The generator's net and batch: torch.manual_seed(0), the net, x = randn, y = randint (values from the fixture). */
function netAndData(target: number[]) {
  torch.manual_seed(0);
  const net = new nn.Sequential(new nn.Conv2d(2, 3, 3, { padding: 1 }), new nn.ReLU(), new nn.AdaptiveAvgPool2d(1));
  const x = torch.randn(4, 2, 5, 5);
  torch.randint(0, 3, [4, 1, 1]).dispose();
  const y = torch.tensor(target.map((v) => [[v]]), { dtype: 'int32' });
  return { net, x, y };
}

function makeOptimizer(c: OptCase, net: nn.Sequential) {
  const O = torch.optim[c.optimizer] as unknown as new (...a: unknown[]) => torch.optim.Optimizer;
  const conv = net.at(0) as nn.Conv2d;
  const params = c.groups === undefined ? net.parameters() : [{ params: [conv.weight], ...c.groups[0] }, { params: [conv.bias], ...c.groups[1] }];
  return new O(params, c.kwargs);
}

describe.each(BACKENDS)('optimizers step as PyTorch 1.13 on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(fx.optimizers.map((c) => [c.id, c] as const))('%s', (_, c) => {
    it(`${fx.steps} steps: losses, first gradients, weights after every step, state_dict layout`, () => {
      const { net, x, y } = netAndData(c.target);
      const opt = makeOptimizer(c, net);
      const criterion = new nn.CrossEntropyLoss();
      for (let i = 0; i < fx.steps; i++) {
        opt.zero_grad();
        const loss = criterion(net(x), y) as Tensor;
        loss.backward();
        if (i === 0) for (const [k, p] of net.named_parameters()) expectNear(p.grad!, c.first_grads[k], 1e-4);
        opt.step();
        expectNear([loss.item() as number], [c.losses[i]], 1e-5);
        for (const [k, p] of net.named_parameters()) expectNear(p, c.weights[i][k], 1e-4);
        loss.dispose();
      }
      const sd = opt.state_dict();
      expect(sd.param_groups.map(({ params: _p, ...g }) => ({ ...g }))).toEqual(c.param_groups);
      expect(sd.param_groups.map((g) => g.params)).toEqual(c.group_params);
      expect(Object.fromEntries([...sd.state].map(([k, v]) => [String(k), Object.keys(v).sort()]))).toEqual(c.state_keys);
    });

    it('load_state_dict into a fresh optimizer resumes the same run', () => {
      const { net, x, y } = netAndData(c.target);
      const criterion = new nn.CrossEntropyLoss();
      let opt = makeOptimizer(c, net);
      for (let i = 0; i < fx.steps; i++) {
        if (i === 2) {
          const fresh = makeOptimizer(c, net);
          fresh.load_state_dict(opt.state_dict());
          opt.dispose();
          opt = fresh;
        }
        opt.zero_grad();
        const loss = criterion(net(x), y) as Tensor;
        loss.backward();
        opt.step();
        loss.dispose();
      }
      for (const [k, p] of net.named_parameters()) expectNear(p, c.weights[fx.steps - 1][k], 1e-4);
    });
  });
});

describe('lr_scheduler gives PyTorch 1.13\'s learning rates', () => {
  beforeAll(() => torch.set_backend('cpu'));
  it.each(fx.schedulers.map((c) => [c.id, c] as const))('%s', (_, c) => {
    const p = new nn.Parameter(torch.ones(1));
    const okw = c.optimizer_kwargs ?? { lr: 0.1, momentum: 0.9 };
    const opt = 'betas' in okw ? new torch.optim.Adam([p], { ...okw, betas: okw.betas as [number, number] }) : new torch.optim.SGD([p], okw);
    const S = torch.optim.lr_scheduler;
    const kw = { ...c.kwargs, ...(c.scheduler === 'LambdaLR' ? { lr_lambda: (epoch: number) => 0.95 ** epoch } : {}) };
    const sched = new (S as unknown as Record<string, new (o: unknown, k: unknown) => { step(m?: number): void; get_last_lr(): number[] }>)[c.scheduler](opt, kw);
    const lrs: number[] = [];
    const momenta: number[] = [];
    for (let i = 0; i < 12; i++) {
      opt.step();
      if (c.metrics !== undefined) {
        sched.step(c.metrics[i]);
        lrs.push(opt.param_groups[0].lr as number);
      } else {
        if (!(c.scheduler === 'OneCycleLR' && i === 11)) sched.step();
        lrs.push(sched.get_last_lr()[0]);
      }
      const g = opt.param_groups[0];
      momenta.push('betas' in g ? (g.betas as number[])[0] : (g.momentum as number));
    }
    // Double-precision arithmetic in PyTorch's order; Math.cos and C's cos may differ in the last bit.
    expectNear(lrs, c.lrs, 1e-12);
    expectNear(momenta, c.momenta, 1e-12);
  });
});

describe('DataLoader batches as PyTorch 1.13 after manual_seed', () => {
  beforeAll(() => torch.set_backend('cpu'));
  it.each(fx.loaders.map((c) => [c.id, c] as const))('%s', (_, c) => {
    torch.manual_seed(c.seed);
    const ds = c.pairs ? new Pairs(c.n) : new torch.utils.data.TensorDataset(torch.arange(c.n), torch.arange(c.n).mul(10));
    const loader = new torch.utils.data.DataLoader(ds, c.kwargs);
    expect(loader.length).toBe(c.length);
    const start = memory().numTensors;
    const epochs = Array.from({ length: c.epochs.length }, () =>
      [...loader].map((batch) => {
        const [a, b] = batch as Tensor[];
        const out = [a.tolist(), b.tolist()];
        a.dispose();
        b.dispose();
        return out;
      }),
    );
    expect(memory().numTensors).toBe(start);
    expect(epochs).toEqual(c.epochs);
    expect(Array.from(torch.rand(3).dataSync())).toEqual(c.after);
  });
});

describe('optimizer and scheduler errors are PyTorch\'s', () => {
  beforeAll(() => torch.set_backend('cpu'));
  let p: Variable;
  beforeAll(() => (p = new nn.Parameter(torch.ones(3))));
  const O = torch.optim;
  const S = torch.optim.lr_scheduler;
  const sgd = () => new O.SGD([p], { lr: 0.1 });
  const cases: [string, () => unknown][] = [
    ['SGD negative lr', () => new O.SGD([p], { lr: -0.1 })],
    ['SGD negative momentum', () => new O.SGD([p], { lr: 0.1, momentum: -1 })],
    ['SGD negative weight_decay', () => new O.SGD([p], { lr: 0.1, weight_decay: -1 })],
    ['SGD nesterov without momentum', () => new O.SGD([p], { lr: 0.1, nesterov: true })],
    ['SGD without lr', () => new O.SGD([p])],
    ['SGD with an empty parameter list', () => new O.SGD([], { lr: 0.1 })],
    ['SGD with a parameter in two groups', () => new O.SGD([{ params: [p] }, { params: [p] }], { lr: 0.1 })],
    ['SGD with a non-leaf tensor', () => new O.SGD([p.mul(2) as Variable], { lr: 0.1 })],
    ['SGD with a tensor for params', () => new O.SGD(p as never, { lr: 0.1 })],
    ['Adam negative eps', () => new O.Adam([p], { eps: -1 })],
    ['Adam beta 0 out of range', () => new O.Adam([p], { betas: [1.0, 0.999] })],
    ['Adam beta 1 out of range', () => new O.Adam([p], { betas: [0.9, -0.1] })],
    ['AdamW negative weight_decay', () => new O.AdamW([p], { weight_decay: -0.1 })],
    ['RMSprop negative alpha', () => new O.RMSprop([p], { alpha: -0.5 })],
    ['Adagrad negative lr_decay', () => new O.Adagrad([p], { lr_decay: -1 })],
    ['load_state_dict with another number of groups', () => new O.SGD([{ params: [p] }, { params: [new nn.Parameter(torch.ones(1))] }], { lr: 0.1 }).load_state_dict(sgd().state_dict())],
    ['load_state_dict with a group of another size', () => new O.SGD([p, new nn.Parameter(torch.ones(1))], { lr: 0.1 }).load_state_dict(sgd().state_dict())],
    ['scheduler of a non-optimizer', () => new S.StepLR(3 as never, 1)],
    ['ReduceLROnPlateau factor 1', () => new S.ReduceLROnPlateau(sgd(), { factor: 1.0 })],
    ['ReduceLROnPlateau unknown mode', () => new S.ReduceLROnPlateau(sgd(), { mode: 'middle' })],
    ['OneCycleLR without total steps', () => new S.OneCycleLR(sgd(), { max_lr: 1.0 })],
    ['OneCycleLR stepped past total steps', () => {
      const s = new S.OneCycleLR(new O.SGD([p], { lr: 0.1, momentum: 0.9 }), { max_lr: 1.0, total_steps: 2 });
      for (let i = 0; i < 3; i++) s.step();
    }],
    ['LambdaLR with a lambda per group missing', () => new S.LambdaLR(sgd(), [() => 1, () => 2])],
  ];
  it.each(cases)('%s', (id, fn) => {
    const e = errors.find((c) => c.id === id)!;
    expect(thrown(fn)).toEqual({ type: e.type, message: e.message });
  });

  it('prints as PyTorch prints an optimizer', () => {
    expect(String(new O.SGD([p], { lr: 0.1, momentum: 0.9 }))).toBe(fx.reprs.sgd);
    expect(String(new O.Adam([p], { lr: 0.01 }))).toBe(fx.reprs.adam);
  });
});
