import type { Tensor } from '@tensorflow/tfjs-core';
import { AssertionError, AttributeError, IndexError, KeyError, NotImplementedError, ValueError } from '../errors';
import { isPlainObject, opt, rest, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { childModules, Module } from './module';
import { typename } from './parameter';

/** Python's `operator.index` on a container index, then PyTorch's range check. */
function absoluteIndex(index: number, length: number, inclusive = false): number {
  if (!Number.isInteger(index)) throw new TypeError(`'${typename(index)}' object cannot be interpreted as an integer`);
  if (index < -length || index > (inclusive ? length : length - 1)) throw new IndexError(`index ${index} is out of range`);
  return index < 0 ? index + length : index;
}

/** What calling a module without a forward raises, as PyTorch's `_forward_unimplemented`. */
const missingForward = (m: Module) => new NotImplementedError(`Module [${m.constructor.name}] is missing the required "forward" function`);

/** Python's slice `[start:stop]` of `length` items, as index bounds. */
function sliceBounds(length: number, start = 0, stop = length): [number, number] {
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + length : i, 0), length);
  return [clamp(start), clamp(stop)];
}

const SequentialSig = signature('Sequential.__init__', [rest('args', any<Module>('Module'))], { method: true });

/**
 * Whether a plain object is a dict of modules (Python's `OrderedDict` or `dict` argument) rather
 * than keyword arguments: it is when all its values are modules.
 */
const isModuleMapping = (o: Record<string, unknown>): boolean => Object.values(o).every((m) => m instanceof Module);

/**
 * `nn.Sequential`: runs its modules in order, each on the previous one's output.
 *
 * `new nn.Sequential(a, b, c)` names the children `0`, `1`, `2`; `new nn.Sequential({ conv: a,
 * act: b })` keeps the given names and order, as PyTorch's OrderedDict form does. `seq[0]` or
 * `seq.at(i)` (negative counts from the end), `length`, `append`, `extend`, `insert`, `slice`
 * and iteration work as Python's indexing, `len`, methods, slicing and `for`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Sequential.html
 */
export class Sequential extends Module {
  /** Python's `seq[i]` for `i >= 0`: each child is also a property named by its index. */
  readonly [index: number]: Module;

  constructor(...args: Module[] | [Record<string, Module>]) {
    super();
    if (args.length === 1 && isPlainObject(args[0]) && isModuleMapping(args[0])) {
      for (const [name, m] of Object.entries(args[0] as Record<string, Module>)) this.add_module(name, m);
    } else {
      SequentialSig.bind(args).args.forEach((m, i) => this.add_module(String(i), m));
    }
  }

  override get length(): number {
    return childModules(this).size;
  }

  /** Python's `seq[i]`. */
  at(index: number): Module {
    const modules = [...childModules(this).values()] as Module[];
    return modules[absoluteIndex(index, modules.length)];
  }

  /** Python's `seq[start:stop]`: a Sequential of those modules under their names. */
  slice(start?: number, stop?: number): Sequential {
    const entries = [...childModules(this)];
    const [a, b] = sliceBounds(entries.length, start, stop);
    return new Sequential(Object.fromEntries(entries.slice(a, b)) as Record<string, Module>);
  }

  /** Adds `module` at the end under the next index; returns this. */
  append(module: Module): this {
    this.add_module(String(this.length), module);
    return this;
  }

  /** Appends every module of `sequential`; returns this. */
  extend(sequential: Iterable<Module>): this {
    for (const m of sequential) this.append(m);
    return this;
  }

  /** Inserts `module` before position `index`, renumbering the ones after it; returns this. */
  insert(index: number, module: Module): this {
    if (!(module instanceof Module)) throw new AssertionError("module should be of type: <class 'torch.nn.modules.module.Module'>");
    const n = this.length;
    if (!(-n <= index && index <= n)) throw new IndexError(`Index out of range: ${index}`);
    const modules = [...childModules(this).values()];
    modules.splice(index < 0 ? index + n : index, 0, module);
    childModules(this, modules.map((m, i) => [String(i), m]));
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return (childModules(this).values() as Iterable<Module>)[Symbol.iterator]();
  }

  /** Each module on the previous one's output; channels-last throughout when all can (see `chain`). */
  forward(input: Tensor): Tensor {
    return this.chain(input, ...this);
  }

  /** The modules in order, unless a subclass's own forward must run. */
  protected override chainLayers(): Module[] | null {
    return this.forward === Sequential.prototype.forward ? [...this] : null;
  }
}

const ModuleListSig = signature('ModuleList.__init__', [opt('modules', any<Iterable<Module> | null>('Iterable'), null)], { method: true });

/**
 * `nn.ModuleList(modules=None)`: children held in a list, registered as `0`, `1`, …, so their
 * parameters belong to the enclosing module. Not callable itself (it has no forward).
 * `list[i]` or `at(i)`, `set(i, m)`, `delete(i)`, `pop(i)`, `length`, `append`, `extend`,
 * `insert`, `slice` and iteration work as Python's.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.ModuleList.html
 */
export class ModuleList extends Module {
  /** Python's `list[i]` for `i >= 0`: each child is also a property named by its index. */
  readonly [index: number]: Module;

  constructor(...args: ArgsOf<typeof ModuleListSig>) {
    super();
    const { modules } = ModuleListSig.bind(args);
    if (modules !== null) this.extend(modules);
  }

  override get length(): number {
    return childModules(this).size;
  }

  private list(): Module[] {
    return [...childModules(this).values()] as Module[];
  }

  /** Python's `list[i]`. */
  at(index: number): Module {
    const modules = this.list();
    return modules[absoluteIndex(index, modules.length)];
  }

  /** Python's `list[start:stop]`: a new ModuleList of those modules. */
  slice(start?: number, stop?: number): ModuleList {
    const modules = this.list();
    const [a, b] = sliceBounds(modules.length, start, stop);
    return new ModuleList(modules.slice(a, b));
  }

  /** Python's `list[i] = module`. */
  set(index: number, module: Module): void {
    this.add_module(String(absoluteIndex(index, this.length)), module);
  }

  /** Python's `del list[i]`: the later modules move down one, renumbered. */
  delete(index: number): void {
    const modules = this.list();
    modules.splice(absoluteIndex(index, modules.length), 1);
    childModules(this, modules.map((m, i) => [String(i), m]));
  }

  /** Removes and returns the module at `index`. */
  pop(index: number): Module {
    const m = this.at(index);
    this.delete(index);
    return m;
  }

  /**
   * `insert(index, module)` as PyTorch's: the modules from `index` on move up one and `module`
   * takes key `index` (an index past the end becomes that key, as PyTorch's does).
   */
  insert(index: number, module: Module): void {
    const modules = childModules(this);
    for (let i = modules.size; i > index; i--) this.add_module(String(i), modules.get(String(i - 1)) ?? null);
    this.add_module(String(index), module);
  }

  /** Adds `module` at the end; returns this. */
  append(module: Module): this {
    this.add_module(String(this.length), module);
    return this;
  }

  /** Appends every module of `modules`; returns this. */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Partial<Iterable<Module>>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`ModuleList.extend should be called with an iterable, but got ${typename(modules)}`);
    }
    const offset = this.length;
    [...modules].forEach((m, i) => this.add_module(String(offset + i), m));
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.list()[Symbol.iterator]();
  }

  /**
   * Raises, as PyTorch's: a container has no forward. Typed to take nothing, so calling a bare
   * one fails to compile, while a subclass may declare its own forward.
   */
  forward(..._inputs: never[]): unknown {
    throw missingForward(this);
  }
}

const ModuleDictSig = signature('ModuleDict.__init__', [opt('modules', any<Record<string, Module> | Iterable<[string, Module]> | null>('Mapping'), null)], {
  method: true,
  isMapping: isModuleMapping,
});

/**
 * `nn.ModuleDict(modules=None)`: children held by name, in insertion order. `dict[key]` or
 * `get(key)`, `set(key, m)`, `delete(key)`, `has(key)` (Python's `in`), `pop`, `clear`, `keys`,
 * `values`, `items`, `update`, `length` and iteration over the keys work as Python's.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.ModuleDict.html
 */
export class ModuleDict extends Module {
  constructor(...args: ArgsOf<typeof ModuleDictSig>) {
    super();
    const { modules } = ModuleDictSig.bind(args);
    if (modules !== null) this.update(modules);
  }

  override get length(): number {
    return childModules(this).size;
  }

  /** Python's `dict[key]`. */
  get(key: string): Module {
    const m = childModules(this).get(key);
    if (m === undefined || m === null) throw new KeyError(key);
    return m;
  }

  /** Python's `dict[key] = module`. */
  set(key: string, module: Module): void {
    this.add_module(key, module);
  }

  /** Python's `del dict[key]`. */
  delete(key: string): void {
    if (!childModules(this).has(key)) throw new AttributeError(key);
    Reflect.deleteProperty(this, key);
  }

  /** Python's `key in dict`. */
  has(key: string): boolean {
    return childModules(this).has(key);
  }

  /** Removes the module under `key` and returns it. */
  pop(key: string): Module {
    const m = this.get(key);
    this.delete(key);
    return m;
  }

  clear(): void {
    childModules(this, []);
  }

  keys(): string[] {
    return [...childModules(this).keys()];
  }

  values(): Module[] {
    return [...childModules(this).values()] as Module[];
  }

  items(): [string, Module][] {
    return [...childModules(this)] as [string, Module][];
  }

  /** Adds or replaces modules from a mapping or from `[key, module]` pairs. */
  update(modules: Record<string, Module> | Iterable<[string, Module]>): void {
    if (modules instanceof ModuleDict || modules instanceof Map) {
      for (const [k, m] of modules instanceof Map ? modules : modules.items()) this.set(k, m);
      return;
    }
    if (typeof (modules as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function') {
      [...(modules as Iterable<unknown>)].forEach((pair, j) => {
        if (!Array.isArray(pair)) throw new TypeError(`ModuleDict update sequence element #${j} should be Iterable; is${typename(pair)}`);
        if (pair.length !== 2) throw new ValueError(`ModuleDict update sequence element #${j} has length ${pair.length}; 2 is required`);
        this.set(pair[0] as string, pair[1] as Module);
      });
      return;
    }
    if (typeof modules !== 'object' || modules === null) {
      throw new TypeError(`ModuleDict.update should be called with an iterable of key/value pairs, but got ${typename(modules)}`);
    }
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  [Symbol.iterator](): Iterator<string> {
    return childModules(this).keys();
  }

  /**
   * Raises, as PyTorch's: a container has no forward. Typed to take nothing, so calling a bare
   * one fails to compile, while a subclass may declare its own forward.
   */
  forward(..._inputs: never[]): unknown {
    throw missingForward(this);
  }
}
