/**
 * PyTorch's argument parser for native functions and methods (1.13's
 * torch/csrc/utils/python_arg_parser.cpp and invalid_arguments.cpp), for a function declared with
 * several signatures, as `torch.max` is:
 *
 * ```ts
 * const MaxSig = overloads('max', {
 *   all: [req('input', tensor)],
 *   other: [req('input', tensor), req('other', tensor), out],
 *   dim: [req('input', tensor), req('dim', int), opt('keepdim', bool, false), out],
 *   names: named([req('input', tensor), req('dim', dimname), opt('keepdim', bool, false), out]),
 * });
 * ```
 *
 * The list is PyTorch's, in PyTorch's order, including the overloads tfjs-torch does not run
 * (named tensors: a call that matches one raises NotImplementedError) and the deprecated ones
 * PyTorch hides from its messages but still binds (`hidden`). A call binds to the first that
 * parses; when none does, the error is PyTorch's: the one signature's own TypeError when
 * exactly one is plausible by argument count, otherwise "received an invalid combination of
 * arguments" listing them all, with the reason each near miss failed.
 */
import { NotImplementedError, RuntimeError } from '../errors';
import type { AnyParam, Forms, Keywords, Param, Signature, ValueOf } from './signature';
import { isPlainObject, pyTypeName } from './values';

/** An overload we declare for PyTorch's messages and matching but do not run (named tensors). */
export interface NamedOverload<Ps extends readonly AnyParam[] = readonly AnyParam[]> {
  readonly named: Ps;
  /** Why it does not run: the NotImplementedError's message. */
  readonly why: string;
  /**
   * The parameter naming existing dims, which an unnamed tensor's lookup fails on as in PyTorch,
   * or `'nyi'` for the ops whose Dimname overload PyTorch itself reports as not implemented.
   */
  readonly lookup?: string;
}
/** A deprecated overload: bound, but absent from PyTorch's messages and from the TypeScript forms. */
export interface HiddenOverload<Ps extends readonly AnyParam[] = readonly AnyParam[]> {
  readonly hidden: Ps;
}
type Entry = readonly AnyParam[] | NamedOverload | HiddenOverload;

export const unsupported = <const Ps extends readonly AnyParam[]>(params: Ps, why: string): NamedOverload<Ps> => ({ named: params, why });
/** A named-tensor overload; `lookup` is its parameter naming existing dims, if any. */
export const named = <const Ps extends readonly AnyParam[]>(params: Ps, lookup?: string): NamedOverload<Ps> => ({
  ...unsupported(params, 'named tensors (dimension names) are not supported'),
  lookup,
});
export const hidden = <const Ps extends readonly AnyParam[]>(params: Ps): HiddenOverload<Ps> => ({ hidden: params });

/** One compiled signature: FunctionSignature's counts. */
interface Sig {
  readonly key: string;
  readonly params: readonly AnyParam[];
  readonly kind: 'run' | 'named' | 'hidden';
  readonly why?: string;
  readonly lookup?: string;
  readonly minArgs: number;
  readonly maxPos: number;
  /** A sole positional int list takes all positional arguments: `view(2, 3)`. */
  readonly varargs: boolean;
}

function compile(key: string, entry: Entry): Sig {
  const [params, kind] = 'named' in entry ? [entry.named, 'named' as const] : 'hidden' in entry ? [entry.hidden, 'hidden' as const] : [entry as readonly AnyParam[], 'run' as const];
  const maxPos = params.filter((p) => p.kind === 'positional').length;
  const [why, lookup] = 'named' in entry ? [entry.why, entry.lookup] : [];
  return { key, params, kind, why, lookup, minArgs: params.filter((p) => p.required).length, maxPos, varargs: maxPos === 1 && params[0].type.varargs === true };
}

/** NumPy's keyword names PyTorch also accepts (`torch.sum(x, axis=0)`). */
const NUMPY_NAMES: Record<string, string[]> = { dim: ['axis'], keepdim: ['keepdims'], input: ['x', 'a', 'x1'], other: ['x2'] };

type KwArgs = Map<string, unknown>;

/** A call's positional arguments and its trailing keyword object (keys left `undefined` are not given). */
function splitCall(args: readonly unknown[]): [unknown[], KwArgs] {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  const last = args[end - 1];
  if (end > 0 && isPlainObject(last)) {
    const entries = Object.entries(last).filter(([, v]) => v !== undefined);
    return [args.slice(0, end - 1), new Map(entries)];
  }
  return [args.slice(0, end), new Map()];
}

const isIndex = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);

const allowsNone = (p: AnyParam): boolean => p.type.nullable === true || (!p.required && p.default === null);

/** `FunctionSignature::parse`: the bound arguments, or null (or PyTorch's TypeError when `raise`). */
function parse(name: string, sig: Sig, positional: readonly unknown[], keywords: KwArgs, raise: boolean): Record<string, unknown> | null {
  const nargs = positional.length;
  if (nargs > sig.maxPos && !sig.varargs) return raise ? extraArgs(name, sig, nargs) : null;
  const bound: Record<string, unknown> = {};
  let remaining = keywords.size;
  let argPos = 0;
  for (let i = 0; i < sig.params.length; i++) {
    const p = sig.params[i];
    let value: unknown;
    let given = false;
    const isKeyword = argPos >= nargs;
    if (!isKeyword) {
      if (p.kind === 'keyword') return raise ? extraArgs(name, sig, nargs) : null;
      // `undefined` leaves an optional argument out; a required one it leaves as None.
      value = positional[argPos] === undefined && p.required ? null : positional[argPos];
      given = value !== undefined;
    } else {
      const key = [p.name, ...(NUMPY_NAMES[p.name] ?? [])].find((k) => keywords.has(k));
      if (key !== undefined) [value, given] = [keywords.get(key), true];
    }
    if ((!given && !p.required) || (value === null && allowsNone(p))) {
      bound[p.name] = p.required ? null : p.default;
    } else if (!given) {
      return raise ? missingArgs(name, sig, i) : null;
    } else if (p.type.accepts === undefined || p.type.accepts(value, i)) {
      bound[p.name] = value;
    } else if (sig.varargs && argPos === 0 && !isKeyword && isIndex(value)) {
      bound[p.name] = [...positional];
      argPos = nargs;
      continue;
    } else if (raise) {
      const at = isKeyword ? '' : ` (position ${argPos + 1})`;
      throw new TypeError(`${name}(): argument '${p.name}'${at} must be ${p.type.name}, not ${pyTypeName(value)}`);
    } else {
      return null;
    }
    if (!isKeyword) argPos++;
    else if (given) remaining--;
  }
  if (remaining > 0) return raise ? extraKwargs(name, sig, keywords, nargs) : null;
  return bound;
}

function extraArgs(name: string, sig: Sig, nargs: number): never {
  if (sig.minArgs !== sig.maxPos) throw new TypeError(`${name}() takes from ${sig.minArgs} to ${sig.maxPos} positional arguments but ${nargs} were given`);
  const s = sig.maxPos === 1 ? '' : 's';
  throw new TypeError(`${name}() takes ${sig.maxPos} positional argument${s} but ${nargs} ${nargs === 1 ? 'was' : 'were'} given`);
}

function missingArgs(name: string, sig: Sig, from: number): never {
  const names = sig.params.slice(from).filter((p) => p.required).map((p) => `"${p.name}"`);
  // The parser's plural is the other way round: "1 required positional arguments".
  throw new TypeError(`${name}() missing ${names.length} required positional argument${names.length === 1 ? 's' : ''}: ${names.join(', ')}`);
}

function extraKwargs(name: string, sig: Sig, keywords: KwArgs, nargs: number): never {
  for (const key of keywords.keys()) {
    const index = sig.params.findIndex((p) => p.name === key);
    if (index < 0) throw new TypeError(`${name}() got an unexpected keyword argument '${key}'`);
    if (index < nargs) throw new TypeError(`${name}() got multiple values for argument '${key}'`);
  }
  throw new TypeError('invalid keyword arguments');
}

/**
 * `PythonArgs`' unpacking of what matched: element checks of int lists, `True` read as 1. The
 * generated bindings unpack inside one call's argument list, which GCC evaluates last argument
 * first, so of two bad int lists PyTorch names the later one; so do we. A named-tensor overload
 * fails here: every tensor is unnamed, so looking a dim up by name fails with PyTorch's error;
 * other named-tensor uses are not supported.
 */
function unpack(name: string, sig: Sig, bound: Record<string, unknown>, self: unknown): Record<string, unknown> {
  for (const p of [...sig.params].reverse()) {
    const value = bound[p.name];
    if (value === null || value === undefined) continue;
    const element = p.type.elementError?.(value) ?? null;
    if (element !== null) throw new TypeError(`${name}(): argument '${p.name}' must be ${p.type.name}, but ${element}`);
    if (p.type.unpack !== undefined) bound[p.name] = p.type.unpack(value);
  }
  if (sig.kind === 'named' && sig.lookup === 'nyi') {
    throw new RuntimeError(
      `${name}: You passed a dimname (string) to this op in place of a dimension index but it does not yet support this behavior. Please pass a dimension index to work around this.`,
    );
  }
  if (sig.kind === 'named' && sig.lookup !== undefined) {
    const value = bound[sig.lookup];
    const dimName = Array.isArray(value) ? value[0] : value;
    if (dimName === null) throw new RuntimeError('Please look up dimensions by name, got: name = None.');
    const tensor = (self ?? bound.input ?? (bound.tensors as unknown[] | undefined)?.[0]) as { rank: number } | undefined;
    if (tensor === undefined) throw new NotImplementedError(`${name}(): ${sig.why}`);
    throw new RuntimeError(`Name '${dimName}' not found in Tensor[${Array(tensor.rank).fill('None').join(', ')}].`);
  }
  if (sig.kind === 'named') throw new NotImplementedError(`${name}(): ${sig.why}`);
  if (bound.out !== undefined && bound.out !== null) {
    throw new NotImplementedError(`${name}(): out= is not supported: tfjs tensors are immutable, use the returned tensor`);
  }
  return bound;
}

/** `FunctionSignature::toString`, as messages list a signature. */
function printed(sig: Sig): string {
  const first = sig.params.findIndex((p) => p.kind === 'keyword');
  return `(${sig.params.map((p, i) => `${i === first ? '*, ' : ''}${p.type.name} ${p.name}`).join(', ')})`;
}

/** `PythonArgParser::raw_parse` and `print_error`. */
function bindSigs(name: string, sigs: readonly Sig[], args: readonly unknown[], self?: unknown): [Sig, Record<string, unknown>] {
  const [positional, keywords] = splitCall(args);
  if (sigs.length === 1) return [sigs[0], unpack(name, sigs[0], parse(name, sigs[0], positional, keywords, true)!, self)];
  // PyTorch tries deprecated signatures last.
  for (const sig of [...sigs.filter((s) => s.kind !== 'hidden'), ...sigs.filter((s) => s.kind === 'hidden')]) {
    const bound = parse(name, sig, positional, keywords, false);
    if (bound !== null) return [sig, unpack(name, sig, bound, self)];
  }
  const visible = sigs.filter((s) => s.kind !== 'hidden');
  const count = positional.length + keywords.size;
  const plausible = visible.filter((s) => count >= s.minArgs && count <= s.params.length);
  if (plausible.length === 1) parse(name, plausible[0], positional, keywords, true);
  throw new TypeError(invalidArguments(name, positional, keywords, visible.map(printed)));
}

/**
 * A method CPython binds with `METH_NOARGS` (`x.neg()`, `x.dim()`): any argument is its TypeError,
 * naming the method by the class that defines it (`_TensorBase.neg() takes no arguments (1 given)`).
 */
export function bindNoArgs(qualname: string, args: readonly unknown[]): void {
  const [positional, keywords] = splitCall(args);
  if (keywords.size > 0) throw new TypeError(`${qualname}() takes no keyword arguments`);
  if (positional.length > 0) throw new TypeError(`${qualname}() takes no arguments (${positional.length} given)`);
}

/** Binds a call to one native signature (`signature(..., { dialect: 'native' })`). */
export function bindNative(name: string, params: readonly AnyParam[], args: readonly unknown[]): Record<string, unknown> {
  return bindSigs(name, [compile('', params)], args)[1];
}

// ---- The TypeScript side. ----

type Run<O> = { [K in keyof O]: O[K] extends readonly AnyParam[] ? K : never }[keyof O];
type Bindable<O> = { [K in keyof O]: O[K] extends NamedOverload ? never : K }[keyof O];
type ParamsOf<E> = E extends HiddenOverload<infer Ps> ? Ps : E extends readonly AnyParam[] ? E : never;
type BoundParams<Ps extends readonly AnyParam[]> = { [P in Ps[number] as P['name']]: ValueOf<P> };
/** A sole positional int list also takes its ints one by one: `x.view(2, -1)`. */
type VarargsForms<Ps extends readonly AnyParam[]> = Ps extends readonly [
  Param<string, infer V, boolean, 'positional'>,
  ...infer Rest extends readonly Param<string, any, boolean, 'keyword'>[],
]
  ? [V] extends [readonly number[]]
    ? [...number[]] | [...number[], Keywords<Rest>]
    : never
  : never;

/** Every way to call the overloads `O` runs (or only those keyed `K`): a union of argument tuples. */
export type OverloadArgs<S, K extends string = string> = S extends Overloads<infer O>
  ? { [Q in Run<O> & K]: Forms<ParamsOf<O[Q]>> | VarargsForms<ParamsOf<O[Q]>> }[Run<O> & K]
  : never;
/** What binding gives: the overload's key and its parameters by name. */
export type OverloadBound<O> = { [K in Bindable<O>]: { overload: K } & BoundParams<ParamsOf<O[K]>> }[Bindable<O>];

/** PyTorch's overloads of one native function or method. */
export class Overloads<O extends Record<string, Entry>> {
  private readonly sigs: Sig[];

  constructor(
    readonly name: string,
    readonly entries: O,
  ) {
    this.sigs = Object.entries(entries).map(([key, entry]) => compile(key, entry));
  }

  /** Binds a call; `self` is a method's tensor (which PyTorch's messages may describe). */
  bind(args: readonly unknown[], self?: unknown): OverloadBound<O> {
    const [sig, bound] = bindSigs(this.name, this.sigs, args, self);
    return { overload: sig.key, ...bound } as OverloadBound<O>;
  }
}

export const overloads = <const O extends Record<string, Entry>>(name: string, entries: O): Overloads<O> => new Overloads(name, entries);

/** The same parameters without the leading `input` and without `out` (a method's view of a function's signature). */
type WithoutOut<Ps extends readonly unknown[]> = Ps extends readonly [infer H, ...infer T] ? (H extends { name: 'out' } ? WithoutOut<T> : [H, ...WithoutOut<T>]) : [];
type Tail<Ps> = Ps extends readonly [unknown, ...infer T] ? WithoutOut<T> : never;
export type MethodEntry<E> = E extends NamedOverload<infer Ps> ? NamedOverload<Tail<Ps>> : E extends HiddenOverload<infer Ps> ? HiddenOverload<Tail<Ps>> : Tail<E>;

type MethodEntries<S> = S extends Overloads<infer O> ? { [K in keyof O]: MethodEntry<O[K]> } : S extends Signature<infer Ps> ? { only: Tail<Ps> } : never;

/**
 * A function's signatures as the method `x.name(...)` sees them: PyTorch generates the method
 * from the same declaration, with `self` bound to the tensor and no `out`. Overloads whose first
 * parameter is not the tensor (`pow(Number self, Tensor exponent)`) have no method form.
 */
export function methodOf<S extends Overloads<any> | Signature<readonly AnyParam[]>>(fn: S, skip: readonly string[] = []): Overloads<MethodEntries<S>> {
  const entries: Record<string, Entry> = fn instanceof Overloads ? fn.entries : { only: fn.params };
  const drop = (ps: readonly AnyParam[]) => ps.slice(1).filter((p) => p.name !== 'out');
  const kept = Object.entries(entries)
    .filter(([k]) => !skip.includes(k))
    .map(([k, e]) => [k, 'named' in e ? { ...e, named: drop(e.named) } : 'hidden' in e ? hidden(drop(e.hidden)) : drop(e as readonly AnyParam[])]);
  return new Overloads(fn.name, Object.fromEntries(kept) as MethodEntries<S>);
}

// ---- "received an invalid combination of arguments" (invalid_arguments.cpp). ----

/**
 * The order in which the parser's `std::unordered_map<std::string, PyObject*>` of keyword
 * arguments iterates (libstdc++: `_Hash_bytes` with seed 0xc70f6907, 13 buckets for up to 13
 * entries, each new node at the front of its bucket or of the list), which the message follows.
 */
function unorderedMapOrder(keys: readonly string[]): string[] {
  const bucket = (k: string) => Number(hashBytes(k) % 13n);
  const order: string[] = [];
  for (const key of keys) {
    const b = bucket(key);
    const at = order.findIndex((k) => bucket(k) === b);
    order.splice(at < 0 ? 0 : at, 0, key);
  }
  return order;
}

const M64 = (1n << 64n) - 1n;
const MUL = (0xc6a4a793n << 32n) + 0x5bd1e995n;
const shiftMix = (v: bigint) => v ^ (v >> 47n);

/** libstdc++'s `std::_Hash_bytes` for 64-bit size_t (MurmurHash64A-style), on a key's UTF-8 bytes. */
function hashBytes(key: string): bigint {
  const bytes = new TextEncoder().encode(key);
  const load = (from: number, to: number) => bytes.slice(from, to).reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const aligned = bytes.length & ~7;
  let hash = 0xc70f6907n ^ ((BigInt(bytes.length) * MUL) & M64);
  for (let i = 0; i < aligned; i += 8) {
    hash ^= (shiftMix((load(i, i + 8) * MUL) & M64) * MUL) & M64;
    hash = (hash * MUL) & M64;
  }
  if (bytes.length & 7) {
    hash ^= load(aligned, bytes.length);
    hash = (hash * MUL) & M64;
  }
  return shiftMix((shiftMix(hash) * MUL) & M64);
}

/** One option as `_parseOption` reads a printed signature: "*" counts as an argument too. */
const optionArgs = (option: string) =>
  option === '()'
    ? []
    : option
        .slice(1, -1)
        .split(', ')
        .map((arg) => {
          const space = arg.lastIndexOf(' ');
          return space < 0 ? { type: arg, name: arg } : { type: arg.slice(0, space), name: arg.slice(space + 1) };
        });
type OptionArg = ReturnType<typeof optionArgs>[number];

/** `_buildType(...)->is_matching`: by Python type name; float takes ints too. */
function matches(type: string, value: unknown): boolean {
  const t = pyTypeName(value);
  return type === 'float' ? t === 'float' || t === 'int' : t === type;
}

function invalidArguments(name: string, positional: readonly unknown[], keywords: KwArgs, options: readonly string[]): string {
  const kwKeys = unorderedMapOrder([...keywords.keys()]);
  const hasKeywords = kwKeys.length > 0;
  const join = (parts: string[]) => `(${parts.join(', ')}${positional.length === 0 && parts.length > 0 ? ', ' : ''})`;
  const argDesc = () => join([...positional.map(pyTypeName), ...kwKeys.map((k) => `${k}=${pyTypeName(keywords.get(k))}`)]);
  const countMatches = (args: OptionArg[]) => positional.length + kwKeys.length === args.length;
  const formatted = (args: OptionArg[]) =>
    join(
      [...positional, ...kwKeys].map((_, i) => {
        const isKeyword = i >= positional.length;
        const value = isKeyword ? keywords.get(args[i].name) : positional[i];
        const text = `${isKeyword ? `${args[i].name}=` : ''}${pyTypeName(value)}`;
        return matches(args[i].type, value) ? text : `!${text}!`;
      }),
    );
  const unmatched = (args: OptionArg[]) => {
    const names = args.slice(Math.max(args.length - kwKeys.length, 0)).map((a) => a.name);
    return kwKeys.filter((k) => !names.includes(k));
  };
  let msg = `${name}() received an invalid combination of arguments - `;
  if (options.length === 1) {
    const args = optionArgs(options[0]);
    const bad = hasKeywords ? unmatched(args) : [];
    if (bad.length > 0) return `${msg}got unrecognized keyword arguments: ${bad.join(', ')}`;
    return `${msg}got ${countMatches(args) ? formatted(args) : argDesc()}, but expected ${options[0]}`;
  }
  msg += `got ${argDesc()}, but expected one of:\n`;
  for (const option of options) {
    msg += ` * ${option}\n`;
    const args = optionArgs(option);
    if (!countMatches(args)) continue;
    const bad = hasKeywords ? unmatched(args) : [];
    msg +=
      bad.length > 0
        ? `      didn't match because some of the keywords were incorrect: ${bad.join(', ')}\n`
        : `      didn't match because some of the arguments have invalid types: ${formatted(args)}\n`;
  }
  return msg;
}
