import { memory, type Tensor } from '@tensorflow/tfjs-core';
import { F, nn, torch } from '../src';
import { BACKENDS, loadFixture } from './helpers';

/** Calls described as data by gen_binding.py, with what PyTorch 1.13 did with each. */
interface Case {
  target: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  repr?: string;
  state_dict?: [string, number[]][];
  shape?: number[];
  error?: { type: string; message: string };
}
const cases = loadFixture<Case[]>('binding.json');

/** The fixture's values as a user would write them: `{ $tensor: shape }` is torch.rand(shape) in order, `{ $module }` a new module. */
function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    if ('$tensor' in v) return torch.rand(v.$tensor as number[]);
    if ('$module' in v) return new (nn as unknown as Record<string, new () => nn.Module>)[v.$module as string]();
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  }
  return value;
}

/** The call as a user writes it: positional arguments, then the keywords as one trailing object. */
function call(c: Case): unknown {
  torch.manual_seed(0);
  const args = c.args.map(decode);
  const kwargs = decode(c.kwargs) as Record<string, unknown>;
  const all = Object.keys(kwargs).length > 0 ? [...args, kwargs] : args;
  const [space, name] = c.target.split('.');
  if (space === 'nn') return new (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[name](...all);
  return (F as unknown as Record<string, (...a: unknown[]) => Tensor>)[name](...all);
}

const label = (c: Case) => `${c.target}(${JSON.stringify([...c.args, ...(Object.keys(c.kwargs).length ? [c.kwargs] : [])]).slice(1, -1)})`;

describe.each(BACKENDS)('binding on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(cases.filter((c) => c.error === undefined).map((c) => [label(c), c] as const))('%s binds as in PyTorch', (_, c) => {
    const before = memory().numTensors;
    const out = call(c);
    if (out instanceof nn.Module) {
      expect(String(out)).toBe(c.repr);
      expect(Object.entries(out.state_dict()).map(([k, v]) => [k, v.shape])).toEqual(c.state_dict);
      out.dispose();
    } else {
      expect((out as Tensor).shape).toEqual(c.shape);
      (out as Tensor).dispose();
    }
    expect(memory().numTensors - before).toBeLessThanOrEqual(c.args.concat(Object.values(c.kwargs)).flat().length);
  });

  it.each(cases.filter((c) => c.error !== undefined).map((c) => [label(c), c] as const))('%s raises PyTorch\'s error', (_, c) => {
    let error: Error | undefined;
    try {
      call(c);
    } catch (e) {
      error = e as Error;
    }
    expect(error && { type: error.name, message: error.message }).toEqual(c.error);
  });
});
