/**
 * The graph `torch.compile` traces a forward into and its passes rewrite: values (tensors by
 * logical, PyTorch-layout shape) and the nodes that make them, in the order they ran.
 *
 * A node is one of three things: a layer the library knows how to run channels-last (a module
 * call recorded whole: Conv2d, BatchNorm2d, activations, pooling, ...), a convolution with what
 * the fold and fuse passes merged into it, or one tfjs kernel that the forward's own code ran
 * between layers (`x.add(y)`, `torch.cat`, a view, a transpose), which can be replayed exactly.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Attrs } from '../backend/compiled';
import type { Module } from '../nn/module';
import type { Conv2d } from '../nn/conv';
import type { BatchNorm2d } from '../nn/batchnorm';

export type ValueId = number;

/** Where a value comes from when a plan runs. */
export type Source =
  | { readonly kind: 'input'; readonly index: number }
  /** A parameter or buffer, read when the plan runs (a Variable keeps its identity across `assign`). */
  | { readonly kind: 'state'; readonly tensor: Tensor; readonly name: string }
  /** A tensor the forward made from values (a scalar operand, `torch.tensor(...)`): the graph keeps a copy. */
  | { readonly kind: 'constant'; readonly tensor: Tensor }
  | { readonly kind: 'node' };

export interface Value {
  readonly id: ValueId;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly source: Source;
}

/** A tfjs kernel as the forward ran it; `names` null when tfjs passed its inputs as a list. */
export interface KernelNode {
  readonly op: 'kernel';
  readonly kernel: string;
  readonly inputs: readonly ValueId[];
  readonly names: readonly string[] | null;
  readonly attrs: Attrs;
  readonly outputs: readonly ValueId[];
  /** Whether the kernel returned a list (SplitV, Unpack) rather than one tensor. */
  readonly multi: boolean;
}

/** A module call recorded whole: a layer with a channels-last implementation of its own. */
export interface LayerNode {
  readonly op: 'layer';
  readonly module: Module;
  readonly input: ValueId;
  readonly output: ValueId;
}

/** A Conv2d, with the eval-mode BatchNorm folded into it and the activation fused after it. */
export interface ConvNode {
  readonly op: 'conv';
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d | null;
  readonly activation: 'relu' | 'relu6' | null;
  readonly input: ValueId;
  readonly output: ValueId;
}

export type Node = KernelNode | LayerNode | ConvNode;

/** The forward's return value with each tensor replaced by its value. */
export type Structure =
  | { readonly kind: 'tensor'; readonly value: ValueId }
  | { readonly kind: 'array'; readonly items: readonly Structure[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, Structure])[] }
  | { readonly kind: 'literal'; readonly value: unknown };

export interface Graph {
  readonly values: readonly Value[];
  readonly nodes: readonly Node[];
  readonly inputs: readonly ValueId[];
  readonly output: Structure;
}

export const nodeInputs = (n: Node): readonly ValueId[] => (n.op === 'kernel' ? n.inputs : [n.input]);
export const nodeOutputs = (n: Node): readonly ValueId[] => (n.op === 'kernel' ? n.outputs : [n.output]);

/** Every value the output structure holds. */
export function structureValues(s: Structure): ValueId[] {
  if (s.kind === 'tensor') return [s.value];
  if (s.kind === 'array') return s.items.flatMap(structureValues);
  if (s.kind === 'object') return s.entries.flatMap(([, v]) => structureValues(v));
  return [];
}

/** How many nodes read each value, the graph's output counting as a reader. */
export function readers(g: Graph): Map<ValueId, number> {
  const count = new Map<ValueId, number>();
  const add = (v: ValueId) => count.set(v, (count.get(v) ?? 0) + 1);
  g.nodes.forEach((n) => nodeInputs(n).forEach(add));
  structureValues(g.output).forEach(add);
  return count;
}

/** The constants a graph keeps, to free with it. */
export function disposeGraph(g: Graph): void {
  for (const v of g.values) if (v.source.kind === 'constant') v.source.tensor.dispose();
}
