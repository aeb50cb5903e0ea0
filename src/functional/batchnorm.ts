import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { batchNormEval, batchNormTrain, updateRunning } from '../backend/batchnorm';
import { isVariable, tidy } from '../backend/tensor';
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

/**
 * `F.batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
 * momentum=0.1, eps=1e-05)` on `[N, C, ...]` input.
 *
 * Training normalises with the batch mean and biased variance over every dimension but C and,
 * when running statistics are given (as tfjs Variables), updates them in place:
 * `running = (1 − momentum)·running + momentum·batch`, with the unbiased variance for
 * running_var. Otherwise it normalises with the running statistics.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.batch_norm.html
 */
export function batch_norm(input: Tensor, running_mean: Tensor | null, running_var: Tensor | null, args: BatchNormArgs = {}): Tensor {
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = args;
  if (training) {
    const perChannel = input.shape.reduce((a, b, i) => (i === 1 ? a : a * b), 1);
    if (perChannel === 1) throw new ValueError(`Expected more than 1 value per channel when training, got input size ${new Size(input.shape)}`);
  }
  const channels = input.shape[1];
  const named: [string, Tensor | null][] = [['running_mean', running_mean], ['running_var', running_var], ['weight', weight], ['bias', bias]];
  for (const [name, t] of named) {
    if (t === null) {
      check(training || name === 'weight' || name === 'bias', () => `${name} must be defined in evaluation mode`);
      continue;
    }
    check(t.size === channels, () => `${name} should contain ${channels} elements not ${t.size}`);
  }
  if (!training) return tidy(() => batchNormEval(input, running_mean!, running_var!, weight, bias, eps));
  return tidy(() => {
    const { y, mean, unbiasedVariance } = batchNormTrain(input, weight, bias, eps);
    if (running_mean !== null) updateRunning(asVariable(running_mean), mean, momentum);
    if (running_var !== null) updateRunning(asVariable(running_var), unbiasedVariance, momentum);
    return y;
  });
}

function asVariable(t: Tensor): Variable {
  if (!isVariable(t)) throw new TypeError('running statistics updated in training must be tfjs Variables (buffers)');
  return t;
}
