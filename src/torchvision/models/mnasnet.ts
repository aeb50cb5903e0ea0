/**
 * torchvision 0.14's `models/mnasnet.py`: MNASNet 0.5, 0.75, 1.0 and 1.3.
 *
 * @see https://pytorch.org/vision/0.14/models/mnasnet.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors';
import * as nn from '../../nn';
import { pyFloat } from '../../nn/repr';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { forwardKwargs } from './_utils';

// Paper suggests 0.9997 momentum, for TensorFlow. Equivalent PyTorch momentum is
// 1.0 - tensorflow.
const _BN_MOMENTUM = 1 - 0.9997;

const InvertedResidualSig = signature(
  '_InvertedResidual.__init__',
  [
    req('in_ch', any<number>('int')),
    req('out_ch', any<number>('int')),
    req('kernel_size', any<number>('int')),
    req('stride', any<number>('int')),
    req('expansion_factor', any<number>('int')),
    opt('bn_momentum', any<number>('float'), 0.1),
  ],
  { method: true },
);

/** MNASNet's inverted residual: pointwise, depthwise and linear pointwise convolutions, with the skip when shapes allow. */
export class _InvertedResidual extends nn.Module {
  apply_residual: boolean;
  layers: nn.Sequential;

  constructor(...args: ArgsOf<typeof InvertedResidualSig>) {
    super();
    const { in_ch, out_ch, kernel_size, stride, expansion_factor, bn_momentum } = InvertedResidualSig.bind(args);
    if (![1, 2].includes(stride)) throw new ValueError(`stride should be 1 or 2 instead of ${stride}`);
    if (![3, 5].includes(kernel_size)) throw new ValueError(`kernel_size should be 3 or 5 instead of ${kernel_size}`);
    const mid_ch = in_ch * expansion_factor;
    this.apply_residual = in_ch === out_ch && stride === 1;
    this.layers = new nn.Sequential(
      // Pointwise
      new nn.Conv2d(in_ch, mid_ch, 1, { bias: false }),
      new nn.BatchNorm2d(mid_ch, { momentum: bn_momentum }),
      new nn.ReLU({ inplace: true }),
      // Depthwise
      new nn.Conv2d(mid_ch, mid_ch, kernel_size, { padding: Math.floor(kernel_size / 2), stride, groups: mid_ch, bias: false }),
      new nn.BatchNorm2d(mid_ch, { momentum: bn_momentum }),
      new nn.ReLU({ inplace: true }),
      // Linear pointwise. Note that there's no activation.
      new nn.Conv2d(mid_ch, out_ch, 1, { bias: false }),
      new nn.BatchNorm2d(out_ch, { momentum: bn_momentum }),
    );
  }

  forward(input: Tensor): Tensor {
    if (this.apply_residual) {
      return this.layers(input).add(input);
    } else {
      return this.layers(input);
    }
  }
  /** `forward` on channels-last tensors: the residual sum is the same in either layout. */
  protected override forwardChannelsLast(input: Tensor): Tensor {
    const result = this.chainChannelsLast(input, this.layers);
    return this.apply_residual ? result.add(input) : result;
  }

  protected override runsChannelsLast(): boolean {
    return this.forward === _InvertedResidual.prototype.forward && this.layersRunChannelsLast(this.layers);
  }

  protected override channelsLastEntry(): boolean {
    return this.runsChannelsLast();
  }

}

/** Creates a stack of inverted residuals. */
export function _stack(in_ch: number, out_ch: number, kernel_size: number, stride: number, exp_factor: number, repeats: number, bn_momentum: number): nn.Sequential {
  if (repeats < 1) throw new ValueError(`repeats should be >= 1, instead got ${repeats}`);
  // First one has no skip, because feature map size changes.
  const first = new _InvertedResidual(in_ch, out_ch, kernel_size, stride, exp_factor, { bn_momentum });
  const remaining: nn.Module[] = [];
  for (let _ = 1; _ < repeats; _++) remaining.push(new _InvertedResidual(out_ch, out_ch, kernel_size, 1, exp_factor, { bn_momentum }));
  return new nn.Sequential(first, ...remaining);
}

/**
 * Asymmetric rounding to make `val` divisible by `divisor`. With default bias, will round up,
 * unless the number is no more than 10% greater than the smaller divisible value, i.e.
 * (83, 8) -> 80, but (84, 8) -> 88.
 */
export function _round_to_multiple_of(val: number, divisor: number, round_up_bias = 0.9): number {
  if (!(0.0 < round_up_bias && round_up_bias < 1.0)) {
    throw new ValueError(`round_up_bias should be greater than 0.0 and smaller than 1.0 instead of ${pyFloat(round_up_bias)}`);
  }
  const new_val = Math.max(divisor, Math.floor(Math.trunc(val + divisor / 2) / divisor) * divisor);
  return new_val >= round_up_bias * val ? new_val : new_val + divisor;
}

/** Scales tensor depths as in reference MobileNet code, prefers rounding up rather than down. */
export function _get_depths(alpha: number): number[] {
  const depths = [32, 16, 24, 40, 80, 96, 192, 320];
  return depths.map((depth) => _round_to_multiple_of(depth * alpha, 8));
}

const MNASNetSig = signature(
  'MNASNet.__init__',
  [req('alpha', any<number>('float')), opt('num_classes', any<number>('int'), 1000), opt('dropout', any<number>('float'), 0.2)],
  { method: true },
);

/** The keyword arguments the MNASNet builders pass through to {@link MNASNet}. */
export type MNASNetKwargs = Omit<KeywordsOf<typeof MNASNetSig>, 'alpha'>;

/**
 * torchvision's `MNASNet(alpha, num_classes=1000, dropout=0.2)` (its version 2, whose stem
 * scales with `alpha`). Input `[N, 3, H, W]`, output `[N, num_classes]`.
 *
 * Loading a checkpoint reads its version from the state_dict's `_metadata`, as torchvision's
 * `_load_from_state_dict` does: a version-1 checkpoint (torchvision's own `mnasnet0_5` and
 * `mnasnet1_0` weights) of a model whose `alpha` is not 1.0 first turns the stem back into
 * version 1's fixed-size one (32 and 16 channels), with torchvision's UserWarning, and the model
 * then saves as version 1. A state_dict without metadata (a plain object, a safetensors file)
 * is refused with torchvision's ValueError, as in PyTorch: load it with its version set, e.g.
 * `nn.setMetadata(sd, new Map([['', { version: 2 }]]))`.
 *
 * @see https://pytorch.org/vision/0.14/models/mnasnet.html
 */
export class MNASNet extends nn.Module {
  // Version 2 adds depth scaling in the initial stages of the network.
  static override _version = 2;
  alpha: number;
  num_classes: number;
  layers: nn.Sequential;
  classifier: nn.Sequential;

  constructor(...args: ArgsOf<typeof MNASNetSig>) {
    super();
    const { alpha, num_classes, dropout } = MNASNetSig.bind(args);
    if (alpha <= 0.0) throw new ValueError(`alpha should be greater than 0.0 instead of ${pyFloat(alpha)}`);
    this.alpha = alpha;
    this.num_classes = num_classes;
    const depths = _get_depths(alpha);
    const layers = [
      // First layer: regular conv.
      new nn.Conv2d(3, depths[0], 3, { padding: 1, stride: 2, bias: false }),
      new nn.BatchNorm2d(depths[0], { momentum: _BN_MOMENTUM }),
      new nn.ReLU({ inplace: true }),
      // Depthwise separable, no skip.
      new nn.Conv2d(depths[0], depths[0], 3, { padding: 1, stride: 1, groups: depths[0], bias: false }),
      new nn.BatchNorm2d(depths[0], { momentum: _BN_MOMENTUM }),
      new nn.ReLU({ inplace: true }),
      new nn.Conv2d(depths[0], depths[1], 1, { padding: 0, stride: 1, bias: false }),
      new nn.BatchNorm2d(depths[1], { momentum: _BN_MOMENTUM }),
      // MNASNet blocks: stacks of inverted residuals.
      _stack(depths[1], depths[2], 3, 2, 3, 3, _BN_MOMENTUM),
      _stack(depths[2], depths[3], 5, 2, 3, 3, _BN_MOMENTUM),
      _stack(depths[3], depths[4], 5, 2, 6, 3, _BN_MOMENTUM),
      _stack(depths[4], depths[5], 3, 1, 6, 2, _BN_MOMENTUM),
      _stack(depths[5], depths[6], 5, 2, 6, 4, _BN_MOMENTUM),
      _stack(depths[6], depths[7], 3, 1, 6, 1, _BN_MOMENTUM),
      // Final mapping to classifier input.
      new nn.Conv2d(depths[7], 1280, 1, { padding: 0, stride: 1, bias: false }),
      new nn.BatchNorm2d(1280, { momentum: _BN_MOMENTUM }),
      new nn.ReLU({ inplace: true }),
    ];
    this.layers = new nn.Sequential(...layers);
    this.classifier = new nn.Sequential(new nn.Dropout({ p: dropout, inplace: true }), new nn.Linear(1280, num_classes));

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
        if (m.bias !== null) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.BatchNorm2d) {
        nn.init.ones_(m.weight);
        nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear) {
        nn.init.kaiming_uniform_(m.weight, { mode: 'fan_out', nonlinearity: 'sigmoid' });
        nn.init.zeros_(m.bias);
      }
    }
  }

  protected override _load_from_state_dict(
    state_dict: Record<string, unknown>,
    prefix: string,
    local_metadata: nn.LocalMetadata,
    strict: boolean,
    missing_keys: string[],
    unexpected_keys: string[],
    error_msgs: string[],
  ): void {
    const version = local_metadata.version ?? null;
    if (version !== 1 && version !== 2) throw new ValueError(`version shluld be set to 1 or 2 instead of ${version === null ? 'None' : String(version)}`);

    if (version === 1 && !(this.alpha === 1.0)) {
      // In the initial version of the model (v1), stem was fixed-size.
      // All other layer configurations were the same. This will patch
      // the model so that it's identical to v1. Model with alpha 1.0 is
      // unaffected.
      const depths = _get_depths(this.alpha);
      const v1_stem = [
        new nn.Conv2d(3, 32, 3, { padding: 1, stride: 2, bias: false }),
        new nn.BatchNorm2d(32, { momentum: _BN_MOMENTUM }),
        new nn.ReLU({ inplace: true }),
        new nn.Conv2d(32, 32, 3, { padding: 1, stride: 1, groups: 32, bias: false }),
        new nn.BatchNorm2d(32, { momentum: _BN_MOMENTUM }),
        new nn.ReLU({ inplace: true }),
        new nn.Conv2d(32, 16, 1, { padding: 0, stride: 1, bias: false }),
        new nn.BatchNorm2d(16, { momentum: _BN_MOMENTUM }),
        _stack(16, depths[2], 3, 2, 3, 3, _BN_MOMENTUM),
      ];
      v1_stem.forEach((layer, idx) => {
        // Python's garbage collector frees the replaced layer; here its tensors are freed now.
        this.layers.at(idx).dispose();
        this.layers.add_module(String(idx), layer);
      });

      // The model is now identical to v1, and must be saved as such.
      this._version = 1;
      process.emitWarning(
        'A new version of MNASNet model has been implemented. ' +
          'Your checkpoint was saved using the previous version. ' +
          'This checkpoint will load and work as before, but ' +
          'you may want to upgrade by training a newer model or ' +
          'transfer learning from an updated ImageNet checkpoint.',
        'UserWarning',
      );
    }

    super._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs);
  }

  forward(x: Tensor): Tensor {
    x = this.layers(x);
    // Equivalent to global avgpool and removing H and W dimensions.
    x = x.mean([2, 3]);
    return this.classifier(x);
  }
}

type Builder = (...args: BuilderArgs<MNASNetKwargs>) => MNASNet;

/** torchvision's `_mnasnet(alpha, weights, progress, **kwargs)` once the weights are refused. */
function _mnasnet(alpha: number, kwargs: Partial<MNASNetKwargs>): MNASNet {
  return new MNASNet(alpha, forwardKwargs('_mnasnet', 'torchvision.models.mnasnet._mnasnet', ['alpha', 'weights', 'progress'], kwargs));
}

/** MNASNet with depth multiplier 0.5, from "MnasNet: Platform-Aware Neural Architecture Search for Mobile". @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.mnasnet0_5.html */
export const mnasnet0_5: Builder = register_model(function mnasnet0_5(...args) {
  return _mnasnet(0.5, builderKwargs<MNASNetKwargs>('mnasnet0_5', 'MNASNet0_5_Weights', args));
});

/** MNASNet with depth multiplier 0.75. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.mnasnet0_75.html */
export const mnasnet0_75: Builder = register_model(function mnasnet0_75(...args) {
  return _mnasnet(0.75, builderKwargs<MNASNetKwargs>('mnasnet0_75', 'MNASNet0_75_Weights', args));
});

/** MNASNet with depth multiplier 1.0. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.mnasnet1_0.html */
export const mnasnet1_0: Builder = register_model(function mnasnet1_0(...args) {
  return _mnasnet(1.0, builderKwargs<MNASNetKwargs>('mnasnet1_0', 'MNASNet1_0_Weights', args));
});

/** MNASNet with depth multiplier 1.3. @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.mnasnet1_3.html */
export const mnasnet1_3: Builder = register_model(function mnasnet1_3(...args) {
  return _mnasnet(1.3, builderKwargs<MNASNetKwargs>('mnasnet1_3', 'MNASNet1_3_Weights', args));
});
