import { tf } from './runtime';

/**
 * Elementwise activations in the float32 operations ATen's CPU kernels use, in the same order
 * where it decides the rounding (`x·relu6(x + 3) / 6`, not `x·relu6(x + 3)·(1/6)`).
 */

export const relu = (x: tf.Tensor): tf.Tensor => tf.relu(x);

export const relu6 = (x: tf.Tensor): tf.Tensor => tf.clipByValue(x, 0, 6);

export const hardsigmoid = (x: tf.Tensor): tf.Tensor => tf.div(tf.clipByValue(tf.add(x, 3), 0, 6), 6);

export const hardswish = (x: tf.Tensor): tf.Tensor => tf.div(tf.mul(x, tf.clipByValue(tf.add(x, 3), 0, 6)), 6);

export const sigmoid = (x: tf.Tensor): tf.Tensor => tf.sigmoid(x);

/** `x / (1 + exp(−x))`, as ATen writes SiLU. */
export const silu = (x: tf.Tensor): tf.Tensor => tf.div(x, tf.add(tf.exp(tf.neg(x)), 1));

export const tanh = (x: tf.Tensor): tf.Tensor => tf.tanh(x);

/** `x·tanh(log1p(exp(x)))`. */
export const mish = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.tanh(tf.log1p(tf.exp(x))));

/** `x·½·(1 + erf(x/√2))`, or with `tanh`, `½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`. */
export function gelu(x: tf.Tensor, approximate: 'none' | 'tanh'): tf.Tensor {
  if (approximate === 'none') return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  const cube = tf.mul(tf.mul(x, x), x);
  const inner = tf.mul(Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5, tf.add(x, tf.mul(0.044715, cube)));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** `x > 0 ? x : x·slope` (tfjs's kernel tests `x < 0` instead; the two agree on ±0 and NaN). */
export const leakyRelu = (x: tf.Tensor, slope: number): tf.Tensor => tf.leakyRelu(x, slope);

/** `x > 0 ? x : (exp(x) − 1)·alpha` (ATen's ELU uses exp, not expm1). */
export const elu = (x: tf.Tensor, alpha: number): tf.Tensor => tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), alpha));

/** `x > 0 ? x : weight·x`, one weight for all elements or one per index of `axis`. */
export function prelu(x: tf.Tensor, weight: tf.Tensor, axis: number): tf.Tensor {
  // tfjs's kernel takes one weight or one per index of the last axis.
  if (weight.size === 1 || axis === x.rank - 1) return tf.prelu(x, tf.reshape(weight, weight.size === 1 ? [] : [weight.size]));
  const shape = x.shape.map((d, i) => (i === axis ? d : 1));
  return tf.where(tf.greater(x, 0), x, tf.mul(tf.reshape(weight, shape), x));
}
