import type { Tensor } from '@tensorflow/tfjs-core';
import { avgPool2d as avgPoolOp, emptyPool, guardPooled, maxPool2d as maxPoolOp, type AxisWindows } from '../backend/pooling';
import { fill, isTensor, tidy } from '../backend/tensor';
import { AttributeError, check, IndexError, ValueError } from '../errors';
import { truthy } from '../python/ops';
import { isPlainObject, opt, pyTypeName, req, signature, type ArgsOf, type BoundOf } from '../python/signature';
import { any, bool, int, intListOrInt, orNone, symIntPair, tensor } from '../python/types';
import { sizes, type IntOrTuple } from './args';
import { scalarTypeName } from './dtypes';
import { wrapDim } from './tensor/util';

const native = { dialect: 'native' } as const;

/** An `int[2]` argument as the native function receives it: one int stands for both. */
const intPair = (v: IntOrTuple): number[] => (typeof v === 'number' ? [v, v] : [...v]);

/**
 * PyTorch's `boolean_dispatch` flag: the keyword argument `name` if given, else the positional
 * argument at `index`, by Python's truth value.
 */
function dispatchFlag(args: readonly unknown[], name: string, index: number): boolean {
  let last = args.length - 1;
  while (last >= 0 && args[last] === undefined) last--;
  const keywords = isPlainObject(args[last]) ? (args[last] as Record<string, unknown>) : null;
  if (keywords !== null && name in keywords) return truthy(keywords[name]);
  return truthy((keywords === null ? args : args.slice(0, last))[index]);
}

/** `input.size(-3)`'s check: ATen's dim wrapping, which refuses any dimension of a 0-dim tensor. */
function sizeDim(dim: number, rank: number): void {
  if (rank === 0) throw new IndexError(`Dimension specified as ${dim} but tensor has no dimensions`);
  wrapDim(dim, rank);
}

/**
 * ATen's CPU pooling kernels dispatch on floating types only, after their shape checks: an
 * int32 or bool input is refused with the kernel's name (PyTorch 1.13's int64 average pooling
 * does compute; an int tensor here is refused as its int32 is).
 */
const floatingKernel = (input: Tensor, kernel: string): void =>
  check(input.dtype === 'float32', () => `"${kernel}" not implemented for '${scalarTypeName(input.dtype)}'`);

// ---- geometry: PyTorch's output sizes and windows, one axis at a time ----

/** One axis of a pooling: its output size and windows, and per window its length inside the padded input. */
export interface PoolAxis extends AxisWindows {
  readonly out: number;
  readonly padded: Int32Array;
}

/**
 * ATen's `pooling_output_shape`, with its checks: `⌊(size + 2·pad − dilation·(kernel−1) − 1 +
 * (ceil ? stride−1 : 0)) / stride⌋ + 1`, less one in ceil mode when the last window would start
 * past the input and its left padding.
 */
function outputSize(size: number, kernel: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  check(stride !== 0, () => 'stride should not be zero');
  check(pad >= 0, () => `pad must be non-negative, but got pad: ${pad}`);
  check(pad <= Math.trunc(kernel / 2), () => `pad should be at most half of kernel size, but got pad=${pad} and kernel_size=${kernel}`);
  const out = Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  return ceil && (out - 1) * stride >= size + pad ? out - 1 : out;
}

/**
 * The windows of a pooling with a kernel, as ATen's CPU kernels bound them: window `j` starts at
 * `j·stride − pad`, reads every `dilation`-th position, and is clipped to the input; `padded`
 * is its length clipped to the padded input instead (average pooling's divisor when the padding
 * counts). The uniform form is tfjs's, when there is no dilation.
 */
function poolAxis(size: number, kernel: number, stride: number, pad: number, dilation: number, out: number): PoolAxis {
  const starts = new Int32Array(out);
  const ends = new Int32Array(out);
  const padded = new Int32Array(out);
  for (let j = 0; j < out; j++) {
    const start = j * stride - pad;
    let first = start;
    while (first < 0) first += dilation;
    starts[j] = first;
    ends[j] = Math.min(start + (kernel - 1) * dilation + 1, size);
    padded[j] = Math.min(start + kernel, size + pad) - start;
  }
  const after = (out - 1) * stride + kernel - size - pad;
  const uniform = dilation === 1 ? { kernel, stride, before: pad, after } : null;
  return { out, windows: { starts, ends, step: dilation }, uniform, padded };
}

/** Adaptive pooling's windows: `[⌊j·size/out⌋, ⌈(j+1)·size/out⌉)`, uniform when `out` divides `size`. */
function adaptiveAxis(size: number, out: number): AxisWindows {
  const starts = Int32Array.from({ length: out }, (_, j) => Math.floor((j * size) / out));
  const ends = Int32Array.from({ length: out }, (_, j) => Math.ceil(((j + 1) * size) / out));
  const k = size / out;
  const uniform = Number.isInteger(k) ? { kernel: k, stride: k, before: 0, after: 0 } : null;
  return { windows: { starts, ends, step: 1 }, uniform };
}

/** ATen's `pool2d_shape_check` on the input's NCHW shape, after the output size is known. */
function poolShapeCheck(shape: readonly number[], k: number[], d: number[], dilation: number[], out: number[]): void {
  check(k[0] > 0 && k[1] > 0, () => `kernel size should be greater than zero, but got kH: ${k[0]} kW: ${k[1]}`);
  check(d[0] > 0 && d[1] > 0, () => `stride should be greater than zero, but got dH: ${d[0]} dW: ${d[1]}`);
  check(dilation[0] > 0 && dilation[1] > 0, () => `dilation should be greater than zero, but got dilationH: ${dilation[0]} dilationW: ${dilation[1]}`);
  const valid = (shape.length === 3 && shape.every((s) => s !== 0)) || (shape.length === 4 && shape.slice(1).every((s) => s !== 0));
  check(valid, () => `Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${sizes(shape)}`);
  const [c, h, w] = shape.slice(-3);
  check(out[0] >= 1 && out[1] >= 1, () => `Given input size: (${c}x${h}x${w}). Calculated output size: (${c}x${out[0]}x${out[1]}). Output size is too small`);
}

/** The NCHW shape a channels-last `[N, H, W, C]` tensor stands for. */
const nchwOf = (shape: readonly number[], channelsLast: boolean): number[] => (channelsLast ? [shape[0], shape[3], shape[1], shape[2]] : [...shape]);

/** An output shape from the input's NCHW shape and the pooled sizes, in the input's layout. */
function pooledShape(nchw: readonly number[], out: readonly number[], channelsLast: boolean): number[] {
  const lead = nchw.slice(0, -2);
  return channelsLast ? [lead[0], out[0], out[1], lead[1]] : [...lead, out[0], out[1]];
}

// ---- max_pool2d ----

/** Keyword arguments of `F.max_pool2d`. */
export interface MaxPool2dOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  ceil_mode?: boolean;
  return_indices?: boolean;
}

const maxPoolSignature = (name: string) =>
  signature(name, [
    req('input', any<Tensor>('Tensor')),
    req('kernel_size', any<IntOrTuple>('int')),
    opt('stride', any<IntOrTuple | null>('int'), null),
    opt('padding', any<IntOrTuple>('int'), 0),
    opt('dilation', any<IntOrTuple>('int'), 1),
    opt('ceil_mode', any<boolean>('bool'), false),
    opt('return_indices', any<boolean>('bool'), false),
  ]);
/** `F.max_pool2d` dispatches on `return_indices` to one of two Python functions, whose names its errors carry. */
const MaxPoolSig = maxPoolSignature('_max_pool2d');
const MaxPoolWithIndicesSig = maxPoolSignature('max_pool2d_with_indices');

/** An nn.MaxPool2d's or F.max_pool2d's settings, as given. */
export interface MaxPool2dSettings {
  kernel_size: IntOrTuple;
  stride: IntOrTuple | null;
  padding: IntOrTuple;
  dilation: IntOrTuple;
  ceil_mode: boolean;
  return_indices: boolean;
}

/**
 * `F.max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
 * return_indices=False)` on `[N, C, H, W]` or `[C, H, W]`: the maximum over each window, the
 * padding being −∞. `stride` defaults to `kernel_size`; `padding` may be at most half the kernel.
 * `H_out = ⌊(H + 2·padding − dilation·(kernel−1) − 1) / stride⌋ + 1` (⌈…⌉ with `ceil_mode`, less
 * one if the last window would start past the input and its left padding), likewise W. With
 * `return_indices`, returns `[output, indices]`, indices being each maximum's flat position
 * `h·W + w` in its plane (int32; PyTorch's are int64). NaN propagates; among equal maxima the
 * first in row-major order is chosen, as PyTorch's CPU kernel does.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.max_pool2d.html
 */
export function max_pool2d(input: Tensor, kernel_size: IntOrTuple, options: MaxPool2dOptions & { return_indices: true }): [Tensor, Tensor];
export function max_pool2d(...args: ArgsOf<typeof MaxPoolSig>): Tensor;
export function max_pool2d(...args: unknown[]): Tensor | [Tensor, Tensor] {
  const a = (dispatchFlag(args, 'return_indices', 6) ? MaxPoolWithIndicesSig : MaxPoolSig).bind(args as never);
  return maxPool2dLayer(a.input, a, false);
}

/** The native functions F.max_pool2d's two Python functions call. */
const maxPoolNative = (name: string) =>
  signature(
    name,
    [
      req('input', tensor),
      req('kernel_size', intListOrInt),
      opt('stride', intListOrInt, []),
      opt('padding', intListOrInt, 0),
      opt('dilation', intListOrInt, 1),
      opt('ceil_mode', bool, false),
    ],
    native,
  );
const MaxPoolNative = maxPoolNative('max_pool2d');
const MaxPoolWithIndicesNative = maxPoolNative('max_pool2d_with_indices');

/** nn.MaxPool2d's and F.max_pool2d's work, on NCHW or (in a chain) channels-last `[N, H, W, C]` input. */
export function maxPool2dLayer(input: Tensor, a: MaxPool2dSettings, channelsLast: boolean): Tensor | [Tensor, Tensor] {
  const withIndices = truthy(a.return_indices);
  const n = (withIndices ? MaxPoolWithIndicesNative : MaxPoolNative).bind([input, a.kernel_size, a.stride ?? [], a.padding, a.dilation, a.ceil_mode]);
  const [k, s, p, dil] = [n.kernel_size, n.stride, n.padding, n.dilation].map(intPair);
  // PyTorch 1.13's CPU max pooling takes its sizes as C ints, and refuses any that does not fit.
  check([k, s, p, dil].every((values) => values.every((v) => v >= -(2 ** 31) && v < 2 ** 31)), () => 'integer out of range');
  check(k.length === 1 || k.length === 2, () => 'max_pool2d: kernel_size must either be a single int, or a tuple of two ints');
  check(s.length <= 2, () => 'max_pool2d: stride must either be omitted, a single int, or a tuple of two ints');
  check(p.length === 1 || p.length === 2, () => 'max_pool2d: padding must be either be a single int, or a tuple of two ints');
  check(dil.length === 1 || dil.length === 2, () => 'max_pool2d: dilation must be either a single int, or a tuple of two ints');
  const kernel = [k[0], k[1] ?? k[0]];
  const steps = s.length === 0 ? kernel : [s[0], s[1] ?? s[0]];
  const pads = [p[0], p[1] ?? p[0]];
  const dilation = [dil[0], dil[1] ?? dil[0]];
  const nchw = nchwOf(input.shape, channelsLast);
  check(nchw.length === 3 || nchw.length === 4, () => 'non-empty 3D or 4D (batch mode) tensor expected for input');
  const [h, w] = nchw.slice(-2);
  const out = [0, 1].map((i) => outputSize([h, w][i], kernel[i], pads[i], steps[i], dilation[i], n.ceil_mode));
  poolShapeCheck(nchw, kernel, steps, dilation, out);
  floatingKernel(input, 'max_pool2d');
  const shape = pooledShape(nchw, out, channelsLast);
  const [ah, aw] = [0, 1].map((i) => poolAxis([h, w][i], kernel[i], steps[i], pads[i], dilation[i], out[i]));
  return tidy(() => {
    const [values, indices] =
      input.size === 0 ? [emptyPool(shape), withIndices ? emptyPool(shape, 'int32') : null] : maxPoolOp(input, channelsLast, ah, aw, withIndices);
    return withIndices ? [values, indices!] : values;
  });
}

// ---- avg_pool2d ----

/** `F.avg_pool2d`'s signature: a native function, bound by PyTorch's argument parser. */
const AvgPoolSig = signature(
  'avg_pool2d',
  [
    req('input', tensor),
    req('kernel_size', intListOrInt),
    opt('stride', orNone(intListOrInt), null),
    opt('padding', intListOrInt, 0),
    opt('ceil_mode', bool, false),
    opt('count_include_pad', bool, true),
    opt('divisor_override', orNone(int), null),
  ],
  native,
);

/** An nn.AvgPool2d's or F.avg_pool2d's settings, as given. */
export interface AvgPool2dSettings {
  kernel_size: IntOrTuple;
  stride: IntOrTuple | null;
  padding: IntOrTuple;
  ceil_mode: boolean;
  count_include_pad: boolean;
  divisor_override: number | null;
}

/**
 * `F.avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
 * count_include_pad=True, divisor_override=None)` on `[N, C, H, W]` or `[C, H, W]`: the sum of
 * each window of the zero-padded input, divided by `divisor_override`, else by the number of
 * positions inside the padded input (`count_include_pad`) or inside the input. Output sizes as
 * F.max_pool2d's with dilation 1.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.avg_pool2d.html
 */
export function avg_pool2d(...args: ArgsOf<typeof AvgPoolSig>): Tensor {
  return avgPool(AvgPoolSig.bind(args), false);
}

/** nn.AvgPool2d's and F.avg_pool2d's work, on NCHW or (in a chain) channels-last input. */
export function avgPool2dLayer(input: Tensor, a: AvgPool2dSettings, channelsLast: boolean): Tensor {
  return avgPool(AvgPoolSig.bind([input, a.kernel_size, a.stride, a.padding, a.ceil_mode, a.count_include_pad, a.divisor_override]), channelsLast);
}

function avgPool(a: BoundOf<typeof AvgPoolSig>, channelsLast: boolean): Tensor {
  const input = a.input;
  const [k, s, p] = [a.kernel_size, a.stride ?? [], a.padding].map(intPair);
  check(k.length === 1 || k.length === 2, () => 'avg_pool2d: kernel_size must either be a single int, or a tuple of two ints');
  check(s.length <= 2, () => 'avg_pool2d: stride must either be omitted, a single int, or a tuple of two ints');
  check(p.length === 1 || p.length === 2, () => 'avg_pool2d: padding must either be a single int, or a tuple of two ints');
  check(a.divisor_override !== 0, () => 'divisor must be not zero');
  const kernel = [k[0], k[1] ?? k[0]];
  const steps = s.length === 0 ? kernel : [s[0], s[1] ?? s[0]];
  const pads = [p[0], p[1] ?? p[0]];
  const nchw = nchwOf(input.shape, channelsLast);
  sizeDim(-3, nchw.length);
  const [h, w] = nchw.slice(-2);
  const out = [0, 1].map((i) => outputSize([h, w][i], kernel[i], pads[i], steps[i], 1, a.ceil_mode));
  poolShapeCheck(nchw, kernel, steps, [1, 1], out);
  floatingKernel(input, 'avg_pool2d');
  const [ah, aw] = [0, 1].map((i) => poolAxis([h, w][i], kernel[i], steps[i], pads[i], 1, out[i]));
  const scale = divisorScale(ah, aw, kernel[0] * kernel[1], a.count_include_pad, a.divisor_override);
  const shape = pooledShape(nchw, out, channelsLast);
  return tidy(() => (input.size === 0 ? emptyPool(shape) : avgPoolOp(input, channelsLast, ah, aw, scale)));
}

/**
 * Per output position, `window size / PyTorch's divisor`: what turns tfjs's mean over the whole
 * window of the zero-padded input into PyTorch's average. Null when every factor is 1.
 */
function divisorScale(h: PoolAxis, w: PoolAxis, size: number, countIncludePad: boolean, divisorOverride: number | null): Float32Array | null {
  const count = (axis: PoolAxis, j: number) => (countIncludePad ? axis.padded[j] : axis.windows.ends[j] - axis.windows.starts[j]);
  const scale = new Float32Array(h.out * w.out);
  for (let i = 0; i < h.out; i++) {
    for (let j = 0; j < w.out; j++) scale[i * w.out + j] = size / (divisorOverride ?? count(h, i) * count(w, j));
  }
  return scale.every((v) => v === 1) ? null : scale;
}

// ---- adaptive pooling ----

/** Python's `_list_with_default(out_size, defaults)`: `None` entries take the input's sizes. */
function listWithDefault(outSize: unknown, defaults: readonly number[]): unknown {
  if (typeof outSize === 'number' && Number.isInteger(outSize)) return outSize;
  if (typeof outSize === 'boolean') return outSize;
  if (!Array.isArray(outSize) && typeof outSize !== 'string') throw new TypeError(`object of type '${pyTypeName(outSize)}' has no len()`);
  const items = [...outSize];
  if (defaults.length <= items.length) throw new ValueError(`Input dimension should be at least ${items.length + 1}`);
  const tail = defaults.slice(defaults.length - items.length);
  return items.map((v, i) => (v === null ? tail[i] : v));
}

/** Python's `input.size()` on what should be a tensor. */
function requireTensor(input: unknown): asserts input is Tensor {
  if (!isTensor(input)) throw new AttributeError(`'${pyTypeName(input)}' object has no attribute 'size'`);
}

const AdaptiveAvgSig = signature('adaptive_avg_pool2d', [req('input', any<Tensor>('Tensor')), req('output_size', any<AdaptiveSize>('int'))]);
const AdaptiveAvgNative = signature('adaptive_avg_pool2d', [req('input', tensor), req('output_size', symIntPair)], native);
const AdaptiveMaxNative = signature('adaptive_max_pool2d', [req('input', tensor), req('output_size', intListOrInt)], native);

/** An adaptive pooling's output size: an int, or a pair whose `null` entries keep the input's size. */
export type AdaptiveSize = number | readonly (number | null)[];

/**
 * `F.adaptive_avg_pool2d(input, output_size)` on `[N, C, H, W]` or `[C, H, W]`: output `(i, j)`
 * is the mean of rows `⌊i·H/H_out⌋ … ⌈(i+1)·H/H_out⌉ − 1` and the same columns of W. Any output
 * size, larger than the input too; `null` keeps that dimension's size.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.adaptive_avg_pool2d.html
 */
export function adaptive_avg_pool2d(...args: ArgsOf<typeof AdaptiveAvgSig>): Tensor {
  const { input, output_size } = AdaptiveAvgSig.bind(args);
  return adaptiveAvgPool2dLayer(input, output_size, false);
}

/** nn.AdaptiveAvgPool2d's and F.adaptive_avg_pool2d's work, on NCHW or (in a chain) channels-last input. */
export function adaptiveAvgPool2dLayer(input: Tensor, outputSize: AdaptiveSize, channelsLast: boolean): Tensor {
  requireTensor(input);
  const nchw = nchwOf(input.shape, channelsLast);
  const size = listWithDefault(outputSize, nchw);
  const out = intPair(AdaptiveAvgNative.bind([input, size]).output_size);
  check(out.length === 2, () => 'adaptive_avg_pool2d: output_size must be 2');
  check(out[0] >= 0 && out[1] >= 0, () => `adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {${out[0]}, ${out[1]}}`);
  if (out[0] === 1 && out[1] === 1) {
    // PyTorch takes the mean over the last two dimensions of any input here, without the checks below.
    [-1, -2].forEach((d) => wrapDim(d, nchw.length));
    check(input.dtype === 'float32', () =>
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${scalarTypeName(input.dtype)}`);
    const [h, w] = nchw.slice(-2);
    const shape = pooledShape(nchw, out, channelsLast);
    if (h * w === 0) return fill(shape, NaN);
    return tidy(() => (input.size === 0 ? emptyPool(shape) : avgPoolOp(input, channelsLast, adaptiveAxis(h, 1), adaptiveAxis(w, 1), null)));
  }
  check(nchw.length === 3 || nchw.length === 4, () => `adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${sizes(nchw)}`);
  for (const i of [-2, -1]) {
    check(nchw[nchw.length + i] > 0, () =>
      `adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${sizes(nchw)} with dimension ${nchw.length + i} being empty`);
  }
  floatingKernel(input, 'adaptive_avg_pool2d');
  return adaptivePool(input, nchw, out, channelsLast, null) as Tensor;
}

const adaptiveMaxSignature = (name: string) =>
  signature(name, [req('input', any<Tensor>('Tensor')), req('output_size', any<AdaptiveSize>('int')), opt('return_indices', any<boolean>('bool'), false)]);
const AdaptiveMaxSig = adaptiveMaxSignature('_adaptive_max_pool2d');
const AdaptiveMaxWithIndicesSig = adaptiveMaxSignature('adaptive_max_pool2d_with_indices');

/**
 * `F.adaptive_max_pool2d(input, output_size, return_indices=False)`: the maximum over adaptive
 * pooling's windows (see F.adaptive_avg_pool2d); with `return_indices`, `[output, indices]` as
 * F.max_pool2d gives them.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.adaptive_max_pool2d.html
 */
export function adaptive_max_pool2d(input: Tensor, output_size: AdaptiveSize, options: { return_indices: true }): [Tensor, Tensor];
export function adaptive_max_pool2d(...args: ArgsOf<typeof AdaptiveMaxSig>): Tensor;
export function adaptive_max_pool2d(...args: unknown[]): Tensor | [Tensor, Tensor] {
  const withIndices = dispatchFlag(args, 'return_indices', 2);
  const { input, output_size } = (withIndices ? AdaptiveMaxWithIndicesSig : AdaptiveMaxSig).bind(args as never);
  return adaptiveMaxPool2dLayer(input, output_size, withIndices, false);
}

/** nn.AdaptiveMaxPool2d's and F.adaptive_max_pool2d's work, on NCHW or (in a chain) channels-last input. */
export function adaptiveMaxPool2dLayer(input: Tensor, outputSize: AdaptiveSize, returnIndices: boolean, channelsLast: boolean): Tensor | [Tensor, Tensor] {
  requireTensor(input);
  const nchw = nchwOf(input.shape, channelsLast);
  const size = listWithDefault(outputSize, nchw);
  const bound = AdaptiveMaxNative.bind([input, size]).output_size;
  const ndim = nchw.length;
  check(ndim === 3 || ndim === 4, () => `adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ${sizes(nchw)}`);
  for (let i = 1; i < ndim; i++) {
    check(nchw[i] > 0, () =>
      `adaptive_max_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${sizes(nchw)} with dimension ${i} being empty`);
  }
  const out = intPair(bound);
  check(out.length === 2, () => 'adaptive_max_pool2d(): internal error: output_size.size() must be 2');
  const shape = [...nchw.slice(0, -2), ...out];
  const negative = shape.find((d) => d < 0);
  check(negative === undefined, () => `Trying to create tensor with negative dimension ${negative}: ${sizes(shape)}`);
  floatingKernel(input, 'adaptive_max_pool2d');
  return adaptivePool(input, nchw, out, channelsLast, truthy(returnIndices));
}

/** Adaptive pooling after its checks: averages (`indices` null) or maxima, with or without indices. */
function adaptivePool(input: Tensor, nchw: readonly number[], out: number[], channelsLast: boolean, indices: boolean | null): Tensor | [Tensor, Tensor] {
  const [h, w] = nchw.slice(-2);
  const shape = pooledShape(nchw, out, channelsLast);
  guardPooled(shape, input.dtype, indices === true);
  const [ah, aw] = [adaptiveAxis(h, out[0]), adaptiveAxis(w, out[1])];
  return tidy(() => {
    const empty = input.size === 0 || out[0] * out[1] === 0;
    if (indices === null) return empty ? emptyPool(shape) : avgPoolOp(input, channelsLast, ah, aw, null);
    const [values, where] = empty ? [emptyPool(shape), indices ? emptyPool(shape, 'int32') : null] : maxPoolOp(input, channelsLast, ah, aw, indices);
    return indices ? [values, where!] : values;
  });
}
