import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { channelAffine, channelSums } from '../backend/batchnorm';
import { fromFlat, isVariable, assign, tidy, values } from '../backend/tensor';
import { check, ValueError } from '../errors';
import { Size } from '../torch/size';

/** Keyword arguments of `F.batch_norm`. */
export interface BatchNormArgs {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
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
export function batch_norm(input: Tensor, running_mean: Tensor | null, running_var: Tensor | null, args: BatchNormArgs = {}): Tensor {
  return batchNorm(input, input.shape, false, running_mean, running_var, args);
}

/** `F.batch_norm` on a channels-last `[N, H, W, C]` input, returning channels-last; errors as for NCHW. */
export function batchNormChannelsLast(input: Tensor, running_mean: Tensor | null, running_var: Tensor | null, args: BatchNormArgs = {}): Tensor {
  const [n, h, w, c] = input.shape;
  return batchNorm(input, [n, c, h, w], true, running_mean, running_var, args);
}

function batchNorm(
  input: Tensor,
  nchwShape: readonly number[],
  channelsLast: boolean,
  running_mean: Tensor | null,
  running_var: Tensor | null,
  args: BatchNormArgs,
): Tensor {
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = args;
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
  if (input.size === 0) return tidy(() => channelAffine(input, new Float32Array(channels), new Float32Array(channels), channelsLast));
  const w = weight === null ? null : values(weight);
  const b = bias === null ? null : values(bias);
  const alpha = new Float32Array(channels);
  const beta = new Float32Array(channels);
  const setTerms = (c: number, mean: number, invstd: number) => {
    alpha[c] = f32(invstd * (w === null ? 1 : w[c]));
    beta[c] = f32((b === null ? 0 : b[c]) - f32(mean * alpha[c]));
  };
  if (training) {
    const { mean, varSum, count } = channelSums(input, channelsLast);
    const rm = running_mean === null ? null : values(running_mean);
    const rv = running_var === null ? null : values(running_var);
    const m = f32(momentum);
    const newMean = new Float32Array(channels);
    const newVar = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      setTerms(c, mean[c], f32(1 / Math.sqrt(f32(varSum[c] / count) + eps)));
      if (rm !== null) newMean[c] = f32(f32(m * mean[c]) + f32(f32(1 - m) * rm[c]));
      if (rv !== null) newVar[c] = f32(m * f32(varSum[c] / (count - 1)) + f32(f32(1 - m) * rv[c]));
    }
    if (running_mean !== null) update(running_mean, newMean);
    if (running_var !== null) update(running_var, newVar);
  } else {
    const rm = values(running_mean!);
    const rv = values(running_var!);
    for (let c = 0; c < channels; c++) setTerms(c, rm[c], f32(1 / f32(Math.sqrt(f32(rv[c] + f32(eps))))));
  }
  return tidy(() => channelAffine(input, alpha, beta, channelsLast));
}

function requireVariable(running: Tensor | null): void {
  if (running !== null && !isVariable(running)) throw new TypeError('running statistics updated in training must be tfjs Variables (buffers)');
}

function update(running: Tensor, next: Float32Array): void {
  const t = fromFlat(next, running.shape);
  assign(running as Variable, t);
  t.dispose();
}
