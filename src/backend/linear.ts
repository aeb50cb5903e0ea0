import { guardAllocations, type Allocation } from './guard';
import type { FilterCache } from './conv2d';
import { tf } from './runtime';

/**
 * `x·wᵀ + b` over the last dimension of `x` (`[..., K]`, `w` `[N, K]`): PyTorch's
 * `addmm(bias, input, weight.t())` on the input flattened to rows, then shaped `[..., N]`.
 * With a `cache` (nn.Linear's, when nothing is recorded), `wᵀ` is made once per value of the
 * weight: tfjs-wasm's matMul with `transposeB` is an order of magnitude slower than on a
 * transposed copy (1×1024 by 1000×1024: 1.8 against 0.22 ms, AMD EPYC, 1 thread).
 */
export function linearRows(x: tf.Tensor, weight: tf.Tensor2D, bias: tf.Tensor | null, cache: FilterCache | null = null): tf.Tensor {
  const [n, k] = weight.shape;
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((a, b) => a * b, 1);
  const out: Allocation = { shape: [...lead, n], dtype: 'float32' };
  guardAllocations(bias === null ? [out] : [out, out]);
  // tfjs's kernels are not asked to multiply empty matrices: the product is zeros.
  const product =
    rows * k * n === 0
      ? tf.zeros([rows, n])
      : cache === null
        ? tf.matMul(tf.reshape(x, [rows, k]), weight, false, true)
        : tf.matMul(tf.reshape(x, [rows, k]), cache.get(weight, 'transposed', () => [tf.transpose(weight)])[0] as tf.Tensor2D);
  return tf.reshape(bias === null ? product : tf.add(product, bias), [...lead, n]);
}
