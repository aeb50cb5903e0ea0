/**
 * One argument binder for every public signature: a signature is declared once (names, kinds,
 * defaults) and both the binding of a call and the call's TypeScript types are derived from it.
 *
 * The porting rule it implements: positional arguments stay positional, keyword arguments go
 * into one trailing plain object, and any parameter may be given either way, as Python binds a
 * call. `new nn.Conv2d(16, 32, 3, 2, 1, { bias: false })`, `new nn.Conv2d(16, 32, { kernel_size: 1 })`
 * and `new nn.Conv2d({ in_channels: 16, out_channels: 32, kernel_size: 3 })` all bind the same way.
 *
 * Binding errors are the TypeErrors the callee's Python would raise, word for word: CPython's
 * (`Conv2d.__init__() got an unexpected keyword argument 'strid'`) for functions written in
 * Python, PyTorch's argument parser's for its native functions (see {@link Dialect}).
 */

import { bindNative } from './overloads';
import { isPlainObject, pyTypeName } from './values';

/** A parameter's value type, carried for TypeScript only; `name` is how errors print it. */
export interface PyType<T> {
  readonly name: string;
  /**
   * Whether a value is of this type, for the argument parser's "must be int, not str" checks;
   * `argnum` is the parameter's index, which a list type's own error names.
   */
  readonly accepts?: (value: unknown, argnum?: number) => boolean;
  /**
   * For a sequence type that `accepts` let through: what PyTorch's parser says of a bad element
   * (`found element of type str at pos 2`), or null.
   */
  readonly elementError?: (value: unknown) => string | null;
  /** The parser's conversion of an accepted value (a sequence's `True` becomes 1). */
  readonly unpack?: (value: unknown) => unknown;
  /** `None` is accepted (PyTorch's `int?`), whatever the default. */
  readonly nullable?: boolean;
  /** An int list: when it is a native signature's only positional parameter, `f(2, 3)` means `f([2, 3])`. */
  readonly varargs?: boolean;
  /** Phantom: the TypeScript type of the parameter's values. */
  readonly __value?: T;
}

/** A type for the TypeScript side only, or one the parser checks with `accepts`. */
export const pyType = <T>(name: string, accepts?: (value: unknown, argnum?: number) => boolean, elementError?: (value: unknown) => string | null): PyType<T> => ({
  name,
  accepts,
  elementError,
});

export type Kind = 'positional' | 'varargs' | 'keyword';

/** One parameter: positional-or-keyword, `*args`, or keyword-only. */
export interface Param<N extends string = string, T = unknown, R extends boolean = boolean, K extends Kind = Kind> {
  readonly name: N;
  readonly type: PyType<T>;
  readonly required: R;
  readonly kind: K;
  readonly default?: T;
}

export type AnyParam = Param<string, any, boolean, Kind>;

/** A required positional-or-keyword parameter (Python's `def f(x)`). */
export const req = <N extends string, T>(name: N, type: PyType<T>): Param<N, T, true, 'positional'> => ({ name, type, required: true, kind: 'positional' });

/** A positional-or-keyword parameter with a default (Python's `def f(x=1)`). */
export const opt = <N extends string, T, D extends T>(name: N, type: PyType<T>, value: D): Param<N, T, false, 'positional'> => ({
  name,
  type,
  required: false,
  kind: 'positional',
  default: value,
});

/** `*args`: every further positional argument, as an array. */
export const rest = <N extends string, T>(name: N, type: PyType<T>): Param<N, T[], false, 'varargs'> => ({
  name,
  type: type as PyType<unknown> as PyType<T[]>,
  required: false,
  kind: 'varargs',
});

/** A keyword-only parameter (after Python's `*`), with a default unless `value` is omitted. */
export function kwonly<N extends string, T>(name: N, type: PyType<T>): Param<N, T, true, 'keyword'>;
export function kwonly<N extends string, T, D extends T>(name: N, type: PyType<T>, value: D): Param<N, T, false, 'keyword'>;
export function kwonly(name: string, type: PyType<unknown>, ...value: unknown[]): AnyParam {
  return value.length === 0 ? { name, type, required: true, kind: 'keyword' } : { name, type, required: false, kind: 'keyword', default: value[0] };
}

// ---- The TypeScript side: every call form the runtime accepts, derived from the parameters. ----

export type ValueOf<P> = P extends Param<string, infer T, boolean, Kind> ? T : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Named<Ps extends readonly AnyParam[]> = Exclude<Ps[number], Param<string, any, boolean, 'varargs'>>;
/** The keyword object for parameters `Ps`: required ones required, the rest optional. */
export type Keywords<Ps extends readonly AnyParam[]> = Simplify<
  { [P in Named<Ps> as P['required'] extends true ? P['name'] : never]: ValueOf<P> } & {
    [P in Named<Ps> as P['required'] extends true ? never : P['name']]?: ValueOf<P>;
  }
>;
type AnyRequired<Ps extends readonly AnyParam[]> = true extends Named<Ps>['required'] ? true : false;
type KeywordForm<Pre extends unknown[], Ps extends readonly AnyParam[]> =
  AnyRequired<Ps> extends true ? [...Pre, Keywords<Ps>] : [...Pre, Keywords<Ps>?] | [...Pre];
export type Forms<Ps extends readonly AnyParam[], Pre extends unknown[] = []> =
  | KeywordForm<Pre, Ps>
  | (Ps extends readonly [infer H, ...infer T extends readonly AnyParam[]]
      ? H extends Param<string, infer V, infer R, 'positional'>
        ? Forms<T, [...Pre, R extends true ? V : V | undefined]>
        : H extends Param<string, (infer E)[], boolean, 'varargs'>
          ? [...Pre, ...E[], Keywords<T>] | [...Pre, ...E[]]
          : never
      : never);

/** Every way to call a function of signature `S`: a union of argument tuples. */
export type ArgsOf<S extends Signature<readonly AnyParam[]>> = S extends Signature<infer Ps> ? Forms<Ps> : never;

/** Every parameter of `S` as one keyword object (required ones required). */
export type KeywordsOf<S extends Signature<readonly AnyParam[]>> = S extends Signature<infer Ps> ? Keywords<Ps> : never;

/** What binding gives: each parameter's value by name (defaults filled in). */
export type BoundOf<S extends Signature<readonly AnyParam[]>> = S extends Signature<infer Ps> ? { [P in Ps[number] as P['name']]: ValueOf<P> } : never;

// ---- The runtime side. ----

/**
 * How a callee binds and reports errors. `python` is CPython's own (a function written in Python,
 * named by its qualified name, `self` counted); `native` is PyTorch's argument parser for a
 * native function with a single signature (see ./overloads for several).
 */
export type Dialect = 'python' | 'native';

export interface SignatureOptions {
  /** Count `self` as Python does (a method or `__init__`). */
  method?: boolean;
  dialect?: Dialect;
  /**
   * For a signature whose next positional parameter takes a mapping (a state dict, a module
   * dict): whether a trailing plain object is that mapping rather than the keyword object.
   */
  isMapping?: (object: Record<string, unknown>) => boolean;
}

export { isPlainObject, pyTypeName };

const plural = (n: number, word: string) => `${word}${n === 1 ? '' : 's'}`;

/** Python's list of missing names: `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`. */
function pythonNames(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length <= 2) return q.join(' and ');
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/** A declared signature: `bind(args)` maps a call's arguments onto its parameters. */
export class Signature<Ps extends readonly AnyParam[]> {
  readonly method: boolean;
  readonly dialect: Dialect;
  private readonly positional: AnyParam[];
  private readonly varargs: AnyParam | undefined;
  private readonly byName: Map<string, AnyParam>;

  constructor(
    /** Python's qualified name (`Conv2d.__init__`), or the native function's (`pad`). */
    readonly name: string,
    readonly params: Ps,
    private readonly options: SignatureOptions = {},
  ) {
    this.method = options.method ?? false;
    this.dialect = options.dialect ?? 'python';
    this.positional = params.filter((p) => p.kind === 'positional');
    this.varargs = params.find((p) => p.kind === 'varargs');
    this.byName = new Map(params.filter((p) => p.kind !== 'varargs').map((p) => [p.name, p]));
  }

  /** Splits a call's arguments into positional ones and the trailing keyword object, if any. */
  private split(args: readonly unknown[]): [unknown[], Record<string, unknown>] {
    let end = args.length;
    while (end > 0 && args[end - 1] === undefined) end--;
    const last = args[end - 1];
    if (end > 0 && isPlainObject(last)) {
      if (!this.options.isMapping?.(last)) return [args.slice(0, end - 1), last];
    }
    return [args.slice(0, end), {}];
  }

  /** Binds `args` as the callee would, raising its TypeErrors; defaults fill what is not given. */
  bind(args: readonly unknown[]): BoundOf<Signature<Ps>> {
    if (this.dialect === 'native') return bindNative(this.name, this.params, args) as BoundOf<Signature<Ps>>;
    const [positional, keywords] = this.split(args);
    const bound: Record<string, unknown> = {};
    const given = new Set<string>();
    const n = Math.min(positional.length, this.positional.length);
    for (let i = 0; i < n; i++) {
      // `undefined` is JavaScript's way of leaving an argument out: the default applies.
      if (positional[i] === undefined) continue;
      bound[this.positional[i].name] = positional[i];
      given.add(this.positional[i].name);
    }
    if (this.varargs !== undefined) {
      bound[this.varargs.name] = positional.slice(n);
      given.add(this.varargs.name);
    }
    for (const [key, value] of Object.entries(keywords)) {
      if (value === undefined) continue;
      const param = this.byName.get(key);
      if (param === undefined) throw new TypeError(`${this.name}() got an unexpected keyword argument '${key}'`);
      if (given.has(key)) throw new TypeError(`${this.name}() got multiple values for argument '${key}'`);
      bound[key] = value;
      given.add(key);
    }
    if (this.varargs === undefined && positional.length > this.positional.length) throw this.tooMany(positional.length, given);
    for (const kind of ['positional', 'keyword'] as const) {
      const missing = this.params.filter((p) => p.kind === kind && p.required && !given.has(p.name)).map((p) => p.name);
      if (missing.length > 0) throw this.missing(missing, kind);
    }
    for (const p of this.params) if (!given.has(p.name) && p.kind !== 'varargs') bound[p.name] = p.default;
    return bound as BoundOf<Signature<Ps>>;
  }

  private tooMany(count: number, given: Set<string>): TypeError {
    const self = this.method ? 1 : 0;
    const max = this.positional.length + self;
    const min = this.positional.filter((p) => p.required).length + self;
    const takes = min !== max ? `from ${min} to ${max}` : String(max);
    const takesPlural = min !== max || max !== 1;
    const total = count + self;
    const kwonlyGiven = this.params.filter((p) => p.kind === 'keyword' && given.has(p.name)).length;
    const extra = kwonlyGiven > 0 ? ` positional ${plural(total, 'argument')} (and ${kwonlyGiven} keyword-only ${plural(kwonlyGiven, 'argument')})` : '';
    const verb = total === 1 && kwonlyGiven === 0 ? 'was' : 'were';
    return new TypeError(`${this.name}() takes ${takes} positional argument${takesPlural ? 's' : ''} but ${total}${extra} ${verb} given`);
  }

  private missing(names: string[], kind: 'positional' | 'keyword'): TypeError {
    const what = kind === 'positional' ? 'positional' : 'keyword-only';
    return new TypeError(`${this.name}() missing ${names.length} required ${what} ${plural(names.length, 'argument')}: ${pythonNames(names)}`);
  }
}

/**
 * PyTorch's argument parser's check of one argument, for a native function (or a Python one
 * that hands the argument straight to one): `relu(): argument 'input' (position 1) must be
 * Tensor, not str`.
 */
export function checkArgument(fn: string, param: { name: string; type: PyType<unknown> }, position: number | null, value: unknown): void {
  if (param.type.accepts === undefined) return;
  if (param.type.accepts(value)) {
    const element = param.type.elementError?.(value) ?? null;
    if (element !== null) throw new TypeError(`${fn}(): argument '${param.name}' must be ${param.type.name}, but ${element}`);
    return;
  }
  const at = position === null ? '' : ` (position ${position})`;
  throw new TypeError(`${fn}(): argument '${param.name}'${at} must be ${param.type.name}, not ${pyTypeName(value)}`);
}

/** Declares a signature: `signature('Conv2d.__init__', [req('in_channels', int), ...], { method: true })`. */
export const signature = <const Ps extends readonly AnyParam[]>(name: string, params: Ps, options?: SignatureOptions): Signature<Ps> =>
  new Signature(name, params, options);
