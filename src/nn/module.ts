import type { Tensor, TensorContainer, Variable } from '@tensorflow/tfjs-core';
import { toChannelsFirst, toChannelsLast } from '../functional/layout';
import type { FoldableNorm, FusedActivation } from '../functional/conv';
import { assign, copy, isDisposed, isTensor, isVariable, tidy } from '../backend/tensor';
import { AttributeError, KeyError, RuntimeError, ValueError } from '../errors';
import { opt, pyType, req, signature, type ArgsOf } from '../python/signature';
import { bool, str } from '../python/types';
import { Size } from '../torch/size';
import { isParameter, typename } from './parameter';
import { setGrad } from '../autograd/tensor';
import { paused, requiresGrad } from '../backend/autograd';

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
 * One module's entry in a state_dict's metadata, PyTorch's `local_metadata`: `{ version: 2 }`,
 * the module class's `_version` when the state_dict was made.
 */
export interface LocalMetadata {
  version?: number;
  [key: string]: unknown;
}

/**
 * PyTorch's `state_dict._metadata`: each module's {@link LocalMetadata} by its prefix without
 * the final dot (`''` for the root, `'layers.0'`), in the order `state_dict()` visits modules.
 * `state_dict()` and `torch.load` put it on the state_dict they return as the non-enumerable
 * property `_metadata` (so `Object.keys`, spreading and iterating see only tensors, as
 * `OrderedDict(sd)` in Python keeps only items); `load_state_dict` hands each module its entry
 * and `torch.save` writes it. Read it with {@link metadataOf} and give it with
 * {@link setMetadata} (Python's `sd._metadata = ...`); a state_dict built by hand, or spread
 * into a new object, has none, and then every module loads as if its checkpoint had no
 * version, as in PyTorch.
 */
export type StateDictMetadata = Map<string, LocalMetadata>;

/** The `_metadata` of a state_dict, or undefined when it has none. */
export function metadataOf(stateDict: object): StateDictMetadata | undefined {
  const value = Object.getOwnPropertyDescriptor(stateDict, '_metadata')?.value as unknown;
  return value instanceof Map ? (value as StateDictMetadata) : undefined;
}

/** Gives `stateDict` its `_metadata` (non-enumerable), unless an entry of it is named `_metadata`. */
export function setMetadata(stateDict: object, metadata: StateDictMetadata): void {
  const own = Object.getOwnPropertyDescriptor(stateDict, '_metadata');
  if (own !== undefined && own.enumerable && !(own.value instanceof Map)) return;
  Object.defineProperty(stateDict, '_metadata', { value: metadata, enumerable: false, writable: true, configurable: true });
}

/** A module's registries, PyTorch's `_parameters`, `_buffers` and `_modules`, in registration order. */
interface Registry {
  readonly parameters: Map<string, Variable | null>;
  readonly buffers: Map<string, Tensor | null>;
  readonly nonPersistent: Set<string>;
  readonly modules: Map<string, Module | null>;
  readonly preHooks: Map<number, ForwardPreHook>;
  readonly hooks: Map<number, ForwardHook>;
  disposed: boolean;
}

const REGISTRY = Symbol('registry');
const registryOf = (m: Module): Registry => (m as unknown as { [REGISTRY]: Registry })[REGISTRY];

/** The property's descriptor on `target` or along its prototype chain. */
function lookup(target: object, key: string): PropertyDescriptor | undefined {
  for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o)) {
    const d = Reflect.getOwnPropertyDescriptor(o, key);
    if (d !== undefined) return d;
  }
  return undefined;
}

/**
 * Python's `hasattr(module, name)` for a name the registries do not hold. A class field declared
 * without a value holds `undefined`, which is no attribute: Python's annotations create none.
 */
function hasAttribute(m: Module, name: string): boolean {
  const d = lookup(m, name);
  return d !== undefined && !('value' in d && d.value === undefined);
}

/**
 * PyTorch's `Module.__setattr__`: a Parameter registers as a parameter and a Module as a child,
 * at the end of their registry the first time the name is assigned (a later assignment keeps
 * the slot); `null` keeps a registered slot; a registered name refuses values of another kind.
 */
function register(module: Module, name: string, value: unknown): void {
  const r = registryOf(module);
  if (value === undefined) value = null;
  if (isParameter(value)) {
    r.buffers.delete(name);
    r.nonPersistent.delete(name);
    r.modules.delete(name);
    if (!r.parameters.has(name) && !Object.prototype.hasOwnProperty.call(module, name) && hasAttribute(module, name)) {
      throw new KeyError(`attribute '${name}' already exists`);
    }
    r.parameters.set(name, value);
  } else if (r.parameters.has(name)) {
    if (value !== null) throw new TypeError(`cannot assign '${typename(value)}' as parameter '${name}' (torch.nn.Parameter or None expected)`);
    r.parameters.set(name, null);
  } else if (value instanceof Module) {
    r.parameters.delete(name);
    r.buffers.delete(name);
    r.nonPersistent.delete(name);
    r.modules.set(name, value);
  } else if (r.modules.has(name)) {
    if (value !== null) throw new TypeError(`cannot assign '${typename(value)}' as child module '${name}' (torch.nn.Module or None expected)`);
    r.modules.set(name, null);
  } else if (r.buffers.has(name)) {
    if (value !== null && !isTensor(value)) throw new TypeError(`cannot assign '${typename(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
    r.buffers.set(name, value as Tensor | null);
  }
}

/**
 * What makes assignment register, as Python's `__setattr__` does: every write to a module's
 * property passes through here. Values also stay ordinary own properties, so reading
 * `this.conv` in a forward costs what any property read costs.
 */
const attributes: ProxyHandler<Module> = {
  set(target, key, value, receiver) {
    if (typeof key !== 'string') return Reflect.set(target, key, value, receiver);
    const d = lookup(target, key);
    if (d !== undefined && (d.get !== undefined || d.set !== undefined)) return Reflect.set(target, key, value, receiver);
    if (d !== undefined && d.writable === false) return false;
    register(receiver as Module, key, value);
    return Reflect.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  },
  defineProperty(target, key, descriptor) {
    if (typeof key === 'string' && 'value' in descriptor) {
      const r = registryOf(target);
      // A class field declared without a value is no assignment: keep what a constructor put there.
      if (descriptor.value === undefined && (r.parameters.has(key) || r.buffers.has(key) || r.modules.has(key))) return true;
      register(target, key, descriptor.value);
    }
    return Reflect.defineProperty(target, key, descriptor);
  },
  deleteProperty(target, key) {
    if (typeof key === 'string') {
      const r = registryOf(target);
      r.parameters.delete(key);
      r.buffers.delete(key);
      r.nonPersistent.delete(key);
      r.modules.delete(key);
    }
    return Reflect.deleteProperty(target, key);
  },
};

const NamedModulesSig = signature('Module.named_modules', [opt('memo', pyType<Set<Module> | null>('set'), null), opt('prefix', str, ''), opt('remove_duplicate', bool, true)], { method: true });
const NamedMembersSig = signature('Module.named_parameters', [opt('prefix', str, ''), opt('recurse', bool, true)], { method: true });
const MembersSig = signature('Module.parameters', [opt('recurse', bool, true)], { method: true });
const LoadSig = signature('Module.load_state_dict', [req('state_dict', pyType<StateDict>('dict')), opt('strict', bool, true)], {
  method: true,
  // A state dict's keys are dotted tensor names, never these parameter names.
  isMapping: (o) => !Object.keys(o).every((k) => k === 'state_dict' || k === 'strict') || Object.keys(o).length === 0,
});
const BufferSig = signature('Module.register_buffer', [req('name', str), req('tensor', pyType<Tensor | null>('Tensor')), opt('persistent', bool, true)], { method: true });
const named = (name: string) => signature(name, [opt('prefix', str, ''), opt('recurse', bool, true)], { method: true });
const NamedBuffersSig = named('Module.named_buffers');

/**
 * Sees every module call while `torch.compile` traces a forward (src/compile/trace.ts): `call`
 * runs the module as usual. Chains then call each layer in turn, so each call is seen.
 */
export type CallObserver = (module: Module, inputs: unknown[], call: () => unknown) => unknown;
let callObserver: CallObserver | null = null;

/** Installs `observer` for module calls (null: none), returning the one it replaces. */
export function observeModuleCalls(observer: CallObserver | null): CallObserver | null {
  const previous = callObserver;
  callObserver = observer;
  return previous;
}

/** What `torch.compile` checks before each call, gathered in one walk of the module tree. */
export interface ModuleTreeState {
  /** Whether some module is in training mode. */
  readonly training: boolean;
  /** Whether some module has a forward hook or pre-hook. */
  readonly hooked: boolean;
  /** Every parameter, then every buffer, each once, in `named_parameters`/`named_buffers` order. */
  readonly tensors: readonly Tensor[];
}

/** {@link ModuleTreeState} of `model` and its descendants. */
export function treeState(model: Module): ModuleTreeState {
  const registries: Registry[] = [];
  let training = false;
  const visit = (m: Module, seen: Set<Module>) => {
    if (seen.has(m)) return;
    seen.add(m);
    const r = registryOf(m);
    registries.push(r);
    training ||= m.training;
    for (const child of r.modules.values()) if (child !== null) visit(child, seen);
  };
  visit(model, new Set());
  const members = (of: (r: Registry) => Map<string, Tensor | null>): Tensor[] => [...new Set(registries.flatMap((r) => [...of(r).values()]))].filter((t): t is Tensor => t !== null);
  return {
    training,
    hooked: registries.some((r) => r.preHooks.size > 0 || r.hooks.size > 0),
    tensors: [...members((r) => r.parameters), ...members((r) => r.buffers)],
  };
}

/**
 * Base class of every layer, as PyTorch's `nn.Module`.
 *
 * A module is callable: `model(x)` is Python's `module(x)` (pre-hooks, `forward`, hooks, and the
 * freeing of every intermediate tensor); `model.call(x)` is the same. A subclass implements
 * `forward`.
 *
 * Assigning a Module or a Parameter to a property registers it, in the order of first
 * assignment, exactly as Python's `__setattr__` does, however the TypeScript class declares its
 * fields: a field declared without a value registers nothing until the constructor assigns it,
 * and `= null` is an ordinary attribute until a module is assigned. Assigning `null` to a
 * registered child keeps its slot. Buffers are named with `register_buffer`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Module.html
 */
export abstract class Module {
  /**
   * PyTorch's class attribute `_version`: the version of the class's state_dict layout, saved
   * in `state_dict()`'s metadata (1 unless a class that changed its layout raises it).
   */
  static _version = 1;
  /** An instance's own `_version`, which overrides its class's (torchvision's MNASNet sets 1 after loading a version-1 checkpoint). */
  declare _version?: number;
  /** Train mode (`True` after construction, as in PyTorch); set by `train()` and `eval()`. */
  declare training: boolean;

  constructor() {
    let self: Module;
    // The module is a function object so that `model(x)` calls it, as Python's `__call__` does.
    const callable = (...inputs: unknown[]): unknown => self.call(...(inputs as never[]));
    delete (callable as { name?: string }).name;
    delete (callable as { length?: number }).length;
    Object.setPrototypeOf(callable, new.target.prototype);
    const registry: Registry = {
      parameters: new Map(),
      buffers: new Map(),
      nonPersistent: new Set(),
      modules: new Map(),
      preHooks: new Map(),
      hooks: new Map(),
      disposed: false,
    };
    Object.defineProperty(callable, REGISTRY, { value: registry });
    Object.assign(callable, { training: true });
    self = new Proxy(callable as unknown as Module, attributes);
    return self;
  }

  /** The computation. Subclasses narrow the signature; `any` here lets `call` take theirs. */
  abstract forward(...inputs: any[]): any;

  /**
   * Python's `module(...)`: runs the forward pre-hooks, `forward`, then the forward hooks, in
   * registration order, and frees every tensor made on the way except what it returns, so a
   * forward can chain layers without disposing intermediates. (A hook that keeps a tensor past
   * the call must `tf.keep` it.)
   */
  call(...inputs: Parameters<this['forward']>): ReturnType<this['forward']> {
    if (callObserver !== null) return callObserver(this, inputs, () => this.invoke(inputs)) as ReturnType<this['forward']>;
    return this.invoke(inputs);
  }

  private invoke(inputs: Parameters<this['forward']>): ReturnType<this['forward']> {
    const r = registryOf(this);
    if (r.disposed) throw new RuntimeError(`${this.constructor.name} was disposed: its parameters and buffers are freed`);
    inputs.forEach((x, i) => {
      if (isTensor(x) && isDisposed(x)) throw new RuntimeError(`${this.constructor.name}: input ${i} is a disposed tensor`);
    });
    // An eval-mode module records for backward only when an input requires grad (saliency, a
    // frozen layer inside a trained model): inference keeps no graph, whatever its parameters.
    const record = this.training || inputs.some((x) => isTensor(x) && requiresGrad(x));
    return (record ? tidy : (fn: () => TensorContainer) => paused(() => tidy(fn)))(() => {
      let args: HookInputs = inputs;
      // Hooks registered or removed while this call runs take effect from the next call, as in PyTorch.
      for (const hook of [...r.preHooks.values()]) {
        const replaced = hook(this, args);
        if (replaced !== undefined && replaced !== null) args = Array.isArray(replaced) ? replaced : [replaced];
      }
      let output = this.entersChannelsLast(args) ? this.throughChannelsLast(args[0] as Tensor) : this.forward(...args);
      for (const hook of [...r.hooks.values()]) {
        const replaced = hook(this, args, output);
        if (replaced !== undefined && replaced !== null) output = replaced;
      }
      return output as TensorContainer;
    }) as ReturnType<this['forward']>;
  }

  /**
   * Python's `for layer in layers: x = layer(x)`. When every layer can run channels-last and no
   * hook is registered anywhere below (hooks see NCHW tensors, as in PyTorch), the input is
   * converted to NHWC once, runs through all layers (see {@link chainChannelsLast}), and is
   * converted back once; otherwise each layer is called in turn on NCHW tensors. Either way the
   * result is the same NCHW tensor.
   */
  protected chain(input: Tensor, ...layers: Module[]): Tensor {
    return tidy(() => {
      if (callObserver === null && input.rank === 4 && layers.every((l) => l.runsChannelsLast() && !l.hasHooks())) {
        return toChannelsFirst(this.chainChannelsLast(toChannelsLast(input), ...layers));
      }
      return layers.reduce((x, l) => l(x) as Tensor, input);
    });
  }

  /**
   * `layers` one after another on a channels-last input, each of which {@link runsChannelsLast}.
   * A convolution followed by a BatchNorm2d that normalises with its running statistics (eval
   * mode), by a ReLU or ReLU6, or by both, runs as one convolution with the BatchNorm folded
   * into its weights and the activation fused, when nothing is recorded for backward (see
   * {@link forwardChannelsLastFused}); the folded weights are remade whenever any weight,
   * bias or statistic they come from changes.
   */
  protected chainChannelsLast(input: Tensor, ...layers: Module[]): Tensor {
    let x = input;
    for (let i = 0; i < layers.length; ) {
      const norm = layers[i + 1]?.foldableNorm() ?? null;
      const activation = layers[i + (norm === null ? 1 : 2)]?.fusedActivation() ?? null;
      const fused = norm === null && activation === null ? null : layers[i].forwardChannelsLastFused(x, norm, activation);
      if (fused === null) {
        x = layers[i].forwardChannelsLast(x);
        i += 1;
      } else {
        x = fused;
        i += 1 + (norm === null ? 0 : 1) + (activation === null ? 0 : 1);
      }
    }
    return x;
  }

  /** Whether every one of `layers` {@link runsChannelsLast}: for blocks that override it. */
  protected layersRunChannelsLast(...layers: (Module | null)[]): boolean {
    return layers.every((l) => l === null || l.runsChannelsLast());
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

  /**
   * Whether {@link forwardChannelsLast} can stand in for `forward`: layers override it, composites
   * derive it, blocks whose forward is no plain chain (a residual sum, a channel shuffle)
   * override it with `forwardChannelsLast`.
   */
  protected runsChannelsLast(): boolean {
    const layers = this.chainLayers();
    return layers !== null && layers.every((l) => l.runsChannelsLast());
  }

  /**
   * `forward` on an `[N, H, W, C]` input, returning `[N, H, W, C]`; only when {@link runsChannelsLast}
   * (or {@link channelsLastEntry}, whose result may be of another rank, which has no layout).
   */
  protected forwardChannelsLast(input: Tensor): Tensor {
    const layers = this.chainLayers();
    if (layers === null) throw new TypeError(`${this.constructor.name} cannot run channels-last`);
    return this.chainChannelsLast(input, ...layers);
  }

  /**
   * Whether a call of this module on one `[N, C, H, W]` tensor runs {@link forwardChannelsLast}
   * between one conversion to NHWC and one back (of a 4-D result), instead of `forward`: what
   * blocks and whole models whose forward is not one chain declare (their forward then calls
   * several chains, each converting on its own). False by default: a single layer's own
   * forward is as fast, and a chain's converts already.
   */
  protected channelsLastEntry(): boolean {
    return false;
  }

  private entersChannelsLast(args: HookInputs): boolean {
    const [x] = args;
    return callObserver === null && args.length === 1 && isTensor(x) && x.rank === 4 && this.channelsLastEntry() && !this.hasHooks();
  }

  private throughChannelsLast(input: Tensor): Tensor {
    const y = this.forwardChannelsLast(toChannelsLast(input));
    return y.rank === 4 ? toChannelsFirst(y) : y;
  }

  /**
   * This layer on a channels-last input followed by `norm` (a foldable BatchNorm's terms) and
   * `activation`, as one fused kernel, or null when it cannot fuse them (then the layers run one
   * by one). Convolutions override it.
   */
  protected forwardChannelsLastFused(_input: Tensor, _norm: FoldableNorm | null, _activation: FusedActivation | null): Tensor | null {
    return null;
  }

  /** The terms a preceding convolution can fold this layer into, or null: BatchNorm2d in eval mode overrides it. */
  protected foldableNorm(): FoldableNorm | null {
    return null;
  }

  /** The activation a preceding convolution can fuse this layer as, or null: ReLU and ReLU6 override it. */
  protected fusedActivation(): FusedActivation | null {
    return null;
  }

  private hasHooks(): boolean {
    for (const m of this.modules()) {
      const r = registryOf(m);
      if (r.preHooks.size > 0 || r.hooks.size > 0) return true;
    }
    return false;
  }

  /** Runs `hook(module, inputs)` before every call, as PyTorch's `register_forward_pre_hook`. */
  register_forward_pre_hook(hook: ForwardPreHook): RemovableHandle {
    const hooks = registryOf(this).preHooks;
    const handle = new RemovableHandle(hooks);
    hooks.set(handle.id, hook);
    return handle;
  }

  /** Runs `hook(module, inputs, output)` after every call, as PyTorch's `register_forward_hook`. */
  register_forward_hook(hook: ForwardHook): RemovableHandle {
    const hooks = registryOf(this).hooks;
    const handle = new RemovableHandle(hooks);
    hooks.set(handle.id, hook);
    return handle;
  }

  /**
   * `register_buffer(name, tensor, persistent=True)`: a tensor (or `null`) saved in `state_dict`
   * unless not persistent, not a parameter, and owned by the module (`dispose` frees it). A
   * non-trainable tfjs Variable can be updated in place, as PyTorch's `copy_` does;
   * `load_state_dict` replaces any other tensor.
   */
  register_buffer(...args: ArgsOf<typeof BufferSig>): void {
    const { name, tensor, persistent } = BufferSig.bind(args);
    const r = registryOf(this);
    this.checkName('buffer', name, r.buffers);
    if (tensor !== null && !isTensor(tensor)) {
      throw new TypeError(`cannot assign '${typename(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    r.buffers.set(name, tensor);
    if (persistent) r.nonPersistent.delete(name);
    else r.nonPersistent.add(name);
    Reflect.defineProperty(this, name, { value: tensor, writable: true, enumerable: true, configurable: true });
  }

  /** `register_parameter(name, param)`: as assigning it, with PyTorch's checks of the name and value. */
  register_parameter(name: string, param: Variable | null): void {
    const r = registryOf(this);
    this.checkName('parameter', name, r.parameters);
    if (param !== null && !isParameter(param)) {
      throw new TypeError(`cannot assign '${typename(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    r.parameters.set(name, param);
    Reflect.defineProperty(this, name, { value: param, writable: true, enumerable: true, configurable: true });
  }

  /** `add_module(name, module)`: registers a child under a name that need not be an identifier. */
  add_module(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${typename(module)} is not a Module subclass`);
    if (typeof name !== 'string') throw new TypeError(`module name should be a string. Got ${typename(name)}`);
    const r = registryOf(this);
    if (hasAttribute(this, name) && !r.modules.has(name)) throw new KeyError(`attribute '${name}' already exists`);
    if (name.includes('.')) throw new KeyError(`module name can't contain ".", got: ${name}`);
    if (name === '') throw new KeyError('module name can\'t be empty string ""');
    r.modules.set(name, module);
    Reflect.defineProperty(this, name, { value: module, writable: true, enumerable: true, configurable: true });
  }

  /** `register_module(name, module)`: an alias of {@link add_module}. */
  register_module(name: string, module: Module | null): void {
    this.add_module(name, module);
  }

  /** register_buffer's and register_parameter's checks of a new name, PyTorch's order and words. */
  private checkName(kind: 'buffer' | 'parameter', name: unknown, own: Map<string, unknown>): asserts name is string {
    if (typeof name !== 'string') throw new TypeError(`${kind} name should be a string. Got ${typename(name)}`);
    const exists = () => {
      if (hasAttribute(this, name) && !own.has(name)) throw new KeyError(`attribute '${name}' already exists`);
    };
    if (kind === 'buffer') exists();
    if (name.includes('.')) throw new KeyError(`${kind} name can't contain "."`);
    if (name === '') throw new KeyError(`${kind} name can't be empty string ""`);
    if (kind === 'parameter') exists();
  }

  /** `get_submodule('features.0')`: the descendant at a dotted path (`''` is this module). */
  get_submodule(target: string): Module {
    if (target === '') return this;
    let mod: Module = this;
    for (const item of target.split('.')) {
      if (!hasAttribute(mod, item)) throw new AttributeError(`${mod.constructor.name} has no attribute \`${item}\``);
      const next = (mod as unknown as Record<string, unknown>)[item];
      if (!(next instanceof Module)) throw new AttributeError(`\`${item}\` is not an nn.Module`);
      mod = next;
    }
    return mod;
  }

  /** `get_parameter('features.0.weight')`: the parameter at a dotted path. */
  get_parameter(target: string): Variable {
    const dot = target.lastIndexOf('.');
    const mod = this.get_submodule(dot < 0 ? '' : target.slice(0, dot));
    const name = target.slice(dot + 1);
    if (!hasAttribute(mod, name)) throw new AttributeError(`${mod.constructor.name} has no attribute \`${name}\``);
    const param = (mod as unknown as Record<string, unknown>)[name];
    if (!isParameter(param)) throw new AttributeError(`\`${name}\` is not an nn.Parameter`);
    return param;
  }

  /** `apply(fn)`: `fn` on every descendant (children first), then on this module; returns this. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** `requires_grad_(requires_grad=True)`: sets whether every parameter is trainable; returns this. */
  requires_grad_(requires_grad = true): this {
    for (const p of this.parameters()) p.trainable = requires_grad;
    return this;
  }

  /** Direct children with their attribute names, in registration order, each once. */
  *named_children(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, child] of registryOf(this).modules) {
      if (child === null || seen.has(child)) continue;
      seen.add(child);
      yield [name, child];
    }
  }

  *children(): Generator<Module> {
    for (const [, m] of this.named_children()) yield m;
  }

  /**
   * `named_modules(memo=None, prefix='', remove_duplicate=True)`: this module and every
   * descendant, depth first, with dotted names (`''` for this one); each once unless
   * `remove_duplicate` is false.
   */
  *named_modules(...args: ArgsOf<typeof NamedModulesSig>): Generator<[string, Module]> {
    const { memo, prefix, remove_duplicate } = NamedModulesSig.bind(args);
    yield* this.walk(memo ?? new Set(), prefix, remove_duplicate);
  }

  private *walk(memo: Set<Module>, prefix: string, removeDuplicate: boolean): Generator<[string, Module]> {
    if (memo.has(this)) return;
    if (removeDuplicate) memo.add(this);
    yield [prefix, this];
    for (const [name, child] of registryOf(this).modules) {
      if (child !== null) yield* child.walk(memo, prefix ? `${prefix}.${name}` : name, removeDuplicate);
    }
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.walk(new Set(), '', true)) yield m;
  }

  /** `named_parameters(prefix='', recurse=True)`: parameters of this module and its descendants, shared ones once. */
  *named_parameters(...args: ArgsOf<typeof NamedMembersSig>): Generator<[string, Variable]> {
    const { prefix, recurse } = NamedMembersSig.bind(args);
    yield* this.namedMembers((r) => r.parameters, prefix, recurse);
  }

  *parameters(...args: ArgsOf<typeof MembersSig>): Generator<Variable> {
    const { recurse } = MembersSig.bind(args);
    for (const [, p] of this.namedMembers((r) => r.parameters, '', recurse)) yield p;
  }

  *named_buffers(...args: ArgsOf<typeof NamedBuffersSig>): Generator<[string, Tensor]> {
    const { prefix, recurse } = NamedBuffersSig.bind(args);
    yield* this.namedMembers((r) => r.buffers, prefix, recurse);
  }

  *buffers(...args: ArgsOf<typeof MembersSig>): Generator<Tensor> {
    const { recurse } = MembersSig.bind(args);
    for (const [, b] of this.namedMembers((r) => r.buffers, '', recurse)) yield b;
  }

  private *namedMembers<T>(members: (r: Registry) => Map<string, T | null>, prefix: string, recurse: boolean): Generator<[string, T]> {
    const seen = new Set<T>();
    const modules: Iterable<[string, Module]> = recurse ? this.walk(new Set(), prefix, true) : [[prefix, this]];
    for (const [modulePrefix, module] of modules) {
      for (const [name, value] of members(registryOf(module))) {
        if (value === null || seen.has(value)) continue;
        seen.add(value);
        yield [modulePrefix ? `${modulePrefix}.${name}` : name, value];
      }
    }
  }

  /**
   * Parameters then persistent buffers of each module, children after their parent, keyed by
   * dotted path. The values are the module's own tensors (as PyTorch's share storage): do not
   * dispose them. A new state_dict (no `destination`) carries each module's `{ version }` as
   * its `_metadata` ({@link StateDictMetadata}), PyTorch's class versions, so that `torch.save`
   * writes what PyTorch's `state_dict()` would.
   */
  state_dict(destination?: StateDict, prefix = ''): StateDict {
    if (destination === undefined) {
      destination = {};
      setMetadata(destination, new Map());
    }
    metadataOf(destination)?.set(prefix.slice(0, -1), { version: this._version ?? (this.constructor as typeof Module)._version });
    const r = registryOf(this);
    for (const [name, p] of r.parameters) if (p !== null) destination[prefix + name] = p;
    for (const [name, b] of r.buffers) if (b !== null && !r.nonPersistent.has(name)) destination[prefix + name] = b;
    for (const [name, child] of r.modules) child?.state_dict(destination, `${prefix}${name}.`);
    return destination;
  }

  /**
   * PyTorch's `_load_from_state_dict`: copies this module's own parameters and persistent
   * buffers (not its descendants') from `state_dict`, which holds the entries under `prefix` and
   * may be changed (it is this load's own copy), and records missing and unexpected keys and
   * errors. `local_metadata` is this module's entry of the state_dict's `_metadata` (`{}`
   * without one). A module whose checkpoints changed over versions overrides it to convert an
   * old one, then calls `super`, as BatchNorm2d does for checkpoints without
   * `num_batches_tracked`. A tensor an override adds is freed once the load is done.
   */
  protected _load_from_state_dict(
    state_dict: Record<string, unknown>,
    prefix: string,
    _local_metadata: LocalMetadata,
    _strict: boolean,
    missing_keys: string[],
    unexpected_keys: string[],
    error_msgs: string[],
  ): void {
    const r = registryOf(this);
    const local = new Map<string, Tensor>();
    for (const [name, p] of r.parameters) if (p !== null) local.set(name, p);
    for (const [name, b] of r.buffers) if (b !== null && !r.nonPersistent.has(name)) local.set(name, b);
    for (const [name, target] of local) {
      const key = prefix + name;
      if (!(key in state_dict)) {
        missing_keys.push(key);
        continue;
      }
      const source = state_dict[key];
      if (!isTensor(source)) {
        error_msgs.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeof source}`);
        continue;
      }
      if (source.shape.join() !== target.shape.join()) {
        error_msgs.push(`size mismatch for ${key}: copying a param with shape ${new Size(source.shape)} from checkpoint, the shape in current model is ${new Size(target.shape)}.`);
        continue;
      }
      if (isVariable(target)) {
        assign(target, source);
      } else {
        (this as unknown as Record<string, unknown>)[name] = copy(source, target.dtype as 'float32' | 'int32');
        target.dispose();
      }
    }
    for (const key of Object.keys(state_dict)) {
      if (!key.startsWith(prefix)) continue;
      const head = key.slice(prefix.length).split('.', 1)[0];
      if (!r.modules.has(head) && !local.has(head)) unexpected_keys.push(key);
    }
  }

  /**
   * `load_state_dict(state_dict, strict=True)`: copies the tensors into this module's parameters
   * and persistent buffers and returns the missing and unexpected keys. With `strict` these are
   * errors; a shape mismatch always is. As in PyTorch, each module's `_load_from_state_dict`
   * gets the entries under its prefix and its entry of the state_dict's `_metadata`
   * ({@link StateDictMetadata}), so old checkpoints convert as PyTorch converts them (a
   * BatchNorm2d checkpoint of version 1 or without metadata gets `num_batches_tracked` 0), and
   * every matching entry is copied before the RuntimeError listing all problems. A disposed
   * tensor in `state_dict`, or a disposed module, is refused before anything is copied, so the
   * module stays as it was and usable.
   */
  load_state_dict(...args: ArgsOf<typeof LoadSig>): IncompatibleKeys {
    const { state_dict: stateDict, strict } = LoadSig.bind(args);
    if (typeof stateDict !== 'object' || stateDict === null || Array.isArray(stateDict)) {
      throw new TypeError(`Expected state_dict to be dict-like, got <class '${typename(stateDict)}'>.`);
    }
    if (registryOf(this).disposed) throw new RuntimeError(`${this.constructor.name} was disposed: its parameters and buffers are freed`);
    const disposed = Object.entries(stateDict).filter(([, t]) => isTensor(t) && isDisposed(t)).map(([k]) => k);
    if (disposed.length > 0) {
      throw new RuntimeError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\tdisposed tensor(s) in state_dict: ${disposed.map((k) => `"${k}"`).join(', ')}`);
    }
    const metadata = metadataOf(stateDict);
    // `_metadata` assigned as an ordinary property is still metadata, not an entry.
    const entries = Object.entries(stateDict).filter(([k, v]) => !(k === '_metadata' && v instanceof Map));
    const given = new Set<unknown>(entries.map(([, v]) => v));
    const copies: Record<string, unknown>[] = [];
    /** A dict of `entries` whose keys are only ever its own (no prototype: `'constructor' in d` is false). */
    const dictOf = (entries: Iterable<[string, unknown]>): Record<string, unknown> => {
      const d = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of entries) d[k] = v;
      copies.push(d);
      return d;
    };
    const missing: string[] = [];
    const unexpected: string[] = [];
    const errors: string[] = [];
    const load = (module: Module, local: Record<string, unknown>, prefix: string): void => {
      module._load_from_state_dict(local, prefix, metadata?.get(prefix.slice(0, -1)) ?? {}, true, missing, unexpected, errors);
      for (const [name, child] of registryOf(module).modules) {
        if (child === null) continue;
        const childPrefix = `${prefix}${name}.`;
        load(child, dictOf(Object.entries(local).filter(([k]) => k.startsWith(childPrefix))), childPrefix);
      }
    };
    try {
      load(this, dictOf(entries), '');
    } finally {
      // What overrides added (BatchNorm2d's num_batches_tracked) was copied in; the caller owns the rest.
      const added = new Set(copies.flatMap((d) => Object.values(d)).filter((v) => isTensor(v) && !given.has(v)) as Tensor[]);
      added.forEach((t) => t.dispose());
    }
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
    if (typeof mode !== 'boolean') throw new ValueError('training mode is expected to be boolean');
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Frees every parameter and buffer of this module and its descendants, and what layers derived
   * from them. A disposed module refuses later calls and loads with a RuntimeError.
   */
  dispose(): void {
    for (const m of this.modules()) {
      m.releaseResources();
      registryOf(m).disposed = true;
    }
    for (const p of this.parameters()) {
      setGrad(p, null);
      p.dispose();
    }
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
    const childLines = [...registryOf(this).modules].map(([name, child]) => `(${name}): ${child === null ? 'None' : String(child).replace(/\n/g, '\n  ')}`);
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

/**
 * A module is callable with its `forward`'s arguments, returning its result: `model(x)`.
 * (Declaration merging gives the class's instances this call signature.)
 */
export interface Module {
  (...inputs: Parameters<this['forward']>): ReturnType<this['forward']>;
}

/**
 * A container's children, for the containers of this folder (Sequential, ModuleList,
 * ModuleDict), which index and renumber them as PyTorch's do. `children` replaces them all, in
 * order, as PyTorch's containers rebuild `_modules`.
 */
export function childModules(module: Module, children?: Iterable<[string, Module | null]>): Map<string, Module | null> {
  const modules = registryOf(module).modules;
  if (children !== undefined) {
    const entries = [...children];
    for (const name of [...modules.keys()]) Reflect.deleteProperty(module, name);
    for (const [name, child] of entries) {
      modules.set(name, child);
      Reflect.defineProperty(module, name, { value: child, writable: true, enumerable: true, configurable: true });
    }
  }
  return modules;
}
