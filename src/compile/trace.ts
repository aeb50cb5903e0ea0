/**
 * The trace pass: runs the model's forward once, eagerly, on the real input, and records what
 * it did as a {@link Graph}. The result of that run is the call's result, so tracing never
 * changes what a call returns.
 *
 * Two recorders run together. Module calls are seen at `Module.call`: a layer with a
 * channels-last implementation of its own (Conv2d, BatchNorm2d, ReLU, pooling, ...) becomes one
 * node and nothing inside it is recorded; any other module (a container, a user's block) is
 * entered. Everything else the forward's own code does reaches tfjs's engine as kernels, which
 * are recorded one by one — whoever called them (torch.*, tensor methods, raw tfjs).
 *
 * A trace is refused, and the model runs eagerly, when what it saw cannot be replayed exactly:
 * values read back at the forward's level (`.item()`, `dataSync`, `arraySync`: the forward may
 * branch on data), a tensor that came from outside the forward and is neither an input, a
 * parameter nor a buffer (a tensor kept on an attribute, which may change between calls), or
 * a tensor made by an operation that is no plain kernel (a tfjs `customGrad` op).
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { keptClone, recordEngine, type Attrs, type KernelInputs } from '../backend/compiled';
import { isTensor } from '../backend/tensor';
import * as layers from '../nn';
import { Module, observeModuleCalls } from '../nn/module';
import type { Graph, Node, Source, Structure, Value, ValueId } from './graph';

export type TraceResult = { readonly graph: Graph; readonly output: unknown } | { readonly reason: string; readonly output: unknown };

/**
 * The library's own layers (the classes of `nn`, not a user's subclass of one, whose forward may
 * differ): each is recorded whole and runs as itself, whatever it keeps between calls (a
 * Linear's converted weight, say, which no trace could see made).
 */
const LIBRARY_LAYERS = new Set<unknown>(Object.values(layers).filter((c) => typeof c === 'function' && c.prototype instanceof Module));

/** A layer recorded whole: no children, and either a channels-last forward of its own or one of the library's classes. */
function isLayer(m: Module): boolean {
  return m.children().next().done === true && (m['runsChannelsLast']() || LIBRARY_LAYERS.has(m.constructor));
}

const copyAttrs = (attrs: Attrs): Attrs =>
  Object.fromEntries(Object.entries(attrs ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => (Array.isArray(x) ? [...x] : x)) : v]));

/** Traces `model(...inputs)`; the result holds the eager output either way. */
export function trace(model: Module, inputs: readonly Tensor[]): TraceResult {
  const values: Value[] = [];
  const nodes: Node[] = [];
  const ids = new Map<Tensor, ValueId>();
  const state = new Map<Tensor, string>();
  for (const [name, p] of model.named_parameters()) state.set(p, name);
  for (const [name, b] of model.named_buffers()) state.set(b, name);
  const made = new Set<Tensor>();
  let reason: string | null = null;
  let layerDepth = 0;
  let suspended = false;

  const add = (t: Tensor, source: Source): ValueId => {
    const id = values.length;
    values.push({ id, shape: [...t.shape], dtype: t.dtype, source });
    ids.set(t, id);
    return id;
  };
  const refuse = (why: string) => {
    reason ??= why;
  };
  const valueOf = (t: Tensor, where: string): ValueId => {
    const known = ids.get(t);
    if (known !== undefined) return known;
    const name = state.get(t);
    if (name !== undefined) return add(t, { kind: 'state', tensor: t, name });
    if (made.has(t)) {
      suspended = true;
      try {
        return add(t, { kind: 'constant', tensor: keptClone(t) });
      } finally {
        suspended = false;
      }
    }
    refuse(`${where} received a tensor that is neither an input, a parameter, a buffer nor made by the traced forward`);
    return -1;
  };
  const inputIds = inputs.map((t, index) => ids.get(t) ?? add(t, { kind: 'input', index }));

  const observer = {
    kernel(name: string, kernelInputs: KernelInputs, attrs: Attrs, outputs: Tensor[], multi: boolean) {
      if (layerDepth > 0 || suspended || reason !== null) return;
      const names = Array.isArray(kernelInputs) ? null : Object.keys(kernelInputs).filter((k) => kernelInputs[k] != null);
      const tensors = Array.isArray(kernelInputs) ? kernelInputs : names!.map((k) => kernelInputs[k]);
      const inputsOf = tensors.map((t) => valueOf(t, `kernel ${name}`));
      nodes.push({ op: 'kernel', kernel: name, inputs: inputsOf, names, attrs: copyAttrs(attrs), outputs: outputs.map((o) => add(o, { kind: 'node' })), multi });
    },
    made(t: Tensor) {
      if (layerDepth === 0 && !suspended) made.add(t);
    },
    read() {
      if (layerDepth === 0 && !suspended) refuse('the forward reads tensor values (item, dataSync, data, arraySync), so it may branch on them');
    },
  };

  const previous = observeModuleCalls((module, args, call) => {
    if (layerDepth > 0 || reason !== null || !isLayer(module)) return call();
    if (args.length !== 1 || !isTensor(args[0])) {
      refuse(`${module.constructor.name} was called with arguments other than one tensor`);
      return call();
    }
    const input = valueOf(args[0], module.constructor.name);
    layerDepth++;
    let out: unknown;
    try {
      out = call();
    } finally {
      layerDepth--;
    }
    if (!isTensor(out)) refuse(`${module.constructor.name} returned something other than one tensor`);
    else nodes.push({ op: 'layer', module, input, output: add(out, { kind: 'node' }) });
    return out;
  });
  let output: unknown;
  try {
    output = recordEngine(observer, () => (model as unknown as (...xs: Tensor[]) => unknown)(...inputs));
  } finally {
    observeModuleCalls(previous);
  }

  const structure = (o: unknown): Structure => {
    if (isTensor(o)) return { kind: 'tensor', value: valueOf(o, 'the output') };
    if (Array.isArray(o)) return { kind: 'array', items: o.map(structure) };
    if (o !== null && typeof o === 'object' && Object.getPrototypeOf(o) === Object.prototype) {
      return { kind: 'object', entries: Object.entries(o).map(([k, v]) => [k, structure(v)] as const) };
    }
    if (o === null || ['number', 'string', 'boolean', 'undefined'].includes(typeof o)) return { kind: 'literal', value: o };
    refuse(`the forward returned a ${typeof o} that is no tensor, array or plain object`);
    return { kind: 'literal', value: o };
  };
  const out = structure(output);
  const graph: Graph = { values, nodes, inputs: inputIds, output: out };
  if (reason !== null) {
    for (const v of values) if (v.source.kind === 'constant') v.source.tensor.dispose();
    return { reason, output };
  }
  return { graph, output };
}
