import { tf } from './runtime';

/**
 * Per-channel sums of an NCHW (or `[N, C, ...]`) tensor as ATen's CPU kernel forms them: the
 * mean from a double-precision sum, rounded to float32, then the sum of float32 squared
 * deviations from that mean, accumulated in double and rounded to float32. tfjs would sum in
 * float32, whose rounding error batch normalisation then magnifies by 1/std.
 */
export function channelSums(x: tf.Tensor, channelsLast = false): { mean: Float32Array; varSum: Float32Array; count: number } {
  const data = x.dataSync() as Float32Array;
  const c = x.shape[channelsLast ? x.rank - 1 : 1] as number;
  const count = c === 0 ? 0 : x.size / c;
  // Element j of channel ch sits at outer·c·inner + ch·inner + (j mod inner), j = outer·inner + …
  const inner = channelsLast ? 1 : x.size / ((x.shape[0] as number) * c) || 0;
  const outer = count / (inner || 1);
  const mean = new Float32Array(c);
  const varSum = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let o = 0; o < outer; o++) for (let i = (o * c + ch) * inner, end = i + inner; i < end; i++) sum += data[i];
    const m = Math.fround(sum / count);
    let squares = 0;
    for (let o = 0; o < outer; o++) {
      for (let i = (o * c + ch) * inner, end = i + inner; i < end; i++) {
        const d = Math.fround(data[i] - m);
        squares += Math.fround(d * d);
      }
    }
    mean[ch] = m;
    varSum[ch] = squares;
  }
  return { mean, varSum, count };
}

/** `y = x·alpha[c] + beta[c]` over an `[N, C, ...]` tensor, or `[..., C]` when channels last. */
export function channelAffine(x: tf.Tensor, alpha: Float32Array, beta: Float32Array, channelsLast = false): tf.Tensor {
  const axis = channelsLast ? x.rank - 1 : 1;
  const shape = x.shape.map((d, i) => (i === axis ? d : 1));
  return tf.add(tf.mul(x, tf.tensor(alpha, shape)), tf.tensor(beta, shape));
}
