import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { F, nn, torch } from '../src';
import { BACKENDS, loadFixture, nest, thrown } from './helpers';

interface LossCase {
  id: string;
  seed: number;
  loss: string;
  kwargs: Record<string, unknown>;
  input: [string, number[]];
  target: [string, number[]];
  weight?: number[];
  pos_weight?: number[];
  input_values: number[];
  target_values: number[];
  output: number[];
  output_shape: number[];
  input_grad: number[];
}
const fx = loadFixture<{ cases: LossCase[]; errors: { id: string; type: string; message: string }[] }>('losses.json');

/** Draws what the generator drew, to keep the random stream in step; the values used are the stored ones. */
function advance(spec: string, shape: number[]): void {
  const [kind, c] = spec.split(':');
  const t = kind === 'randn' || kind === 'logsoftmax' ? torch.randn(shape) : kind === 'rand' || kind === 'probs' ? torch.rand(shape)
    : torch.randint(0, kind === 'bits' ? 2 : Number(c), shape);
  t.dispose();
}

function expectNear(actual: Tensor, expected: number[]): void {
  const got = actual.dataSync();
  expect(got.length).toBe(expected.length);
  const scale = Math.max(1e-6, ...expected.map(Math.abs));
  expect(expected.map((e, i) => [i, got[i], e]).filter(([, g, e]) => !(Math.abs(g - e) <= 1e-5 * scale))).toEqual([]);
}

describe.each(BACKENDS)('losses equal PyTorch 1.13 on %s (value and input gradient)', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(fx.cases.map((c) => [c.id, c] as const))('%s', (_, c) => {
    torch.manual_seed(c.seed);
    advance(...c.input);
    advance(...c.target);
    const x = torch.tensor(nest(c.input_values, c.input[1])).requires_grad_();
    const intTarget = c.target[0].startsWith('classes');
    const target = torch.tensor(nest(c.target_values, c.target[1]), { dtype: intTarget ? 'int32' : 'float32' });
    const kw: Record<string, unknown> = { ...c.kwargs };
    if (c.weight) kw.weight = torch.rand(c.weight);
    if (c.pos_weight) kw.pos_weight = torch.rand(c.pos_weight);
    const criterion = new (nn as unknown as Record<string, new (k: Record<string, unknown>) => nn.Module>)[c.loss](kw);
    const out = criterion(x, target) as Tensor;
    expect(out.shape).toEqual(c.output_shape);
    expectNear(out, c.output);
    if (out.rank === 0) out.backward();
    else tf.tidy(() => tf.sum(tf.mul(out, torch.randn(out.shape)))).backward();
    expectNear(x.grad!, c.input_grad);
  });
});

describe('loss errors are PyTorch\'s', () => {
  beforeAll(() => torch.set_backend('cpu'));
  const x = () => torch.randn(3, 4);
  const t = (v: number[]) => torch.tensor(v, { dtype: 'int32' });
  const cases: [string, () => unknown][] = [
    ['cross_entropy bad reduction', () => F.cross_entropy(x(), t([0, 1, 2]), { reduction: 'average' })],
    ['cross_entropy batch size mismatch', () => F.cross_entropy(x(), t([0, 1]))],
    ['cross_entropy target out of bounds', () => F.cross_entropy(x(), t([0, 4, 1]))],
    ['cross_entropy negative target', () => F.cross_entropy(x(), t([0, -1, 1]))],
    ['cross_entropy weight of the wrong size', () => F.cross_entropy(x(), t([0, 1, 2]), { weight: torch.ones(3) })],
    ['nll_loss target out of bounds', () => F.nll_loss(x(), t([0, 7, 1]))],
    ['binary_cross_entropy size mismatch', () => F.binary_cross_entropy(torch.rand(3, 4), torch.rand(3, 1))],
    ['binary_cross_entropy input out of range', () => F.binary_cross_entropy(torch.rand(3).add(1), torch.rand(3))],
    ['binary_cross_entropy_with_logits size mismatch', () => F.binary_cross_entropy_with_logits(x(), torch.rand(4))],
    ['mse_loss bad reduction', () => F.mse_loss(x(), x(), { reduction: 'batchmean' })],
    ['kl_div bad reduction', () => F.kl_div(x(), x(), { reduction: 'average' })],
    ['huber_loss bad reduction', () => F.huber_loss(x(), x(), { reduction: 'mean2' })],
  ];
  it.each(cases)('%s', (id, fn) => {
    const e = fx.errors.find((c) => c.id === id)!;
    expect(thrown(fn)).toEqual({ type: e.type, message: e.message });
  });
});
