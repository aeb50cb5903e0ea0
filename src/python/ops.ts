/**
 * Python's operators on the values a JavaScript caller can pass, raising the TypeErrors Python
 * raises for the wrong types. Constructors written after PyTorch's Python use these, so a string
 * or `null` where PyTorch expects an int fails at the same step, with the same words.
 */
import { ZeroDivisionError } from '../errors';
import { pyTypeName } from './signature';

const isNumber = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';

/** Python's `a <= b` where `b` is a number. */
export function le(a: unknown, b: number): boolean {
  if (!isNumber(a)) throw new TypeError(`'<=' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
  return Number(a) <= b;
}

/**
 * Python's `a < b` and `a > b` where `b` is a number literal of the caller's source, whose type
 * (`0` or `0.0`) the message names and JavaScript cannot tell from the value.
 */
export function lt(a: unknown, b: number, bType = pyTypeName(b)): boolean {
  if (!isNumber(a)) throw new TypeError(`'<' not supported between instances of '${pyTypeName(a)}' and '${bType}'`);
  return Number(a) < b;
}

export function gt(a: unknown, b: number, bType = pyTypeName(b)): boolean {
  if (!isNumber(a)) throw new TypeError(`'>' not supported between instances of '${pyTypeName(a)}' and '${bType}'`);
  return Number(a) > b;
}

/** Python's `a % b` (the remainder takes the divisor's sign). */
export function mod(a: unknown, b: unknown): number {
  if (typeof a === 'string') throw new TypeError('not all arguments converted during string formatting');
  if (!isNumber(a) || !isNumber(b)) throw new TypeError(`unsupported operand type(s) for %: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
  const [x, y] = [Number(a), Number(b)];
  if (y === 0) throw new ZeroDivisionError(Number.isInteger(x) && Number.isInteger(y) ? 'integer modulo by zero' : 'float modulo');
  return ((x % y) + y) % y;
}

/** Python's `a // b`. */
export function floordiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Python's truth value of `v` (`if bias:`). */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

/** Python's `_pair` / `_ntuple(n)`: an iterable (a string too) becomes a tuple of its items, anything else `n` copies. */
export function ntuple<T>(x: T | readonly T[] | string, n = 2): T[] {
  if (Array.isArray(x)) return [...x];
  if (typeof x === 'string') return [...x] as unknown as T[];
  return Array<T>(n).fill(x as T);
}
