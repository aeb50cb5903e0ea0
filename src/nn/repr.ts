import { pyTuple } from '../torch/python';

/**
 * Python's `str()` of the values modules print in their `extra_repr`, so a printed model reads
 * exactly as PyTorch's: `(3, 3)`, `True`, `None`, `1e-05`.
 */
export function py(value: number | boolean | null | readonly number[] | string): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return pyTuple(value);
}

/**
 * Python's `repr(float)` for an argument PyTorch declares as a float (`eps`, `momentum`): the
 * shortest round-tripping digits, as JavaScript's, positional for decimal exponents −4..15 with
 * a `.0` on whole numbers, otherwise `d.ddde±XX`.
 */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const [mantissa, exp] = x.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}
