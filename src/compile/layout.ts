/**
 * The layout pass: decides in which physical order each value is held and lowers the graph to
 * steps on physical tensors, so that the network runs channels-last from its first convolution
 * to its last and data moves only where an operation depends on the order.
 *
 * A value's `perm` says how its tensor is held: dim j of the tensor is logical (PyTorch) dim
 * `perm[j]`; NHWC is `[0, 2, 3, 1]` of an NCHW value. Convolutions and the other channels-last
 * layers take and give NHWC. Kernels the forward ran between layers are rewritten for the
 * order their inputs are in: elementwise ops, concatenation, slices and splits, reductions and
 * padding work in any order (their axes and attributes are permuted); a transpose is free (it
 * only renames which logical dim each physical dim holds, so the NCHW↔NHWC transposes around
 * tfjs kernels inside F's functions cancel); a reshape is free whenever the logical dims it
 * merges or splits are adjacent and in order in the physical tensor too — a flatten of
 * `[N, C, 1, 1]`, the splitting view of a channel shuffle — and otherwise moves only the dims
 * it must (the shuffle's merging view becomes one `[N·H·W, g, C/g]` transpose). Any other
 * kernel gets its inputs in PyTorch's order and runs as the trace saw it. Values the outputs do
 * not need are dropped.
 */
import type { Attrs } from '../backend/compiled';
import { CONCAT_AXIS, SLICE_AXIS } from '../backend/kernels/axis';
import type { Module } from '../nn/module';
import { nodeInputs, nodeOutputs, structureValues, type ConvNode, type Graph, type KernelNode, type Source, type Structure, type ValueId } from './graph';

export type Slot = number;
export type Perm = readonly number[];

export type Step =
  /** Move a physical tensor from one order to another (see `permutePhysical`). */
  | { readonly kind: 'permute'; readonly input: Slot; readonly from: Perm; readonly to: Perm; readonly output: Slot }
  | { readonly kind: 'reshape'; readonly input: Slot; readonly shape: readonly number[]; readonly output: Slot }
  | { readonly kind: 'kernel'; readonly kernel: string; readonly inputs: readonly Slot[]; readonly names: readonly string[] | null; readonly attrs: Attrs; readonly outputs: readonly Slot[] }
  | { readonly kind: 'layer'; readonly module: Module; readonly channelsLast: boolean; readonly input: Slot; readonly output: Slot }
  | { readonly kind: 'conv'; readonly node: ConvNode; readonly input: Slot; readonly output: Slot };

/** Steps over numbered slots; a slot is filled by its source (inputs, state, constants) or by a step. */
export interface Lowered {
  readonly sources: readonly (Source | null)[];
  /** Each slot's physical shape. */
  readonly shapes: readonly (readonly number[])[];
  readonly steps: readonly Step[];
  /** The output structure, each tensor's value replaced by the slot holding it in PyTorch's order. */
  readonly output: Structure;
}

export const NHWC: Perm = [0, 2, 3, 1];
const identity = (rank: number): Perm => Array.from({ length: rank }, (_, i) => i);
const same = (a: Perm, b: Perm) => a.length === b.length && a.every((x, i) => x === b[i]);
const isIdentity = (p: Perm) => p.every((x, i) => x === i);
const inverse = (p: Perm): number[] => {
  const inv: number[] = [];
  p.forEach((d, j) => (inv[d] = j));
  return inv;
};
const axis = (a: number, rank: number) => (a < 0 ? a + rank : a);

const UNARY = new Set([
  'Abs', 'Acos', 'Asin', 'Atan', 'Cast', 'Ceil', 'ClipByValue', 'Cos', 'Cosh', 'Elu', 'Erf', 'Exp', 'Expm1', 'Floor', 'Identity',
  'IsFinite', 'IsInf', 'IsNan', 'LeakyRelu', 'Log', 'Log1p', 'LogicalNot', 'Neg', 'Reciprocal', 'Relu', 'Relu6', 'Round', 'Rsqrt',
  'Selu', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Softplus', 'Sqrt', 'Square', 'Step', 'Tan', 'Tanh',
]);
/** Broadcasting elementwise kernels (any number of inputs). */
const ELEMENTWISE = new Set([
  'Add', 'AddN', 'Atan2', 'Div', 'Equal', 'FloorDiv', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr',
  'Maximum', 'Minimum', 'Mod', 'Multiply', 'NotEqual', 'Pow', 'Prelu', 'RealDiv', 'Select', 'SquaredDifference', 'Sub',
]);
const REDUCTIONS: Record<string, string> = { Mean: 'axis', Sum: 'axis', Max: 'reductionIndices', Min: 'axis', Prod: 'axis', All: 'axis', Any: 'axis' };

/** A kernel rewritten for its inputs' orders, or null: run it in PyTorch's order. */
interface KernelLowering {
  readonly inputs: readonly Perm[];
  readonly attrs: Attrs;
  readonly outputs: readonly Perm[];
}

function lowerKernel(n: KernelNode, perms: readonly Perm[], ranks: readonly number[], outRanks: readonly number[]): KernelLowering | null {
  const { kernel, attrs } = n;
  if (UNARY.has(kernel) && perms.length === 1) return { inputs: perms, attrs, outputs: [perms[0]] };
  if (ELEMENTWISE.has(kernel)) {
    // tfjs aligns trailing dims: one order for every input works only when ranks agree (scalars aside).
    const rank = Math.max(...ranks);
    if (ranks.some((r) => r !== rank && r !== 0) || outRanks[0] !== rank) return null;
    const chosen = perms.find((p, i) => ranks[i] === rank && !isIdentity(p)) ?? identity(rank);
    return { inputs: ranks.map((r) => (r === 0 ? identity(0) : chosen)), attrs, outputs: [chosen] };
  }
  const p = perms[0];
  const at = (a: number) => inverse(p)[axis(a, p.length)];
  if (kernel === 'Concat' || kernel === CONCAT_AXIS) {
    if (ranks.some((r) => r !== p.length)) return null;
    const chosen = perms.find((q) => !isIdentity(q)) ?? p;
    return { inputs: perms.map(() => chosen), attrs: { ...attrs, axis: inverse(chosen)[axis(attrs.axis as number, chosen.length)] }, outputs: [chosen] };
  }
  if (kernel === SLICE_AXIS) return { inputs: [p], attrs: { ...attrs, axis: at(attrs.axis as number) }, outputs: [p] };
  if (kernel === 'Slice') {
    const begin = attrs.begin as number[];
    const size = attrs.size as number[];
    if (!Array.isArray(begin) || !Array.isArray(size) || begin.length !== p.length || size.length !== p.length) return null;
    return { inputs: [p], attrs: { ...attrs, begin: p.map((d) => begin[d]), size: p.map((d) => size[d]) }, outputs: [p] };
  }
  if (kernel === 'SplitV') return { inputs: [p], attrs: { ...attrs, axis: at(attrs.axis as number) }, outputs: n.outputs.map(() => p) };
  if (kernel === 'PadV2' || kernel === 'MirrorPad') {
    const paddings = attrs.paddings as [number, number][];
    return { inputs: [p], attrs: { ...attrs, paddings: p.map((d) => paddings[d]) }, outputs: [p] };
  }
  const key = REDUCTIONS[kernel];
  if (key !== undefined && perms.length === 1) {
    const raw = attrs[key];
    const axes = (raw === undefined || raw === null ? identity(p.length) : Array.isArray(raw) ? raw : [raw as number]).map((a) => axis(a, p.length));
    const out = attrs.keepDims ? p : renumber(p.filter((d) => !axes.includes(d)));
    return { inputs: [p], attrs: { ...attrs, [key]: axes.map((a) => inverse(p)[a]) }, outputs: [out] };
  }
  return null;
}

/** A perm over the dims that remain after others were removed, numbered from 0 again. */
const renumber = (dims: readonly number[]): Perm => dims.map((d) => [...dims].sort((a, b) => a - b).indexOf(d));

/**
 * How to reshape logical `from` (held in order `perm`) into logical `to`: the order the input
 * must be in first (`perm` itself when no data moves), and the order the result is then held in.
 * Dims of size 1 are free to go anywhere; the others form groups (input dims whose product is
 * a run of output dims), and a group must be adjacent and in order in the physical tensor.
 */
function planReshape(from: readonly number[], perm: Perm, to: readonly number[]): { needed: Perm; result: Perm } {
  const big = (shape: readonly number[]) => shape.map((s, i) => [s, i] as const).filter(([s]) => s !== 1).map(([, i]) => i);
  const a = big(from);
  const b = big(to);
  const groups: [number[], number[]][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ga = [a[i++]];
    const gb = [b[j++]];
    let pa = from[ga[0]];
    let pb = to[gb[0]];
    while (pa !== pb) {
      if (pa < pb && i < a.length) pa *= from[(ga.push(a[i++]), ga[ga.length - 1])];
      else if (pb < pa && j < b.length) pb *= to[(gb.push(b[j++]), gb[gb.length - 1])];
      else return { needed: identity(from.length), result: identity(to.length) };
    }
    groups.push([ga, gb]);
  }
  if (i < a.length || j < b.length) return { needed: identity(from.length), result: identity(to.length) };
  const groupOf = new Map<number, number>();
  groups.forEach(([ga], g) => ga.forEach((d) => groupOf.set(d, g)));
  const order: number[] = [];
  const groupOrder: number[] = [];
  for (const d of perm) {
    const g = groupOf.get(d);
    if (g === undefined || groupOrder.includes(g)) continue;
    groupOrder.push(g);
    order.push(...groups[g][0]);
  }
  let k = 0;
  const needed = perm.map((d) => (groupOf.has(d) ? order[k++] : d));
  const result: number[] = groupOrder.flatMap((g) => groups[g][1]);
  to.forEach((s, d) => {
    if (s !== 1) return;
    result.splice(d === 0 ? 0 : result.indexOf(d - 1) + 1, 0, d);
  });
  return { needed, result };
}

/** Lowers `g` (after fold and fuse) to steps on physical tensors. */
export function layout(g: Graph): Lowered {
  const live = new Set<ValueId>(structureValues(g.output));
  const nodes = [...g.nodes].reverse().filter((n) => {
    if (!nodeOutputs(n).some((v) => live.has(v))) return false;
    nodeInputs(n).forEach((v) => live.add(v));
    return true;
  });
  nodes.reverse();

  const sources: (Source | null)[] = [];
  const steps: Step[] = [];
  const held = new Map<ValueId, { slot: Slot; perm: Perm }>();
  const forms = new Map<string, Slot>();
  const shapes: (readonly number[])[] = [];
  const shape = (v: ValueId) => g.values[v].shape;
  const slot = (source: Source | null, physical: readonly number[]) => (shapes.push(physical), sources.push(source) - 1);
  const heldAs = (v: ValueId) => {
    let h = held.get(v);
    if (h === undefined) {
      h = { slot: slot(g.values[v].source, shape(v)), perm: identity(shape(v).length) };
      held.set(v, h);
    }
    return h;
  };
  /** The slot holding `v` in order `perm`, moving it there once for all its readers. */
  const need = (v: ValueId, perm: Perm): Slot => {
    const h = heldAs(v);
    if (same(h.perm, perm)) return h.slot;
    const key = `${v}:${perm.join()}`;
    let s = forms.get(key);
    if (s === undefined) {
      s = slot(null, perm.map((d) => shape(v)[d]));
      steps.push({ kind: 'permute', input: h.slot, from: h.perm, to: perm, output: s });
      forms.set(key, s);
    }
    return s;
  };
  const produce = (v: ValueId, perm: Perm): Slot => {
    const s = slot(null, perm.map((d) => shape(v)[d]));
    held.set(v, { slot: s, perm });
    return s;
  };

  for (const n of nodes) {
    if (n.op === 'conv') {
      const input = need(n.input, NHWC);
      steps.push({ kind: 'conv', node: n, input, output: produce(n.output, NHWC) });
      continue;
    }
    if (n.op === 'layer') {
      const channelsLast = shape(n.input).length === 4 && shape(n.output).length === 4 && n.module['runsChannelsLast']();
      const input = need(n.input, channelsLast ? NHWC : identity(shape(n.input).length));
      steps.push({ kind: 'layer', module: n.module, channelsLast, input, output: produce(n.output, channelsLast ? NHWC : identity(shape(n.output).length)) });
      continue;
    }
    const perms = n.inputs.map((v) => heldAs(v).perm);
    if (n.kernel === 'Transpose' && n.inputs.length === 1) {
      const q = inverse(n.attrs.perm as number[]);
      held.set(n.outputs[0], { slot: heldAs(n.inputs[0]).slot, perm: perms[0].map((d) => q[d]) });
      continue;
    }
    if (n.kernel === 'Reshape' && n.inputs.length === 1) {
      const [v] = n.inputs;
      const out = n.outputs[0];
      const { needed, result } = planReshape(shape(v), perms[0], shape(out));
      const input = need(v, needed);
      steps.push({ kind: 'reshape', input, shape: result.map((d) => shape(out)[d]), output: produce(out, result) });
      continue;
    }
    const lowered = lowerKernel(n, perms, n.inputs.map((v) => shape(v).length), n.outputs.map((v) => shape(v).length));
    const inPerms = lowered?.inputs ?? n.inputs.map((v) => identity(shape(v).length));
    const outPerms = lowered?.outputs ?? n.outputs.map((v) => identity(shape(v).length));
    const inputs = n.inputs.map((v, i) => need(v, inPerms[i]));
    const outputs = n.outputs.map((v, i) => produce(v, outPerms[i]));
    steps.push({ kind: 'kernel', kernel: n.kernel, inputs, names: n.names, attrs: lowered?.attrs ?? n.attrs, outputs });
  }

  const output = (s: Structure): Structure => {
    if (s.kind === 'tensor') return { kind: 'tensor', value: need(s.value, identity(shape(s.value).length)) };
    if (s.kind === 'array') return { kind: 'array', items: s.items.map(output) };
    if (s.kind === 'object') return { kind: 'object', entries: s.entries.map(([k, v]) => [k, output(v)] as const) };
    return s;
  };
  const out = output(g.output);
  return { sources, shapes, steps: mergeReshapes(steps, structureSlots(out)), output: out };
}

const structureSlots = (s: Structure): Slot[] =>
  s.kind === 'tensor' ? [s.value] : s.kind === 'array' ? s.items.flatMap(structureSlots) : s.kind === 'object' ? s.entries.flatMap(([, v]) => structureSlots(v)) : [];

/**
 * Reshapes of reshapes as one: a reshape whose input only it reads, made by another reshape,
 * reads that reshape's input instead (a channel shuffle's views and F's flattens come in runs).
 */
function mergeReshapes(steps: readonly Step[], outputs: readonly Slot[]): Step[] {
  const reads = new Map<Slot, number>(outputs.map((s) => [s, 1]));
  for (const step of steps) for (const s of step.kind === 'kernel' ? step.inputs : [step.input]) reads.set(s, (reads.get(s) ?? 0) + 1);
  const reshapes = new Map<Slot, Extract<Step, { kind: 'reshape' }>>();
  const merged: Step[] = [];
  for (const step of steps) {
    if (step.kind !== 'reshape') {
      merged.push(step);
      continue;
    }
    const from = reshapes.get(step.input);
    const own = from !== undefined && reads.get(step.input) === 1 ? { ...step, input: from.input } : step;
    if (own !== step) merged.splice(merged.indexOf(from!), 1);
    reshapes.set(own.output, own);
    merged.push(own);
  }
  return merged;
}
