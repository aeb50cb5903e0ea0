/**
 * What our own kernels need of the wasm and cpu backends: making an output and seeing a
 * tensor's values in place (a view into the wasm heap, the cpu backend's own array).
 */
import type { tf } from '../runtime';

export type Values = Float32Array | Int32Array | Uint8Array;

/** How a backend makes an output and exposes a tensor's values, in place where it can. */
export interface Storage {
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

export const storages: Record<'wasm' | 'cpu', (backend: object) => Storage> = {
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
