import { memory } from '@tensorflow/tfjs-core';
import { nn, torch, torchvision } from '../src';
import { loadFixture, thrown } from './helpers';

/** test/fixtures/gen_builder_errors.py: a keyword the builder's private helper also passes. */
interface Case {
  builder: string;
  kwargs: Record<string, unknown>;
  type: string;
  message: string;
}
const cases = loadFixture<Case[]>('builder_errors.json');
const builders = torchvision.models as unknown as Record<string, (kwargs: object) => unknown>;

describe('torchvision builders refuse a keyword they pass themselves, as torchvision 0.14 does', () => {
  beforeAll(() => torch.set_backend('cpu'));

  it.each(cases.map((c) => [`${c.builder}(${JSON.stringify(c.kwargs)})`, c] as const))('%s', (_, c) => {
    const kwargs = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, v === '$module' ? nn.BatchNorm2d : v]));
    const before = memory().numTensors;
    expect(thrown(() => builders[c.builder](kwargs))).toEqual({ type: c.type, message: c.message });
    expect(memory().numTensors).toBe(before);
  });
});
