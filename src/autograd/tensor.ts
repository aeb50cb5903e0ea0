/**
 * Autograd's members of Tensor, added as tfjs adds its chained ops (a prototype assignment and
 * declaration merging): `loss.backward()`, `p.grad`, `x.requires_grad`, `x.requires_grad_()`,
 * `x.detach()`, `x.is_leaf`, `x.grad_fn`, `x.retain_grad()`.
 *
 * `.grad` is a tensor of the tensor's shape, made by the first backward that reaches it and
 * accumulated into in place by later ones (a non-trainable tfjs Variable), until
 * `optimizer.zero_grad()` zeroes or drops it. It belongs to its tensor: do not dispose it.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Rank } from '@tensorflow/tfjs-core/dist/types';
import { addInto, detached, gradFn, gradVariable, isFloat, isVariableTensor, onesLike, requiresGrad, runBackward, setRequiresGrad, sumOf, TensorClass, zerosLike, type Node } from '../backend/autograd';
import '../backend/gradients';
import { NotImplementedError, RuntimeError } from '../errors';
import { opt, req, signature, type ArgsOf } from '../python/signature';
import { any, bool } from '../python/types';
import { Size } from '../torch/size';

const grads = new WeakMap<Tensor, Tensor>();
/** The grads we made, which we may update in place and free; one assigned by the user is theirs. */
const owned = new WeakSet<Tensor>();
const retaining = new WeakSet<Tensor>();

/** `t.grad`, or null. */
export const getGrad = (t: Tensor): Tensor | null => grads.get(t) ?? null;

/** `t.grad = g` (null drops it, freeing a grad we made). */
export function setGrad(t: Tensor, g: Tensor | null): void {
  const old = grads.get(t);
  if (old === g) return;
  if (g !== null && g.shape.join() !== t.shape.join()) throw new RuntimeError('assigned grad has data of a different size');
  if (old !== undefined && owned.has(old)) old.dispose();
  if (g === null) grads.delete(t);
  else grads.set(t, g);
}

/** `optimizer.zero_grad`'s work on one tensor: zeroes `.grad` in place, or drops it. */
export function zeroGrad(t: Tensor, setToNone: boolean): void {
  const g = grads.get(t);
  if (g === undefined) return;
  if (setToNone) setGrad(t, null);
  else if (owned.has(g) && isVariableTensor(g)) {
    const zeros = zerosLike(g);
    g.assign(zeros);
    zeros.dispose();
  } else replaceOwned(t, zerosLike(g));
}

function replaceOwned(t: Tensor, value: Tensor): void {
  const v = gradVariable(value);
  value.dispose();
  setGrad(t, v);
  owned.add(v);
}

/** AccumulateGrad: the first gradient becomes `.grad`, later ones are added to it in place. */
function accumulate(t: Tensor, g: Tensor): void {
  const cur = grads.get(t);
  if (cur === undefined) {
    const v = gradVariable(g);
    grads.set(t, v);
    owned.add(v);
  } else if (owned.has(cur) && isVariableTensor(cur)) {
    addInto(cur, g);
  } else {
    replaceOwned(t, sumOf(cur, g));
  }
}

const BackwardSig = signature(
  'Tensor.backward',
  [opt('gradient', any<Tensor | null>('Tensor'), null), opt('retain_graph', any<boolean | null>('bool'), null), opt('create_graph', any<boolean>('bool'), false), opt('inputs', any<Tensor[] | null>('list'), null)],
  { method: true },
);
const AutogradBackwardSig = signature('backward', [
  req('tensors', any<Tensor | Tensor[]>('Tensor')),
  opt('grad_tensors', any<Tensor | (Tensor | null)[] | null>('Tensor'), null),
  opt('retain_graph', any<boolean | null>('bool'), null),
  opt('create_graph', any<boolean>('bool'), false),
  opt('grad_variables', any<null>('Tensor'), null),
  opt('inputs', any<Tensor | Tensor[] | null>('Tensor'), null),
]);
const GradSig = signature('grad', [
  req('outputs', any<Tensor | Tensor[]>('Tensor')),
  req('inputs', any<Tensor | Tensor[]>('Tensor')),
  opt('grad_outputs', any<Tensor | (Tensor | null)[] | null>('Tensor'), null),
  opt('retain_graph', any<boolean | null>('bool'), null),
  opt('create_graph', any<boolean>('bool'), false),
  opt('only_inputs', any<boolean>('bool'), true),
  opt('allow_unused', any<boolean>('bool'), false),
  opt('is_grads_batched', any<boolean>('bool'), false),
]);
const RequiresGradSig = signature('requires_grad_', [opt('requires_grad', bool, true)], { dialect: 'native' });
const NoArgs = (name: string) => signature(name, [], { dialect: 'native' });
const DetachSig = NoArgs('detach');
const RetainGradSig = signature('Tensor.retain_grad', [], { method: true });

const asList = <U>(x: U | U[]): U[] => (Array.isArray(x) ? x : [x]);

/** torch.autograd's `_make_grads`: the seed of each output (ones for a scalar), checked as PyTorch checks it. */
function seeds(outputs: Tensor[], given: (Tensor | null)[]): { seeds: Tensor[]; made: Tensor[] } {
  const made: Tensor[] = [];
  const all = outputs.map((out, i) => {
    const g = given[i] ?? null;
    if (g !== null) {
      if (g.shape.join() !== out.shape.join()) {
        throw new RuntimeError(`Mismatch in shape: grad_output[${i}] has a shape of ${new Size(g.shape)} and output[${i}] has a shape of ${new Size(out.shape)}.`);
      }
      return g;
    }
    if (requiresGrad(out) && out.size !== 1) throw new RuntimeError('grad can be implicitly created only for scalar outputs');
    const ones = onesLike(out);
    made.push(ones);
    return ones;
  });
  return { seeds: all, made };
}

function checkOutputs(outputs: Tensor[], createGraph: boolean): void {
  if (createGraph) throw new NotImplementedError('create_graph=True: higher-order gradients are not supported (the backward pass is not recorded)');
  outputs.forEach((t, i) => {
    if (!requiresGrad(t)) throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
  });
}

function backward(outputs: Tensor[], given: (Tensor | null)[], retainGraph: boolean | null, createGraph: boolean, inputs: Tensor[] | null): void {
  const { seeds: start, made } = seeds(outputs, given);
  try {
    checkOutputs(outputs, createGraph);
    const only = inputs === null ? null : new Set(inputs);
    runBackward(outputs, start, retainGraph ?? createGraph, (t, g) => (only === null || only.has(t)) && accumulate(t, g), (t) => (only === null ? retaining.has(t) : only.has(t)), null);
  } finally {
    made.forEach((m) => m.dispose());
  }
}

/**
 * `torch.autograd.backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
 * grad_variables=None, inputs=None)`: accumulates the gradients of `tensors` into the `.grad` of
 * every leaf they depend on (or only of `inputs`).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.autograd.backward.html
 */
export function autogradBackward(...args: ArgsOf<typeof AutogradBackwardSig>): void {
  const { tensors, grad_tensors, retain_graph, create_graph, inputs } = AutogradBackwardSig.bind(args);
  backward(asList(tensors), grad_tensors === null ? [] : asList(grad_tensors), retain_graph, create_graph, inputs === null ? null : asList(inputs));
}

/**
 * `torch.autograd.grad(outputs, inputs, grad_outputs=None, retain_graph=None, ...)`: the
 * gradients of `outputs` with respect to each of `inputs`, without touching any `.grad`.
 * The caller owns the returned tensors.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.autograd.grad.html
 */
export function grad(...args: ArgsOf<typeof GradSig>): (Tensor | null)[] {
  const b = GradSig.bind(args);
  const outputs = asList(b.outputs);
  const inputs = asList(b.inputs);
  const { seeds: start, made } = seeds(outputs, b.grad_outputs === null ? [] : asList(b.grad_outputs));
  try {
    checkOutputs(outputs, b.create_graph);
    if (!inputs.every(requiresGrad)) throw new RuntimeError('One of the differentiated Tensors does not require grad');
    const result = runBackward(outputs, start, b.retain_graph ?? b.create_graph, () => undefined, () => false, inputs);
    if (!b.allow_unused && result.some((g) => g === null)) {
      result.forEach((g) => g?.dispose());
      throw new RuntimeError('One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.');
    }
    return result;
  } finally {
    made.forEach((m) => m.dispose());
  }
}

function setFlag(t: Tensor, value: boolean): void {
  if (gradFn(t) !== null) {
    if (!value) {
      throw new RuntimeError(
        'you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn\'t require differentiation use var_no_grad = var.detach().',
      );
    }
    return;
  }
  if (value && !isFloat(t)) throw new RuntimeError('only Tensors of floating point dtype can require gradients');
  setRequiresGrad(t, value);
}

declare module '@tensorflow/tfjs-core/dist/tensor' {
  interface Tensor<R extends Rank = Rank> {
    /**
     * `loss.backward(gradient=None, retain_graph=None, create_graph=False, inputs=None)`:
     * accumulates this tensor's gradient into the `.grad` of every leaf it depends on.
     * @see https://pytorch.org/docs/1.13/generated/torch.Tensor.backward.html
     */
    backward(...args: ArgsOf<typeof BackwardSig>): void;
    /** The accumulated gradient (a tensor of this shape) once a backward reached this leaf; else null. */
    grad: Tensor | null;
    /** Whether operations on this tensor are recorded; a Parameter's is its Variable's `trainable`. */
    requires_grad: boolean;
    /** `requires_grad_(requires_grad=True)`: sets the flag of a leaf; returns this tensor. */
    requires_grad_(...args: ArgsOf<typeof RequiresGradSig>): this;
    /** `detach()`: the same values, outside the graph (shares the data). */
    detach(): Tensor;
    /** Whether this tensor was made by no recorded operation (a leaf of the graph). */
    readonly is_leaf: boolean;
    /** The recorded operation that made this tensor, or null for a leaf. */
    readonly grad_fn: Node | null;
    /** `retain_grad()`: keep this non-leaf tensor's gradient in `.grad` after backward. */
    retain_grad(): void;
  }
}

const define = (name: string, descriptor: PropertyDescriptor) => Object.defineProperty(TensorClass.prototype, name, { configurable: true, ...descriptor });
define('backward', {
  writable: true,
  value(this: Tensor, ...args: ArgsOf<typeof BackwardSig>) {
    const { gradient, retain_graph, create_graph, inputs } = BackwardSig.bind(args);
    backward([this], [gradient], retain_graph, create_graph, inputs);
  },
});
define('grad', {
  get(this: Tensor) {
    return getGrad(this);
  },
  set(this: Tensor, g: Tensor | null) {
    setGrad(this, g ?? null);
  },
});
define('requires_grad', {
  get(this: Tensor) {
    return requiresGrad(this);
  },
  set(this: Tensor, value: boolean) {
    setFlag(this, value);
  },
});
define('requires_grad_', {
  writable: true,
  value(this: Tensor, ...args: ArgsOf<typeof RequiresGradSig>) {
    setFlag(this, RequiresGradSig.bind(args).requires_grad);
    return this;
  },
});
define('detach', {
  writable: true,
  value(this: Tensor, ...args: []) {
    DetachSig.bind(args);
    return detached(this);
  },
});
define('is_leaf', {
  get(this: Tensor) {
    return gradFn(this) === null;
  },
});
define('grad_fn', {
  get(this: Tensor) {
    return gradFn(this);
  },
});
define('retain_grad', {
  writable: true,
  value(this: Tensor, ...args: []) {
    RetainGradSig.bind(args);
    if (!requiresGrad(this)) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
    if (gradFn(this) !== null) retaining.add(this);
  },
});
