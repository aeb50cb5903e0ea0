import * as tf from '@tensorflow/tfjs-core';
import { F, nn, torch, type Tensor } from '../src';
import { BACKENDS, loadFixture } from './helpers';

/** test/fixtures/gen_empty.py: PyTorch's results on tensors with no elements, printed. */
const cases = loadFixture<{ id: string; shape: number[]; str: string }[]>('empty.json');

function runModel(train: boolean): Tensor {
  torch.manual_seed(0);
  const m = new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.BatchNorm2d(3), new nn.ReLU(), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(3, 4));
  m.train(train);
  const y = m(torch.zeros(0, 2, 5, 5));
  m.dispose();
  return y;
}

const x = () => torch.zeros(0, 5, 5, 2);
const CALLS: Record<string, () => Tensor> = {
  'Sequential(conv, bn, relu, pool, flatten, linear) in eval mode on a batch of 0': () => runModel(false),
  'Sequential(conv, bn, relu, pool, flatten, linear) in train mode on a batch of 0': () => runModel(true),
  'zeros(0, 5, 5, 2).permute(0, 3, 1, 2)': () => x().permute(0, 3, 1, 2),
  'zeros(0, 5, 5, 2).sum((1, 2))': () => x().sum([1, 2]),
  'zeros(0, 5, 5, 2).sum((0, 3))': () => x().sum([0, 3]),
  'zeros(0, 5, 5, 2).mean((0, 1))': () => x().mean([0, 1]),
  'zeros(0, 5, 5, 2).prod(0)': () => x().prod(0),
  'zeros(0, 5, 5, 2).amax((1, 2))': () => x().amax([1, 2]),
  'F.adaptive_avg_pool2d(zeros(0, 2, 5, 5), 1)': () => F.adaptive_avg_pool2d(torch.zeros(0, 2, 5, 5), 1),
  'F.max_pool2d(zeros(0, 2, 5, 5), 2)': () => F.max_pool2d(torch.zeros(0, 2, 5, 5), 2),
};

describe.each(BACKENDS)('tensors with no elements give PyTorch\'s results on %s, and the backend stays healthy', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_, c) => {
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => CALLS[c.id]());
    expect([y.shape, torch.str(y)]).toEqual([c.shape, c.str]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const ones = torch.ones(2);
    expect(Array.from(ones.dataSync())).toEqual([1, 1]);
    ones.dispose();
  });
});
