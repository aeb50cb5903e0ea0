import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';
import { BACKENDS } from './helpers';

const net = () => new nn.Sequential(new nn.Conv2d(2, 4, 3, { padding: 1, padding_mode: 'reflect' }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.AdaptiveAvgPool2d(1));
const count = () => tf.memory().numTensors;

describe.each(BACKENDS)('autograd memory on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it('1,000 training steps leave the tensor count flat', () => {
    torch.manual_seed(0);
    const model = net();
    const x = torch.randn(4, 2, 6, 6);
    const y = torch.tensor([[[0]], [[1]], [[2]], [[3]]], { dtype: 'int32' });
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const criterion = new nn.CrossEntropyLoss();
    const step = () =>
      tf.tidy(() => {
        optimizer.zero_grad();
        const loss = criterion(model(x), y);
        loss.backward();
        optimizer.step();
      });
    step();
    const after1 = count();
    for (let i = 1; i < 1000; i++) step();
    expect(count()).toBe(after1);
  }, 600_000);

  it('a forward never backpropagated frees its graph when its output is disposed', () => {
    const model = net();
    const x = torch.randn(2, 2, 5, 5);
    (model(x) as Tensor).dispose();
    const before = count();
    for (let i = 0; i < 100; i++) {
      const y = model(x) as Tensor;
      expect(y.requires_grad).toBe(true);
      y.dispose();
      expect(count()).toBe(before);
    }
  });

  it('under no_grad nothing is recorded: the output alone is new, and does not require grad', () => {
    const model = net().eval();
    const x = torch.randn(2, 2, 5, 5);
    torch.no_grad(() => (model(x) as Tensor).dispose());
    const before = count();
    const y = torch.no_grad(() => model(x) as Tensor);
    expect(y.requires_grad).toBe(false);
    expect(count()).toBe(before + 1);
    y.dispose();
  });

  it('an eval-mode module records only when an input requires grad', () => {
    const model = net().eval();
    const x = torch.randn(2, 2, 5, 5);
    torch.no_grad(() => (model(x) as Tensor).dispose());
    const before = count();
    const y = model(x) as Tensor;
    expect(y.requires_grad).toBe(false);
    expect(count()).toBe(before + 1);
    y.dispose();
    const z = model(x.requires_grad_()) as Tensor;
    expect(z.requires_grad).toBe(true);
    z.dispose();
    expect(count()).toBe(before);
  });

  it('retain_graph keeps the saved tensors until the outputs are disposed; a backward frees them otherwise', () => {
    const model = net();
    const x = torch.randn(2, 2, 5, 5);
    torch.no_grad(() => (model(x) as Tensor).dispose()); // the conv keeps its converted filter
    const idle = count();
    const loss = tf.tidy(() => (model(x) as Tensor).sum());
    const recorded = count();
    loss.backward(null, true);
    const grads = count() - recorded;
    loss.backward();
    expect(count()).toBeLessThan(recorded + grads);
    loss.dispose();
    for (const p of model.parameters()) p.grad = null;
    expect(count()).toBe(idle);
  });

  it('a tfjs tf.grad inside grad mode runs on its own tape and leaves nothing behind', () => {
    const before = count();
    // tfjs-core alone registers no kernel gradients, so tfjs's own tf.grad needs a customGrad.
    const square = tf.customGrad(((a: Tensor, save: tf.GradSaveFunc) => {
      save([a]);
      return { value: tf.sum(tf.mul(a, a)), gradFunc: (dy: Tensor, [s]: Tensor[]) => tf.mul(dy, tf.mul(s, 2)) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    const g = tf.grad((a: Tensor) => square(a) as Tensor);
    const a = tf.tensor([1, 2, 3]);
    const ga = g(a);
    expect(ga.shape).toEqual([3]);
    tf.dispose([a, ga]);
    expect(count()).toBe(before);
  });
});
