import type { Tensor } from '@tensorflow/tfjs-core';
import * as act from '../backend/activation';
import { tidy } from '../backend/tensor';
import { AttributeError, check } from '../errors';
import { methodOf } from '../python/overloads';
import { checkArgument, kwonly, opt, pyTypeName, req, signature, type ArgsOf } from '../python/signature';
import { any, bool, scalar, str, tensor } from '../python/types';
import { SoftmaxSig, softmaxImpl } from './tensor/math';
import { wrapDim } from './tensor/util';
import type { LoadedDType } from '../backend/tensor';

/**
 * Activations as torch.nn.functional has them. Most are Python functions that take `inplace`
 * and call a native function; tfjs tensors are immutable, so `inplace` is accepted and the
 * result is always a new tensor.
 */

const native = { dialect: 'native' } as const;

const ReluSig = signature('relu', [req('input', any<Tensor>('Tensor')), opt('inplace', bool, false)]);

/**
 * `F.relu(input, inplace=False)`: `max(0, x)` elementwise.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.relu.html
 */
export function relu(...args: ArgsOf<typeof ReluSig>): Tensor {
  const { input } = ReluSig.bind(args);
  checkArgument('relu', { name: 'input', type: tensor }, 1, input);
  return tidy(() => act.relu(input));
}

/** A Python wrapper `name(input, inplace=False)` around the native `name(input)`. */
function withInplace(name: string, op: (x: Tensor) => Tensor) {
  const sig = signature(name, [req('input', any<Tensor>('Tensor')), opt('inplace', any<boolean>('bool'), false)]);
  const nativeSig = signature(name, [req('input', tensor)], native);
  return (...args: ArgsOf<typeof sig>): Tensor => {
    const { input } = sig.bind(args);
    nativeSig.bind([input]);
    return tidy(() => op(input));
  };
}

/** `F.relu6(input, inplace=False)`: `min(max(0, x), 6)`. @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.relu6.html */
export const relu6 = withInplace('relu6', act.relu6);

/** `F.hardswish(input, inplace=False)`: `x·relu6(x + 3)/6`. @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.hardswish.html */
export const hardswish = withInplace('hardswish', act.hardswish);

/** `F.hardsigmoid(input, inplace=False)`: `relu6(x + 3)/6`. @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.hardsigmoid.html */
export const hardsigmoid = withInplace('hardsigmoid', act.hardsigmoid);

/** `F.silu(input, inplace=False)`: `x·σ(x)`. @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.silu.html */
export const silu = withInplace('silu', act.silu);

/** `F.mish(input, inplace=False)`: `x·tanh(softplus(x))`. @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.mish.html */
export const mish = withInplace('mish', act.mish);

/** A deprecated Python wrapper `name(input)` that calls the tensor method `input.name()`. */
function viaMethod(name: string, op: (x: Tensor) => Tensor) {
  const sig = signature(name, [req('input', any<Tensor>('Tensor'))]);
  return (...args: ArgsOf<typeof sig>): Tensor => {
    const { input } = sig.bind(args);
    if (!tensor.accepts!(input)) throw new AttributeError(`'${pyTypeName(input)}' object has no attribute '${name}'`);
    return tidy(() => op(input));
  };
}

/** `F.sigmoid(input)`: `1/(1 + exp(−x))`. @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.sigmoid.html */
export const sigmoid = viaMethod('sigmoid', act.sigmoid);

/** `F.tanh(input)`. @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.tanh.html */
export const tanh = viaMethod('tanh', act.tanh);

/** A Python wrapper `name(input, param=default, inplace=False)` around the native `name(input, param)`. */
function withParameter(name: string, param: string, fallback: number, op: (x: Tensor, v: number) => Tensor) {
  const sig = signature(name, [req('input', any<Tensor>('Tensor')), opt(param, any<number>('float'), fallback), opt('inplace', any<boolean>('bool'), false)]);
  const nativeSig = signature(name, [req('input', tensor), req(param, scalar)], native);
  return (...args: ArgsOf<typeof sig>): Tensor => {
    const bound = sig.bind(args) as Record<string, unknown>;
    nativeSig.bind([bound.input, bound[param]]);
    return tidy(() => op(bound.input as Tensor, Number(bound[param])));
  };
}

/** `F.leaky_relu(input, negative_slope=0.01, inplace=False)`: `x > 0 ? x : negative_slope·x`. @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.leaky_relu.html */
export const leaky_relu = withParameter('leaky_relu', 'negative_slope', 0.01, act.leakyRelu);

/** `F.elu(input, alpha=1.0, inplace=False)`: `x > 0 ? x : alpha·(exp(x) − 1)`. @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.elu.html */
export const elu = withParameter('elu', 'alpha', 1.0, act.elu);

const GeluSig = signature('gelu', [req('input', tensor), kwonly('approximate', str, 'none')], native);

/**
 * `F.gelu(input, *, approximate='none')`: `x·Φ(x)` with the exact normal CDF, or with
 * `approximate='tanh'` the tanh approximation `½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.gelu.html
 */
export function gelu(...args: ArgsOf<typeof GeluSig>): Tensor {
  const { input, approximate } = GeluSig.bind(args);
  check(approximate === 'none' || approximate === 'tanh', () => 'approximate argument must be either none or tanh.');
  return tidy(() => act.gelu(input, approximate as 'none' | 'tanh'));
}

const PreluSig = signature('prelu', [req('input', tensor), req('weight', tensor)], native);

/**
 * `F.prelu(input, weight)`: `x > 0 ? x : weight·x`, with one weight for every element or one per
 * channel (dimension 1, or the only one of a 1-D input).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.prelu.html
 */
export function prelu(...args: ArgsOf<typeof PreluSig>): Tensor {
  const { input, weight } = PreluSig.bind(args);
  return preluImpl(input, weight, input.rank, 1);
}

/** F.prelu's checks on an input of `rank` whose channel axis is `axis`, then the activation. */
export function preluImpl(input: Tensor, weight: Tensor, rank: number, axis: number): Tensor {
  // ATen checks only a weight of several values, and its rank last.
  if (weight.size !== 1) {
    check(rank > 0, () => 'Not allow zero-dim input tensor.');
    const channels = rank > 1 ? input.shape[axis] : 1;
    check(channels === weight.size, () =>
      `Mismatch of parameter numbers and input channel size. Found parameter numbers = ${weight.size} and channel size = ${channels}.`);
    check(weight.rank <= 1, () => `prelu: Expected \`weight\` to be a scalar or 1D tensor, but got ndim = ${weight.rank}`);
  }
  return tidy(() => act.prelu(input, weight, axis));
}

// ---- softmax ----

const softmaxSignature = (name: string) =>
  signature(name, [
    req('input', any<Tensor>('Tensor')),
    opt('dim', any<number | null>('int'), null),
    opt('_stacklevel', any<number>('int'), 3),
    opt('dtype', any<LoadedDType | null>('dtype'), null),
  ]);
const SoftmaxPySig = softmaxSignature('softmax');
const LogSoftmaxPySig = softmaxSignature('log_softmax');
/** `input.softmax(dim, dtype)`, the tensor method the Python wrapper calls, with its overloads. */
const SoftmaxMethod = methodOf(SoftmaxSig);

/**
 * `F.softmax(input, dim=None, _stacklevel=3, dtype=None)`: `exp(x)/Σ exp(x)` along `dim`.
 * Without `dim`, PyTorch's deprecated implicit choice: 0 for 0-, 1- and 3-D input, else 1.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.softmax.html
 */
export function softmax(...args: ArgsOf<typeof SoftmaxPySig>): Tensor {
  const { input, dim, dtype } = SoftmaxPySig.bind(args);
  return softmaxLayer(false, input, dim, dtype, false);
}

/**
 * `F.log_softmax(input, dim=None, _stacklevel=3, dtype=None)`: `x − log Σ exp(x)` along `dim`,
 * computed stably; `dim` as F.softmax's.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.log_softmax.html
 */
export function log_softmax(...args: ArgsOf<typeof LogSoftmaxPySig>): Tensor {
  const { input, dim, dtype } = LogSoftmaxPySig.bind(args);
  return softmaxLayer(true, input, dim, dtype, false);
}

/** NHWC's axis for each NCHW axis of a 4-D tensor. */
const CHANNELS_LAST_AXIS = [0, 3, 1, 2];

/**
 * The Python wrapper's steps (implicit dim, then the tensor method), on NCHW input or (in a
 * chain) channels-last `[N, H, W, C]`, whose `dim` still names the NCHW dimension.
 */
export function softmaxLayer(log: boolean, input: Tensor, dim: number | null, dtype: LoadedDType | null, channelsLast: boolean): Tensor {
  const method = log ? 'log_softmax' : 'softmax';
  if (!tensor.accepts!(input)) throw new AttributeError(`'${pyTypeName(input)}' object has no attribute '${dim === null ? 'dim' : method}'`);
  const d = dim ?? ([0, 1, 3].includes(input.rank) ? 0 : 1);
  const bound = SoftmaxMethod.bind(dtype === null ? [d] : [d, { dtype }]);
  const axis = channelsLast ? CHANNELS_LAST_AXIS[wrapDim(bound.dim as number, 4)] : (bound.dim as number);
  return softmaxImpl(log, input, axis, dtype);
}
