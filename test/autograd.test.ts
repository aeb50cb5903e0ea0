import { memory, type Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';
import { BACKENDS, loadFixture, thrown } from './helpers';

interface LayerCase {
  id: string;
  seed: number;
  layers: [string, Record<string, unknown>][];
  train: boolean;
  input: number[];
  dist: 'rand' | 'randn' | 'pos';
  scale?: number;
  output: number[];
  output_shape: number[];
  input_grad: number[];
  grads: Record<string, number[]>;
}
interface OpCase {
  id: string;
  seed: number;
  inputs: [number[], 'rand' | 'randn' | 'pos'][];
  op: string;
  args: unknown[];
  kwargs?: Record<string, unknown>;
  output: number[];
  output_shape: number[];
  grads: number[][];
}
interface Fixture {
  layers: LayerCase[];
  ops: OpCase[];
  errors: { id: string; type: string; message: string }[];
  semantics: Record<string, boolean | number[] | null>;
}
const fx = loadFixture<Fixture>('autograd.json');

const draw = (shape: number[], dist: string): Tensor => (dist === 'randn' ? torch.randn(shape) : dist === 'pos' ? torch.rand(shape).add(0.5) : torch.rand(shape));

/**
 * Within `tol` of the largest magnitude of the expected tensor (the measure), element by
 * element. `floor` bounds that magnitude from below: a gradient that is zero in exact arithmetic
 * (a conv bias before BatchNorm) is rounding noise on both sides, of the size of the rounding of
 * the case's other gradients.
 */
function expectNear(actual: Tensor | null, expected: number[], floor = 1e-6, tol = 1e-4): void {
  expect(actual).not.toBeNull();
  const got = actual!.dataSync();
  expect(got.length).toBe(expected.length);
  const scale = Math.max(floor, ...expected.map(Math.abs));
  const bad = expected.map((e, i) => [i, got[i], e]).filter(([, g, e]) => !(Math.abs(g - e) <= tol * scale));
  expect(bad.slice(0, 3)).toEqual([]);
}

const ctor = (name: string) => (nn as unknown as Record<string, new (kw: Record<string, unknown>) => nn.Module>)[name];

describe.each(BACKENDS)('gradients equal PyTorch 1.13 autograd on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(fx.layers.map((c) => [c.id, c] as const))('%s', (_, c) => {
    it('input and parameter gradients', () => {
      const start = memory().numTensors;
      torch.manual_seed(c.seed);
      const m = new nn.Sequential(...c.layers.map(([name, kw]) => new (ctor(name))(kw)));
      m.train(c.train);
      const raw = draw(c.input, c.dist);
      const x = (c.scale === undefined ? raw : raw.mul(c.scale)).requires_grad_();
      const y = m(x) as Tensor;
      const w = torch.randn(y.shape);
      const loss = tf.tidy(() => tf.sum(tf.mul(y, w)));
      loss.backward();
      expect(y.shape).toEqual(c.output_shape);
      expectNear(y, c.output);
      expectNear(x.grad, c.input_grad);
      const params = Object.fromEntries(m.named_parameters());
      expect(Object.keys(params)).toEqual(Object.keys(c.grads));
      const largest = Math.max(...Object.values(c.grads).flat().map(Math.abs), ...c.input_grad.map(Math.abs));
      for (const [k, g] of Object.entries(c.grads)) expectNear(params[k].grad, g, 1e-3 * largest);
      for (const t of [raw, x, y, w, loss]) t.dispose();
      x.grad = null;
      m.dispose();
      expect(memory().numTensors).toBe(start);
    });
  });

  describe.each(fx.ops.map((c) => [c.id, c] as const))('torch.%s', (_, c) => {
    it('gradients of every input', () => {
      torch.manual_seed(c.seed);
      const xs = c.inputs.map(([shape, dist]) => draw(shape, dist).requires_grad_());
      const resolve = (a: unknown): unknown =>
        a === 'cond' ? xs[0].gt(0) : typeof a === 'string' && a.startsWith('$') ? xs[Number(a.slice(1))] : Array.isArray(a) && typeof a[0] === 'string' ? a.map(resolve) : a;
      const args = c.args.map(resolve);
      if (c.op === 'index_select') args[2] = torch.tensor(args[2] as number[], { dtype: 'int32' });
      const fn = (torch as unknown as Record<string, (...a: unknown[]) => Tensor | Tensor[]>)[c.op];
      const out = fn(...args, ...(c.kwargs === undefined ? [] : [c.kwargs]));
      const y = Array.isArray(out) ? out[0] : 'values' in out ? (out as unknown as { values: Tensor }).values : out;
      const w = torch.randn(y.shape);
      tf.sum(tf.mul(y, w)).backward();
      expectNear(y, c.output);
      c.grads.forEach((g, i) => expectNear(xs[i].grad, g));
    });
  });
});

const errorCase = (id: string) => fx.errors.find((e) => e.id === id)!;

describe('autograd errors are PyTorch\'s', () => {
  beforeAll(() => torch.set_backend('cpu'));
  const p = () => new nn.Parameter(torch.ones(3));
  const cases: [string, () => unknown][] = [
    ['backward of a tensor that does not require grad', () => torch.ones(3).sum().backward()],
    ['backward of a non-scalar without gradient', () => p().mul(2).backward()],
    ['backward with a gradient of the wrong shape', () => p().mul(2).backward(torch.ones(2))],
    ['backward twice through saved tensors', () => {
      const q = p();
      const y = q.mul(q).sum();
      y.backward();
      y.backward();
    }],
    ['requires_grad_(False) on a non-leaf', () => p().mul(2).requires_grad_(false)],
    ['requires_grad_ on an int tensor', () => torch.ones([2], { dtype: 'int32' } as never).requires_grad_()],
    ['autograd.grad of an unused input', () => {
      const q = p();
      return torch.autograd.grad(q.mul(2).sum(), [q, new nn.Parameter(torch.ones(1))]);
    }],
    ['set_grad_enabled with an int', () => torch.set_grad_enabled(1 as never)],
    ...([
      ['Conv2d weight', () => new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.Conv2d(3, 2, 1)), [1, 2, 5, 5]],
      ['PReLU weight', () => new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.PReLU()), [1, 2, 5, 5]],
      ['Linear weight (a saved view)', () => new nn.Sequential(new nn.Linear(3, 2), new nn.Linear(2, 2)), [4, 3]],
    ] as const).map(([what, make, shape]): [string, () => unknown] => [`backward after an optimizer step: ${what}`, () => {
      torch.manual_seed(0);
      const m = make();
      const x = torch.randn([...shape]);
      const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
      const loss = m(x).sum();
      m(x).pow(2).sum().backward();
      opt.step();
      loss.backward();
    }]),
    ['backward after nn.Parameter data was overwritten', () => {
      const x = torch.randn(3).requires_grad_();
      const w = new nn.Parameter(torch.randn(3));
      const y = x.mul(w).sum();
      torch.no_grad(() => nn.init.constant_(w, 2));
      y.backward();
    }],
  ];
  it.each(cases)('%s', (id, fn) => {
    const e = errorCase(id);
    expect(thrown(fn)).toEqual({ type: e.type, message: e.message });
  });
});

describe('grad mode, accumulation and zero_grad behave as PyTorch\'s', () => {
  beforeAll(() => torch.set_backend('cpu'));
  const s = fx.semantics;

  it('no_grad and enable_grad take the block as a callback and restore the mode', () => {
    torch.manual_seed(0);
    const p = new nn.Parameter(torch.randn(3));
    torch.no_grad(() => {
      expect(p.mul(2).requires_grad).toBe(s.no_grad_result_requires_grad);
      expect(torch.is_grad_enabled()).toBe(s.no_grad_is_grad_enabled);
      torch.enable_grad(() => {
        expect(torch.is_grad_enabled()).toBe(s.enable_grad_inside_no_grad);
        expect(p.mul(2).requires_grad).toBe(s.enable_grad_result_requires_grad);
      });
    });
    expect(torch.is_grad_enabled()).toBe(s.after_no_grad_is_grad_enabled);
    expect(thrown(() => torch.no_grad(() => {
      throw new RangeError('inside');
    })).type).toBe('RangeError');
    expect(torch.is_grad_enabled()).toBe(s.after_no_grad_is_grad_enabled);
    expect(p.mul(2).detach().requires_grad).toBe(s.detach_requires_grad);
    expect(p.is_leaf).toBe(s.parameter_is_leaf);
    expect(p.mul(2).is_leaf).toBe(s.result_is_leaf);
    expect(torch.ones(2).requires_grad).toBe(s.plain_tensor_requires_grad);
    expect(p.grad === null).toBe(s.grad_before_backward_is_none);
  });

  it('backward accumulates into .grad until zero_grad; set_to_none drops it; retain_graph allows a second pass', () => {
    torch.manual_seed(0);
    const p = new nn.Parameter(torch.randn(3));
    const x = torch.randn(3);
    p.mul(x).sum().backward();
    expectNear(p.grad, s.grad_once as number[]);
    const held = p.grad!;
    p.mul(x).mul(p).sum().backward();
    expectNear(p.grad, s.grad_accumulated as number[]);
    expect(p.grad).toBe(held); // in place, as PyTorch's AccumulateGrad
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    opt.zero_grad();
    expectNear(p.grad, s.zero_grad_default_leaves_zeros as number[]);
    opt.zero_grad(true);
    expect(p.grad === null).toBe(s.zero_grad_set_to_none_is_none);
    const y = p.mul(p).sum();
    y.backward(null, true);
    y.backward();
    expectNear(p.grad, s.retain_graph_twice as number[]);
    const q = new nn.Parameter(torch.randn(3));
    const z = q.mul(3);
    z.retain_grad();
    z.mul(z).sum().backward();
    expectNear(z.grad, s.retain_grad_values as number[]);
    expectNear(q.grad, s.retain_grad_q as number[]);
    const r = new nn.Parameter(torch.randn(2));
    const [g] = torch.autograd.grad(r.mul(r).mul(r).sum(), [r]);
    expectNear(g, s.autograd_grad as number[]);
    expect(r.grad === null).toBe(s.autograd_grad_leaves_grad_none);
    const t = new nn.Parameter(torch.randn(2));
    const u = new nn.Parameter(torch.randn(2));
    t.mul(u).sum().backward({ inputs: [t] });
    expectNear(t.grad, s.backward_inputs_t as number[]);
    expect(u.grad === null).toBe(s.backward_inputs_u_is_none);
  });
});
