import { setVersion } from './autograd';
import { guardAllocation } from './guard';
import { clone } from './ops';
import { compute, ensureReady, tf } from './runtime';

export type DType = 'float32' | 'int32';

/** What a loaded checkpoint's tensors can be: PyTorch's bool tensors stay tfjs bool tensors. */
export type LoadedDType = DType | 'bool';

/** A tensor from flat values in C order, on the active backend. */
export function fromFlat(values: Float32Array | Int32Array | Uint8Array | number[], shape: readonly number[], dtype: LoadedDType = 'float32'): tf.Tensor {
  guardAllocation(shape, dtype);
  return compute(() => tf.tensor(values, [...shape], dtype));
}

/**
 * A trainable variable (a PyTorch Parameter) holding `values` in `shape`, drawn by a layer's
 * initialisation: at version 1, as PyTorch's parameter after its one in-place init fill.
 */
export function parameter(values: Float32Array, shape: readonly number[]): tf.Variable {
  guardAllocation(shape);
  const p = tidy(() => tf.variable(tf.tensor(values, [...shape], 'float32'), true));
  setVersion(p, 1);
  return p;
}

/** A new tensor of `shape` with every element `value`. */
export function fill(shape: readonly number[], value: number, dtype: LoadedDType = 'float32'): tf.Tensor {
  guardAllocation(shape, dtype);
  return compute(() => tf.fill([...shape], value, dtype));
}

/** Copies `value` into `target` (cast to its dtype), as PyTorch's `copy_` does. */
export function assign(target: tf.Variable, value: tf.Tensor): void {
  // Assigning a variable its own data would free that data first (m.load_state_dict(m.state_dict())).
  if (value.dataId === target.dataId) return;
  tidy(() => target.assign(value.dtype === target.dtype ? value : tf.cast(value, target.dtype)));
}

/** A non-trainable Variable filled with `value`: a buffer that can be updated in place. */
export function buffer(shape: readonly number[], value: number, dtype: DType = 'float32'): tf.Variable {
  guardAllocation(shape, dtype);
  // PyTorch fills a new buffer in place (`zero_`, `fill_`): version 1.
  const b = tidy(() => tf.variable(tf.fill([...shape], value, dtype), false));
  setVersion(b, 1);
  return b;
}

/** A new tensor with `t`'s values, cast to `dtype`. */
export function copy(t: tf.Tensor, dtype: LoadedDType): tf.Tensor {
  guardAllocation(t.shape, dtype);
  return tidy(() => (t.dtype === dtype ? clone(t) : tf.cast(t, dtype)));
}

/** Adds one to a scalar counter in place (PyTorch's `num_batches_tracked.add_(1)`). */
export function increment(counter: tf.Variable): void {
  tidy(() => counter.assign(tf.add(counter, tf.scalar(1, counter.dtype))));
}

/** A tensor's values, flat in C order and read synchronously (a bool tensor's as 0/1 bytes). */
export function values(t: tf.Tensor): Float32Array | Int32Array | Uint8Array {
  return compute(() => t.dataSync() as Float32Array | Int32Array | Uint8Array);
}

/**
 * A value computed from some tensors, kept while none of their data changes: a tfjs tensor's
 * data never changes in place, and `assign` gives a Variable new data, so comparing data ids is
 * enough to know the value is still right.
 */
export class DerivedValue<T> {
  private sources: (object | null)[] = [];
  private value: T | undefined;

  get(from: readonly (tf.Tensor | null)[], make: () => T): T {
    const ids = from.map((t) => (t === null ? null : t.dataId));
    if (this.value === undefined || ids.length !== this.sources.length || ids.some((id, i) => id !== this.sources[i])) {
      this.value = make();
      this.sources = ids;
    }
    return this.value;
  }
}

export function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

export function isVariable(x: unknown): x is tf.Variable {
  return x instanceof tf.Variable;
}

/**
 * `tf.tidy` for the library's computations: tensors made inside are freed unless returned, and
 * a failure of the backend itself surfaces as the library's RuntimeError (see {@link compute}).
 */
export function tidy<T extends tf.TensorContainer>(fn: () => T): T {
  return tf.tidy(() => compute(fn));
}
/** A tensor of `shape` sharing `t`'s data; tfjs counts the references, so either may be disposed first. */
export const reshaped = (t: tf.Tensor, shape: readonly number[]): tf.Tensor => tidy(() => tf.reshape(t, [...shape]));
export const unsqueeze0 = <T extends tf.Tensor>(x: T): tf.Tensor => tf.expandDims(x, 0);
export const squeeze0 = <T extends tf.Tensor>(x: T): tf.Tensor => tf.squeeze(x, [0]);

/** A Variable sharing `data`'s values (tfjs variables start from their initial tensor's data). */
export function variableOf(data: tf.Tensor, trainable: boolean): tf.Variable {
  ensureReady();
  const v = tf.variable(data, trainable);
  setVersion(v, 0);
  return v;
}

/** Whether `t` was disposed (its data freed). */
export const isDisposed = (t: tf.Tensor): boolean => t.isDisposed;
