import { guardAllocation, type AllocDType } from './guard';
import { tf } from './runtime';

/**
 * The one place that knows tfjs wants channels last. PyTorch's layouts (NCHW activations, OIHW
 * weights) stay at the API; these convert on the way into and out of tfjs kernels.
 */
export const nchwToNhwc = (x: tf.Tensor4D): tf.Tensor4D => (guardAllocation(x.shape, x.dtype as AllocDType), tf.transpose(x, [0, 2, 3, 1]));
export const nhwcToNchw = (x: tf.Tensor4D): tf.Tensor4D => (guardAllocation(x.shape, x.dtype as AllocDType), tf.transpose(x, [0, 3, 1, 2]));

/** `[out, in/groups, kH, kW]` → tfjs conv2d's `[kH, kW, in/groups, out]`. */
export const oihwToHwio = (w: tf.Tensor4D): tf.Tensor4D => tf.transpose(w, [2, 3, 1, 0]);

/**
 * A depthwise weight `[in*m, 1, kH, kW]` → tfjs depthwiseConv2d's `[kH, kW, in, m]`. PyTorch's
 * output channel `c*m + j` reads input channel `c`, which is also tfjs's order for multiplier `j`.
 */
export function oihwToDepthwise(w: tf.Tensor4D, inChannels: number): tf.Tensor4D {
  const [out, , kh, kw] = w.shape;
  return tf.transpose(tf.reshape(w, [inChannels, out / inChannels, kh, kw]), [2, 3, 0, 1]);
}
