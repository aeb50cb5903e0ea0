import { guardAllocations } from './guard';
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
  const [before, after] = [Math.floor(size / 2), Math.floor((size - 1) / 2)];
  const pads = x.shape.map((_, i) => (i === axis ? [before, after] : [0, 0])) as [number, number][];
  // PyTorch's padded squares come first, as its allocator would refuse them; then the running sum and the output.
  guardAllocations([{ shape: x.shape.map((d, i) => (i === axis ? d + before + after : d)), dtype: 'float32' }, ...[0, 1, 2].map(() => ({ shape: x.shape, dtype: 'float32' as const }))]);
  const squares = tf.pad(tf.square(x), pads);
  // Offsets whose slice lies wholly in the padding add zeros, which change no sum; the others are
  // added in PyTorch's order, each partial sum freed once the next is made.
  const channels = x.shape[axis];
  let sum: tf.Tensor | null = null;
  for (let offset = Math.max(0, before - channels + 1); offset < Math.min(size, before + channels); offset++) {
    const term = tf.slice(squares, x.shape.map((_, i) => (i === axis ? offset : 0)), x.shape);
    if (sum === null) {
      sum = term;
      continue;
    }
    const next: tf.Tensor = tf.add(sum, term);
    [sum, term].forEach((t) => t.dispose());
    sum = next;
  }
  const mean = tf.div(sum ?? tf.zerosLike(x), size);
  return tf.div(x, tf.pow(tf.add(tf.mul(mean, alpha), k), beta));
}
