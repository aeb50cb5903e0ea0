import { tf } from './runtime';

/**
 * `x·noise`, the noise being `scale` where `keep` is 1 and 0 elsewhere, shaped `noiseShape`
 * (broadcast over the input, as feature dropout's per-channel noise is).
 */
export function applyNoise(x: tf.Tensor, keep: Uint8Array, noiseShape: readonly number[], scale: number): tf.Tensor {
  const noise = Float32Array.from(keep, (k) => (k ? scale : 0));
  return tf.mul(x, tf.tensor(noise, [...noiseShape]));
}

/** `x·0`, PyTorch's dropout with p = 1 (so −0, NaN and ∞ come out as its multiply gives them). */
export const zeroed = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.scalar(0));
