/** Helpers the model files share, as torchvision's `models/_utils.py`. */
import { ValueError } from '../../errors';
import { Module } from '../../nn';

/**
 * torchvision's `_ovewrite_named_param(kwargs, param, new_value)`: sets a keyword the builder
 * fixes (ResNeXt's `groups`), refusing a different value the caller gave.
 */
export function _ovewrite_named_param<K extends object>(kwargs: K, param: keyof K & string, new_value: unknown): void {
  if (param in kwargs) {
    const given = kwargs[param];
    if (given !== new_value) throw new ValueError(`The parameter '${param}' expected value ${new_value} but got ${given} instead.`);
  } else {
    (kwargs as Record<string, unknown>)[param] = new_value;
  }
}

/**
 * What Python checks when a builder calls `fn(p1, p2, ..., kw=v, **kwargs)`: a key of the
 * caller's `kwargs` that the call also passes as keyword `kw` (`fixed`), or names one of the
 * parameters it fills positionally (`positional`), is given twice. Returns `fixed` and `kwargs`
 * merged, the call's keywords. `qualname` is the function's `__qualname__` with its module, which
 * Python names in the keyword case.
 */
export function forwardKwargs<K extends object>(fn: string, qualname: string, positional: readonly string[], kwargs: K, fixed: Partial<K> = {}): K {
  const keys = Object.keys(kwargs);
  const twice = keys.find((k) => k in fixed);
  if (twice !== undefined) throw new TypeError(`${qualname}() got multiple values for keyword argument '${twice}'`);
  const filled = keys.find((k) => positional.includes(k));
  if (filled !== undefined) throw new TypeError(`${fn}() got multiple values for argument '${filled}'`);
  return { ...fixed, ...kwargs };
}

/**
 * A Python callable that makes a module (`norm_layer=nn.BatchNorm2d`, or a `partial`/lambda):
 * in TypeScript either the class itself or a function.
 */
export type ModuleFactory<A extends unknown[] = any[]> = (new (...args: A) => Module) | ((...args: A) => Module);

/** Python's `factory(*args)`: `new` for a Module class, a plain call for a function. */
export function make<A extends unknown[]>(factory: ModuleFactory<A>, ...args: A): Module {
  return factory.prototype instanceof Module ? new (factory as new (...a: A) => Module)(...args) : (factory as (...a: A) => Module)(...args);
}

/**
 * torchvision's `_make_divisible(v, divisor, min_value=None)`, taken from the original TensorFlow
 * repository: `v` rounded to the nearest multiple of `divisor`, at least `min_value`, and never
 * more than 10% below `v` (MobileNet's and EfficientNet's channel counts).
 */
export function _make_divisible(v: number, divisor: number, min_value: number | null = null): number {
  if (min_value === null) min_value = divisor;
  let new_v = Math.max(min_value, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  // Make sure that round down does not go down by more than 10%.
  if (new_v < 0.9 * v) new_v += divisor;
  return new_v;
}
