/**
 * Splitting and concatenating along the outermost axis, as kernels of our own for the wasm and
 * cpu backends. Both move each element once, one contiguous copy per piece. tfjs's Slice reads
 * its whole input out of the wasm heap on every call, and its Slice and Concat on an inner axis
 * copy pixel by pixel in JavaScript: a 32-way channel split at 56×56×128 took 37–112 ms
 * (issue 11's measurement).
 * Registered under names of our own, so tfjs's kernels stay as they are.
 */
import { tf } from '../runtime';

/** `x` [p·m, ...] → p tensors [m, ...]: attr `pieces` = p. */
export const SPLIT_OUTER = 'TfjsTorchSplitOuter';
/** Tensors [m, ...] of one shape → [p·m, ...]. */
export const CONCAT_OUTER = 'TfjsTorchConcatOuter';

type Values = Float32Array | Int32Array | Uint8Array;

/** How a backend makes an output and exposes a tensor's values, in place where it can. */
interface Storage {
  make(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  values(t: tf.TensorInfo): Values;
}

interface WasmBackendView {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Values;
}

interface CpuBackendView {
  data: { get(dataId: object): { values: Values } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Values): tf.TensorInfo;
}

const storages: Record<'wasm' | 'cpu', (backend: object) => Storage> = {
  // Views into the heap: taken after every output is made, since making one can grow the heap.
  wasm: (backend) => ({
    make: (shape, dtype) => (backend as WasmBackendView).makeOutput(shape, dtype),
    values: (t) => (backend as WasmBackendView).typedArrayFromHeap(t),
  }),
  cpu: (backend) => ({
    make: (shape, dtype) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = dtype === 'int32' ? new Int32Array(size) : dtype === 'bool' ? new Uint8Array(size) : new Float32Array(size);
      return (backend as CpuBackendView).makeTensorInfo(shape, dtype, values);
    },
    values: (t) => (backend as CpuBackendView).data.get(t.dataId).values,
  }),
};

function splitOuter(storage: Storage, x: tf.TensorInfo, pieces: number): tf.TensorInfo[] {
  const [outer, ...inner] = x.shape;
  const shape = [outer / pieces, ...inner];
  const outs = Array.from({ length: pieces }, () => storage.make(shape, x.dtype));
  const from = storage.values(x);
  const size = from.length / pieces;
  outs.forEach((out, i) => storage.values(out).set(from.subarray(i * size, (i + 1) * size)));
  return outs;
}

function concatOuter(storage: Storage, xs: tf.TensorInfo[]): tf.TensorInfo {
  const [outer, ...inner] = xs[0].shape;
  const out = storage.make([outer * xs.length, ...inner], xs[0].dtype);
  const to = storage.values(out);
  let at = 0;
  for (const x of xs) {
    const from = storage.values(x);
    to.set(from, at);
    at += from.length;
  }
  return out;
}

/** The backends these kernels exist for; others (tensorflow) use tfjs's split and concat. */
export const OUTER_KERNEL_BACKENDS: readonly string[] = Object.keys(storages);

for (const [backendName, storage] of Object.entries(storages)) {
  // Registered before the backend may exist: tfjs looks kernels up by name when one runs.
  if (tf.getKernel(SPLIT_OUTER, backendName) !== undefined) continue;
  tf.registerKernel({
    kernelName: SPLIT_OUTER,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => splitOuter(storage(backend), inputs.x as tf.TensorInfo, (attrs as { pieces: number }).pieces),
  });
  tf.registerKernel({
    kernelName: CONCAT_OUTER,
    backendName,
    kernelFunc: ({ inputs, backend }) => concatOuter(storage(backend), Object.values(inputs) as tf.TensorInfo[]),
  });
}

/** `x` [p·m, ...] split into p tensors [m, ...] (p must divide the outer size). */
export function splitOuterOp<T extends tf.Tensor>(x: T, pieces: number): T[] {
  return tf.engine().runKernel(SPLIT_OUTER, { x }, { pieces }) as unknown as T[];
}

/** Tensors of one shape [m, ...] stacked along their outer axis: [p·m, ...]. */
export function concatOuterOp<T extends tf.Tensor>(xs: T[]): T {
  const inputs: Record<string, tf.Tensor> = {};
  xs.forEach((x, i) => (inputs[i] = x));
  return tf.engine().runKernel(CONCAT_OUTER, inputs) as unknown as T;
}
