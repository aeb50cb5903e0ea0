import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-backend-wasm 4.22 mishandles inputs with no elements. Its Transpose divides by a zero
 * dimension for some permutations (`[0, 5, 5, 2]` to NCHW), and its reductions transpose the
 * same way before reducing: WebAssembly traps, which loses the whole heap. A reduction over an
 * empty axis returns uninitialised memory instead of its identity. With no elements there is
 * nothing to compute, so these kernels answer without running: an empty output of the right
 * shape, or the reduction's value over nothing (sum 0, product 1, mean NaN, all true, any
 * false; max and min run, and PyTorch's callers refuse them first).
 */
type Attrs = Record<string, unknown>;
type OutputShape = (shape: number[], attrs: Attrs) => number[];

const IDENTITY: Record<string, number> = { Sum: 0, Prod: 1, Mean: NaN, All: 1, Any: 0 };

const reduced = (axisAttr: string): OutputShape => (shape, attrs) => {
  const axes = tf.util.parseAxisParam(attrs[axisAttr] as number | number[], shape);
  return attrs.keepDims === true ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
};

const EMPTY_SAFE: Record<string, OutputShape> = {
  Transpose: (shape, attrs) => (attrs.perm as number[]).map((p) => shape[p]),
  Sum: reduced('axis'),
  Prod: reduced('axis'),
  Mean: reduced('axis'),
  Min: reduced('axis'),
  Max: reduced('reductionIndices'),
  All: reduced('axis'),
  Any: reduced('axis'),
};

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

let patched = false;

/** Wraps the wasm kernels above (once, after the wasm package registered them). */
export function patchEmptyWasmKernels(): void {
  if (patched) return;
  patched = true;
  for (const [name, outputShape] of Object.entries(EMPTY_SAFE)) {
    const kernel = tf.getKernel(name, 'wasm');
    if (kernel === undefined) continue;
    const run = kernel.kernelFunc;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      ...kernel,
      kernelFunc: (args) => {
        const x = Object.values(args.inputs)[0] as tf.TensorInfo;
        if (x.shape.some((d) => d === 0)) {
          const shape = outputShape(x.shape, args.attrs as Attrs);
          const dtype = name === 'Mean' ? 'float32' : x.dtype;
          const backend = args.backend as unknown as WasmBackend;
          const size = shape.reduce((a, b) => a * b, 1);
          if (size === 0) return backend.makeOutput(shape, dtype);
          if (name in IDENTITY) {
            const values = dtype === 'float32' ? new Float32Array(size) : dtype === 'bool' ? new Uint8Array(size) : new Int32Array(size);
            values.fill(IDENTITY[name]);
            return backend.makeOutput(shape, dtype, undefined, values);
          }
        }
        return run(args);
      },
    });
  }
}
