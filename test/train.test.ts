/**
 * Issue 12's acceptance: a small conv net trained 10 steps with the Python loop ported line for
 * line gives PyTorch 1.13's losses, first gradients and final weights, with a flat tensor count.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';
import { BACKENDS, loadFixture } from './helpers';

interface Run {
  labels: number[];
  losses: number[];
  lrs: number[];
  first_grads: Record<string, number[]>;
  final: Record<string, number[]>;
}
const fx = loadFixture<{ sgd: Run; adamw: Run }>('train.json');

/** test/fixtures/gen_train.py's Net, as a user ports it. */
class Net extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(3, 8, 3, { padding: 1, padding_mode: 'reflect', bias: false }), new nn.BatchNorm2d(8), new nn.Hardswish(),
    new nn.Conv2d(8, 8, 3, { padding: 1, groups: 2, bias: false }), new nn.BatchNorm2d(8), new nn.Hardswish(),
    new nn.MaxPool2d(2), new nn.AdaptiveAvgPool2d(1),
  );
  fc = new nn.Linear(8, 5);

  forward(x: Tensor): Tensor {
    return this.fc(this.features(x).flatten(1));
  }
}

/** Every element within `tol` of the expected tensor's largest magnitude. */
function within(actual: ArrayLike<number>, expected: number[], tol: number): [number, number, number][] {
  const scale = Math.max(...expected.map(Math.abs));
  return expected.map((e, i) => [i, actual[i], e] as [number, number, number]).filter(([, a, e]) => !(Math.abs(a - e) <= tol * scale));
}

describe.each(BACKENDS)('the training loop of issue 12 on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(['sgd', 'adamw'] as const)('%s: 10 steps give PyTorch 1.13\'s losses, first gradients and final weights; the tensor count stays flat', (kind) => {
    const expected = fx[kind];
    torch.manual_seed(0);
    const model = new Net();
    const data_x = torch.randn(16, 3, 12, 12);
    const data_y = torch.randint(0, 5, [16]);
    expect(Array.from(data_y.dataSync())).toEqual(expected.labels);
    const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(data_x, data_y), { batch_size: 8, shuffle: true });
    const criterion = new nn.CrossEntropyLoss({ label_smoothing: 0.1 });
    const optimizer = kind === 'sgd'
      ? new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 1e-4 })
      : new torch.optim.AdamW(model.parameters(), { lr: 0.01, weight_decay: 0.05 });
    const scheduler = kind === 'sgd'
      ? new torch.optim.lr_scheduler.StepLR(optimizer, { step_size: 4, gamma: 0.5 })
      : new torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, { T_max: 10 });
    const losses: number[] = [];
    const lrs: number[] = [];
    const counts: number[] = [];
    model.train();
    for (let epoch = 0; epoch < 5; epoch++) {
      for (const [x, y] of loader as Iterable<Tensor[]>) {
        tf.tidy(() => {
          optimizer.zero_grad();
          const loss = criterion(model(x), y);
          loss.backward();
          if (losses.length === 0) {
            for (const [k, p] of model.named_parameters()) expect([k, within(p.grad!.dataSync(), expected.first_grads[k], 1e-4)]).toEqual([k, []]);
          }
          optimizer.step();
          scheduler.step();
          losses.push(loss.item() as number);
          lrs.push(scheduler.get_last_lr()[0]);
        });
        x.dispose();
        y.dispose();
        counts.push(tf.memory().numTensors);
      }
    }
    expect(within(losses, expected.losses, 2e-4)).toEqual([]);
    expect(lrs).toEqual(expected.lrs);
    const sd = model.state_dict();
    expect(Object.keys(sd)).toEqual(Object.keys(expected.final));
    for (const [k, v] of Object.entries(expected.final)) expect([k, within(sd[k].dataSync(), v, 1e-3)]).toEqual([k, []]);
    // The first step makes the optimizer's state; from then on every step frees what it made.
    expect(counts.slice(1)).toEqual(Array(counts.length - 1).fill(counts[0]));
    optimizer.dispose();
    model.dispose();
  });
});
