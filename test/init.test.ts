import { nn, torch } from '../src';
import { loadFixture } from './helpers';

interface InitStats {
  ctor: nn.Conv2dConfig;
  fan_in: number;
  weight_bound: number;
  bias_bound: number;
  weight_min: number;
  weight_max: number;
  weight_mean: number;
  weight_std: number;
  bias_min: number;
  bias_max: number;
  bias_mean: number;
  seeds: number[];
}
interface InitExact {
  ctor: nn.Conv2dConfig;
  seed: number;
  weight_shape: number[];
  weight: number[];
  bias: number[] | null;
}
interface Case {
  id: string;
  seed: number;
  ctor: nn.Conv2dConfig;
  input_shape: number[];
  input: number[];
  weight: number[];
  bias: number[] | null;
}
const fixture = loadFixture<{ init: InitStats[]; init_exact: InitExact[]; cases: Case[] }>('conv2d.json');
const label = (c: nn.Conv2dConfig) => JSON.stringify(c);

beforeAll(() => torch.set_backend('cpu'));

describe('nn.Conv2d initialisation matches PyTorch', () => {
  it.each(fixture.init_exact.map((c) => [label(c.ctor), c] as const))('%s after manual_seed is bit-identical', (_, c) => {
    torch.manual_seed(c.seed);
    const m = new nn.Conv2d(c.ctor);
    expect(Array.from(m.weight.dataSync())).toEqual(c.weight);
    expect(m.bias === null ? null : Array.from(m.bias.dataSync())).toEqual(c.bias);
    m.dispose();
  });

  it.each(fixture.cases.map((c) => [c.id, c] as const))('%s: seeded weights, bias and input are PyTorch\'s', (_, c) => {
    torch.manual_seed(c.seed);
    const m = new nn.Conv2d(c.ctor);
    const x = torch.rand(c.input_shape);
    expect(Array.from(m.weight.dataSync())).toEqual(c.weight);
    expect(m.bias === null ? null : Array.from(m.bias.dataSync())).toEqual(c.bias);
    expect(Array.from(x.dataSync())).toEqual(c.input);
    x.dispose();
    m.dispose();
  });

  it.each(fixture.init.map((c) => [label(c.ctor), c] as const))('%s: bounds and spread over 20 seeds', (_, c) => {
    const weights: number[] = [];
    const biases: number[] = [];
    for (const seed of c.seeds) {
      torch.manual_seed(seed);
      const m = new nn.Conv2d(c.ctor);
      weights.push(...m.weight.dataSync());
      biases.push(...m.bias!.dataSync());
      m.dispose();
    }
    const w = stats(weights);
    const b = stats(biases);
    expect(Math.max(-w.min, w.max)).toBeLessThanOrEqual(Math.fround(c.weight_bound));
    expect(Math.max(-b.min, b.max)).toBeLessThanOrEqual(Math.fround(c.bias_bound));
    // The same draws as PyTorch, so the pooled statistics agree to float rounding.
    expect(w.min).toBeCloseTo(c.weight_min, 6);
    expect(w.max).toBeCloseTo(c.weight_max, 6);
    expect(w.mean).toBeCloseTo(c.weight_mean, 6);
    expect(w.std).toBeCloseTo(c.weight_std, 5);
    expect(b.min).toBeCloseTo(c.bias_min, 6);
    expect(b.max).toBeCloseTo(c.bias_max, 6);
    expect(b.mean).toBeCloseTo(c.bias_mean, 6);
  });
});

function stats(v: number[]) {
  let [min, max, sum] = [Infinity, -Infinity, 0];
  for (const x of v) {
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
  }
  const mean = sum / v.length;
  const variance = v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1);
  return { min, max, mean, std: Math.sqrt(variance) };
}
