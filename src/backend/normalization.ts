import { tf } from './runtime';

/** `t` (a vector) shaped to broadcast along `axis` of a rank-`rank` tensor. */
export function alongAxis(t: tf.Tensor, rank: number, axis: number): tf.Tensor {
  return tf.reshape(t, Array.from({ length: rank }, (_, i) => (i === axis ? t.size : 1)));
}

/** `(x − mean)/√(var + eps)`, the mean and biased variance over the last `dims` dimensions. */
export function standardiseLast(x: tf.Tensor, dims: number, eps: number): tf.Tensor {
  return standardise(x, Array.from({ length: dims }, (_, i) => x.rank - dims + i), eps);
}

/** `(x − mean)/√(var + eps)` per sample and group of `[N, C, ...]` (C/groups consecutive channels a group). */
export function standardiseGroups(x: tf.Tensor, groups: number, eps: number): tf.Tensor {
  const n = x.shape[0];
  return tf.reshape(standardise(tf.reshape(x, [n, groups, x.size / n / groups]), [2], eps), x.shape);
}

function standardise(x: tf.Tensor, axes: number[], eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
}

/** `x·weight + bias`, either optional, each shaped to broadcast over `x`. */
export function affine(x: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null): tf.Tensor {
  const scaled = weight === null ? x : tf.mul(x, weight);
  return bias === null ? scaled : tf.add(scaled, bias);
}

/**
 * Local response normalisation across `axis`: `x / (k + alpha·mean(x²))^beta`, the mean over
 * `size` neighbours, zero-padded by `⌊size/2⌋` before and `⌊(size−1)/2⌋` after, and always
 * divided by `size`, as PyTorch's average pooling with its padding counted does.
 */
export function localResponseNorm(x: tf.Tensor, axis: number, size: number, alpha: number, beta: number, k: number): tf.Tensor {
  const pads = x.shape.map((_, i) => (i === axis ? [Math.floor(size / 2), Math.floor((size - 1) / 2)] : [0, 0])) as [number, number][];
  const squares = tf.pad(tf.square(x), pads);
  const window = Array.from({ length: size }, (_, offset) => {
    const begin = x.shape.map((_, i) => (i === axis ? offset : 0));
    return tf.slice(squares, begin, x.shape);
  });
  const mean = tf.div(window.length === 1 ? window[0] : tf.addN(window), size);
  return tf.div(x, tf.pow(tf.add(tf.mul(mean, alpha), k), beta));
}
