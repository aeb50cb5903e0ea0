/**
 * Convolution's backward pass from forward kernels only: the wasm backend has no
 * Conv2DBackpropFilter and no depthwise backprop kernels, and tfjs's own gradients refuse
 * dilation. Both gradients of a convolution are convolutions again:
 *
 * - input: the output gradient with `stride − 1` zeros between its elements, padded, convolved
 *   with the flipped filter at the forward's dilation and stride 1;
 * - filter: the padded input (channels and batch swapped) convolved with the output gradient
 *   as its filter, at the forward's dilation as stride and its stride as dilation.
 *
 * Each does the forward's multiply-adds. tfjs refuses stride > 1 together with dilation > 1,
 * so where the filter gradient needs both it runs at stride 1 and keeps every stride-th row,
 * as the forward does.
 */
import type { Conv2dGeometry } from './conv2d';
import { nchwToNhwc, nhwcToNchw, oihwToDepthwise, oihwToHwio } from './layout';
import { tf } from './runtime';

type T4 = tf.Tensor4D;

/** A convolution's resolved geometry in tfjs's NHWC terms: `pads` is `[top, bottom, left, right]`. */
export interface NhwcGeometry {
  strides: readonly [number, number];
  dilations: readonly [number, number];
  pads: readonly [number, number, number, number];
}

/** Pads (positive amounts) or crops (negative ones) H and W of an NHWC tensor. */
function padOrCrop(x: T4, [top, bottom, left, right]: readonly number[]): T4 {
  const grow = [top, bottom, left, right].map((p) => Math.max(p, 0));
  let y = grow.some((p) => p > 0) ? tf.pad(x, [[0, 0], [grow[0], grow[1]], [grow[2], grow[3]], [0, 0]]) : x;
  const cut = [top, bottom, left, right].map((p) => Math.max(-p, 0));
  if (cut.some((p) => p > 0)) {
    const [n, h, w, c] = y.shape;
    y = tf.slice(y, [0, cut[0], cut[2], 0], [n, h - cut[0] - cut[1], w - cut[2] - cut[3], c]);
  }
  return y;
}

/** `dy` with `s − 1` zeros between neighbours along H and W. */
function dilate(dy: T4, [sh, sw]: readonly [number, number]): T4 {
  if (sh === 1 && sw === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.slice(tf.reshape(spread, [n, h * sh, w * sw, c]), [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]) as T4;
}

/** The input gradient's padding of the dilated output gradient: `[top, bottom, left, right]`. */
function inputGradPads(xShape: readonly number[], k: readonly [number, number], dyShape: readonly number[], g: NhwcGeometry): number[] {
  const [, h, w] = xShape;
  const [, ho, wo] = dyShape;
  const [t, , l] = g.pads;
  const [dh, dw] = g.dilations;
  const [sh, sw] = g.strides;
  const top = (k[0] - 1) * dh - t;
  const left = (k[1] - 1) * dw - l;
  return [top, h + t - (ho - 1) * sh - 1, left, w + l - (wo - 1) * sw - 1];
}

/**
 * A convolution (dense or depthwise) at stride `s` and dilation `d` with explicit zero padding
 * already applied ('valid'), even when both exceed 1.
 */
function convValid(x: T4, filter: T4, s: readonly [number, number], d: readonly [number, number], depthwise: boolean): T4 {
  const both = (s[0] > 1 || s[1] > 1) && (d[0] > 1 || d[1] > 1);
  const strides: [number, number] = both ? [1, 1] : [s[0], s[1]];
  const dilations: [number, number] = [d[0], d[1]];
  const y = depthwise ? tf.depthwiseConv2d(x, filter, strides, 'valid', 'NHWC', dilations) : tf.conv2d(x, filter, strides, 'valid', 'NHWC', dilations);
  if (!both) return y;
  const [n, h, w, c] = y.shape;
  return tf.stridedSlice(y, [0, 0, 0, 0], [n, h, w, c], [1, s[0], s[1], 1]) as T4;
}

/** The input rows and columns the forward read, zero-padded: `[N, Hp, Wp, C]`. */
function paddedInput(x: T4, k: readonly [number, number], dyShape: readonly number[], g: NhwcGeometry): T4 {
  const [, h, w] = x.shape;
  const [, ho, wo] = dyShape;
  const [t, , l] = g.pads;
  const usedH = (ho - 1) * g.strides[0] + (k[0] - 1) * g.dilations[0] + 1;
  const usedW = (wo - 1) * g.strides[1] + (k[1] - 1) * g.dilations[1] + 1;
  return padOrCrop(x, [t, usedH - h - t, l, usedW - w - l]);
}

/** Gradients of `conv2d(x NHWC, filter HWIO)` with respect to x and filter, for output gradient `dy`. */
export function conv2dGradients(x: T4, filter: T4, dy: T4, g: NhwcGeometry): [T4, T4] {
  const [kh, kw] = filter.shape;
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
  const dx = convValid(padOrCrop(dilate(dy, g.strides), inputGradPads(x.shape, [kh, kw], dy.shape, g)), flipped as T4, [1, 1], g.dilations, false);
  const xp = tf.transpose(paddedInput(x, [kh, kw], dy.shape, g), [3, 1, 2, 0]);
  const full = convValid(xp, tf.transpose(dy, [1, 2, 0, 3]), g.dilations, g.strides, false);
  const dw = tf.transpose(tf.slice(full, [0, 0, 0, 0], [full.shape[0], kh, kw, full.shape[3]]), [1, 2, 0, 3]);
  return [dx, dw as T4];
}

/** Gradients of `depthwiseConv2d(x NHWC, filter [kh, kw, C, M])` with respect to x and filter. */
export function depthwiseGradients(x: T4, filter: T4, dy: T4, g: NhwcGeometry): [T4, T4] {
  const [kh, kw, c, m] = filter.shape;
  const [n, h, w] = x.shape;
  const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, c * m, 1]);
  const spread = convValid(padOrCrop(dilate(dy, g.strides), inputGradPads(x.shape, [kh, kw], dy.shape, g)), flipped as T4, [1, 1], g.dilations, true);
  const dx = tf.sum(tf.reshape(spread, [n, h, w, c, m]), 4);
  const xp = paddedInput(x, [kh, kw], dy.shape, g);
  const [, hp, wp] = xp.shape;
  const [, ho, wo] = dy.shape;
  const images = tf.reshape(tf.transpose(xp, [1, 2, 0, 3]), [1, hp, wp, n * c]);
  const kernels = tf.reshape(tf.transpose(tf.reshape(dy, [n, ho, wo, c, m]), [1, 2, 0, 3, 4]), [ho, wo, n * c, m]);
  const full = convValid(images as T4, kernels as T4, g.dilations, g.strides, true);
  const [, fh, fw] = full.shape;
  const perImage = tf.sum(tf.reshape(full, [fh, fw, n, c, m]), 2);
  const dw = tf.slice(perImage, [0, 0, 0, 0], [kh, kw, c, m]);
  return [dx as T4, dw as T4];
}

/**
 * A PyTorch convolution's gradients (weight OIHW, any groups) for input `x` and output
 * gradient `dy`, both NCHW or both NHWC: `[dx, dweight, dbias]` in the layouts given.
 */
export function convLayerGradients(x: T4, w: T4, dy: T4, g: Conv2dGeometry, hasBias: boolean, channelsLast: boolean): [tf.Tensor, tf.Tensor, tf.Tensor | null] {
  const db = hasBias ? tf.sum(dy, channelsLast ? [0, 1, 2] : [0, 2, 3]) : null;
  if (x.size === 0) return [tf.zerosLike(x), tf.zerosLike(w), db];
  const xs = channelsLast ? x : nchwToNhwc(x);
  const dys = channelsLast ? dy : nchwToNhwc(dy);
  const geo: NhwcGeometry = { strides: g.stride, dilations: g.dilation, pads: g.pads };
  const cin = xs.shape[3];
  let dx: T4;
  let dw: tf.Tensor;
  if (g.groups === 1) {
    const [gx, gw] = conv2dGradients(xs, oihwToHwio(w), dys, geo);
    [dx, dw] = [gx, tf.transpose(gw, [3, 2, 0, 1])];
  } else if (g.groups === cin) {
    const [gx, gw] = depthwiseGradients(xs, oihwToDepthwise(w, cin), dys, geo);
    [dx, dw] = [gx, tf.reshape(tf.transpose(gw, [2, 3, 0, 1]), w.shape)];
  } else {
    const xg = tf.split(xs, g.groups, 3);
    const wg = tf.split(w, g.groups, 0);
    const dyg = tf.split(dys, g.groups, 3);
    const parts = xg.map((xi, i) => conv2dGradients(xi as T4, oihwToHwio(wg[i] as T4), dyg[i] as T4, geo));
    dx = tf.concat(parts.map(([gx]) => gx), 3) as T4;
    dw = tf.concat(parts.map(([, gw]) => tf.transpose(gw, [3, 2, 0, 1])), 0);
  }
  return [channelsLast ? dx : nhwcToNchw(dx), dw, db];
}
