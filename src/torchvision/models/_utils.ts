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
