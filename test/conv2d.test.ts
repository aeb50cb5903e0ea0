import type { Tensor } from '@tensorflow/tfjs-core';
import { F, nn, torch } from '../src';
import { BACKENDS, expectClose, loadFixture, tensorFrom } from './helpers';

interface Ctor extends nn.Conv2dConfig {}
interface Case {
  id: string;
  seed: number;
  ctor: Ctor;
  input_shape: number[];
  input: number[];
  weight_shape: number[];
  weight: number[];
  bias: number[] | null;
  output_shape: number[];
  output: number[];
  repr: string;
  attrs: {
    kernel_size: number[];
    stride: number[];
    padding: number[] | string;
    dilation: number[];
    groups: number;
    padding_mode: string;
    _reversed_padding_repeated_twice: number[];
  };
}
interface FunctionalCase extends Omit<Case, 'ctor' | 'repr' | 'attrs'> {
  args: { stride?: number | number[]; padding?: number | number[] | 'same' | 'valid'; dilation?: number | number[]; groups?: number };
}
interface PadCase {
  id: string;
  input_shape: number[];
  input: number[];
  pad: number[];
  mode: F.PadMode;
  value?: number;
  output_shape: number[];
  output: number[];
}
const fixture = loadFixture<{ cases: Case[]; functional: FunctionalCase[]; pad: PadCase[]; reprs: { ctor: Ctor; repr: string }[] }>('conv2d.json');

/** A module with the fixture's weights, loaded through `load_state_dict` as a user would. */
function moduleFor(c: Case): nn.Conv2d {
  const m = new nn.Conv2d(c.ctor);
  const sd: Record<string, Tensor> = { weight: tensorFrom(c.weight, c.weight_shape) };
  if (c.bias !== null) sd.bias = tensorFrom(c.bias, [c.weight_shape[0]]);
  m.load_state_dict(sd);
  Object.values(sd).forEach((t) => t.dispose());
  return m;
}

describe.each(BACKENDS)('nn.Conv2d on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(fixture.cases.map((c) => [c.id, c] as const))('%s', (_, c) => {
    it('matches PyTorch forward', () => {
      const m = moduleFor(c);
      const x = tensorFrom(c.input, c.input_shape);
      const y = m(x);
      expectClose(y, c.output_shape, c.output);
      [x, y].forEach((t) => t.dispose());
      m.dispose();
    });
  });
});

describe.each(BACKENDS)('F.conv2d on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(fixture.functional.map((c) => [c.id, c] as const))('%s with keyword options', (_, c) => {
    const [x, w] = [tensorFrom(c.input, c.input_shape), tensorFrom(c.weight, c.weight_shape)];
    const b = c.bias === null ? null : tensorFrom(c.bias, [c.weight_shape[0]]);
    const y = F.conv2d(x, w, { bias: b, ...c.args });
    expectClose(y, c.output_shape, c.output);
    [x, w, y, b].forEach((t) => t?.dispose());
  });

  it.each(fixture.functional.map((c) => [c.id, c] as const))('%s with positional arguments', (_, c) => {
    const [x, w] = [tensorFrom(c.input, c.input_shape), tensorFrom(c.weight, c.weight_shape)];
    const b = c.bias === null ? null : tensorFrom(c.bias, [c.weight_shape[0]]);
    const { stride = 1, padding = 0, dilation = 1, groups = 1 } = c.args;
    const y = F.conv2d(x, w, b, stride, padding, dilation, groups);
    expectClose(y, c.output_shape, c.output);
    [x, w, y, b].forEach((t) => t?.dispose());
  });
});

describe.each(BACKENDS)('F.pad on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it('returns a new tensor even when it pads nothing, as PyTorch does', () => {
    const x = torch.ones(1, 1, 2, 2);
    F.pad(x, [0, 0, 0, 0]).dispose();
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it.each(fixture.pad.map((c) => [c.id, c] as const))('%s', (_, c) => {
    const x = tensorFrom(c.input, c.input_shape);
    const y = c.value === undefined ? F.pad(x, c.pad, c.mode) : F.pad(x, c.pad, { mode: c.mode, value: c.value });
    expectClose(y, c.output_shape, c.output);
    [x, y].forEach((t) => t.dispose());
  });
});

describe('nn.Conv2d attributes', () => {
  beforeAll(() => torch.set_backend('cpu'));

  it.each(fixture.cases.map((c) => [c.id, c] as const))('%s has PyTorch attributes and repr', (_, c) => {
    const m = new nn.Conv2d(c.ctor);
    expect({
      kernel_size: m.kernel_size,
      stride: m.stride,
      padding: m.padding,
      dilation: m.dilation,
      groups: m.groups,
      padding_mode: m.padding_mode,
      _reversed_padding_repeated_twice: m._reversed_padding_repeated_twice,
    }).toEqual(c.attrs);
    expect(String(m)).toBe(c.repr);
    expect(m.weight.shape).toEqual(c.weight_shape);
    expect(m.bias?.shape ?? null).toEqual(c.bias === null ? null : [c.weight_shape[0]]);
    m.dispose();
  });

  it.each(fixture.reprs.map((r) => [r.repr, r] as const))('prints %s', (_, r) => {
    const m = new nn.Conv2d(r.ctor);
    expect(String(m)).toBe(r.repr);
    m.dispose();
  });

  it.each(fixture.cases.slice(0, 12).map((c) => [c.id, c] as const))('%s: positional form equals the config form', (_, c) => {
    const { in_channels, out_channels, kernel_size, ...options } = c.ctor;
    const [a, b] = [new nn.Conv2d(c.ctor), new nn.Conv2d(in_channels, out_channels, kernel_size, options)];
    expect(String(b)).toBe(String(a));
    a.dispose();
    b.dispose();
  });
});
