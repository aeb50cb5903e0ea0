/**
 * torchvision 0.14's `models/googlenet.py`: GoogLeNet (Inception v1).
 *
 * @see https://pytorch.org/vision/0.14/models/googlenet.html
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors';
import * as F from '../../functional';
import * as nn from '../../nn';
import { opt, req, signature, type ArgsOf, type KeywordsOf } from '../../python/signature';
import { any } from '../../python/types';
import * as torch from '../../torch';
import { builderKwargs, register_model, type BuilderArgs } from './_api';
import { bindKwargs } from './_python';

/**
 * torchvision's `GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2",
 * "aux_logits1"])`: what `GoogLeNet` returns in train mode with `aux_logits`, both a triple
 * (`out[0]`, destructuring) and a record (`out.logits`, …).
 */
export class GoogLeNetOutputs extends Array<Tensor | null> {
  static override get [Symbol.species]() {
    return Array;
  }

  constructor(logits: Tensor, aux_logits2: Tensor | null, aux_logits1: Tensor | null) {
    super(3);
    this[0] = logits;
    this[1] = aux_logits2;
    this[2] = aux_logits1;
  }

  get logits(): Tensor {
    return this[0] as Tensor;
  }

  get aux_logits2(): Tensor | null {
    return this[1];
  }

  get aux_logits1(): Tensor | null {
    return this[2];
  }
}

/** torchvision's alias, kept for backwards compatibility. */
export const _GoogLeNetOutputs = GoogLeNetOutputs;

/** A block class `GoogLeNet` builds from (`blocks`); Python calls it as a constructor. */
type BlockClass = new (...args: any[]) => nn.Module;

const GoogLeNetSig = signature(
  'GoogLeNet.__init__',
  [
    opt('num_classes', any<number>('int'), 1000),
    opt('aux_logits', any<boolean>('bool'), true),
    opt('transform_input', any<boolean>('bool'), false),
    opt('init_weights', any<boolean | null>('bool'), null),
    opt('blocks', any<readonly BlockClass[] | null>('List[Callable]'), null),
    opt('dropout', any<number>('float'), 0.2),
    opt('dropout_aux', any<number>('float'), 0.7),
  ],
  { method: true },
);

/** The keyword arguments `googlenet()` passes through to {@link GoogLeNet}. */
export type GoogLeNetKwargs = KeywordsOf<typeof GoogLeNetSig>;

/**
 * torchvision's `GoogLeNet(num_classes=1000, aux_logits=True, transform_input=False,
 * init_weights=None, blocks=None, dropout=0.2, dropout_aux=0.7)`, from "Going Deeper with
 * Convolutions". Input `[N, 3, 224, 224]` (at least 15x15), output `[N, num_classes]` logits or,
 * in train mode with `aux_logits`, a {@link GoogLeNetOutputs}. `init_weights=None` means true,
 * as in torchvision (whose FutureWarning is not printed).
 *
 * @see https://pytorch.org/vision/0.14/models/googlenet.html
 */
export class GoogLeNet extends nn.Module {
  aux_logits: boolean;
  transform_input: boolean;
  conv1: nn.Module;
  maxpool1: nn.MaxPool2d;
  conv2: nn.Module;
  conv3: nn.Module;
  maxpool2: nn.MaxPool2d;
  inception3a: nn.Module;
  inception3b: nn.Module;
  maxpool3: nn.MaxPool2d;
  inception4a: nn.Module;
  inception4b: nn.Module;
  inception4c: nn.Module;
  inception4d: nn.Module;
  inception4e: nn.Module;
  maxpool4: nn.MaxPool2d;
  inception5a: nn.Module;
  inception5b: nn.Module;
  aux1: nn.Module | null;
  aux2: nn.Module | null;
  avgpool: nn.AdaptiveAvgPool2d;
  dropout: nn.Dropout;
  fc: nn.Linear;

  constructor(...args: ArgsOf<typeof GoogLeNetSig>) {
    super();
    let { num_classes, aux_logits, transform_input, init_weights, blocks, dropout, dropout_aux } = GoogLeNetSig.bind(args);
    if (blocks === null) blocks = [BasicConv2d, Inception, InceptionAux];
    if (init_weights === null) init_weights = true;
    if (blocks.length !== 3) throw new ValueError(`blocks length should be 3 instead of ${blocks.length}`);
    const conv_block = blocks[0];
    const inception_block = blocks[1];
    const inception_aux_block = blocks[2];

    this.aux_logits = aux_logits;
    this.transform_input = transform_input;

    this.conv1 = new conv_block(3, 64, { kernel_size: 7, stride: 2, padding: 3 });
    this.maxpool1 = new nn.MaxPool2d(3, { stride: 2, ceil_mode: true });
    this.conv2 = new conv_block(64, 64, { kernel_size: 1 });
    this.conv3 = new conv_block(64, 192, { kernel_size: 3, padding: 1 });
    this.maxpool2 = new nn.MaxPool2d(3, { stride: 2, ceil_mode: true });

    this.inception3a = new inception_block(192, 64, 96, 128, 16, 32, 32);
    this.inception3b = new inception_block(256, 128, 128, 192, 32, 96, 64);
    this.maxpool3 = new nn.MaxPool2d(3, { stride: 2, ceil_mode: true });

    this.inception4a = new inception_block(480, 192, 96, 208, 16, 48, 64);
    this.inception4b = new inception_block(512, 160, 112, 224, 24, 64, 64);
    this.inception4c = new inception_block(512, 128, 128, 256, 24, 64, 64);
    this.inception4d = new inception_block(512, 112, 144, 288, 32, 64, 64);
    this.inception4e = new inception_block(528, 256, 160, 320, 32, 128, 128);
    this.maxpool4 = new nn.MaxPool2d(2, { stride: 2, ceil_mode: true });

    this.inception5a = new inception_block(832, 256, 160, 320, 32, 128, 128);
    this.inception5b = new inception_block(832, 384, 192, 384, 48, 128, 128);

    if (aux_logits) {
      this.aux1 = new inception_aux_block(512, num_classes, { dropout: dropout_aux });
      this.aux2 = new inception_aux_block(528, num_classes, { dropout: dropout_aux });
    } else {
      this.aux1 = null;
      this.aux2 = null;
    }

    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.dropout = new nn.Dropout({ p: dropout });
    this.fc = new nn.Linear(1024, num_classes);

    if (init_weights) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
          nn.init.trunc_normal_(m.weight, { mean: 0.0, std: 0.01, a: -2, b: 2 });
        } else if (m instanceof nn.BatchNorm2d) {
          nn.init.constant_(m.weight!, 1);
          nn.init.constant_(m.bias!, 0);
        }
      }
    }
  }

  _transform_input(x: Tensor): Tensor {
    if (this.transform_input) {
      const x_ch0 = torch.unsqueeze(torch.select(x, 1, 0), 1).mul(0.229 / 0.5).add((0.485 - 0.5) / 0.5);
      const x_ch1 = torch.unsqueeze(torch.select(x, 1, 1), 1).mul(0.224 / 0.5).add((0.456 - 0.5) / 0.5);
      const x_ch2 = torch.unsqueeze(torch.select(x, 1, 2), 1).mul(0.225 / 0.5).add((0.406 - 0.5) / 0.5);
      x = torch.cat([x_ch0, x_ch1, x_ch2], 1);
    }
    return x;
  }

  _forward(x: Tensor): [Tensor, Tensor | null, Tensor | null] {
    // N x 3 x 224 x 224
    x = this.conv1(x);
    // N x 64 x 112 x 112
    x = this.maxpool1(x);
    // N x 64 x 56 x 56
    x = this.conv2(x);
    // N x 64 x 56 x 56
    x = this.conv3(x);
    // N x 192 x 56 x 56
    x = this.maxpool2(x);

    // N x 192 x 28 x 28
    x = this.inception3a(x);
    // N x 256 x 28 x 28
    x = this.inception3b(x);
    // N x 480 x 28 x 28
    x = this.maxpool3(x);
    // N x 480 x 14 x 14
    x = this.inception4a(x);
    // N x 512 x 14 x 14
    let aux1: Tensor | null = null;
    if (this.aux1 !== null) {
      if (this.training) aux1 = this.aux1(x);
    }

    x = this.inception4b(x);
    // N x 512 x 14 x 14
    x = this.inception4c(x);
    // N x 512 x 14 x 14
    x = this.inception4d(x);
    // N x 528 x 14 x 14
    let aux2: Tensor | null = null;
    if (this.aux2 !== null) {
      if (this.training) aux2 = this.aux2(x);
    }

    x = this.inception4e(x);
    // N x 832 x 14 x 14
    x = this.maxpool4(x);
    // N x 832 x 7 x 7
    x = this.inception5a(x);
    // N x 832 x 7 x 7
    x = this.inception5b(x);
    // N x 1024 x 7 x 7

    x = this.avgpool(x);
    // N x 1024 x 1 x 1
    x = torch.flatten(x, 1);
    // N x 1024
    x = this.dropout(x);
    x = this.fc(x);
    // N x 1000 (num_classes)
    return [x, aux2, aux1];
  }

  eager_outputs(x: Tensor, aux2: Tensor | null, aux1: Tensor | null): GoogLeNetOutputs | Tensor {
    if (this.training && this.aux_logits) {
      return new _GoogLeNetOutputs(x, aux2, aux1);
    } else {
      return x;
    }
  }

  /**
   * As torchvision's, this unpacks `_forward`'s `(x, aux2, aux1)` as `x, aux1, aux2` and passes
   * them on as `(x, aux2, aux1)`: `aux_logits2` ends up holding the first auxiliary head's
   * output and `aux_logits1` the second's.
   */
  forward(x: Tensor): GoogLeNetOutputs | Tensor {
    x = this._transform_input(x);
    const [out, aux1, aux2] = this._forward(x);
    return this.eager_outputs(out, aux2, aux1);
  }
}

const InceptionSig = signature(
  'Inception.__init__',
  [
    req('in_channels', any<number>('int')),
    req('ch1x1', any<number>('int')),
    req('ch3x3red', any<number>('int')),
    req('ch3x3', any<number>('int')),
    req('ch5x5red', any<number>('int')),
    req('ch5x5', any<number>('int')),
    req('pool_proj', any<number>('int')),
    opt('conv_block', any<BlockClass | null>('Callable'), null),
  ],
  { method: true },
);

/** The Inception module: 1x1, 1x1→3x3, 1x1→3x3 and pool→1x1 branches, concatenated. */
export class Inception extends nn.Module {
  branch1: nn.Module;
  branch2: nn.Sequential;
  branch3: nn.Sequential;
  branch4: nn.Sequential;

  constructor(...args: ArgsOf<typeof InceptionSig>) {
    super();
    let { in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj, conv_block } = InceptionSig.bind(args);
    if (conv_block === null) conv_block = BasicConv2d;
    this.branch1 = new conv_block(in_channels, ch1x1, { kernel_size: 1 });

    this.branch2 = new nn.Sequential(new conv_block(in_channels, ch3x3red, { kernel_size: 1 }), new conv_block(ch3x3red, ch3x3, { kernel_size: 3, padding: 1 }));

    this.branch3 = new nn.Sequential(
      new conv_block(in_channels, ch5x5red, { kernel_size: 1 }),
      // Here, kernel_size=3 instead of kernel_size=5 is a known bug.
      // Please see https://github.com/pytorch/vision/issues/906 for details.
      new conv_block(ch5x5red, ch5x5, { kernel_size: 3, padding: 1 }),
    );

    this.branch4 = new nn.Sequential(new nn.MaxPool2d({ kernel_size: 3, stride: 1, padding: 1, ceil_mode: true }), new conv_block(in_channels, pool_proj, { kernel_size: 1 }));
  }

  _forward(x: Tensor): Tensor[] {
    const branch1 = this.branch1(x);
    const branch2 = this.branch2(x);
    const branch3 = this.branch3(x);
    const branch4 = this.branch4(x);

    const outputs = [branch1, branch2, branch3, branch4];
    return outputs;
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

const InceptionAuxSig = signature(
  'InceptionAux.__init__',
  [req('in_channels', any<number>('int')), req('num_classes', any<number>('int')), opt('conv_block', any<BlockClass | null>('Callable'), null), opt('dropout', any<number>('float'), 0.7)],
  { method: true },
);

/** An auxiliary classifier on the 14x14 features, run only in train mode. */
export class InceptionAux extends nn.Module {
  conv: nn.Module;
  fc1: nn.Linear;
  fc2: nn.Linear;
  dropout: nn.Dropout;

  constructor(...args: ArgsOf<typeof InceptionAuxSig>) {
    super();
    let { in_channels, num_classes, conv_block, dropout } = InceptionAuxSig.bind(args);
    if (conv_block === null) conv_block = BasicConv2d;
    this.conv = new conv_block(in_channels, 128, { kernel_size: 1 });

    this.fc1 = new nn.Linear(2048, 1024);
    this.fc2 = new nn.Linear(1024, num_classes);
    this.dropout = new nn.Dropout({ p: dropout });
  }

  forward(x: Tensor): Tensor {
    // aux1: N x 512 x 14 x 14, aux2: N x 528 x 14 x 14
    x = F.adaptive_avg_pool2d(x, [4, 4]);
    // aux1: N x 512 x 4 x 4, aux2: N x 528 x 4 x 4
    x = this.conv(x);
    // N x 128 x 4 x 4
    x = torch.flatten(x, 1);
    // N x 2048
    x = F.relu(this.fc1(x), { inplace: true });
    // N x 1024
    x = this.dropout(x);
    // N x 1024
    x = this.fc2(x);
    // N x 1000 (num_classes)

    return x;
  }
}

const BasicConv2dSig = signature('BasicConv2d.__init__', [req('in_channels', any<number>('int')), req('out_channels', any<number>('int'))], { method: true });

/** Conv2d (no bias) → BatchNorm2d (eps 0.001) → ReLU; `**kwargs` (kernel_size, stride, padding, …) go to the convolution. */
export class BasicConv2d extends nn.Module {
  conv: nn.Conv2d;
  bn: nn.BatchNorm2d;

  constructor(...args: [...ArgsOf<typeof BasicConv2dSig>, Partial<nn.Conv2dConfig>?]) {
    super();
    const [{ in_channels, out_channels }, kwargs] = bindKwargs(BasicConv2dSig, args);
    this.conv = new nn.Conv2d(in_channels, out_channels, { bias: false, ...(kwargs as { kernel_size: number }) });
    this.bn = new nn.BatchNorm2d(out_channels, { eps: 0.001 });
  }

  forward(x: Tensor): Tensor {
    x = this.conv(x);
    x = this.bn(x);
    return F.relu(x, { inplace: true });
  }
}

/**
 * GoogLeNet (Inception v1) from "Going Deeper with Convolutions". torchvision's checkpoint
 * expects `transform_input: true` and holds the auxiliary heads too (`aux_logits: true`, the
 * class default; they were not trained).
 *
 * @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.googlenet.html
 */
export const googlenet: (...args: BuilderArgs<GoogLeNetKwargs>) => GoogLeNet = register_model(function googlenet(...args) {
  return new GoogLeNet(builderKwargs<GoogLeNetKwargs>('googlenet', 'GoogLeNet_Weights', args));
});
