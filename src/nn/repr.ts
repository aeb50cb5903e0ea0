import { pyTuple } from '../torch/python';

/**
 * Python's `str()` of the values modules print in their `extra_repr`, so a printed model reads
 * exactly as PyTorch's: `(3, 3)`, `True`, `None`, `1e-05`.
 */
export function py(value: number | boolean | null | readonly (number | null)[] | string): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return pyTuple(value);
}

export { pyFloat } from '../python/repr';
