import { tf } from './runtime';

/**
 * Per-channel sums of an NCHW (or `[N, C, ...]`) tensor as ATen's CPU kernel forms them: the
 * mean from a double-precision sum, rounded to float32, then the sum of float32 squared
 * deviations from that mean, accumulated in double and rounded to float32. tfjs would sum in
 * float32, whose rounding error batch normalisation then magnifies by 1/std.
 */
export function channelSums(x: tf.Tensor): { mean: Float32Array; varSum: Float32Array; count: number } {
  const data = x.dataSync() as Float32Array;
  const [n, c] = x.shape as number[];
  const image = n * c === 0 ? 0 : x.size / (n * c);
  const count = n * image;
  const mean = new Float32Array(c);
  const varSum = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let b = 0; b < n; b++) for (let i = (b * c + ch) * image, end = i + image; i < end; i++) sum += data[i];
    const m = Math.fround(sum / count);
    let squares = 0;
    for (let b = 0; b < n; b++) {
      for (let i = (b * c + ch) * image, end = i + image; i < end; i++) {
        const d = Math.fround(data[i] - m);
        squares += Math.fround(d * d);
      }
    }
    mean[ch] = m;
    varSum[ch] = squares;
  }
  return { mean, varSum, count };
}

/** `y = x·alpha[c] + beta[c]` over an NCHW (or `[N, C, ...]`) tensor. */
export function channelAffine(x: tf.Tensor, alpha: Float32Array, beta: Float32Array): tf.Tensor {
  const shape = x.shape.map((d, i) => (i === 1 ? d : 1));
  return tf.add(tf.mul(x, tf.tensor(alpha, shape)), tf.tensor(beta, shape));
}
