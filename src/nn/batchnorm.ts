import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { batchNormLayer, newEvalTerms } from '../functional/batchnorm';
import type { FoldableNorm } from '../functional/conv';
import { buffer, fromFlat, increment, values } from '../backend/tensor';
import { ValueError } from '../errors';
import { truthy } from '../python/ops';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../python/signature';
import { any } from '../python/types';
import { emptyShape } from './init';
import { Module, type LocalMetadata } from './module';
import { newParameter } from './parameter';
import { py, pyFloat } from './repr';

/** PyTorch's `_BatchNorm.__init__`, which BatchNorm2d inherits. */
const BatchNormSig = signature(
  '_BatchNorm.__init__',
  [
    req('num_features', any<number>('int')),
    opt('eps', any<number>('float'), 1e-5),
    /** `null` is PyTorch's `momentum=None`: a cumulative average over all batches seen. */
    opt('momentum', any<number | null>('float'), 0.1),
    opt('affine', any<boolean>('bool'), true),
    opt('track_running_stats', any<boolean>('bool'), true),
    opt('device', any<string | null>('device'), null),
    opt('dtype', any<'float32' | null>('dtype'), null),
  ],
  { method: true },
);

/** Every way to call `new nn.BatchNorm2d(...)`. */
export type BatchNorm2dArgs = ArgsOf<typeof BatchNormSig>;
/** The keyword arguments of `nn.BatchNorm2d` after `num_features`. */
export type BatchNorm2dOptions = Omit<KeywordsOf<typeof BatchNormSig>, 'num_features'>;

/**
 * `nn.BatchNorm2d(num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)`
 * over `[N, C, H, W]` input (C = num_features); the output has the input's shape.
 *
 * `y = (x − mean) / √(var + eps) · weight + bias`. In training, mean and the biased variance are
 * the batch's over N, H, W; running_mean and running_var (buffers, with num_batches_tracked)
 * move toward the batch mean and unbiased variance by `momentum`, or by `1/num_batches_tracked`
 * when momentum is null. In eval the running statistics normalise, unless
 * track_running_stats is false, in which case batch statistics are used in both modes.
 * weight starts at ones and bias at zeros (parameters only when `affine`).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm2d.html
 */
export class BatchNorm2d extends Module {
  /** Version 2 added the num_batches_tracked buffer. */
  static override _version = 2;
  readonly num_features: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly track_running_stats: boolean;
  weight!: Variable | null;
  bias!: Variable | null;
  declare running_mean: Variable | null;
  declare running_var: Variable | null;
  declare num_batches_tracked: Variable | null;
  /** Eval mode's per-channel scale and shift, recomputed only when the statistics or affine parameters change. */
  private readonly evalTerms = newEvalTerms();

  constructor(...args: BatchNorm2dArgs) {
    super();
    const { num_features, eps, momentum, affine, track_running_stats } = BatchNormSig.bind(args);
    this.num_features = num_features;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.track_running_stats = track_running_stats;
    if (truthy(affine)) {
      const n = emptyShape([num_features])[0];
      this.weight = newParameter(new Float32Array(n).fill(1), [n]);
      this.bias = newParameter(new Float32Array(n), [n]);
    } else {
      this.register_parameter('weight', null);
      this.register_parameter('bias', null);
    }
    const tracked = truthy(track_running_stats);
    const n = tracked ? emptyShape([num_features], 'zeros')[0] : 0;
    this.register_buffer('running_mean', tracked ? buffer([n], 0) : null);
    this.register_buffer('running_var', tracked ? buffer([n], 1) : null);
    this.register_buffer('num_batches_tracked', tracked ? buffer([], 0, 'int32') : null);
  }

  forward(input: Tensor): Tensor {
    return this.normalise(input, false);
  }

  /** Channels-last inside chains, unless a subclass's own forward must run. */
  protected override runsChannelsLast(): boolean {
    return this.forward === BatchNorm2d.prototype.forward;
  }

  protected override forwardChannelsLast(input: Tensor): Tensor {
    return this.normalise(input, true);
  }

  /** In eval mode, normalising with its running statistics: the terms a preceding convolution folds in. */
  protected override foldableNorm(): FoldableNorm | null {
    if (this.training || !this.runsChannelsLast() || this.running_mean === null || this.running_var === null) return null;
    return { running_mean: this.running_mean, running_var: this.running_var, weight: this.weight, bias: this.bias, eps: this.eps };
  }

  /** PyTorch's `_BatchNorm.forward`, around `F.batch_norm` in either layout. */
  private normalise(input: Tensor, channelsLast: boolean): Tensor {
    if (input.rank !== 4) throw new ValueError(`expected 4D input (got ${input.rank}D input)`);
    let factor = this.momentum ?? 0;
    if (this.training && this.num_batches_tracked !== null) {
      increment(this.num_batches_tracked);
      factor = this.momentum ?? 1 / values(this.num_batches_tracked)[0];
    }
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const keepRunning = !this.training || this.track_running_stats;
    const args = { weight: this.weight, bias: this.bias, training: useBatchStats, momentum: factor, eps: this.eps };
    return batchNormLayer(input, channelsLast, keepRunning ? this.running_mean : null, keepRunning ? this.running_var : null, args, this.evalTerms);
  }

  /**
   * PyTorch's `_NormBase._load_from_state_dict`: a checkpoint of version 1, or one without
   * metadata, predates `num_batches_tracked`, which then loads as 0 when it is missing.
   */
  protected override _load_from_state_dict(
    state_dict: Record<string, unknown>,
    prefix: string,
    local_metadata: LocalMetadata,
    strict: boolean,
    missing_keys: string[],
    unexpected_keys: string[],
    error_msgs: string[],
  ): void {
    const version = local_metadata.version;
    if ((version === undefined || version === null || (typeof version === 'number' && version < 2)) && truthy(this.track_running_stats)) {
      const key = `${prefix}num_batches_tracked`;
      if (!(key in state_dict)) state_dict[key] = fromFlat([0], [], 'int32');
    }
    super._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs);
  }

  override extra_repr(): string {
    return `${py(this.num_features)}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, affine=${py(this.affine)}, track_running_stats=${py(this.track_running_stats)}`;
  }
}
