import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { customOp, isRecording } from '../backend/autograd';
import { batchNormBackward, channelAffine, channelSums } from '../backend/batchnorm';
import { assign, copy, DerivedValue, fromFlat, isVariable, tidy, values, type LoadedDType } from '../backend/tensor';
import { check, ValueError } from '../errors';
import { scalarTypeName } from './dtypes';
import { opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { Size } from '../torch/size';

/** `F.batch_norm`'s signature, as torch/nn/functional.py declares it. */
const BatchNormSig = signature('batch_norm', [
  req('input', any<Tensor>('Tensor')),
  req('running_mean', any<Tensor | null>('Tensor')),
  req('running_var', any<Tensor | null>('Tensor')),
  opt('weight', any<Tensor | null>('Tensor'), null),
  opt('bias', any<Tensor | null>('Tensor'), null),
  opt('training', any<boolean>('bool'), false),
  opt('momentum', any<number>('float'), 0.1),
  opt('eps', any<number>('float'), 1e-5),
]);

/** What batchNorm needs besides the input and running statistics. */
export interface BatchNormArgs {
  weight: Tensor | null;
  bias: Tensor | null;
  training: boolean;
  momentum: number;
  eps: number;
}

const f32 = Math.fround;

/**
 * `F.batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
 * momentum=0.1, eps=1e-05)` on `[N, C, ...]` input.
 *
 * Training normalises with the batch mean and biased variance over every dimension but C and,
 * when running statistics are given (as tfjs Variables), updates them in place:
 * `running = (1 − momentum)·running + momentum·batch`, with the unbiased variance for
 * running_var. Otherwise it normalises with the running statistics. The per-channel arithmetic
 * follows ATen's CPU kernel step by step (double-precision sums, the same float32 roundings), so
 * statistics and running buffers come out as PyTorch's; the output is `x·alpha + beta` per
 * channel, as ATen computes it.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.batch_norm.html
 */
export function batch_norm(...args: ArgsOf<typeof BatchNormSig>): Tensor {
  const { input, running_mean, running_var, ...rest } = BatchNormSig.bind(args);
  return batchNorm(input, input.shape, false, running_mean, running_var, rest, null);
}

/**
 * An nn.BatchNorm2d's eval-mode scale and shift per channel, computed from its statistics and
 * affine parameters once per value of them instead of reading them back on every call.
 */
export type EvalTerms = DerivedValue<{ alpha: Float32Array; beta: Float32Array }>;
export const newEvalTerms = (): EvalTerms => new DerivedValue();

/** nn.BatchNorm2d's `F.batch_norm`, NCHW or channels-last (`[N, H, W, C]` in and out; errors as for NCHW). */
export function batchNormLayer(
  input: Tensor,
  channelsLast: boolean,
  running_mean: Tensor | null,
  running_var: Tensor | null,
  args: BatchNormArgs,
  evalTerms: EvalTerms,
): Tensor {
  const [n, a, b, c] = input.shape;
  const nchwShape = channelsLast ? [n, c, a, b] : input.shape;
  return batchNorm(input, nchwShape, channelsLast, running_mean, running_var, args, evalTerms);
}

function batchNorm(
  input: Tensor,
  nchwShape: readonly number[],
  channelsLast: boolean,
  running_mean: Tensor | null,
  running_var: Tensor | null,
  args: BatchNormArgs,
  evalTerms: EvalTerms | null,
): Tensor {
  const { weight, bias, training, momentum, eps } = args;
  if (training) {
    const perChannel = nchwShape.reduce((a, b, i) => (i === 1 ? a : a * b), 1);
    if (perChannel === 1) throw new ValueError(`Expected more than 1 value per channel when training, got input size ${new Size(nchwShape)}`);
  }
  const channels = nchwShape[1];
  const named: [string, Tensor | null][] = [['running_mean', running_mean], ['running_var', running_var], ['weight', weight], ['bias', bias]];
  for (const [name, t] of named) {
    if (t === null) {
      check(training || name === 'weight' || name === 'bias', () => `${name} must be defined in evaluation mode`);
      continue;
    }
    check(t.size === channels, () => `${name} should contain ${channels} elements not ${t.size}`);
  }
  if (training) [running_mean, running_var].forEach(requireVariable);
  if (input.size === 0) return copy(input, input.dtype as LoadedDType);
  // ATen's CPU kernel, after the shape checks and the empty case: it dispatches on the input's
  // dtype (floating only), then requires float parameters, so nothing has been updated yet.
  check(input.dtype === 'float32', () => `"batch_norm" not implemented for '${scalarTypeName(input.dtype)}'`);
  check([running_mean, weight, bias].every((t) => t === null || t.dtype === 'float32'), () => 'mixed dtype (CPU): expect parameter to have scalar type of Float');
  check(running_var === null || running_var.dtype === 'float32', () => `expected scalar type Float but found ${scalarTypeName(running_var!.dtype)}`);
  if (!training) {
    const make = () => evalScaleShift(running_mean!, running_var!, weight, bias, eps);
    const { alpha, beta } = evalTerms === null ? make() : evalTerms.get([running_mean, running_var, weight, bias], make);
    const affine = () => tidy(() => channelAffine(input, alpha, beta, channelsLast));
    if (!isRecording([input, weight, bias])) return affine();
    const rm = values(running_mean!);
    const invstd = Float32Array.from(values(running_var!), (v) => f32(1 / f32(Math.sqrt(f32(v + f32(eps))))));
    return recorded(input, weight, bias, Float32Array.from(rm), invstd, false, channelsLast, affine);
  }
  const { mean, varSum, count } = channelSums(input, channelsLast);
  const { alpha, beta } = scaleShift(weight, bias, channels, (c) => [mean[c], f32(1 / Math.sqrt(f32(varSum[c] / count) + eps))]);
  const m = f32(momentum);
  if (running_mean !== null) {
    const rm = values(running_mean);
    update(running_mean, Float32Array.from(rm, (r, c) => f32(f32(m * mean[c]) + f32(f32(1 - m) * r))));
  }
  if (running_var !== null) {
    const rv = values(running_var);
    update(running_var, Float32Array.from(rv, (r, c) => f32(m * f32(varSum[c] / (count - 1)) + f32(f32(1 - m) * r))));
  }
  const affine = () => tidy(() => channelAffine(input, alpha, beta, channelsLast));
  if (!isRecording([input, weight, bias])) return affine();
  const invstd = Float32Array.from(varSum, (v) => f32(1 / Math.sqrt(f32(v / count) + eps)));
  return recorded(input, weight, bias, mean, invstd, true, channelsLast, affine);
}

/**
 * Batch normalisation as one node of the autograd graph: its statistics are summed in
 * JavaScript, outside any kernel, so its gradient is ATen's `batch_norm_backward` written out
 * (../backend/batchnorm). `mean` and `invstd` are what normalised the input.
 */
function recorded(input: Tensor, weight: Tensor | null, bias: Tensor | null, mean: Float32Array, invstd: Float32Array, training: boolean, channelsLast: boolean, run: () => Tensor): Tensor {
  const w = weight === null ? null : Float32Array.from(values(weight));
  return customOp(
    'NativeBatchNormBackward0',
    [input, weight, bias],
    (save) => {
      save([input]);
      return run();
    },
    (dy, [x]) => {
      const { dx, dweight, dbias } = batchNormBackward(x, dy, mean, invstd, w, training, channelsLast);
      return [dx, weight === null ? null : fromFlat(dweight, weight.shape), bias === null ? null : fromFlat(dbias, bias.shape)];
    },
  );
}

/** Eval mode's terms from the running statistics, as ATen's `batch_norm_cpu_collect_linear_and_constant_terms`. */
function evalScaleShift(running_mean: Tensor, running_var: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number) {
  const rm = values(running_mean);
  const rv = values(running_var);
  return scaleShift(weight, bias, rm.length, (c) => [rm[c], f32(1 / f32(Math.sqrt(f32(rv[c] + f32(eps)))))]);
}

/** Per channel, `alpha = invstd·weight` and `beta = bias − mean·alpha`, in float32 as ATen rounds them. */
function scaleShift(weight: Tensor | null, bias: Tensor | null, channels: number, meanInvstd: (c: number) => [number, number]) {
  const w = weight === null ? null : values(weight);
  const b = bias === null ? null : values(bias);
  const alpha = new Float32Array(channels);
  const beta = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const [mean, invstd] = meanInvstd(c);
    alpha[c] = f32(invstd * (w === null ? 1 : w[c]));
    beta[c] = f32((b === null ? 0 : b[c]) - f32(mean * alpha[c]));
  }
  return { alpha, beta };
}

function requireVariable(running: Tensor | null): void {
  if (running !== null && !isVariable(running)) throw new TypeError('running statistics updated in training must be tfjs Variables (buffers)');
}

function update(running: Tensor, next: Float32Array): void {
  const t = fromFlat(next, running.shape);
  assign(running as Variable, t);
  t.dispose();
}
