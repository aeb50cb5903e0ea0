/**
 * PyTorch 1.13's `torch.optim.Optimizer`: parameter groups with per-group options, per-parameter
 * state, `zero_grad`, `state_dict` / `load_state_dict`, and its printout. An algorithm is a
 * subclass whose `step` runs its `_single_tensor_*` update (one file each).
 */
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { paused } from '../backend/autograd';
import { stateOf } from '../backend/optim';
import { isTensor } from '../backend/tensor';
import { getGrad, zeroGrad } from '../autograd/tensor';
import { ValueError } from '../errors';
import { pyRepr } from './repr';

/** PyTorch's `required` sentinel: an option every group must give (SGD's `lr`). */
export const required: unique symbol = Symbol('required');
export type Required = typeof required;

/** A value of an option or of state, as Python holds it. */
export type OptionValue = number | boolean | null | string | readonly number[] | Required;
/** A parameter group: its parameters and options. */
export interface ParamGroup {
  params: Variable[];
  [option: string]: unknown;
}
/** What `params` may be: tensors, or dicts of parameter groups (`{ params, lr }`). */
export type Params = Iterable<Variable> | Iterable<Partial<ParamGroup> & { params: Iterable<Variable> | Variable }>;
/** One parameter's state: tensors (Variables updated in place) and numbers. */
export type ParamState = Record<string, Tensor | number | null>;

/** `optimizer.state_dict()`: state by parameter index (a Map, as Python's int keys), and the groups with indices for params. */
export interface OptimizerStateDict {
  state: Map<number, ParamState>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

const typename = (x: unknown): string => (isTensor(x) ? 'torch.FloatTensor' : x === null || x === undefined ? 'NoneType' : typeof x === 'object' ? (x as object).constructor.name : typeof x);

/**
 * Base class of the optimizers, as PyTorch's `torch.optim.Optimizer`.
 *
 * @see https://pytorch.org/docs/1.13/optim.html
 */
export abstract class Optimizer {
  param_groups: ParamGroup[] = [];
  state = new Map<Variable, ParamState>();

  constructor(
    params: Params,
    readonly defaults: Record<string, unknown>,
  ) {
    if (isTensor(params)) throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typename(params)}`);
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ValueError('optimizer got an empty parameter list');
    const groups = isTensor(list[0]) ? [{ params: list as Variable[] }] : (list as ParamGroup[]);
    for (const g of groups) this.add_param_group(g);
  }

  /** `add_param_group(param_group)`: PyTorch's checks, then the defaults fill what the group does not set. */
  add_param_group(param_group: Partial<ParamGroup> & { params: Iterable<Variable> | Variable }): void {
    if (typeof param_group !== 'object' || param_group === null) throw new TypeError('param group must be a dict');
    const raw = param_group.params;
    if (raw instanceof Set) {
      throw new TypeError('optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.');
    }
    const params = isTensor(raw) ? [raw as Variable] : [...(raw as Iterable<Variable>)];
    for (const p of params) {
      if (!isTensor(p)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typename(p)}`);
      if (!p.is_leaf) throw new ValueError("can't optimize a non-leaf Tensor");
    }
    const group: ParamGroup = { ...param_group, params };
    for (const [name, value] of Object.entries(this.defaults)) {
      if (value === required && !(name in group)) throw new ValueError(`parameter group didn't specify a value of required optimization parameter ${name}`);
      if (!(name in group)) group[name] = value;
    }
    const seen = new Set(this.param_groups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p))) throw new ValueError('some parameters appear in more than one parameter group');
    this.param_groups.push(group);
  }

  /**
   * `zero_grad(set_to_none=False)` (1.13's default): zeroes every parameter's `.grad` in place,
   * or drops it with `set_to_none`.
   */
  zero_grad(set_to_none = false): void {
    for (const g of this.param_groups) for (const p of g.params) zeroGrad(p, set_to_none);
  }

  /** `step(closure=None)`: one update of every parameter with a gradient; returns the closure's loss. */
  step(closure: (() => Tensor | number) | null = null): Tensor | number | null {
    const loss = closure === null ? null : closure();
    paused(() => {
      for (const group of this.param_groups) {
        const withGrad = group.params.filter((p) => getGrad(p) !== null);
        this.update(group, withGrad, withGrad.map((p) => getGrad(p)!));
      }
    });
    return loss;
  }

  /** One group's update (PyTorch's `_single_tensor_*` loop) for the parameters that have gradients. */
  protected abstract update(group: ParamGroup, params: Variable[], grads: Tensor[]): void;

  /** The state of `p`, made by `init` the first time. */
  protected stateOf(p: Variable, init: () => ParamState): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = init();
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * `state_dict()`: state keyed by each parameter's index in group order, and each group's
   * options with `params` as those indices. The tensors are the optimizer's own: do not dispose.
   */
  state_dict(): OptimizerStateDict {
    const index = new Map<Variable, number>();
    let next = 0;
    const param_groups = this.param_groups.map((g) => {
      const { params, ...options } = g;
      for (const p of params) if (!index.has(p)) index.set(p, next++);
      return { ...options, params: params.map((p) => index.get(p)!) };
    });
    const state = new Map<number, ParamState>();
    for (const [p, s] of this.state) state.set(index.get(p)!, s);
    return { state, param_groups };
  }

  /** `load_state_dict(state_dict)`: PyTorch's checks; state tensors are copied, group options replaced. */
  load_state_dict(state_dict: OptimizerStateDict): void {
    const saved = state_dict.param_groups;
    if (saved.length !== this.param_groups.length) throw new ValueError('loaded state dict has a different number of parameter groups');
    if (saved.some((g, i) => g.params.length !== this.param_groups[i].params.length)) {
      throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const byId = new Map<number, Variable>();
    saved.forEach((g, i) => g.params.forEach((id, j) => byId.set(id, this.param_groups[i].params[j])));
    this.disposeState();
    const entries = state_dict.state instanceof Map ? [...state_dict.state] : Object.entries(state_dict.state as Record<string, ParamState>).map(([k, v]) => [Number(k), v] as const);
    for (const [id, s] of entries) {
      const p = byId.get(id);
      if (p === undefined) continue;
      this.state.set(p, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, isTensor(v) ? stateOf(v) : v])));
    }
    this.param_groups = saved.map((g, i) => ({ ...g, params: this.param_groups[i].params }));
  }

  /** Frees the state tensors (momentum buffers, moments); the optimizer starts afresh. */
  dispose(): void {
    this.disposeState();
  }

  private disposeState(): void {
    for (const s of this.state.values()) for (const v of Object.values(s)) if (isTensor(v)) (v as Tensor).dispose();
    this.state.clear();
  }

  /** PyTorch's `__repr__`: each group's options, sorted by name. */
  toString(): string {
    let s = `${this.constructor.name} (`;
    this.param_groups.forEach((g, i) => {
      s += `\nParameter Group ${i}\n`;
      for (const key of Object.keys(g).sort()) if (key !== 'params') s += `    ${key}: ${pyRepr(g[key])}\n`;
    });
    return `${s})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
