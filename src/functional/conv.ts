import type { Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs-core';
import { customOp, isRecording } from '../backend/autograd';
import { disposeConv, foldBatchNorm, keptClone, prepareConv, runConv, type FusedActivation, type PreparedConv } from '../backend/compiled';
import { conv2dNchw, conv2dNhwc, FilterCache, type Conv2dGeometry } from '../backend/conv2d';
import { convLayerGradients } from '../backend/conv2d_grad';
import { fill, isVariable, squeeze0, tidy, unsqueeze0, type LoadedDType } from '../backend/tensor';
import { check } from '../errors';
import { pair, sizes, type Conv2dPadding, type IntOrTuple } from './args';
import { legacyTypeName, scalarTypeName, typeMetaName } from './dtypes';
import { pad, type EdgePadMode } from './pad';
import { opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';

/**
 * `F.conv2d`'s signature, PyTorch's native `conv2d(Tensor input, Tensor weight, Tensor? bias=None,
 * int[2] stride=1, int[2] padding=0, int[2] dilation=1, int groups=1)`; the argument types are
 * checked by {@link checkArgumentTypes}, which reproduces the parser's two-overload message.
 */
const Conv2dSig = signature(
  'conv2d',
  [
    req('input', any<Tensor>('Tensor')),
    req('weight', any<Tensor>('Tensor')),
    opt('bias', any<Tensor | null>('Tensor'), null),
    opt('stride', any<IntOrTuple>('tuple of ints'), 1),
    opt('padding', any<Conv2dPadding>('tuple of ints'), 0),
    opt('dilation', any<IntOrTuple>('tuple of ints'), 1),
    opt('groups', any<number>('int'), 1),
  ],
  { dialect: 'native' },
);

/** Every way to call `F.conv2d`: `F.conv2d(x, w, b, 2, 1)`, `F.conv2d(x, w, { bias: b, stride: 2 })`. */
export type Conv2dArgs = ArgsOf<typeof Conv2dSig>;

/**
 * `F.conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)`.
 *
 * input `[N, C_in, H, W]` or unbatched `[C_in, H, W]`; weight `[C_out, C_in/groups, kH, kW]`;
 * bias `[C_out]`. Output `[N, C_out, H_out, W_out]` (unbatched in, unbatched out), with
 * `H_out = floor((H + pad_top + pad_bottom - dilation[0]*(kH-1) - 1) / stride[0]) + 1`, likewise W.
 * `padding`: an int or `[padH, padW]` pads both sides; `'valid'` is no padding; `'same'` pads
 * `dilation*(k-1)` per axis, `floor` of half before and the rest after (stride must be 1).
 * Errors are PyTorch's, raised in the same order.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv2d.html
 */
export function conv2d(...args: Conv2dArgs): Tensor {
  const { input, weight, bias, stride, padding, dilation, groups } = Conv2dSig.bind(args);
  return convolve(input, weight, bias, stride, padding, dilation, groups, null);
}

/** F.conv2d's work, with the caller's filter cache (a layer's) or none. */
function convolve(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  stride: IntOrTuple,
  padding: Conv2dPadding,
  dilation: IntOrTuple,
  groups: number,
  cache: FilterCache | null,
): Tensor {
  checkArgumentTypes(input, weight, bias, stride, padding, dilation, groups);
  checkBiasDtype(input, bias);
  check(input.rank === 3 || input.rank === 4, () => `Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${sizes(input.shape)}`);
  const batched = input.rank === 4;
  const x4Shape = batched ? input.shape : [1, ...input.shape];
  const plan = planConv2d(x4Shape, weight.shape, bias?.shape ?? null, pair(stride), padding, pair(dilation), groups, [input.dtype, weight.dtype]);
  return tidy(() => {
    const x = (batched ? input : unsqueeze0(input)) as Tensor4D;
    // ATen's empty-input convolution makes zeros with the weight's options.
    const y = recorded(x, weight, bias, plan, false, () =>
      x.size === 0 ? fill(plan.outShape, 0, weight.dtype as LoadedDType) : conv2dNchw(x, weight as Tensor4D, bias as Tensor1D | null, plan, cache),
    );
    return batched ? y : squeeze0(y);
  });
}

/**
 * The convolution as one node of the autograd graph, whichever lowering runs it, with ATen's
 * gradients (../backend/conv2d_grad); `run` is the forward.
 */
function recorded(x: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dGeometry, channelsLast: boolean, run: () => Tensor): Tensor {
  return customOp(
    'ConvolutionBackward0',
    [x, weight, bias],
    (save) => {
      save([x, weight]);
      return run();
    },
    (dy, [xs, ws]) => convLayerGradients(xs as Tensor4D, ws as Tensor4D, dy as Tensor4D, g, bias !== null, channelsLast),
  );
}

/**
 * PyTorch's argument parser, which runs before any check of values. A sequence whose first
 * element is not an int matches neither conv2d signature; a later non-int element fails while
 * unpacking. The messages are those of nn.Conv2d's call, which passes all seven arguments.
 */
function checkArgumentTypes(input: Tensor, weight: Tensor, bias: Tensor | null, ...rest: [IntOrTuple, Conv2dPadding, IntOrTuple, number]): void {
  const [stride, padding, dilation, groups] = rest;
  const intLists: [string, Conv2dPadding][] = [['stride', stride], ['padding', padding], ['dilation', dilation]];
  const listsParse = intLists.every(([, v]) => typeof v === 'string' || Number.isInteger(typeof v === 'number' ? v : v[0]));
  if (listsParse && Number.isInteger(groups)) {
    for (const [name, v] of intLists) {
      if (typeof v === 'string' || typeof v === 'number') continue;
      const bad = v.findIndex((e) => !Number.isInteger(e));
      if (bad >= 0) throw new TypeError(`conv2d(): argument '${name}' must be tuple of ints, but found element of type float at pos ${bad + 1}`);
    }
    return;
  }
  const tensorType = (t: Tensor | null) => (t === null ? 'NoneType' : isVariable(t) ? 'Parameter' : 'Tensor');
  const valueType = (v: IntOrTuple | string) => (typeof v === 'string' ? 'str' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : 'tuple');
  const got = [tensorType(input), tensorType(weight), tensorType(bias), ...intLists.map(([, v]) => valueType(v)), valueType(groups)];
  const signatures = ['tuple of ints', 'str'].map((paddingType) => ['Tensor', 'Tensor', 'Tensor', 'tuple of ints', paddingType, 'tuple of ints', 'int']);
  const names = ['input', 'weight', 'bias', 'stride', 'padding', 'dilation', 'groups'];
  const lines = signatures.flatMap((sig) => [
    ` * (${sig.map((t, i) => `${t} ${names[i]}`).join(', ')})`,
    `      didn't match because some of the arguments have invalid types: (${got.map((t, i) => (t === sig[i] ? t : `!${t}!`)).join(', ')})`,
  ]);
  throw new TypeError(`conv2d() received an invalid combination of arguments - got (${got.join(', ')}), but expected one of:\n${lines.join('\n')}\n`);
}

/** The first check of ATen's `conv2d`, before the input's rank: the bias must have the input's dtype. */
function checkBiasDtype(input: Tensor, bias: Tensor | null): void {
  check(bias === null || bias.dtype === input.dtype, () =>
    `Input type (${typeMetaName(input.dtype)}) and bias type (${typeMetaName(bias!.dtype)}) should be the same`);
}

interface Conv2dPlan extends Conv2dGeometry {
  outShape: number[];
}

/**
 * Validates a batched conv2d call the way ATen does and derives its geometry. The order of the
 * checks is ATen's (`_convolution_mode` → `_convolution` → `check_shape_forward` → the CPU
 * kernel), so that when several things are wrong the same one is reported.
 */
function planConv2d(
  xShape: readonly number[],
  wShape: readonly number[],
  bShape: readonly number[] | null,
  strideArg: number[],
  padding: Conv2dPadding,
  dilationArg: number[],
  groups: number,
  dtypes: readonly [input: string, weight: string],
): Conv2dPlan {
  let pads: [number, number, number, number] | null = null;
  let padArg: number[];
  if (typeof padding === 'string') {
    check(padding === 'same' || padding === 'valid', () => `Invalid padding string: '${padding}'`);
    if (padding === 'same') {
      pads = samePads(xShape, wShape, strideArg, dilationArg);
      const [top, bottom, left, right] = pads;
      // ATen pads (or crops) the uneven part explicitly, then convolves with the symmetric part.
      xShape = [xShape[0], xShape[1], xShape[2] + bottom - top, xShape[3] + right - left];
      padArg = [Math.min(top, bottom), Math.min(left, right)];
    } else {
      padArg = [0, 0];
    }
  } else {
    padArg = pair(padding);
  }
  check(groups > 0, () => 'non-positive groups is not supported');
  check(wShape.length >= 3, () => 'weight should have at least three dimensions');
  const dim = wShape.length - 2;
  const stride = expandParam(strideArg, 'stride', dim);
  const pad = expandParam(padArg, 'padding', dim);
  const dilation = expandParam(dilationArg, 'dilation', dim);

  check(pad.every((p) => p >= 0), () => 'negative padding is not supported');
  check(stride.every((s) => s > 0), () => 'non-positive stride is not supported');
  check(wShape.length === xShape.length, () =>
    `Expected ${wShape.length}-dimensional input for ${wShape.length}-dimensional weight ${sizes(wShape)}, but got ${xShape.length}-dimensional input of size ${sizes(xShape)} instead`);
  check(wShape[0] >= groups, () =>
    `Given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of size ${sizes(wShape)} instead`);
  check(wShape[0] % groups === 0, () =>
    `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${sizes(wShape)}] instead`);
  check(xShape[1] === wShape[1] * groups, () =>
    `Given groups=${groups}, weight of size ${sizes(wShape)}, expected input${sizes(xShape)} to have ${wShape[1] * groups} channels, but got ${xShape[1]} channels instead`);
  check(bShape === null || (bShape.length === 1 && bShape[0] === wShape[0]), () =>
    `Given weight of size ${sizes(wShape)}, expected bias to be 1-dimensional with ${wShape[0]} elements, but got bias of size ${sizes(bShape ?? [])} instead`);
  const padded = [0, 1].map((i) => xShape[2 + i] + 2 * pad[i]);
  const kernel = [0, 1].map((i) => dilation[i] * (wShape[2 + i] - 1) + 1);
  check(padded.every((p, i) => p >= kernel[i]), () =>
    `Calculated padded input size per channel: (${padded.join(' x ')}). Kernel size: (${kernel.join(' x ')}). Kernel size can't be greater than actual input size`);

  const [n, c, h, w] = xShape;
  const outShape = [n, wShape[0], ...[0, 1].map((i) => Math.floor((padded[i] - kernel[i]) / stride[i]) + 1)];
  if (n * c * h * w === 0) {
    check(n === 0 || c === 0, () => `Only zero batch or zero channel inputs are supported, but got input shape: ${sizes(xShape)}`);
  } else {
    checkCpuKernel(xShape, wShape, stride, dilation, groups, dtypes);
  }
  return {
    stride: [stride[0], stride[1]],
    dilation: [dilation[0], dilation[1]],
    groups,
    pads: pads ?? [pad[0], pad[0], pad[1], pad[1]],
    outShape,
  };
}

/** ATen's `convolution_same`: its own checks, then `[top, bottom, left, right]`. */
function samePads(xShape: readonly number[], wShape: readonly number[], stride: number[], dilation: number[]): [number, number, number, number] {
  const k = wShape.length;
  check(k > 2, () => 'weight should have at least three dimensions');
  check(k === xShape.length, () =>
    `Expected ${k}-dimensional input for ${k}-dimensional weight${sizes(wShape)}, but got ${xShape.length}-dimensional input of size ${sizes(xShape)} instead`);
  const dim = k - 2;
  check(stride.length === dim || stride.length === 1, () => `stride cannot broadcast to ${dim} dimensions`);
  check(dilation.length === dim || dilation.length === 1, () => `dilation cannot broadcast to ${dim} dimensions`);
  check(stride.every((s) => s === 1), () => "padding='same' is not supported for strided convolutions");
  // C++ division truncates, which matters only for the negative totals a bad dilation gives.
  const [th, tw] = [0, 1].map((i) => (dilation.length === 1 ? dilation[0] : dilation[i]) * (wShape[2 + i] - 1));
  return [Math.trunc(th / 2), th - Math.trunc(th / 2), Math.trunc(tw / 2), tw - Math.trunc(tw / 2)];
}

/** ATen's `convolution_expand_param_if_needed`. */
function expandParam(values: number[], name: string, dim: number): number[] {
  if (values.length === 1) return Array<number>(dim).fill(values[0]);
  check(values.length === dim, () =>
    `expected ${name} to be a single integer value or a list of ${dim} values to match the convolution dimensions, but got ${name}=${sizes(values)}`);
  return values;
}

/**
 * The checks PyTorch leaves to the CPU kernel it picks, whose wording differs by kernel. The pick
 * is ATen 1.13's `use_mkldnn` rule for a CPU tensor with one intra-op thread (Debian's build),
 * which only float32 input takes; otherwise a dilated convolution runs `slow_conv_dilated2d`
 * and the rest `slow_conv2d`. Each kernel checks shapes, then dispatches on the input's dtype
 * (slow_conv_dilated2d takes floating types only, slow_conv2d all but bool), then finds the
 * weight's dtype different from the input's.
 */
function checkCpuKernel(
  xShape: readonly number[],
  wShape: readonly number[],
  stride: number[],
  dilation: number[],
  groups: number,
  [xType, wType]: readonly [string, string],
): void {
  const [n, c, h, w] = xShape;
  const [kh, kw] = [wShape[2], wShape[3]];
  const dilated = dilation.some((d) => d !== 1);
  const mkldnn =
    xType === 'float32' &&
    (stride.some((s) => s !== 1) || dilated || n >= 16 || kw !== 1 || kh !== 1) &&
    (groups > 1 || (kw > 3 && kh > 3) || n > 1 || n * c * h * w > 20480);
  const notImplemented = (kernel: string) => `"${kernel}" not implemented for '${scalarTypeName(xType)}'`;
  if (mkldnn) {
    check(wType === xType, () =>
      `Input type (${legacyTypeName(xType)}) and weight type (${legacyTypeName(wType)}) should be the same or input should be a MKLDNN tensor and weight is a dense tensor`);
    check(dilation.every((d) => d > 0), () => 'non-positive dilation is not supported');
    check(kh > 0 && kw > 0, () => 'could not create a descriptor for a dilated convolution forward propagation primitive');
  } else if (dilated) {
    check(kh > 0 && kw > 0, () => `kernel size should be greater than zero, but got ${sizes([kh, kw])}`);
    check(dilation.every((d) => d > 0), () => `dilation should be greater than zero, but got ${sizes(dilation)}`);
    check(xType === 'float32', () => notImplemented('slow_conv_dilated<>'));
  } else {
    check(kh > 0 && kw > 0, () => `kernel size should be greater than zero, but got kernel_height: ${kh} kernel_width: ${kw}`);
    check(xType !== 'bool', () => notImplemented('slow_conv2d_cpu'));
  }
  check(wType === xType, () => `expected scalar type ${scalarTypeName(xType)} but found ${scalarTypeName(wType)}`);
}

/** An nn.Conv2d's settings, normalised once by its constructor, and its filter cache. */
export interface Conv2dLayer {
  stride: IntOrTuple;
  padding: Conv2dPadding;
  dilation: IntOrTuple;
  groups: number;
  paddingMode: 'zeros' | EdgePadMode;
  /** F.pad's amounts for the non-zeros modes, last dimension first. */
  reversedPadding: readonly number[];
  cache: FilterCache;
}

/** A filter cache for a layer that owns one weight; `release()` frees it. */
export const newFilterCache = (): FilterCache => new FilterCache();

/**
 * `nn.Conv2d`'s forward (PyTorch's `_conv_forward`): a padding mode other than zeros pads the
 * input explicitly with `F.pad`, then convolves without padding.
 */
export function conv2dLayer(input: Tensor, weight: Tensor, bias: Tensor | null, layer: Conv2dLayer): Tensor {
  const { stride, padding, dilation, groups, paddingMode, cache } = layer;
  if (paddingMode === 'zeros') return convolve(input, weight, bias, stride, padding, dilation, groups, cache);
  return tidy(() => convolve(pad(input, layer.reversedPadding, paddingMode), weight, bias, stride, [0, 0], dilation, groups, cache));
}

/**
 * nn.Conv2d's forward (zeros padding) on a channels-last `[N, H, W, C]` input, returning
 * channels-last: what a chain of layers runs between one layout conversion in and one out.
 * Arguments are checked against the equivalent NCHW shape, so errors read exactly as
 * `F.conv2d`'s.
 */
export function conv2dLayerChannelsLast(input: Tensor, weight: Tensor, bias: Tensor | null, layer: Conv2dLayer): Tensor {
  const { stride, padding, dilation, groups, cache } = layer;
  checkArgumentTypes(input, weight, bias, stride, padding, dilation, groups);
  checkBiasDtype(input, bias);
  const [n, h, w, c] = input.shape;
  const plan = planConv2d([n, c, h, w], weight.shape, bias?.shape ?? null, pair(stride), padding, pair(dilation), groups, [input.dtype, weight.dtype]);
  const [, cout, ho, wo] = plan.outShape;
  return tidy(() =>
    recorded(input, weight, bias, plan, true, () =>
      input.size === 0 ? fill([n, ho, wo, cout], 0, weight.dtype as LoadedDType) : conv2dNhwc(input as Tensor4D, weight as Tensor4D, bias as Tensor1D | null, plan, cache),
    ),
  );
}

export type { FusedActivation };

/** An eval-mode BatchNorm2d's statistics and affine parameters, as a preceding convolution folds them in. */
export interface FoldableNorm {
  running_mean: Tensor;
  running_var: Tensor;
  weight: Tensor | null;
  bias: Tensor | null;
  eps: number;
}

/**
 * An nn.Conv2d's weights with what follows it in a chain folded in (see
 * {@link conv2dLayerChannelsLastFused}), converted for tfjs's fused kernels once per value of
 * every tensor they come from: any change of the convolution's weight or bias, or of the
 * BatchNorm's statistics or affine parameters (`load_state_dict`, an optimizer step, running
 * statistics updated in train mode all give a Variable new data), remakes them.
 */
export class FoldedConv {
  private sources: (object | null)[] = [];
  private conv: PreparedConv | null = null;
  /** The last call's shapes and dtypes, which passed every check, and the plan made from them. */
  private checked: { key: string; plan: Conv2dPlan } | null = null;

  /**
   * The plan for these arguments, checked only when their shapes or dtypes differ from the
   * last call's: the checks and the plan depend on nothing else (the layer's settings are fixed).
   */
  plan(input: Tensor, weight: Tensor, bias: Tensor | null, make: () => Conv2dPlan): Conv2dPlan {
    const key = `${input.shape}:${input.dtype}|${weight.shape}:${weight.dtype}|${bias === null ? '' : `${bias.shape}:${bias.dtype}`}`;
    if (this.checked?.key !== key) this.checked = { key, plan: make() };
    return this.checked.plan;
  }

  get(from: readonly (Tensor | null)[], make: () => PreparedConv): PreparedConv {
    const ids = from.map((t) => (t === null ? null : t.dataId));
    if (this.conv === null || ids.length !== this.sources.length || ids.some((id, i) => id !== this.sources[i])) {
      this.release();
      this.conv = make();
      this.sources = ids;
    }
    return this.conv;
  }

  release(): void {
    if (this.conv === null) return;
    disposeConv(this.conv);
    this.conv.bias?.dispose();
    this.conv = null;
  }
}

/**
 * nn.Conv2d's forward (zeros padding) on a channels-last input followed by an eval-mode
 * BatchNorm2d (`norm`) and an activation, either of which may be absent, as one tfjs fused
 * convolution: the BatchNorm folded into the weights as `torch.nn.utils.fusion` folds it
 * (`W·γ/√(var+ε)`, `(b − mean)·γ/√(var+ε) + β`), the bias and activation fused into the
 * kernel. Null when the layers must run one by one: something is recorded for backward, the
 * input is empty, or the BatchNorm's sizes or dtypes would make its own forward fail (which
 * then raises its error). The convolution's arguments are checked as {@link conv2dLayerChannelsLast} checks them.
 */
export function conv2dLayerChannelsLastFused(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  layer: Conv2dLayer,
  norm: FoldableNorm | null,
  activation: FusedActivation | null,
  folded: FoldedConv,
): Tensor | null {
  const { stride, padding, dilation, groups } = layer;
  const [n, h, w, c] = input.shape;
  const plan = folded.plan(input, weight, bias, () => {
    checkArgumentTypes(input, weight, bias, stride, padding, dilation, groups);
    checkBiasDtype(input, bias);
    return planConv2d([n, c, h, w], weight.shape, bias?.shape ?? null, pair(stride), padding, pair(dilation), groups, [input.dtype, weight.dtype]);
  });
  const cout = plan.outShape[1];
  const terms = norm === null ? [] : [norm.running_mean, norm.running_var, norm.weight, norm.bias];
  if (input.size === 0 || isRecording([input, weight, bias, ...terms])) return null;
  if (terms.some((t) => t !== null && (t.size !== cout || t.dtype !== 'float32'))) return null;
  const conv = folded.get([weight, bias, ...terms], () => {
    if (norm === null) return prepareConv(weight, bias === null ? null : keptClone(bias), plan, c);
    const [w, b] = foldBatchNorm(weight, bias, { mean: norm.running_mean, variance: norm.running_var, gamma: norm.weight, beta: norm.bias, eps: norm.eps });
    const prepared = prepareConv(w, b, plan, c);
    w.dispose();
    return prepared;
  });
  return tidy(() => runConv(input, conv, activation));
}
