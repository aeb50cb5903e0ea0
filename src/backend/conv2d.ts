import { tf } from './runtime';
import { nchwToNhwc, nhwcToNchw, oihwToDepthwise, oihwToHwio } from './layout';

/** Everything a lowering needs, derived once by the caller (sizes already validated). */
export interface Conv2dGeometry {
  stride: readonly [number, number];
  /** Explicit zero padding `[top, bottom, left, right]`: tfjs never gets a bare number or 'same'. */
  pads: readonly [number, number, number, number];
  dilation: readonly [number, number];
  groups: number;
}

type Lowered = (x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], dilations: [number, number]) => tf.Tensor4D;

/**
 * Runs a PyTorch convolution — NCHW input, OIHW weight — on tfjs, returning NCHW.
 *
 * groups = 1 is a dense conv2d; groups = in_channels is depthwiseConv2d with channel multiplier
 * out/in; any other groups splits channels into groups, convolves each densely and concatenates
 * (see {@link groupedConv} for why). tfjs refuses stride > 1 together with dilation > 1, so that
 * pair runs at stride 1 and keeps every stride-th output, which is exactly PyTorch's sampling.
 * Callers run this inside `tidy`.
 */
export function conv2dNchw(x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor1D | null, g: Conv2dGeometry): tf.Tensor4D {
  const inChannels = x.shape[1];
  const [sh, sw] = g.stride;
  const strided = sh > 1 || sw > 1;
  const dilated = g.dilation[0] > 1 || g.dilation[1] > 1;
  const subsample = strided && dilated;
  const strides: [number, number] = subsample ? [1, 1] : [sh, sw];
  const dilations: [number, number] = [g.dilation[0], g.dilation[1]];

  const lower: Lowered =
    g.groups === 1
      ? (xh, wt, s, d) => tf.conv2d(xh, oihwToHwio(wt), s, explicitPads(g), 'NHWC', d)
      : g.groups === inChannels
        ? (xh, wt, s, d) => tf.depthwiseConv2d(xh, oihwToDepthwise(wt, inChannels), s, explicitPads(g), 'NHWC', d)
        : (xh, wt, s, d) => groupedConv(xh, wt, g, s, d);

  let y = lower(nchwToNhwc(x), w, strides, dilations);
  if (subsample) {
    const [n, h, wd, c] = y.shape;
    y = tf.stridedSlice(y, [0, 0, 0, 0], [n, h, wd, c], [1, sh, sw, 1]) as tf.Tensor4D;
  }
  if (bias !== null) y = tf.add(y, bias);
  return nhwcToNchw(y);
}

type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

function explicitPads(g: Conv2dGeometry): ExplicitPadding {
  const [top, bottom, left, right] = g.pads;
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

/**
 * Grouped convolution by split + dense conv per group + concat. It is exact (each output sums
 * only its own group's inputs, in the dense kernel's order) and each group runs on the backend's
 * fastest kernel; a block-diagonal dense weight would multiply zeros (and turn an inf elsewhere
 * in the input into NaN), and the depthwise-then-sum route runs a slower kernel and materialises
 * an (in × out/groups)-channel intermediate.
 */
function groupedConv(x: tf.Tensor4D, w: tf.Tensor4D, g: Conv2dGeometry, strides: [number, number], dilations: [number, number]): tf.Tensor4D {
  const xs = tf.split(x, g.groups, 3);
  const ws = tf.split(oihwToHwio(w), g.groups, 3);
  const ys = xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ws[i] as tf.Tensor4D, strides, explicitPads(g), 'NHWC', dilations));
  return tf.concat(ys, 3);
}
