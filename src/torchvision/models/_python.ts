/** Python built-ins that torchvision's model code relies on and JavaScript spells differently. */
import type { AnyParam, BoundOf, Signature } from '../../python/signature';
import { isPlainObject } from '../../python/values';

/**
 * Binds `args` as Python binds `def __init__(self, ..., **kwargs)`: keywords `sig` does not
 * name are collected in `kwargs` instead of raising (MobileNetV3, EfficientNet and ConvNeXt
 * accept, and ignore, the builders' extra keywords this way).
 */
export function bindKwargs<Ps extends readonly AnyParam[]>(sig: Signature<Ps>, args: readonly unknown[]): [BoundOf<Signature<Ps>>, Record<string, unknown>] {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  const last = args[end - 1];
  if (end === 0 || !isPlainObject(last)) return [sig.bind(args), {}];
  const names = new Set(sig.params.map((p) => p.name));
  const known: Record<string, unknown> = {};
  const kwargs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(last)) (names.has(key) ? known : kwargs)[key] = value;
  return [sig.bind([...args.slice(0, end - 1), known]), kwargs];
}

/** Python's `round(x)`: halves go to the even neighbour, where `Math.round` goes up. */
export function pyRound(x: number): number {
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
}

/** Python's `str()` of a (nested) list of numbers, as error messages print settings. */
export function pyList(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(pyList).join(', ')}]` : String(value);
}
