import type { Tensor } from '@tensorflow/tfjs-core';
import { IndexError } from '../errors';
import { Module } from './module';

/**
 * `nn.Sequential`: runs its modules in order, each on the previous one's output.
 *
 * `new nn.Sequential(a, b, c)` names the children `0`, `1`, `2`; `new nn.Sequential({ conv: a,
 * act: b })` keeps the given names and order, as PyTorch's OrderedDict form does. `at(i)`
 * (negative counts from the end), `length`, `append` and iteration work as Python's indexing,
 * `len`, `append` and `for`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Sequential.html
 */
export class Sequential extends Module {
  /** Kept in a Map rather than as properties: JavaScript would list names like "0" first. */
  private readonly items = new Map<string, Module>();

  constructor(...modules: Module[]);
  constructor(modules: Record<string, Module>);
  constructor(...args: Module[] | [Record<string, Module>]) {
    super();
    const entries: [string, Module][] =
      args.length === 1 && !(args[0] instanceof Module) ? Object.entries(args[0]) : (args as Module[]).map((m, i) => [String(i), m]);
    for (const [name, m] of entries) this.items.set(name, m);
  }

  protected override *registeredChildren(): Generator<[string, Module]> {
    yield* this.items;
  }

  get length(): number {
    return this.items.size;
  }

  /** Python's `seq[i]`. */
  at(index: number): Module {
    const n = this.items.size;
    if (!Number.isInteger(index) || index < -n || index >= n) throw new IndexError(`index ${index} is out of range`);
    return [...this.items.values()][index < 0 ? index + n : index];
  }

  /** Adds `module` at the end under the next index; returns this. */
  append(module: Module): this {
    this.items.set(String(this.items.size), module);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.items.values();
  }

  /** Each module on the previous one's output; channels-last throughout when all can (see `chain`). */
  forward(input: Tensor): Tensor {
    return this.chain(input, ...this.items.values());
  }

  /** The modules in order, unless a subclass's own forward must run. */
  protected override chainLayers(): Module[] | null {
    return this.forward === Sequential.prototype.forward ? [...this.items.values()] : null;
  }
}
