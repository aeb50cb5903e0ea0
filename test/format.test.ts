import { formatTensor } from '../src/torch/format';
import { loadFixture } from './helpers';

/** One `str(t)` from PyTorch 1.13 (see fixtures/gen_format.py for the encoding). */
interface Case {
  id: string;
  python: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  values: (number | 'nan' | 'inf' | '-inf')[];
  expected: string;
}
const { cases } = loadFixture<{ cases: Case[] }>('format.json');

const decode = (v: Case['values'][number]): number =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v;

describe('formatTensor matches str(t) of PyTorch 1.13', () => {
  it('has the fixture cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const values = c.values.map(decode);
    const typed = c.dtype === 'float32' ? new Float32Array(values) : c.dtype === 'int32' ? new Int32Array(values) : new Uint8Array(values);
    expect(formatTensor(values, c.shape, c.dtype)).toBe(c.expected);
    // The typed array a tfjs tensor's dataSync() returns prints the same.
    expect(formatTensor(typed, c.shape, c.dtype)).toBe(c.expected);
  });

  it('rejects a value count that does not match the shape', () => {
    expect(() => formatTensor([1, 2, 3], [2, 2], 'float32')).toThrow(
      'formatTensor: shape [2, 2] needs 4 values, got 3',
    );
  });
});
