import * as tf from '@tensorflow/tfjs-core';
import { torch, type Tensor } from '../src';
import { loadFixture, thrown } from './helpers';

/** test/fixtures/gen_views.py: chains of view ops and what PyTorch's `view` makes of them. */
interface Case {
  id: string;
  shape: number[];
  steps: [string, ...unknown[]][];
  error?: { type: string; message: string };
  result?: boolean;
  out_shape?: number[];
  values?: number[];
  contiguous?: boolean;
}
const cases = loadFixture<Case[]>('views.json');

/** One step as the generator runs it: `x.method(*args)` (chunk keeps its first piece). */
function apply(x: Tensor, [name, ...args]: [string, ...unknown[]]): Tensor | boolean {
  const method = (x as unknown as Record<string, (...a: unknown[]) => Tensor | Tensor[] | boolean>)[name];
  const y = method.apply(x, args);
  return Array.isArray(y) ? y[0] : y;
}

function run(c: Case): Tensor | boolean {
  let x: Tensor | boolean = torch.arange(c.shape.reduce((a, b) => a * b, 1)).float().reshape(c.shape);
  for (const step of c.steps) x = apply(x as Tensor, step);
  return x;
}

describe('view follows PyTorch\'s strides: it refuses what PyTorch refuses', () => {
  beforeAll(() => torch.set_backend('cpu'));

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_, c) => {
    const before = tf.memory().numTensors;
    if (c.error !== undefined) {
      expect(thrown(() => tf.tidy(() => void run(c)))).toEqual(c.error);
    } else if (c.result !== undefined) {
      expect(tf.tidy(() => run(c) as boolean)).toBe(c.result);
    } else {
      const y = tf.tidy(() => run(c) as Tensor);
      expect([y.shape, Array.from(y.dataSync()), y.is_contiguous()]).toEqual([c.out_shape, c.values, c.contiguous]);
      y.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
