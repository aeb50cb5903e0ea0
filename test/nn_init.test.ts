import { createHash } from 'crypto';
import type { Variable } from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';
import { erfinvf } from '../src/torch/libm';
import { loadFixture, thrown } from './helpers';

interface Step {
  fn: string;
  shape: number[];
  args: unknown[];
  kwargs: Record<string, unknown>;
}
interface InitCase {
  id: string;
  seed: number;
  steps: Step[];
  results: number[][];
}
interface InitError {
  id: string;
  fn: string;
  /** null: no tensor argument; 'none': Python's None as the tensor. */
  shape: number[] | null | 'none';
  args: unknown[];
  kwargs: Record<string, unknown>;
  type: string;
  message: string;
}
interface ModuleInit {
  id: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  seed: number;
  state: Record<string, number[]>;
  next_rand: number[];
}
const fixture = loadFixture<{ init: InitCase[]; gains: { args: unknown[]; gain: number }[]; init_errors: InitError[]; module_init: ModuleInit[] }>('layers.json');

type InitFn = (tensor: Variable | null, ...args: unknown[]) => unknown;
const init = nn.init as unknown as Record<string, InitFn>;
const call = (fn: string, tensor: Variable | null, args: readonly unknown[], kwargs: Record<string, unknown>) =>
  Object.keys(kwargs).length > 0 ? init[fn](tensor, ...args, kwargs) : init[fn](tensor, ...args);

beforeAll(() => torch.set_backend('cpu'));

describe('nn.init draws what PyTorch draws after manual_seed, bit for bit', () => {
  it.each(fixture.init.map((c) => [c.id, c] as const))('%s', (_, c) => {
    torch.manual_seed(c.seed);
    c.steps.forEach((step, i) => {
      const p = new nn.Parameter(torch.zeros(step.shape));
      expect(call(step.fn, p, step.args, step.kwargs)).toBe(p);
      expect(Array.from(p.dataSync())).toEqual(c.results[i]);
      p.dispose();
    });
  });
});

describe('nn.init.calculate_gain', () => {
  it.each(fixture.gains.map((g) => [JSON.stringify(g.args), g] as const))('calculate_gain(%s) is PyTorch\'s double', (_, g) => {
    expect((nn.init.calculate_gain as (...a: unknown[]) => number)(...g.args)).toBe(g.gain);
  });
});

describe('nn.init errors are PyTorch\'s', () => {
  it.each(fixture.init_errors.map((c) => [c.id, c] as const))('%s', (_, c) => {
    if (c.shape === null) {
      expect(thrown(() => (init[c.fn] as (...a: unknown[]) => unknown)(...c.args, ...(Object.keys(c.kwargs).length > 0 ? [c.kwargs] : [])))).toEqual({
        type: c.type,
        message: c.message,
      });
      return;
    }
    const p = c.shape === 'none' ? null : new nn.Parameter(torch.zeros(c.shape));
    expect(thrown(() => call(c.fn, p, c.args, c.kwargs))).toEqual({ type: c.type, message: c.message });
    p?.dispose();
  });

  it('refuses a tensor that is not a Variable: tfjs tensors cannot be filled in place', () => {
    const t = torch.zeros(2, 2);
    expect(() => nn.init.ones_(t as Variable)).toThrow(TypeError);
    t.dispose();
  });
});

describe('modules initialise as PyTorch\'s and leave the generator where PyTorch leaves it', () => {
  it.each(fixture.module_init.map((c) => [c.id, c] as const))('%s', (_, c) => {
    torch.manual_seed(c.seed);
    const Layer = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[c.name];
    const m = Object.keys(c.kwargs).length > 0 ? new Layer(...c.args, c.kwargs) : new Layer(...c.args);
    const after = torch.rand(3);
    expect(Object.fromEntries(Object.entries(m.state_dict()).map(([k, t]) => [k, Array.from(t.dataSync())]))).toEqual(c.state);
    expect(Array.from(after.dataSync())).toEqual(c.next_rand);
    after.dispose();
    m.dispose();
  });
});

/** test/fixtures/gen_erfinv.py's record of torch.erfinv (layout in its docstring). */
const erfinvFixture = loadFixture<{ step: number; block: number; blocks: string[]; samples: [number, number][] }>('erfinv.json');

/** Float32 bits ↔ values, and erfinvf on bits, NaN as one pattern (PyTorch's and ours may differ in payload). */
const bitsView = new Uint32Array(1);
const floatView = new Float32Array(bitsView.buffer);
function erfinvBits(bits: number): number {
  bitsView[0] = bits;
  floatView[0] = erfinvf(floatView[0]);
  return Number.isNaN(floatView[0]) ? 0x7fc00000 : bitsView[0];
}

describe("trunc_normal_'s float32 erfinv is ATen's, bit for bit (every 4096th float in (-1, 1))", () => {
  const { step, block } = erfinvFixture;
  const perSign = Math.ceil(0x3f800000 / step);
  const blocks = [0, 0x80000000].flatMap((sign) =>
    Array.from({ length: Math.ceil(perSign / block) }, (_, i) => [sign === 0 ? `+${i}` : `-${i}`, sign, i * block] as const),
  );
  it.each(blocks.map(([label, sign, first], k) => [label, sign, first, erfinvFixture.blocks[k]] as const))('block %s', (_, sign, first, expected) => {
    const out = new Uint32Array(Math.min(block, perSign - first));
    for (let i = 0; i < out.length; i++) out[i] = erfinvBits(((first + i) * step) | sign);
    expect(createHash('sha256').update(Buffer.from(out.buffer)).digest('hex').slice(0, 16)).toBe(expected);
  });

  it('the samples and edge cases (0xbf6d627c, subnormals, 0.7, ±1, outside [-1, 1])', () => {
    const hex = (b: number) => `0x${(b >>> 0).toString(16).padStart(8, '0')}`;
    const nanAsOne = (b: number) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 0x7fc00000 : b);
    const samples = erfinvFixture.samples;
    expect(samples.map(([x]) => [hex(x), hex(erfinvBits(x))])).toEqual(samples.map(([x, y]) => [hex(x), hex(nanAsOne(y))]));
  });
});
