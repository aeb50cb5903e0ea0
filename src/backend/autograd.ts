/**
 * PyTorch's autograd graph, recorded by tfjs's own engine.
 *
 * tfjs records a tape only while `engine.state.gradientDepth > 0` (inside `tf.grad`): every
 * kernel run then reaches `engine.addTapeNode` with its name, inputs, outputs and attributes.
 * While grad mode is on we keep that depth raised and take each such call: a kernel with an
 * input that requires grad becomes a {@link Node} of our graph, any other is dropped at once.
 * So the graph holds exactly what PyTorch's would, whatever code ran the kernels (layers,
 * torch.* functions, user code calling tfjs), and it survives `tf.tidy`: a node keeps its own
 * handles on the tensors its backward needs (tfjs shares the data; no copy is made).
 *
 * tfjs-core's CommonJS build registers no kernel gradients (they ship only in the
 * `@tensorflow/tfjs` bundle), and several of tfjs's gradients call kernels that the wasm backend
 * lacks (Conv2DBackpropFilter, DepthwiseConv2dNativeBackprop*, UnsortedSegmentSum). Gradients
 * therefore come from our own table (./gradients), written to ATen's formulas with kernels
 * every backend has; layers whose forward is not a plain chain of kernels (convolution,
 * BatchNorm) record one node with their own backward through {@link customOp}.
 *
 * Memory is PyTorch's reference counting made explicit: a node lives while one of its outputs
 * is undisposed or a live node consumes one; disposing the last such tensor frees its saved
 * tensors at once, and then its producers' in turn. `backward` frees the saved tensors of what
 * it ran through unless asked to retain the graph.
 */
import { RuntimeError } from '../errors';
import { tf } from './runtime';

type Tensor = tf.Tensor;

/** The parts of tfjs's engine this file drives (tfjs-core 4.22's engine.ts). */
interface Engine {
  state: { gradientDepth: number; kernelDepth: number; activeTape: unknown[] | null };
  addTapeNode(name: string, inputs: Record<string, Tensor | null | undefined>, outputs: Tensor[], gradientsFunc: CustomGradient | null, saved: Tensor[], attrs: Attrs): void;
  disposeTensor(t: Tensor): void;
  gradients(...args: unknown[]): unknown;
}
/** tfjs's `customGrad` backward, as the engine hands it to `addTapeNode`. */
type CustomGradient = (dy: Tensor | Tensor[], saved: Tensor[], attrs: Attrs) => Record<string, () => Tensor>;
export type Attrs = Record<string, any> | undefined;

const engine = tf.engine() as unknown as Engine;

/**
 * A kernel's gradient: `save` names what backward needs (taken when the kernel runs), `grad`
 * maps the output gradients to one gradient per input name (null: none flows there).
 */
export interface KernelGradient {
  save?: (inputs: Record<string, Tensor>, outputs: Tensor[]) => Tensor[];
  grad: (dys: Tensor[], saved: Tensor[], attrs: Attrs, node: NodeInfo) => Record<string, Tensor | null>;
  /** Which saved tensors PyTorch's own formula saves as a view of the input (a transposed weight). */
  savedViews?: (attrs: Attrs) => readonly boolean[];
}

/** What a gradient function may read of its node besides saved tensors: shapes and dtypes. */
export interface NodeInfo {
  readonly inputs: Record<string, { shape: number[]; dtype: string }>;
  readonly outputs: readonly { shape: number[]; dtype: string }[];
}

let table: Record<string, KernelGradient> = {};
/** Installs the kernel gradient table (./gradients does, once). */
export function setGradientTable(t: Record<string, KernelGradient>): void {
  table = t;
}

/** One recorded operation: PyTorch's `grad_fn`. */
export class Node implements NodeInfo {
  private static nextId = 0;
  /** Creation order, which is a topological order: inputs are always made first. */
  readonly id = Node.nextId++;
  /** Undisposed outputs, plus nodes that consume one of them: the node lives while this is positive. */
  liveOutputs: number;
  consumers = 0;
  /** Saved tensors freed by a backward that did not retain the graph. */
  freed = false;
  /** Whether a backward freed saved tensors this node needs (PyTorch's error is about those). */
  private hadSaved = false;
  collected = false;
  readonly inputs: Record<string, Tensor>;

  constructor(
    /** The kernel's name (tfjs's, as `Conv2D`), or PyTorch's backward name for a custom op. */
    readonly kernel: string,
    readonly inputNames: readonly string[],
    readonly inputTensors: readonly Tensor[],
    readonly outputs: readonly Tensor[],
    private saved: Tensor[],
    private readonly fn: (dys: Tensor[], saved: Tensor[], node: Node) => readonly (Tensor | null)[],
  ) {
    this.inputs = Object.fromEntries(inputNames.map((n, i) => [n, inputTensors[i]]));
    this.liveOutputs = outputs.length;
  }

  /**
   * PyTorch's `grad_fn.name()`. Layers recorded as one node carry PyTorch's own name
   * (`ConvolutionBackward0`); a tfjs kernel's node is named after the kernel (`MultiplyBackward`).
   */
  name(): string {
    return this.kernel.endsWith('Backward0') ? this.kernel : `${this.kernel}Backward`;
  }

  /** Input gradients for output gradients `dys` (zeros where none flowed). */
  backward(dys: Tensor[]): readonly (Tensor | null)[] {
    if (this.freed && this.hadSaved) {
      throw new RuntimeError(
        'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
          'Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True ' +
          'if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.',
      );
    }
    checkVersions(this.saved);
    return this.fn(dys, this.saved, this);
  }

  /** Frees the saved tensors (after a backward, or when the node can no longer be reached). */
  free(): void {
    if (this.saved.length > 0) this.hadSaved = true;
    this.saved.forEach((t) => t.dispose());
    this.saved = [];
    this.freed = true;
  }
}

/** The node that made each tensor still part of a graph. */
const producers = new WeakMap<Tensor, Node>();
/** Tensors given `requires_grad_()` that are no Variable (those use `trainable`). */
const leaves = new WeakSet<Tensor>();

/** PyTorch's `grad_fn`: the node that made `t`, or null for a leaf. */
export const gradFn = (t: Tensor): Node | null => producers.get(t) ?? null;

/** PyTorch's `requires_grad`: a graph output, a leaf marked so, or a trainable Variable (a Parameter). */
export const requiresGrad = (t: Tensor): boolean => producers.has(t) || leaves.has(t) || (t instanceof tf.Variable && t.trainable);

/** Marks a leaf tensor as requiring grad or not (a Variable's flag is its `trainable`). */
export function setRequiresGrad(t: Tensor, value: boolean): void {
  if (t instanceof tf.Variable) t.trainable = value;
  else if (value) leaves.add(t);
  else leaves.delete(t);
}

// ---- Grad mode: whether kernels are recorded. ----

/** Whether our graph is the engine's active tape (grad mode on, no tfjs `tf.grad` running). */
let recordingOn = false;
let gradEnabled = true;

/** Sets grad mode and returns the previous one. */
export function setGradEnabled(on: boolean): boolean {
  const was = gradEnabled;
  gradEnabled = on;
  if (on !== recordingOn) {
    engine.state.gradientDepth += on ? 1 : -1;
    recordingOn = on;
  }
  return was;
}

export const isGradEnabled = (): boolean => gradEnabled;

/** Whether an operation on `inputs` run now would be recorded. */
export const isRecording = (inputs: readonly (Tensor | null)[]): boolean =>
  recordingOn && engine.state.kernelDepth === 0 && inputs.some((t) => t !== null && requiresGrad(t));

/** Runs `fn` with nothing recorded (our backward formulas, saved copies, optimizer updates). */
export function paused<T>(fn: () => T): T {
  if (!recordingOn) return fn();
  engine.state.gradientDepth -= 1;
  recordingOn = false;
  try {
    return fn();
  } finally {
    engine.state.gradientDepth += 1;
    recordingOn = true;
  }
}

// ---- Version counters: PyTorch's check that saved tensors were not modified in place. ----

/**
 * How many times each Variable was written in place. A tfjs tensor never changes, but a
 * Variable's `assign` (an optimizer step, `load_state_dict`, an `nn.init` fill) gives it new
 * data, which PyTorch counts as a new version of the same tensor.
 */
const versions = new WeakMap<tf.Variable, number>();
const versionOf = (v: tf.Variable): number => versions.get(v) ?? 0;

/**
 * Sets the version a new Variable starts at: a parameter drawn by a layer's initialisation has
 * had one in-place fill in PyTorch (`kaiming_uniform_(self.weight)`), `nn.Parameter(data)` none.
 */
export function setVersion(v: tf.Variable, version: number): void {
  versions.set(v, version);
  owners.set(v.dataId, v);
}

/** The Variable whose data each data id is or was, so a reshaped handle saved for backward is checked too. */
const owners = new WeakMap<object, tf.Variable>();

const originalAssign = tf.Variable.prototype.assign;
tf.Variable.prototype.assign = function (this: tf.Variable, value: Tensor) {
  originalAssign.call(this, value);
  versions.set(this, versionOf(this) + 1);
  owners.set(this.dataId, this);
};

/** The Variable a saved copy was taken from, its version then, and whether PyTorch saves a view of it. */
interface SavedFrom {
  source: tf.Variable;
  version: number;
  view: boolean;
}
const savedFrom = new WeakMap<Tensor, SavedFrom>();

/** A kept handle on `t`'s data, not tracked by any tidy, for a node to hold until freed. */
function keepCopy(t: Tensor, view = false): Tensor {
  const copy = tf.keep(paused(() => tf.clone(t)));
  const source = t instanceof tf.Variable ? t : owners.get(t.dataId);
  // A handle on data its Variable no longer holds was saved from an old version, not this one.
  if (source !== undefined && source.dataId === t.dataId) savedFrom.set(copy, { source, version: versionOf(source), view });
  return copy;
}

/** PyTorch's error when a node's saved Variable was written after the forward saved it. */
function checkVersions(saved: readonly Tensor[]): void {
  for (const t of saved) {
    const from = savedFrom.get(t);
    if (from === undefined || versionOf(from.source) === from.version) continue;
    const type = `torch.${{ float32: 'Float', int32: 'Int', bool: 'Bool' }[from.source.dtype as string] ?? 'Float'}Tensor`;
    // PyTorch names a saved view by the node that stands for the view after its base changed.
    const view = from.view ? ', which is output 0 of AsStridedBackward0,' : '';
    throw new RuntimeError(
      `one of the variables needed for gradient computation has been modified by an inplace operation: [${type} [${from.source.shape.join(', ')}]]${view} ` +
        `is at version ${versionOf(from.source)}; expected version ${from.version} instead. Hint: enable anomaly detection to find the operation that ` +
        'failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).',
    );
  }
}

function addNode(name: string, names: string[], inputs: Tensor[], outputs: Tensor[], saved: Tensor[], fn: (dys: Tensor[], saved: Tensor[], node: Node) => readonly (Tensor | null)[]): void {
  const node = new Node(name, names, inputs, outputs, saved, fn);
  for (const t of inputs) {
    const p = producers.get(t);
    if (p !== undefined) p.consumers++;
  }
  for (const o of outputs) producers.set(o, node);
}

const notImplemented = (name: string) => (): never => {
  throw new RuntimeError(`the derivative for '${name}' is not implemented.`);
};

const originalAddTapeNode = engine.addTapeNode;
engine.addTapeNode = function (name, inputMap, outputs, gradientsFunc, saved, attrs) {
  if (!recordingOn) return originalAddTapeNode.call(this, name, inputMap, outputs, gradientsFunc, saved, attrs);
  // The engine also calls this for its own copies of saved tensors, from inside a kernel.
  if (engine.state.kernelDepth > 0) return;
  const names = Object.keys(inputMap).filter((k) => inputMap[k] != null);
  const inputs = names.map((k) => inputMap[k] as Tensor);
  if (!inputs.some(requiresGrad) || !outputs.some((o) => o.dtype === 'float32')) {
    saved.forEach((t) => t.dispose());
    return;
  }
  if (gradientsFunc !== null) {
    // A tfjs customGrad op: its backward and the tensors it saved (kept copies) come with it.
    addNode(name, names, inputs, outputs, saved, (dys, s) => {
      const map = gradientsFunc(dys.length > 1 ? dys : dys[0], s, attrs);
      return names.map((n) => (map[n] === undefined ? null : map[n]()));
    });
    return;
  }
  // Tensors the engine saved for a gradient registered by @tensorflow/tfjs, which we do not use.
  saved.forEach((t) => t.dispose());
  const spec = table[name];
  if (spec === undefined) {
    addNode(name, names, inputs, outputs, [], notImplemented(name));
    return;
  }
  const views = spec.savedViews?.(attrs) ?? [];
  const own = spec.save === undefined ? [] : spec.save(inputMap as Record<string, Tensor>, outputs).map((t, i) => keepCopy(t, views[i] === true));
  addNode(name, names, inputs, outputs, own, (dys, s, node) => {
    const map = spec.grad(dys, s, attrs, node);
    return names.map((n) => map[n] ?? null);
  });
};

// A tfjs `tf.grad` / `variableGrads` runs on a tape of its own, as it would without us.
const originalGradients = engine.gradients;
engine.gradients = function (...args: unknown[]) {
  if (!recordingOn) return originalGradients.apply(this, args);
  const tape = engine.state.activeTape;
  engine.state.gradientDepth -= 1;
  engine.state.activeTape = null;
  recordingOn = false;
  try {
    return originalGradients.apply(this, args);
  } finally {
    engine.state.gradientDepth += 1;
    engine.state.activeTape = tape;
    recordingOn = true;
  }
};

const originalDispose = engine.disposeTensor;
engine.disposeTensor = function (t: Tensor) {
  originalDispose.call(this, t);
  const node = producers.get(t);
  if (node !== undefined) {
    node.liveOutputs--;
    collect(node);
  }
};

/** Frees every node no undisposed tensor can reach any more, starting from `start`. */
function collect(start: Node): void {
  const stack = [start];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.collected || n.liveOutputs > 0 || n.consumers > 0) continue;
    n.collected = true;
    n.free();
    for (const t of n.inputTensors) {
      const p = producers.get(t);
      if (p !== undefined) {
        p.consumers--;
        stack.push(p);
      }
    }
  }
}

setGradEnabled(true);

/**
 * One operation recorded as a single node: `forward` runs with nothing recorded inside it and
 * may `save` tensors for `backward`, which maps the output's gradient to one per input (null
 * where none flows). Without grad mode, or when no input requires grad, this is just `forward`.
 */
export function customOp(
  name: string,
  inputs: readonly (Tensor | null)[],
  forward: (save: (tensors: Tensor[]) => void) => Tensor,
  backward: (dy: Tensor, saved: Tensor[]) => readonly (Tensor | null)[],
): Tensor {
  if (!isRecording(inputs)) return forward(() => undefined);
  let saved: Tensor[] = [];
  const y = paused(() => forward((tensors) => (saved = tensors.map((t) => keepCopy(t)))));
  const present = inputs.map((t, i) => [t, i] as const).filter(([t]) => t !== null) as [Tensor, number][];
  addNode(
    name,
    present.map(([, i]) => String(i)),
    present.map(([t]) => t),
    [y],
    saved,
    (dys, s) => {
      const grads = backward(dys[0], s);
      return present.map(([, i]) => grads[i]);
    },
  );
  return y;
}

/** What a backward pass gives a leaf (or a tensor that retains its grad): `accumulate(t, g)`. */
export type Accumulate = (t: Tensor, grad: Tensor) => void;

/**
 * The backward pass from `roots` with output gradients `seeds`: runs every node that leads to a
 * root in reverse creation order, hands each leaf that requires grad (and each tensor in
 * `retain`) its summed gradient through `accumulate`, and captures the gradient of each tensor
 * in `capture`. Unless `retainGraph`, the saved tensors of every node run are freed.
 */
export function runBackward(roots: readonly Tensor[], seeds: readonly Tensor[], retainGraph: boolean, accumulate: Accumulate, retain: (t: Tensor) => boolean, capture: readonly Tensor[] | null): (Tensor | null)[] {
  return paused(() => {
    const nodes = new Map<number, Node>();
    const stack = roots.map((r) => producers.get(r)).filter((n): n is Node => n !== undefined);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (nodes.has(n.id)) continue;
      nodes.set(n.id, n);
      for (const t of n.inputTensors) {
        const p = producers.get(t);
        if (p !== undefined && !nodes.has(p.id)) stack.push(p);
      }
    }
    const order = [...nodes.values()].sort((a, b) => b.id - a.id);
    const grads = new Map<Tensor, Tensor>();
    const add = (t: Tensor, g: Tensor) => {
      const prev = grads.get(t);
      if (prev === undefined) grads.set(t, g);
      else {
        grads.set(t, tf.add(prev, g));
        prev.dispose();
        g.dispose();
      }
    };
    roots.forEach((r, i) => add(r, tf.clone(seeds[i])));
    const wanted = new Set(capture ?? []);
    const captured = new Map<Tensor, Tensor>();
    const take = (t: Tensor) => {
      const g = grads.get(t);
      if (wanted.has(t) && g !== undefined) captured.set(t, tf.keep(tf.clone(g)));
      if (g !== undefined && capture === null && producers.has(t) && retain(t)) accumulate(t, g);
    };
    const run = () => {
      for (const node of order) {
        node.outputs.forEach(take);
        if (!node.outputs.some((o) => grads.has(o))) continue;
        const dys = node.outputs.map((o) => grads.get(o) ?? tf.zerosLike(o));
        const dxs = tf.tidy(() => node.backward(dys) as Tensor[]);
        dys.forEach((d) => d.dispose());
        node.outputs.forEach((o) => grads.delete(o));
        node.inputTensors.forEach((t, i) => {
          const g = dxs[i];
          if (g === null || g === undefined) return;
          if (requiresGrad(t)) add(t, g);
          else g.dispose();
        });
        if (!retainGraph) node.free();
      }
    };
    try {
      run();
      for (const [t, g] of grads) {
        take(t);
        if (capture === null && producers.get(t) === undefined && requiresGrad(t)) accumulate(t, g);
      }
    } finally {
      grads.forEach((g) => g.dispose());
    }
    return (capture ?? []).map((t) => captured.get(t) ?? null);
  });
}

/** tfjs's Tensor class, which the autograd members of ../autograd/tensor are added to. */
export const TensorClass = tf.Tensor;
export const isFloat = (t: Tensor): boolean => t.dtype === 'float32';
/** A new handle on `t`'s data outside the graph (PyTorch's `detach`: no copy). */
export const detached = (t: Tensor): Tensor => paused(() => tf.clone(t));
/** `t`'s values as a non-trainable Variable: what `.grad` holds, updated in place by accumulation. */
export const gradVariable = (t: Tensor): tf.Variable => paused(() => tf.variable(t, false));
/** `target += value` in place (AccumulateGrad), outside the graph. */
export const addInto = (target: tf.Variable, value: Tensor): void => paused(() => tf.tidy(() => void target.assign(tf.add(target, value))));
export const onesLike = (t: Tensor): Tensor => tf.onesLike(t);
/** Zeros of `t`'s shape (PyTorch's `zero_()` gives +0, where `t·0` would keep signs). */
export const zerosLike = (t: Tensor): Tensor => paused(() => tf.zerosLike(t));
export const sumOf = (a: Tensor, b: Tensor): Tensor => paused(() => tf.add(a, b));
export const isVariableTensor = (t: unknown): t is tf.Variable => t instanceof tf.Variable;
