import { tf } from './runtime';
import { guardAllocations, type Allocation } from './guard';
import { nchwToNhwc, nhwcToNchw, oihwToDepthwise, oihwToHwio } from './layout';
import { AXIS_KERNEL_BACKENDS, concatAxis, sliceAxis } from './kernels/axis';

/** Everything a lowering needs, derived once by the caller (sizes already validated). */
export interface Conv2dGeometry {
  stride: readonly [number, number];
  /** Explicit zero padding `[top, bottom, left, right]`: tfjs never gets a bare number or 'same'. */
  pads: readonly [number, number, number, number];
  dilation: readonly [number, number];
  groups: number;
}

/**
 * Runs a PyTorch convolution — NCHW input, OIHW weight — on tfjs, returning NCHW.
 * Callers run this inside `tidy`.
 */
export function conv2dNchw(x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor1D | null, g: Conv2dGeometry, cache: FilterCache | null = null): tf.Tensor4D {
  if (x.dtype !== 'float32') return conv2dInt(x, w, bias, g);
  const [n, c, h, wd] = x.shape;
  const [, , kh, kw] = w.shape;
  if (n === 1 && kh === 1 && kw === 1 && g.groups === 1 && g.stride[0] === 1 && g.stride[1] === 1) return pointwiseNchw(x, w, bias, g, cache);
  guardAllocations(convAllocations([n, h, wd, c], w.shape, bias !== null, g, true));
  return nhwcToNchw(conv2dNhwc(nchwToNhwc(x), w, bias, g, cache));
}

/**
 * A single image through a 1×1 convolution is `W[out, in] · X[in, H·W]` in NCHW itself: no
 * layout conversion at all. For pointwise 144→24 on 56² this took 0.77 ms against 2.2 ms through
 * NHWC on wasm (27 against 68 ms on cpu). With a batch, tfjs's batched matmul is far slower than
 * its conv (85 against 4 ms for 8×64→64 on 32²), so batches take the NHWC route.
 */
function pointwiseNchw(x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor1D | null, g: Conv2dGeometry, cache: FilterCache | null): tf.Tensor4D {
  const [top, bottom, left, right] = g.pads;
  const [, c, hx, wx] = x.shape;
  const [hp, wp] = [hx + top + bottom, wx + left + right];
  const out: Allocation = { shape: [1, w.shape[0], hp, wp], dtype: 'float32' };
  const extra: Allocation[] = [];
  if (top + bottom + left + right > 0) extra.push({ shape: [1, c, hp, wp], dtype: 'float32' });
  if (bias !== null) extra.push(out);
  guardAllocations([out, ...extra]);
  const padded = top + bottom + left + right > 0 ? tf.pad(x, [[0, 0], [0, 0], [top, bottom], [left, right]]) : x;
  const [, cin, h, wd] = padded.shape;
  const [matrix] = filters(cache, w, 'matrix', () => [tf.reshape(w, [w.shape[0], cin])]);
  let y = tf.matMul(matrix as tf.Tensor2D, tf.reshape(padded, [cin, h * wd]));
  if (bias !== null) y = tf.add(y, tf.reshape(bias, [-1, 1]));
  return tf.reshape(y, [1, w.shape[0], h, wd]);
}

/**
 * The same convolution on an NHWC input, returning NHWC: what chains of layers run between one
 * conversion in and one out.
 *
 * groups = 1 is a dense conv2d; groups = in_channels is depthwiseConv2d with channel multiplier
 * out/in; any other groups takes the lowering {@link chooseGroupedLowering} picks for the shape.
 * tfjs refuses stride > 1 together with dilation > 1, so that pair runs at stride 1 and keeps
 * every stride-th output, which is exactly PyTorch's sampling. Filters in tfjs's layouts are
 * kept in `cache` when the caller has one (see {@link FilterCache}).
 */
export function conv2dNhwc(x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor1D | null, g: Conv2dGeometry, cache: FilterCache | null = null): tf.Tensor4D {
  if (x.dtype !== 'float32') return nchwToNhwc(conv2dInt(nhwcToNchw(x), w, bias, g));
  guardAllocations(convAllocations(x.shape, w.shape, bias !== null, g, false));
  const inChannels = x.shape[3];
  const [sh, sw] = g.stride;
  const subsample = (sh > 1 || sw > 1) && (g.dilation[0] > 1 || g.dilation[1] > 1);
  const strides: [number, number] = subsample ? [1, 1] : [sh, sw];
  const dilations: [number, number] = [g.dilation[0], g.dilation[1]];
  const pad = explicitPads(g);
  const fusedBias = subsample ? null : bias;

  let y: tf.Tensor4D;
  if (g.groups === 1) {
    const [filter] = filters(cache, w, 'hwio', () => [oihwToHwio(w)]);
    y = tf.fused.conv2d({ x, filter: filter as tf.Tensor4D, strides, pad, dilations, bias: fusedBias ?? undefined });
  } else if (g.groups === inChannels) {
    const [filter] = filters(cache, w, `depthwise:${inChannels}`, () => [oihwToDepthwise(w, inChannels)]);
    // tfjs's fused depthwise conv takes a padding only as one number for every side, and with
    // a number tfjs 4.22 sizes the width by the height's stride ([2, 1] gave half the width):
    // only square geometry goes this way.
    const [top, bottom, left, right] = g.pads;
    const square = top === bottom && top === left && top === right && strides[0] === strides[1] && dilations[0] === dilations[1];
    if (square) y = tf.fused.depthwiseConv2d({ x, filter: filter as tf.Tensor4D, strides, pad: top, dilations, bias: fusedBias ?? undefined });
    else {
      y = tf.depthwiseConv2d(x, filter as tf.Tensor4D, strides, pad, 'NHWC', dilations);
      if (fusedBias !== null) y = tf.add(y, fusedBias);
    }
  } else {
    y = chooseGroupedLowering(tf.getBackend(), w.shape[0], g.groups)(x, w, g, strides, dilations, cache);
    if (fusedBias !== null) y = tf.add(y, fusedBias);
  }
  if (subsample) {
    const [n, h, wd, c] = y.shape;
    y = tf.stridedSlice(y, [0, 0, 0, 0], [n, h, wd, c], [1, sh, sw, 1]) as tf.Tensor4D;
    if (bias !== null) y = tf.add(y, bias);
  }
  return y;
}

/**
 * An int32 convolution as PyTorch's CPU kernel (`slow_conv2d`) computes it, whose products and
 * sums wrap modulo 2^32; wrapping arithmetic is associative, so any order of summation gives its
 * exact result. tfjs convolves only float32 tensors, whose 24-bit significand would round sums
 * past 2^24, so this runs as a direct loop in JavaScript: exact, and slower than a kernel.
 */
function conv2dInt(x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor1D | null, g: Conv2dGeometry): tf.Tensor4D {
  const [n, cin, h, wd] = x.shape;
  const [cout, cinG, kh, kw] = w.shape;
  const [ho, wo] = outputSize(h, wd, kh, kw, g, g.stride);
  guardAllocations([{ shape: [n, cout, ho, wo], dtype: 'int32' }]);
  const [xs, ws] = [x.dataSync(), w.dataSync()];
  const bs = bias === null ? null : bias.dataSync();
  const [top, , left] = g.pads;
  const [[sh, sw], [dh, dw]] = [g.stride, g.dilation];
  const coutG = cout / g.groups;
  const out = new Int32Array(n * cout * ho * wo);
  let at = 0;
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < cout; o++) {
      const firstIn = Math.floor(o / coutG) * cinG;
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++, at++) {
          let acc = bs === null ? 0 : bs[o] | 0;
          for (let c = 0; c < cinG; c++) {
            const plane = (b * cin + firstIn + c) * h;
            for (let p = 0; p < kh; p++) {
              const y = i * sh - top + p * dh;
              if (y < 0 || y >= h) continue;
              for (let q = 0; q < kw; q++) {
                const xq = j * sw - left + q * dw;
                if (xq < 0 || xq >= wd) continue;
                acc = (acc + Math.imul(xs[(plane + y) * wd + xq], ws[((o * cinG + c) * kh + p) * kw + q])) | 0;
              }
            }
          }
          out[at] = acc;
        }
      }
    }
  }
  return tf.tensor4d(out, [n, cout, ho, wo], 'int32');
}

/** Output height and width of a convolution at `stride`, as PyTorch sizes it. */
function outputSize(h: number, wd: number, kh: number, kw: number, g: Conv2dGeometry, stride: readonly [number, number]): [number, number] {
  const [top, bottom, left, right] = g.pads;
  const [dh, dw] = g.dilation;
  return [
    Math.floor((h + top + bottom - dh * (kh - 1) - 1) / stride[0]) + 1,
    Math.floor((wd + left + right - dw * (kw - 1) - 1) / stride[1]) + 1,
  ];
}

/**
 * What {@link conv2dNhwc} (and, with `layoutChange`, {@link conv2dNchw}'s conversions around
 * it) asks the backend for, output first: intermediates of the lowering live until the
 * caller's tidy ends, so they all count. On wasm, XNNPACK also allocates an indirection buffer
 * of 4-byte pointers for every convolution that is not a plain 1×1 matrix product, one per
 * kernel tap and output pixel (per kernel row and output pixel for depthwise ones); when that
 * allocation fails XNNPACK reports an error that tfjs ignores, and the kernel then traps, so it
 * is planned for as well. Measured on a 4096² input with a 3×3 kernel: the heap grew by the
 * output plus 604 MB for 4→4 channels (9 taps × 4096² × 4 bytes) and by the output plus
 * 201 MB depthwise (3 rows × 4096² × 4 bytes).
 */
function convAllocations(
  [n, h, wd, cin]: readonly number[],
  [cout, cinG, kh, kw]: readonly number[],
  hasBias: boolean,
  g: Conv2dGeometry,
  layoutChange: boolean,
): Allocation[] {
  const f32 = (...shape: number[]): Allocation => ({ shape, dtype: 'float32' });
  const subsample = (g.stride[0] > 1 || g.stride[1] > 1) && (g.dilation[0] > 1 || g.dilation[1] > 1);
  const [ho, wo] = outputSize(h, wd, kh, kw, g, g.stride);
  const [hk, wk] = subsample ? outputSize(h, wd, kh, kw, g, [1, 1]) : [ho, wo];
  const out = f32(n, ho, wo, cout);
  const list = [out];
  if (layoutChange) list.push(f32(n, h, wd, cin));
  if (g.groups === 1 || g.groups === cin) {
    list.push(f32(n, hk, wk, cout));
  } else {
    const lowering = chooseGroupedLowering(tf.getBackend(), cout, g.groups);
    if (lowering === depthwiseThenSum) list.push(f32(n, hk, wk, cin * (cout / g.groups)), f32(n, hk, wk, cout));
    else list.push(f32(n, h, wd, cin), f32(n, hk, wk, cout), f32(n, hk, wk, cout));
    // group-major's transposed copies, in and out
    if (lowering === groupMajor) list.push(f32(n, h, wd, cin), f32(n, hk, wk, cout));
  }
  if (subsample) list.push(out);
  if (hasBias) list.push(out);
  if (tf.getBackend() === 'wasm') {
    const gemm = kh === 1 && kw === 1 && g.stride.every((s) => s === 1) && g.pads.every((p) => p === 0);
    if (!gemm) list.push({ shape: [g.groups === cin ? kh : kh * kw, hk, wk], dtype: 'int32' });
    list.push(f32(kh * kw * cinG * cout + cout));
  }
  return list;
}

/**
 * A layer's weight converted to tfjs's filter layouts, once per weight value. Conversion is not
 * free, and on wasm a new filter tensor also makes XNNPACK repack its weights, so nn.Conv2d
 * keeps one of these and frees it when disposed. An entry is remade when the weight's data
 * changes (`assign`, as `load_state_dict` does, gives the Variable new data) or the geometry it
 * was made for does (groups, input channels).
 */
export class FilterCache {
  private readonly entries = new Map<string, { dataId: object; tensors: tf.Tensor[] }>();

  get(w: tf.Tensor, key: string, make: () => tf.Tensor[]): tf.Tensor[] {
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.dataId === w.dataId) return hit.tensors;
    hit?.tensors.forEach((t) => t.dispose());
    const tensors = make().map((t) => tf.keep(t));
    this.entries.set(key, { dataId: w.dataId, tensors });
    return tensors;
  }

  release(): void {
    this.entries.forEach(({ tensors }) => tensors.forEach((t) => t.dispose()));
    this.entries.clear();
  }
}

/** `make()`'s filters: from `cache` when the caller keeps one, else made for this call (inside its tidy). */
function filters(cache: FilterCache | null, w: tf.Tensor, key: string, make: () => tf.Tensor[]): tf.Tensor[] {
  return cache === null ? make() : cache.get(w, key, make);
}

type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

function explicitPads(g: Conv2dGeometry): ExplicitPadding {
  const [top, bottom, left, right] = g.pads;
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

/** A lowering of grouped convolution (1 < groups < in_channels) onto tfjs NHWC kernels. */
export type GroupedLowering = (
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  g: Conv2dGeometry,
  strides: [number, number],
  dilations: [number, number],
  cache?: FilterCache | null,
) => tf.Tensor4D;

/** Split channels into groups, one dense conv2d per group, concatenate. */
export const splitConcat: GroupedLowering = (x, w, g, strides, dilations, cache = null) => {
  const xs = tf.split(x, g.groups, 3);
  const ws = filters(cache, w, `split:${g.groups}`, () => tf.split(oihwToHwio(w), g.groups, 3));
  const ys = xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ws[i] as tf.Tensor4D, strides, explicitPads(g), 'NHWC', dilations));
  return tf.concat(ys, 3);
};

/**
 * Split+concat with every copy contiguous: the input transposed to group-major [g·N, H, W, C/g]
 * (tfjs's native transpose), split along that outer axis and the per-group outputs concatenated
 * along it by kernels of our own (./kernels/axis), one dense conv2d per group, then transposed
 * back. Each element moves once per step, where tfjs's Slice and Concat on the channel axis copy
 * pixel by pixel. Exactly split+concat's arithmetic.
 */
export const groupMajor: GroupedLowering = (x, w, g, strides, dilations, cache = null) => {
  const [n, h, wd, c] = x.shape;
  const groups = g.groups;
  // Pixels as one axis keep both transposes at rank 4: at rank 5, wasm's took 3× the CPU time
  // (8×64→64 g4 on 16²).
  const byGroup = tf.reshape(tf.transpose(tf.reshape(x, [n, h * wd, groups, c / groups]), [2, 0, 1, 3]), [groups * n, h, wd, c / groups]);
  const ws = filters(cache, w, `split:${groups}`, () => tf.split(oihwToHwio(w), groups, 3));
  const ys = ws.map((wi, i) => tf.conv2d(sliceAxis(byGroup as tf.Tensor4D, 0, i * n, n), wi as tf.Tensor4D, strides, explicitPads(g), 'NHWC', dilations));
  const [, ho, wo, coutG] = ys[0].shape;
  const y = tf.transpose(tf.reshape(concatAxis(ys, 0), [groups, n, ho * wo, coutG]), [1, 2, 0, 3]);
  return tf.reshape(y, [n, ho, wo, groups * coutG]);
};

/**
 * One depthwise conv with channel multiplier out/groups (every input channel against every
 * filter of its group), then a sum over each group's input channels.
 */
export const depthwiseThenSum: GroupedLowering = (x, w, g, strides, dilations, cache = null) => {
  const [cout, cinG, kh, kw] = w.shape;
  const coutG = cout / g.groups;
  // [cout, cinG, kh, kw] → [kh, kw, groups*cinG (input channel), coutG]
  const [filter] = filters(cache, w, `depthwise-sum:${g.groups}`, () => [
    tf.reshape(tf.transpose(tf.reshape(w, [g.groups, coutG, cinG, kh, kw]), [3, 4, 0, 2, 1]), [kh, kw, g.groups * cinG, coutG]),
  ]);
  const y = tf.depthwiseConv2d(x, filter as tf.Tensor4D, strides, explicitPads(g), 'NHWC', dilations);
  const [n, ho, wo] = y.shape;
  return tf.reshape(tf.sum(tf.reshape(y, [n, ho, wo, g.groups, cinG, coutG]), 4), [n, ho, wo, cout]);
};

/**
 * Picks the fastest exact lowering for the backend and the filters per group, by the medians of
 * bench/grouped-lowering.ts (AMD EPYC, 2 cores, filters converted once as nn.Conv2d keeps them).
 * On wasm and cpu, where kernels of our own make group-major's copies contiguous, it beats
 * split+concat on every shape measured, and depthwise+sum from 4 filters per group up; at 2 or
 * fewer, depthwise+sum's single kernel, which materialises in×(out/groups) channels, costs least.
 * tensorflow (tfjs-node, not installable here) keeps tfjs's own split and concat, with the
 * threshold measured for them before (depthwise+sum up to 8 filters per group), unmeasured. A
 * block-diagonal dense weight, also measured, turns an inf in one group into NaN in the others,
 * so it is not used.
 */
export function chooseGroupedLowering(backend: string, outChannels: number, groups: number): GroupedLowering {
  const filtersPerGroup = outChannels / groups;
  if (AXIS_KERNEL_BACKENDS.includes(backend)) return filtersPerGroup <= 2 ? depthwiseThenSum : groupMajor;
  return filtersPerGroup <= 8 ? depthwiseThenSum : splitConcat;
}
