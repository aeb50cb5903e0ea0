import type { Tensor, TensorContainer, Variable } from '@tensorflow/tfjs-core';
import { toChannelsFirst, toChannelsLast } from '../functional/layout';
import { assign, copy, isTensor, isVariable, tidy } from '../backend/tensor';
import { RuntimeError } from '../errors';
import { Size } from '../torch/size';

const inspect = Symbol.for('nodejs.util.inspect.custom');

/** What `load_state_dict` reports, as PyTorch's `_IncompatibleKeys`. */
export class IncompatibleKeys {
  constructor(
    readonly missing_keys: string[],
    readonly unexpected_keys: string[],
  ) {}

  toString(): string {
    if (this.missing_keys.length === 0 && this.unexpected_keys.length === 0) return '<All keys matched successfully>';
    const list = (keys: string[]) => `[${keys.map((k) => `'${k}'`).join(', ')}]`;
    return `_IncompatibleKeys(missing_keys=${list(this.missing_keys)}, unexpected_keys=${list(this.unexpected_keys)})`;
  }

  [inspect](): string {
    return this.toString();
  }
}

/** Python's `module(*inputs)` arguments, as hooks see them. */
export type HookInputs = unknown[];
/**
 * `hook(module, inputs)`: may return replacement inputs. An array replaces the whole argument
 * list (Python's tuple); any other value becomes the single argument.
 */
export type ForwardPreHook = (module: Module, inputs: HookInputs) => unknown;
/** `hook(module, inputs, output)`: may return a replacement output. */
export type ForwardHook = (module: Module, inputs: HookInputs, output: unknown) => unknown;

/** What `register_forward_hook` returns: `remove()` unregisters the hook. */
export class RemovableHandle {
  private static nextId = 0;
  readonly id = RemovableHandle.nextId++;

  constructor(private readonly registry: Map<number, unknown>) {}

  remove(): void {
    this.registry.delete(this.id);
  }
}

/** An ordered record of tensors keyed as PyTorch keys them (`conv.weight`, `0.running_mean`). */
export type StateDict = Record<string, Tensor>;

/**
 * Base class of every layer, as PyTorch's `nn.Module`.
 *
 * Children, parameters and buffers are found the way Python registers them, with no extra
 * calls: any property holding a Module is a child and any holding a tfjs Variable is a
 * parameter, in the order the properties were first assigned (JavaScript keeps insertion
 * order, as Python's `__setattr__` keeps registration order). Buffers are tensors named with
 * `register_buffer`. A subclass implements `forward`; callers use `call` (Python's
 * `module(x)`), which runs the hooks and frees intermediate tensors.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Module.html
 */
export abstract class Module {
  /** Train mode (`True` after construction, as in PyTorch); set by `train()` and `eval()`. */
  training = true;
  private readonly bufferNames = new Set<string>();
  private readonly forwardPreHooks = new Map<number, ForwardPreHook>();
  private readonly forwardHooks = new Map<number, ForwardHook>();

  /** The computation. Subclasses narrow the signature; `any` here lets `call` take theirs. */
  abstract forward(...inputs: any[]): any;

  /**
   * Python's `module(...)`: runs the forward pre-hooks, `forward`, then the forward hooks, in
   * registration order, and frees every tensor made on the way except what it returns, so a
   * forward can chain layers without disposing intermediates. (A hook that keeps a tensor past
   * the call must `tf.keep` it.)
   */
  call(...inputs: Parameters<this['forward']>): ReturnType<this['forward']> {
    return tidy(() => {
      let args: HookInputs = inputs;
      // Hooks registered or removed while this call runs take effect from the next call, as in PyTorch.
      for (const hook of [...this.forwardPreHooks.values()]) {
        const replaced = hook(this, args);
        if (replaced !== undefined && replaced !== null) args = Array.isArray(replaced) ? replaced : [replaced];
      }
      let output = this.forward(...args);
      for (const hook of [...this.forwardHooks.values()]) {
        const replaced = hook(this, args, output);
        if (replaced !== undefined && replaced !== null) output = replaced;
      }
      return output as TensorContainer;
    }) as ReturnType<this['forward']>;
  }

  /**
   * Python's `for layer in layers: x = layer(x)`. When every layer can run channels-last and no
   * hook is registered anywhere below (hooks see NCHW tensors, as in PyTorch), the input is
   * converted to NHWC once, runs through all layers, and is converted back once; otherwise each
   * layer is called in turn on NCHW tensors. Either way the result is the same NCHW tensor.
   */
  protected chain(input: Tensor, ...layers: Module[]): Tensor {
    return tidy(() => {
      if (input.rank === 4 && layers.every((l) => l.runsChannelsLast() && !l.hasHooks())) {
        return toChannelsFirst(layers.reduce((x, l) => l.forwardChannelsLast(x), toChannelsLast(input)));
      }
      return layers.reduce((x, l) => l.call(x) as Tensor, input);
    });
  }

  /**
   * The layers a composite's `forward` runs one after another (`forward(x)` is
   * `this.chain(x, ...this.chainLayers())`), or null. Declaring them lets the composite run
   * channels-last inside an enclosing chain; a user module whose forward is such a chain may
   * override this too.
   */
  protected chainLayers(): Module[] | null {
    return null;
  }

  /** Whether {@link forwardChannelsLast} can stand in for `forward`: layers override it, composites derive it. */
  protected runsChannelsLast(): boolean {
    const layers = this.chainLayers();
    return layers !== null && layers.every((l) => l.runsChannelsLast());
  }

  /** `forward` on an `[N, H, W, C]` input, returning `[N, H, W, C]`; only when {@link runsChannelsLast}. */
  protected forwardChannelsLast(input: Tensor): Tensor {
    const layers = this.chainLayers();
    if (layers === null) throw new TypeError(`${this.constructor.name} cannot run channels-last`);
    return layers.reduce((x, l) => l.forwardChannelsLast(x), input);
  }

  private hasHooks(): boolean {
    for (const m of this.modules()) if (m.forwardPreHooks.size > 0 || m.forwardHooks.size > 0) return true;
    return false;
  }

  /** Runs `hook(module, inputs)` before every `call`, as PyTorch's `register_forward_pre_hook`. */
  register_forward_pre_hook(hook: ForwardPreHook): RemovableHandle {
    const handle = new RemovableHandle(this.forwardPreHooks);
    this.forwardPreHooks.set(handle.id, hook);
    return handle;
  }

  /** Runs `hook(module, inputs, output)` after every `call`, as PyTorch's `register_forward_hook`. */
  register_forward_hook(hook: ForwardHook): RemovableHandle {
    const handle = new RemovableHandle(this.forwardHooks);
    this.forwardHooks.set(handle.id, hook);
    return handle;
  }

  /**
   * Registers `tensor` (or `null`) as buffer `name`: saved in `state_dict`, not a parameter, and
   * owned by the module (`dispose` frees it). A non-trainable tfjs Variable can be updated in
   * place, as PyTorch's `copy_` does; `load_state_dict` replaces any other tensor.
   */
  register_buffer(name: string, tensor: Tensor | null): void {
    this.bufferNames.add(name);
    (this as unknown as Record<string, unknown>)[name] = tensor;
  }

  private entries(): [string, unknown][] {
    return Object.entries(this);
  }

  /**
   * Every child in registration order, a shared child under each of its names. Containers that
   * keep children elsewhere than in properties override this.
   */
  protected *registeredChildren(): Generator<[string, Module]> {
    for (const [name, value] of this.entries()) if (value instanceof Module) yield [name, value];
  }

  /** Direct children with their attribute names, in registration order, each once. */
  *named_children(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, child] of this.registeredChildren()) {
      if (seen.has(child)) continue;
      seen.add(child);
      yield [name, child];
    }
  }

  *children(): Generator<Module> {
    for (const [, m] of this.named_children()) yield m;
  }

  /** This module and every descendant, depth first, each once, with dotted names (`''` for this one). */
  *named_modules(memo = new Set<Module>(), prefix = ''): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [name, child] of this.named_children()) {
      yield* child.named_modules(memo, prefix ? `${prefix}.${name}` : name);
    }
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.named_modules()) yield m;
  }

  private *ownParameters(): Generator<[string, Variable]> {
    for (const [name, value] of this.entries()) {
      if (isVariable(value) && !this.bufferNames.has(name)) yield [name, value];
    }
  }

  private *ownBuffers(): Generator<[string, Tensor]> {
    for (const name of this.bufferNames) {
      const value = (this as unknown as Record<string, unknown>)[name];
      if (isTensor(value)) yield [name, value];
    }
  }

  /** Parameters of this module and (with `recurse`) its descendants, shared ones once. */
  *named_parameters(prefix = '', recurse = true): Generator<[string, Variable]> {
    yield* this.namedMembers((m) => m.ownParameters(), prefix, recurse);
  }

  *parameters(recurse = true): Generator<Variable> {
    for (const [, p] of this.named_parameters('', recurse)) yield p;
  }

  *named_buffers(prefix = '', recurse = true): Generator<[string, Tensor]> {
    yield* this.namedMembers((m) => m.ownBuffers(), prefix, recurse);
  }

  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.named_buffers('', recurse)) yield b;
  }

  private *namedMembers<T>(members: (m: Module) => Iterable<[string, T]>, prefix: string, recurse: boolean): Generator<[string, T]> {
    const seen = new Set<T>();
    const modules: Iterable<[string, Module]> = recurse ? this.named_modules(new Set(), prefix) : [[prefix, this]];
    for (const [modulePrefix, module] of modules) {
      for (const [name, value] of members(module)) {
        if (seen.has(value)) continue;
        seen.add(value);
        yield [modulePrefix ? `${modulePrefix}.${name}` : name, value];
      }
    }
  }

  /**
   * Parameters then buffers of each module, children after their parent, keyed by dotted path.
   * The values are the module's own tensors (as PyTorch's share storage): do not dispose them.
   */
  state_dict(destination: StateDict = {}, prefix = ''): StateDict {
    for (const [name, p] of this.ownParameters()) destination[prefix + name] = p;
    for (const [name, b] of this.ownBuffers()) destination[prefix + name] = b;
    for (const [name, child] of this.registeredChildren()) child.state_dict(destination, `${prefix}${name}.`);
    return destination;
  }

  /**
   * Copies `stateDict`'s tensors into this module's parameters and buffers and returns the
   * missing and unexpected keys. With `strict` these are errors; a shape mismatch always is. As
   * in PyTorch, every matching entry is copied before the RuntimeError listing all problems.
   */
  load_state_dict(stateDict: StateDict, strict = true): IncompatibleKeys {
    const missing: string[] = [];
    const unexpected: string[] = [];
    const errors: string[] = [];
    const visit = (module: Module, prefix: string): void => {
      const local = new Map<string, Tensor>([...module.ownParameters(), ...module.ownBuffers()]);
      for (const [name, target] of local) {
        const key = prefix + name;
        if (!(key in stateDict)) {
          missing.push(key);
          continue;
        }
        const source = stateDict[key];
        if (!isTensor(source)) {
          errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeof source}`);
          continue;
        }
        if (source.shape.join() !== target.shape.join()) {
          errors.push(`size mismatch for ${key}: copying a param with shape ${new Size(source.shape)} from checkpoint, the shape in current model is ${new Size(target.shape)}.`);
          continue;
        }
        if (isVariable(target)) {
          assign(target, source);
        } else {
          (module as unknown as Record<string, unknown>)[name] = copy(source, target.dtype as 'float32' | 'int32');
          target.dispose();
        }
      }
      const childNames = new Set([...module.registeredChildren()].map(([n]) => n));
      for (const key of Object.keys(stateDict)) {
        if (!key.startsWith(prefix)) continue;
        const head = key.slice(prefix.length).split('.', 1)[0];
        if (!childNames.has(head) && !local.has(head)) unexpected.push(key);
      }
      for (const [name, child] of module.registeredChildren()) visit(child, `${prefix}${name}.`);
    };
    visit(this, '');
    if (strict) {
      const quoted = (keys: string[]) => keys.map((k) => `"${k}"`).join(', ');
      if (unexpected.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${quoted(unexpected)}. `);
      if (missing.length > 0) errors.unshift(`Missing key(s) in state_dict: ${quoted(missing)}. `);
    }
    if (errors.length > 0) {
      throw new RuntimeError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    }
    return new IncompatibleKeys(missing, unexpected);
  }

  /** Sets train mode on this module and its descendants; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Frees every parameter and buffer of this module and its descendants, and what layers derived from them. */
  dispose(): void {
    for (const m of this.modules()) m.releaseResources();
    for (const p of this.parameters()) p.dispose();
    for (const b of this.buffers()) b.dispose();
  }

  /** Frees what a layer keeps besides its parameters and buffers (e.g. converted filters). */
  protected releaseResources(): void {}

  /** One line of this module's own settings, as PyTorch's `extra_repr`; empty by default. */
  extra_repr(): string {
    return '';
  }

  /** PyTorch's `__repr__`: the class name, `extra_repr()`, then each child indented by two. */
  toString(): string {
    const extra = this.extra_repr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = [...this.registeredChildren()].map(([name, child]) => `(${name}): ${String(child).replace(/\n/g, '\n  ')}`);
    const lines = [...extraLines, ...childLines];
    let body = '';
    if (extraLines.length === 1 && childLines.length === 0) body = extraLines[0];
    else if (lines.length > 0) body = `\n  ${lines.join('\n  ')}\n`;
    return `${this.constructor.name}(${body})`;
  }

  [inspect](): string {
    return this.toString();
  }
}
