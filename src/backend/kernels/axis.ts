/**
 * Slicing and concatenating along one axis, as kernels of our own for the wasm and cpu
 * backends. Both move each element once, as contiguous runs of everything after the axis.
 * tfjs's Slice reads its whole input out of the wasm heap on every call, and its Slice and
 * Concat on an inner axis copy pixel by pixel in JavaScript: a 32-way channel split at
 * 56×56×128 took 37–112 ms (issue 11's measurement). Registered under names of our own, so
 * tfjs's kernels stay as they are.
 */
import { tf } from '../runtime';
import { storages, type Values } from './storage';

/** `x`'s positions `begin … begin + size − 1` along `axis`: attrs `{ axis, begin, size }`. */
export const SLICE_AXIS = 'TfjsTorchSliceAxis';
/** Tensors of one shape but along `axis`, joined along it: attr `{ axis }`. */
export const CONCAT_AXIS = 'TfjsTorchConcatAxis';

/** The backends these kernels exist for; others (tensorflow) use tfjs's slice and concat. */
export const AXIS_KERNEL_BACKENDS: readonly string[] = Object.keys(storages);

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * Copies `count` runs of `run` elements, the i-th from `from[src + i·srcStride]` to
 * `to[dst + i·dstStride]`. Between separate arrays (cpu), short runs go element by element: a
 * subarray per run costs more.
 */
function copyRuns(from: Values, src: number, srcStride: number, to: Values, dst: number, dstStride: number, run: number, count: number): void {
  if (from.buffer === to.buffer && from.BYTES_PER_ELEMENT === to.BYTES_PER_ELEMENT) {
    // Both in the wasm heap: a native move per run, with no view made.
    const heap = new (to.constructor as new (b: ArrayBufferLike) => Values)(to.buffer);
    const [f, t] = [from.byteOffset / from.BYTES_PER_ELEMENT + src, to.byteOffset / to.BYTES_PER_ELEMENT + dst];
    for (let i = 0; i < count; i++) heap.copyWithin(t + i * dstStride, f + i * srcStride, f + i * srcStride + run);
    return;
  }
  if (run >= 64) {
    for (let i = 0; i < count; i++) to.set(from.subarray(src + i * srcStride, src + i * srcStride + run), dst + i * dstStride);
    return;
  }
  for (let i = 0; i < count; i++) {
    const [s, d] = [src + i * srcStride, dst + i * dstStride];
    for (let k = 0; k < run; k++) to[d + k] = from[s + k];
  }
}

for (const [backendName, storage] of Object.entries(storages)) {
  // Registered before the backend may exist: tfjs looks kernels up by name when one runs.
  if (tf.getKernel(SLICE_AXIS, backendName) !== undefined) continue;
  tf.registerKernel({
    kernelName: SLICE_AXIS,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const s = storage(backend);
      const x = inputs.x as tf.TensorInfo;
      const { axis, begin, size } = attrs as { axis: number; begin: number; size: number };
      const inner = product(x.shape.slice(axis + 1));
      const out = s.make(x.shape.map((d, i) => (i === axis ? size : d)), x.dtype);
      // Views taken after the output is made: making it can grow the heap.
      const [from, to] = [s.values(x), s.values(out)];
      copyRuns(from, begin * inner, x.shape[axis] * inner, to, 0, size * inner, size * inner, product(x.shape.slice(0, axis)));
      return out;
    },
  });
  tf.registerKernel({
    kernelName: CONCAT_AXIS,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const s = storage(backend);
      const xs = Object.values(inputs) as tf.TensorInfo[];
      const { axis } = attrs as { axis: number };
      const inner = product(xs[0].shape.slice(axis + 1));
      const total = xs.reduce((n, x) => n + x.shape[axis], 0);
      const out = s.make(xs[0].shape.map((d, i) => (i === axis ? total : d)), xs[0].dtype);
      const to = s.values(out);
      const outer = product(xs[0].shape.slice(0, axis));
      let at = 0;
      for (const x of xs) {
        const run = x.shape[axis] * inner;
        copyRuns(s.values(x), 0, run, to, at, total * inner, run, outer);
        at += run;
      }
      return out;
    },
  });
}

/** `x`'s positions `begin … begin + size − 1` along `axis` (the backend must be one of {@link AXIS_KERNEL_BACKENDS}). */
export function sliceAxis<T extends tf.Tensor>(x: T, axis: number, begin: number, size: number): T {
  return tf.engine().runKernel(SLICE_AXIS, { x }, { axis, begin, size }) as unknown as T;
}

/** Tensors of one dtype and shape but along `axis`, joined along it (on {@link AXIS_KERNEL_BACKENDS}). */
export function concatAxis<T extends tf.Tensor>(xs: readonly T[], axis: number): T {
  const inputs: Record<string, tf.Tensor> = {};
  xs.forEach((x, i) => (inputs[i] = x));
  return tf.engine().runKernel(CONCAT_AXIS, inputs, { axis }) as unknown as T;
}
