/**
 * The arithmetic of PyTorch's losses (ATen's Loss.cpp / LossNLL.cpp), as tfjs kernels: the
 * autograd graph records them, so their gradients are those of the same formulas. Callers
 * (../functional/loss) have checked shapes and arguments. `reduce` is PyTorch's reduction.
 */
import { customOp } from './autograd';
import { guardBroadcast } from './guard';
import { tf } from './runtime';

type T = tf.Tensor;
export type Reduction = 'none' | 'mean' | 'sum';

export const reduce = (loss: T, reduction: Reduction): T => (reduction === 'none' ? loss : reduction === 'sum' ? tf.sum(loss) : tf.mean(loss));

/** Moves the class dimension (1) of `[N, C, d1, ...]` last; a `[C]` input stays as it is. */
const classesLast = (x: T): T => (x.rank <= 2 ? x : tf.transpose(x, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1]));
/** `weight[c]` broadcast along the class dimension of an input of `rank`. */
const classShaped = (w: T, rank: number): T => (rank === 1 ? w : tf.reshape(w, [1, w.size, ...Array(rank - 2).fill(1)]));

/** ATen's `nll_loss_nd`: `−weight[t]·input[t]` per element, 0 where `t = ignore_index`; mean divides by the summed weights. */
export function nllLoss(input: T, target: T, weight: T | null, reduction: Reduction, ignoreIndex: number): T {
  const logp = classesLast(input);
  const c = logp.shape[logp.rank - 1];
  const kept = tf.cast(tf.notEqual(target, ignoreIndex), 'float32');
  const hot = tf.oneHot(tf.cast(target, 'int32'), c);
  const w = weight === null ? kept : tf.mul(tf.sum(tf.mul(hot, weight), -1), kept);
  const loss = tf.neg(tf.mul(tf.sum(tf.mul(logp, hot), -1), w));
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return tf.sum(loss);
  return tf.div(tf.sum(loss), tf.sum(w));
}

/** ATen's `cross_entropy_loss_label_smoothing` (and plain `cross_entropy` when `smoothing` is 0), class-index targets. */
export function crossEntropyIndices(input: T, target: T, weight: T | null, reduction: Reduction, ignoreIndex: number, smoothing: number): T {
  const classDim = input.rank === 1 ? 0 : 1;
  const logp = logSoftmaxAlong(input, classDim);
  const nll = nllLoss(logp, target, weight, reduction, ignoreIndex);
  if (smoothing <= 0) return nll;
  const n = input.shape[classDim] as number;
  const ignored = tf.equal(target, ignoreIndex);
  const summed = tf.neg(tf.sum(weight === null ? logp : tf.mul(logp, classShaped(weight, input.rank)), classDim));
  const smooth = tf.where(ignored, tf.zerosLike(summed), summed);
  let ret: T;
  if (reduction === 'none') ret = smooth;
  else if (reduction === 'sum') ret = tf.sum(smooth);
  else if (weight !== null) {
    const hot = tf.oneHot(tf.cast(target, 'int32'), n);
    const tw = tf.sum(tf.mul(hot, weight), -1);
    ret = tf.div(tf.sum(smooth), tf.sum(tf.where(ignored, tf.zerosLike(tw), tw)));
  } else ret = tf.div(tf.sum(smooth), tf.sum(tf.cast(tf.logicalNot(ignored), 'float32')));
  return tf.add(tf.mul(1 - smoothing, nll), tf.mul(ret, smoothing / n));
}

/** ATen's `cross_entropy_loss_prob_target`: class probabilities as the target. */
export function crossEntropyProbs(input: T, target: T, weight: T | null, reduction: Reduction, smoothing: number): T {
  const classDim = input.rank === 1 ? 0 : 1;
  const n = input.shape[classDim] as number;
  const logp = logSoftmaxAlong(input, classDim);
  const t = smoothing > 0 ? tf.add(tf.mul(target, 1 - smoothing), smoothing / n) : target;
  let prod = tf.mul(logp, t);
  if (weight !== null) prod = tf.mul(prod, classShaped(weight, input.rank));
  if (reduction === 'none') return tf.neg(tf.sum(prod, classDim));
  if (reduction === 'sum') return tf.neg(tf.sum(prod));
  if (input.size === 0) return tf.scalar(NaN);
  return tf.div(tf.neg(tf.sum(prod)), input.size / n);
}

function logSoftmaxAlong(x: T, axis: number): T {
  if (axis === x.rank - 1) return tf.logSoftmax(x);
  const perm = [...Array(x.rank).keys()];
  [perm[axis], perm[x.rank - 1]] = [perm[x.rank - 1], perm[axis]];
  return tf.transpose(tf.logSoftmax(tf.transpose(x, perm)), perm);
}

/**
 * The guard for an elementwise loss: its operands broadcast, as PyTorch's do (with a warning
 * when the target's size differs), so the per-element loss can be far larger than either.
 */
const guardElementwise = (...xs: (T | null)[]): void => guardBroadcast('float32', ...xs.filter((x): x is T => x !== null).map((x) => x.shape));

export const mseLoss = (x: T, y: T, reduction: Reduction): T => (guardElementwise(x, y), reduce(tf.square(tf.sub(x, y)), reduction));
export const l1Loss = (x: T, y: T, reduction: Reduction): T => (guardElementwise(x, y), reduce(tf.abs(tf.sub(x, y)), reduction));

/** `|d| < beta ? 0.5·d²/beta : |d| − 0.5·beta`; beta 0 is the L1 loss. */
export function smoothL1Loss(x: T, y: T, reduction: Reduction, beta: number): T {
  if (beta === 0) return l1Loss(x, y, reduction);
  guardElementwise(x, y);
  const d = tf.abs(tf.sub(x, y));
  return reduce(tf.where(tf.less(d, beta), tf.div(tf.mul(tf.mul(0.5, d), d), beta), tf.sub(d, 0.5 * beta)), reduction);
}

/** `|d| < delta ? 0.5·d² : delta·(|d| − 0.5·delta)`. */
export function huberLoss(x: T, y: T, reduction: Reduction, delta: number): T {
  guardElementwise(x, y);
  const d = tf.abs(tf.sub(x, y));
  return reduce(tf.where(tf.less(d, delta), tf.mul(tf.mul(0.5, d), d), tf.mul(delta, tf.sub(d, 0.5 * delta))), reduction);
}

/**
 * `−weight·(y·log x + (1 − y)·log(1 − x))`, each log clamped at −100, with ATen's own backward
 * `(x − y) / max((1 − x)·x, 1e−12)`, which stays finite where x is exactly 0 or 1.
 */
export function bceLoss(x: T, y: T, weight: T | null, reduction: Reduction): T {
  guardElementwise(x, y, weight);
  return customOp(
    'BinaryCrossEntropyBackward0',
    [x, y, weight],
    (save) => {
      save([x, y]);
      const logx = tf.maximum(tf.log(x), -100);
      const log1mx = tf.maximum(tf.log(tf.sub(1, x)), -100);
      let loss = tf.neg(tf.add(tf.mul(y, logx), tf.mul(tf.sub(1, y), log1mx)));
      if (weight !== null) loss = tf.mul(loss, weight);
      return reduce(loss, reduction);
    },
    (dy, [xs, ys]) => {
      let g = tf.div(tf.mul(dy, tf.sub(xs, ys)), tf.maximum(tf.mul(tf.sub(1, xs), xs), 1e-12));
      if (weight !== null) g = tf.mul(g, weight);
      if (reduction === 'mean') g = tf.div(g, xs.size);
      return [g, null, null];
    },
  );
}

/** ATen's `binary_cross_entropy_with_logits`, the log-sum-exp form with `max(−x, 0)`. */
export function bceWithLogitsLoss(x: T, y: T, weight: T | null, posWeight: T | null, reduction: Reduction): T {
  guardElementwise(x, y, weight, posWeight);
  const maxVal = tf.maximum(tf.neg(x), 0);
  const lse = tf.add(tf.log(tf.add(tf.exp(tf.neg(maxVal)), tf.exp(tf.sub(tf.neg(x), maxVal)))), maxVal);
  const linear = tf.mul(tf.sub(1, y), x);
  let loss = posWeight === null ? tf.add(linear, lse) : tf.add(linear, tf.mul(tf.add(tf.mul(tf.sub(posWeight, 1), y), 1), lse));
  if (weight !== null) loss = tf.mul(loss, weight);
  return reduce(loss, reduction);
}

/** ATen's `kl_div`: `xlogy(t, t) − t·input`, or `exp(t)·(t − input)` for a log target; batchmean divides the sum by N. */
export function klDivLoss(x: T, t: T, reduction: Reduction | 'batchmean', logTarget: boolean): T {
  guardElementwise(x, t);
  const loss = logTarget
    ? tf.mul(tf.exp(t), tf.sub(t, x))
    : tf.sub(tf.where(tf.equal(t, 0), tf.zerosLike(t), tf.mul(t, tf.log(t))), tf.mul(t, x));
  if (reduction === 'batchmean') return x.rank === 0 ? tf.sum(loss) : tf.div(tf.sum(loss), x.shape[0]);
  return reduce(loss, reduction);
}
