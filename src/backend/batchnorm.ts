import { guardAllocations } from './guard';
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
  guardAllocations([{ shape: x.shape, dtype: 'float32' }, { shape: x.shape, dtype: 'float32' }]);
  const axis = channelsLast ? x.rank - 1 : 1;
  const shape = x.shape.map((d, i) => (i === axis ? d : 1));
  return tf.add(tf.mul(x, tf.tensor(alpha, shape)), tf.tensor(beta, shape));
}

/**
 * ATen's CPU `batch_norm_backward` per channel, for `x` and the output gradient `dy` in the
 * same layout: with `sum = Σdy` and `dotp = Σ(x − mean)·dy` (summed in double),
 * `dx = (dy − sum/N − (x − mean)·k)·invstd·w` with `k = dotp·invstd²/N` in training, and
 * `dx = dy·invstd·w` when the running statistics normalised; `dweight = dotp·invstd`,
 * `dbias = sum`. The elementwise steps round to float32 as ATen's do.
 */
export function batchNormBackward(
  x: tf.Tensor,
  dy: tf.Tensor,
  mean: Float32Array,
  invstd: Float32Array,
  weight: Float32Array | null,
  training: boolean,
  channelsLast = false,
): { dx: tf.Tensor; dweight: Float32Array; dbias: Float32Array } {
  const xs = x.dataSync() as Float32Array;
  const g = dy.dataSync() as Float32Array;
  const c = mean.length;
  const count = c === 0 ? 0 : x.size / c;
  const inner = channelsLast ? 1 : x.size / ((x.shape[0] as number) * c) || 0;
  const outer = count / (inner || 1);
  const dx = new Float32Array(x.size);
  const dweight = new Float32Array(c);
  const dbias = new Float32Array(c);
  const f32 = Math.fround;
  for (let ch = 0; ch < c; ch++) {
    const m = mean[ch];
    let sum = 0;
    let dotp = 0;
    for (let o = 0; o < outer; o++) {
      for (let i = (o * c + ch) * inner, end = i + inner; i < end; i++) {
        sum += g[i];
        dotp += f32(xs[i] - m) * g[i];
      }
    }
    const s = invstd[ch];
    const w = weight === null ? 1 : weight[ch];
    const k = f32(f32(f32(dotp) * s) * s / count);
    const gradMean = f32(f32(sum) / count);
    for (let o = 0; o < outer; o++) {
      for (let i = (o * c + ch) * inner, end = i + inner; i < end; i++) {
        dx[i] = training ? f32(f32(f32(f32(g[i] - gradMean) - f32(f32(xs[i] - m) * k)) * s) * w) : f32(f32(g[i] * s) * w);
      }
    }
    dweight[ch] = f32(dotp * s);
    dbias[ch] = f32(sum);
  }
  return { dx: tf.tensor(dx, x.shape), dweight, dbias };
}
