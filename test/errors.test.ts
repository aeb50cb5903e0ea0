import { memory } from '@tensorflow/tfjs-core';
import { F, IndexError, NotImplementedError, nn, RuntimeError, torch, ValueError } from '../src';
import { loadFixture, sortSets, thrown } from './helpers';

interface ErrorCase {
  id: string;
  ctor: nn.Conv2dConfig;
  input_shape: number[] | null;
  stage: 'ctor' | 'forward';
  type: string;
  message: string;
  message_has_unordered_set?: boolean;
}
interface FunctionalError {
  id: string;
  input_shape: number[];
  weight_shape: number[];
  bias_shape: number[] | null;
  args: F.Conv2dArgs;
  type: string;
  message: string;
}
interface PadError {
  id: string;
  input_shape: number[];
  pad: number[];
  mode: F.PadMode;
  value?: number;
  type: string;
  message: string;
}
const fixture = loadFixture<{ errors: ErrorCase[]; functional_errors: FunctionalError[]; pad_errors: PadError[] }>('conv2d.json');

const expectPyTorchError = (error: { type: string; message: string }, c: { type: string; message: string; message_has_unordered_set?: boolean }) => {
  expect(error.type).toBe(c.type);
  if (c.message_has_unordered_set) expect(sortSets(error.message)).toBe(sortSets(c.message));
  else expect(error.message).toBe(c.message);
};

const numTensors = () => memory().numTensors;

beforeAll(() => torch.set_backend('cpu'));

describe('nn.Conv2d errors', () => {
  it.each(fixture.errors.filter((c) => c.stage === 'ctor').map((c) => [c.id, c] as const))('%s: raised by the constructor', (_, c) => {
    const before = numTensors();
    expectPyTorchError(thrown(() => new nn.Conv2d(c.ctor)), c);
    expect(numTensors()).toBe(before);
  });

  it.each(fixture.errors.filter((c) => c.stage === 'forward').map((c) => [c.id, c] as const))('%s: raised by forward', (_, c) => {
    const m = new nn.Conv2d(c.ctor);
    const x = torch.rand(c.input_shape!);
    const before = numTensors();
    expectPyTorchError(thrown(() => m(x)), c);
    expect(numTensors()).toBe(before);
    x.dispose();
    m.dispose();
  });
});

describe('F.conv2d errors', () => {
  it.each(fixture.functional_errors.map((c) => [c.id, c] as const))('%s', (_, c) => {
    const [x, w] = [torch.rand(c.input_shape), torch.rand(c.weight_shape)];
    const b = c.bias_shape === null ? null : torch.rand(c.bias_shape);
    const before = numTensors();
    expectPyTorchError(thrown(() => F.conv2d(x, w, { bias: b, ...c.args })), c);
    expect(numTensors()).toBe(before);
    [x, w, b].forEach((t) => t?.dispose());
  });
});

describe('F.pad errors', () => {
  it.each(fixture.pad_errors.map((c) => [c.id, c] as const))('%s', (_, c) => {
    const x = torch.rand(c.input_shape);
    const before = numTensors();
    expectPyTorchError(thrown(() => F.pad(x, c.pad, c.mode, c.value)), c);
    expect(numTensors()).toBe(before);
    x.dispose();
  });
});

describe('error classes', () => {
  it.each([
    ['ValueError', ValueError],
    ['RuntimeError', RuntimeError],
    ['IndexError', IndexError],
    ['NotImplementedError', NotImplementedError],
  ] as const)('%s is an Error named after its class', (name, cls) => {
    const e = new cls('boom');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(String(e)).toBe(`${name}: boom`);
  });
});
