import { tf } from './runtime';

/** Per-channel vector `[C]` → `[1, C, 1, 1]`, to broadcast over NCHW. */
const perChannel = (v: tf.Tensor): tf.Tensor => tf.reshape(v, [1, -1, 1, 1]);

function affine(normalised: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null): tf.Tensor {
  const scaled = weight === null ? normalised : tf.mul(normalised, perChannel(weight));
  return bias === null ? scaled : tf.add(scaled, perChannel(bias));
}

/**
 * Batch statistics over N, H and W of an NCHW tensor: the normalised output, the batch mean and
 * the biased variance it normalised with, and the unbiased variance running_var tracks.
 */
export function batchNormTrain(x: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null, eps: number) {
  const { mean, variance } = tf.moments(x, [0, 2, 3]);
  const count = x.size / (x.shape[1] as number);
  const y = affine(tf.div(tf.sub(x, perChannel(mean)), tf.sqrt(tf.add(perChannel(variance), eps))), weight, bias);
  return { y, mean, variance, unbiasedVariance: tf.mul(variance, count / (count - 1)) };
}

/** Normalisation with given statistics (eval mode). */
export function batchNormEval(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null, eps: number): tf.Tensor {
  return affine(tf.div(tf.sub(x, perChannel(mean)), tf.sqrt(tf.add(perChannel(variance), eps))), weight, bias);
}

/** `running = (1 − momentum)·running + momentum·batch`, in place. */
export function updateRunning(running: tf.Variable, batch: tf.Tensor, momentum: number): void {
  running.assign(tf.add(tf.mul(running, 1 - momentum), tf.mul(batch, momentum)));
}
