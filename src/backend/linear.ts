import { tf } from './runtime';

/**
 * `x·wᵀ + b` over the last dimension of `x` (`[..., K]`, `w` `[N, K]`): PyTorch's
 * `addmm(bias, input, weight.t())` on the input flattened to rows, then shaped `[..., N]`.
 */
export function linearRows(x: tf.Tensor, weight: tf.Tensor2D, bias: tf.Tensor | null): tf.Tensor {
  const [n, k] = weight.shape;
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((a, b) => a * b, 1);
  // tfjs's kernels are not asked to multiply empty matrices: the product is zeros.
  const product = rows * k * n === 0 ? tf.zeros([rows, n]) : tf.matMul(tf.reshape(x, [rows, k]), weight, false, true);
  return tf.reshape(bias === null ? product : tf.add(product, bias), [...lead, n]);
}
