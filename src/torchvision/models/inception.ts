/**
 * torchvision 0.14's `models/inception.py`: Inception v3.
 *
 * @see https://pytorch.org/vision/0.14/models/inception.html
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
 * torchvision's `InceptionOutputs = namedtuple("InceptionOutputs", ["logits", "aux_logits"])`:
 * what `Inception3` returns in train mode with `aux_logits`. As a namedtuple it is both a pair
 * (`const [logits, aux] = out`, `out[0]`) and a record (`out.logits`, `out.aux_logits`).
 */
export class InceptionOutputs extends Array<Tensor | null> {
  static override get [Symbol.species]() {
    return Array;
  }

  constructor(logits: Tensor, aux_logits: Tensor | null) {
    super(2);
    this[0] = logits;
    this[1] = aux_logits;
  }

  get logits(): Tensor {
    return this[0] as Tensor;
  }

  get aux_logits(): Tensor | null {
    return this[1];
  }
}

/** torchvision's alias, kept for backwards compatibility. */
export const _InceptionOutputs = InceptionOutputs;

/** A block class `Inception3` builds from (`inception_blocks`); Python calls it as a constructor. */
type BlockClass = new (...args: any[]) => nn.Module;
/** `hasattr(m, "stddev")`: InceptionAux sets this attribute to choose its children's init. */
type WithStddev = { stddev?: number };

const Inception3Sig = signature(
  'Inception3.__init__',
  [
    opt('num_classes', any<number>('int'), 1000),
    opt('aux_logits', any<boolean>('bool'), true),
    opt('transform_input', any<boolean>('bool'), false),
    opt('inception_blocks', any<readonly BlockClass[] | null>('List[Callable]'), null),
    opt('init_weights', any<boolean | null>('bool'), null),
    opt('dropout', any<number>('float'), 0.5),
  ],
  { method: true },
);

/** The keyword arguments `inception_v3()` passes through to {@link Inception3}. */
export type Inception3Kwargs = KeywordsOf<typeof Inception3Sig>;

/**
 * torchvision's `Inception3(num_classes=1000, aux_logits=True, transform_input=False,
 * inception_blocks=None, init_weights=None, dropout=0.5)`, from "Rethinking the Inception
 * Architecture for Computer Vision". Input `[N, 3, 299, 299]` (at least 75x75); output
 * `[N, num_classes]` logits, or, in train mode with `aux_logits`, an {@link InceptionOutputs}.
 * `init_weights=None` means true, as in torchvision (whose FutureWarning is not printed).
 *
 * @see https://pytorch.org/vision/0.14/models/inception.html
 */
export class Inception3 extends nn.Module {
  aux_logits: boolean;
  transform_input: boolean;
  Conv2d_1a_3x3: nn.Module;
  Conv2d_2a_3x3: nn.Module;
  Conv2d_2b_3x3: nn.Module;
  maxpool1: nn.MaxPool2d;
  Conv2d_3b_1x1: nn.Module;
  Conv2d_4a_3x3: nn.Module;
  maxpool2: nn.MaxPool2d;
  Mixed_5b: nn.Module;
  Mixed_5c: nn.Module;
  Mixed_5d: nn.Module;
  Mixed_6a: nn.Module;
  Mixed_6b: nn.Module;
  Mixed_6c: nn.Module;
  Mixed_6d: nn.Module;
  Mixed_6e: nn.Module;
  AuxLogits: nn.Module | null;
  Mixed_7a: nn.Module;
  Mixed_7b: nn.Module;
  Mixed_7c: nn.Module;
  avgpool: nn.AdaptiveAvgPool2d;
  dropout: nn.Dropout;
  fc: nn.Linear;

  constructor(...args: ArgsOf<typeof Inception3Sig>) {
    super();
    let { num_classes, aux_logits, transform_input, inception_blocks, init_weights, dropout } = Inception3Sig.bind(args);
    if (inception_blocks === null) {
      inception_blocks = [BasicConv2d, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE, InceptionAux];
    }
    if (init_weights === null) init_weights = true;
    if (inception_blocks.length !== 7) throw new ValueError(`lenght of inception_blocks should be 7 instead of ${inception_blocks.length}`);
    const conv_block = inception_blocks[0];
    const inception_a = inception_blocks[1];
    const inception_b = inception_blocks[2];
    const inception_c = inception_blocks[3];
    const inception_d = inception_blocks[4];
    const inception_e = inception_blocks[5];
    const inception_aux = inception_blocks[6];

    this.aux_logits = aux_logits;
    this.transform_input = transform_input;
    this.Conv2d_1a_3x3 = new conv_block(3, 32, { kernel_size: 3, stride: 2 });
    this.Conv2d_2a_3x3 = new conv_block(32, 32, { kernel_size: 3 });
    this.Conv2d_2b_3x3 = new conv_block(32, 64, { kernel_size: 3, padding: 1 });
    this.maxpool1 = new nn.MaxPool2d({ kernel_size: 3, stride: 2 });
    this.Conv2d_3b_1x1 = new conv_block(64, 80, { kernel_size: 1 });
    this.Conv2d_4a_3x3 = new conv_block(80, 192, { kernel_size: 3 });
    this.maxpool2 = new nn.MaxPool2d({ kernel_size: 3, stride: 2 });
    this.Mixed_5b = new inception_a(192, { pool_features: 32 });
    this.Mixed_5c = new inception_a(256, { pool_features: 64 });
    this.Mixed_5d = new inception_a(288, { pool_features: 64 });
    this.Mixed_6a = new inception_b(288);
    this.Mixed_6b = new inception_c(768, { channels_7x7: 128 });
    this.Mixed_6c = new inception_c(768, { channels_7x7: 160 });
    this.Mixed_6d = new inception_c(768, { channels_7x7: 160 });
    this.Mixed_6e = new inception_c(768, { channels_7x7: 192 });
    this.AuxLogits = null;
    if (aux_logits) this.AuxLogits = new inception_aux(768, num_classes);
    this.Mixed_7a = new inception_d(768);
    this.Mixed_7b = new inception_e(1280);
    this.Mixed_7c = new inception_e(2048);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.dropout = new nn.Dropout({ p: dropout });
    this.fc = new nn.Linear(2048, num_classes);
    if (init_weights) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
          const stddev = (m as WithStddev).stddev !== undefined ? Number((m as WithStddev).stddev) : 0.1;
          nn.init.trunc_normal_(m.weight, { mean: 0.0, std: stddev, a: -2, b: 2 });
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

  _forward(x: Tensor): [Tensor, Tensor | null] {
    // N x 3 x 299 x 299
    x = this.Conv2d_1a_3x3(x);
    // N x 32 x 149 x 149
    x = this.Conv2d_2a_3x3(x);
    // N x 32 x 147 x 147
    x = this.Conv2d_2b_3x3(x);
    // N x 64 x 147 x 147
    x = this.maxpool1(x);
    // N x 64 x 73 x 73
    x = this.Conv2d_3b_1x1(x);
    // N x 80 x 73 x 73
    x = this.Conv2d_4a_3x3(x);
    // N x 192 x 71 x 71
    x = this.maxpool2(x);
    // N x 192 x 35 x 35
    x = this.Mixed_5b(x);
    // N x 256 x 35 x 35
    x = this.Mixed_5c(x);
    // N x 288 x 35 x 35
    x = this.Mixed_5d(x);
    // N x 288 x 35 x 35
    x = this.Mixed_6a(x);
    // N x 768 x 17 x 17
    x = this.Mixed_6b(x);
    // N x 768 x 17 x 17
    x = this.Mixed_6c(x);
    // N x 768 x 17 x 17
    x = this.Mixed_6d(x);
    // N x 768 x 17 x 17
    x = this.Mixed_6e(x);
    // N x 768 x 17 x 17
    let aux: Tensor | null = null;
    if (this.AuxLogits !== null) {
      if (this.training) aux = this.AuxLogits(x);
    }
    // N x 768 x 17 x 17
    x = this.Mixed_7a(x);
    // N x 1280 x 8 x 8
    x = this.Mixed_7b(x);
    // N x 2048 x 8 x 8
    x = this.Mixed_7c(x);
    // N x 2048 x 8 x 8
    // Adaptive average pooling
    x = this.avgpool(x);
    // N x 2048 x 1 x 1
    x = this.dropout(x);
    // N x 2048 x 1 x 1
    x = torch.flatten(x, 1);
    // N x 2048
    x = this.fc(x);
    // N x 1000 (num_classes)
    return [x, aux];
  }

  eager_outputs(x: Tensor, aux: Tensor | null): InceptionOutputs | Tensor {
    if (this.training && this.aux_logits) {
      return new InceptionOutputs(x, aux);
    } else {
      return x;
    }
  }

  forward(x: Tensor): InceptionOutputs | Tensor {
    x = this._transform_input(x);
    const [out, aux] = this._forward(x);
    return this.eager_outputs(out, aux);
  }
}

/** One Inception v3 block's `(in_channels, …, conv_block=None)`: the block class to build its convolutions with. */
const convBlock = opt('conv_block', any<BlockClass | null>('Callable'), null);

const InceptionASig = signature('InceptionA.__init__', [req('in_channels', any<number>('int')), req('pool_features', any<number>('int')), convBlock], { method: true });

/** The 35x35 block: 1x1, 5x5, double 3x3 and pooled branches. */
export class InceptionA extends nn.Module {
  branch1x1: nn.Module;
  branch5x5_1: nn.Module;
  branch5x5_2: nn.Module;
  branch3x3dbl_1: nn.Module;
  branch3x3dbl_2: nn.Module;
  branch3x3dbl_3: nn.Module;
  branch_pool: nn.Module;

  constructor(...args: ArgsOf<typeof InceptionASig>) {
    super();
    let { in_channels, pool_features, conv_block } = InceptionASig.bind(args);
    if (conv_block === null) conv_block = BasicConv2d;
    this.branch1x1 = new conv_block(in_channels, 64, { kernel_size: 1 });

    this.branch5x5_1 = new conv_block(in_channels, 48, { kernel_size: 1 });
    this.branch5x5_2 = new conv_block(48, 64, { kernel_size: 5, padding: 2 });

    this.branch3x3dbl_1 = new conv_block(in_channels, 64, { kernel_size: 1 });
    this.branch3x3dbl_2 = new conv_block(64, 96, { kernel_size: 3, padding: 1 });
    this.branch3x3dbl_3 = new conv_block(96, 96, { kernel_size: 3, padding: 1 });

    this.branch_pool = new conv_block(in_channels, pool_features, { kernel_size: 1 });
  }

  _forward(x: Tensor): Tensor[] {
    const branch1x1 = this.branch1x1(x);

    let branch5x5 = this.branch5x5_1(x);
    branch5x5 = this.branch5x5_2(branch5x5);

    let branch3x3dbl = this.branch3x3dbl_1(x);
    branch3x3dbl = this.branch3x3dbl_2(branch3x3dbl);
    branch3x3dbl = this.branch3x3dbl_3(branch3x3dbl);

    let branch_pool = F.avg_pool2d(x, { kernel_size: 3, stride: 1, padding: 1 });
    branch_pool = this.branch_pool(branch_pool);

    const outputs = [branch1x1, branch5x5, branch3x3dbl, branch_pool];
    return outputs;
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

const InceptionBSig = signature('InceptionB.__init__', [req('in_channels', any<number>('int')), convBlock], { method: true });

/** The 35x35 → 17x17 reduction block. */
export class InceptionB extends nn.Module {
  branch3x3: nn.Module;
  branch3x3dbl_1: nn.Module;
  branch3x3dbl_2: nn.Module;
  branch3x3dbl_3: nn.Module;

  constructor(...args: ArgsOf<typeof InceptionBSig>) {
    super();
    let { in_channels, conv_block } = InceptionBSig.bind(args);
    if (conv_block === null) conv_block = BasicConv2d;
    this.branch3x3 = new conv_block(in_channels, 384, { kernel_size: 3, stride: 2 });

    this.branch3x3dbl_1 = new conv_block(in_channels, 64, { kernel_size: 1 });
    this.branch3x3dbl_2 = new conv_block(64, 96, { kernel_size: 3, padding: 1 });
    this.branch3x3dbl_3 = new conv_block(96, 96, { kernel_size: 3, stride: 2 });
  }

  _forward(x: Tensor): Tensor[] {
    const branch3x3 = this.branch3x3(x);

    let branch3x3dbl = this.branch3x3dbl_1(x);
    branch3x3dbl = this.branch3x3dbl_2(branch3x3dbl);
    branch3x3dbl = this.branch3x3dbl_3(branch3x3dbl);

    const branch_pool = F.max_pool2d(x, { kernel_size: 3, stride: 2 });

    const outputs = [branch3x3, branch3x3dbl, branch_pool];
    return outputs;
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

const InceptionCSig = signature('InceptionC.__init__', [req('in_channels', any<number>('int')), req('channels_7x7', any<number>('int')), convBlock], { method: true });

/** The 17x17 block, with factorised 7x7 convolutions (1x7 then 7x1). */
export class InceptionC extends nn.Module {
  branch1x1: nn.Module;
  branch7x7_1: nn.Module;
  branch7x7_2: nn.Module;
  branch7x7_3: nn.Module;
  branch7x7dbl_1: nn.Module;
  branch7x7dbl_2: nn.Module;
  branch7x7dbl_3: nn.Module;
  branch7x7dbl_4: nn.Module;
  branch7x7dbl_5: nn.Module;
  branch_pool: nn.Module;

  constructor(...args: ArgsOf<typeof InceptionCSig>) {
    super();
    let { in_channels, channels_7x7, conv_block } = InceptionCSig.bind(args);
    if (conv_block === null) conv_block = BasicConv2d;
    this.branch1x1 = new conv_block(in_channels, 192, { kernel_size: 1 });

    const c7 = channels_7x7;
    this.branch7x7_1 = new conv_block(in_channels, c7, { kernel_size: 1 });
    this.branch7x7_2 = new conv_block(c7, c7, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch7x7_3 = new conv_block(c7, 192, { kernel_size: [7, 1], padding: [3, 0] });

    this.branch7x7dbl_1 = new conv_block(in_channels, c7, { kernel_size: 1 });
    this.branch7x7dbl_2 = new conv_block(c7, c7, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7dbl_3 = new conv_block(c7, c7, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch7x7dbl_4 = new conv_block(c7, c7, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7dbl_5 = new conv_block(c7, 192, { kernel_size: [1, 7], padding: [0, 3] });

    this.branch_pool = new conv_block(in_channels, 192, { kernel_size: 1 });
  }

  _forward(x: Tensor): Tensor[] {
    const branch1x1 = this.branch1x1(x);

    let branch7x7 = this.branch7x7_1(x);
    branch7x7 = this.branch7x7_2(branch7x7);
    branch7x7 = this.branch7x7_3(branch7x7);

    let branch7x7dbl = this.branch7x7dbl_1(x);
    branch7x7dbl = this.branch7x7dbl_2(branch7x7dbl);
    branch7x7dbl = this.branch7x7dbl_3(branch7x7dbl);
    branch7x7dbl = this.branch7x7dbl_4(branch7x7dbl);
    branch7x7dbl = this.branch7x7dbl_5(branch7x7dbl);

    let branch_pool = F.avg_pool2d(x, { kernel_size: 3, stride: 1, padding: 1 });
    branch_pool = this.branch_pool(branch_pool);

    const outputs = [branch1x1, branch7x7, branch7x7dbl, branch_pool];
    return outputs;
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

const InceptionDSig = signature('InceptionD.__init__', [req('in_channels', any<number>('int')), convBlock], { method: true });

/** The 17x17 → 8x8 reduction block. */
export class InceptionD extends nn.Module {
  branch3x3_1: nn.Module;
  branch3x3_2: nn.Module;
  branch7x7x3_1: nn.Module;
  branch7x7x3_2: nn.Module;
  branch7x7x3_3: nn.Module;
  branch7x7x3_4: nn.Module;

  constructor(...args: ArgsOf<typeof InceptionDSig>) {
    super();
    let { in_channels, conv_block } = InceptionDSig.bind(args);
    if (conv_block === null) conv_block = BasicConv2d;
    this.branch3x3_1 = new conv_block(in_channels, 192, { kernel_size: 1 });
    this.branch3x3_2 = new conv_block(192, 320, { kernel_size: 3, stride: 2 });

    this.branch7x7x3_1 = new conv_block(in_channels, 192, { kernel_size: 1 });
    this.branch7x7x3_2 = new conv_block(192, 192, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch7x7x3_3 = new conv_block(192, 192, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7x3_4 = new conv_block(192, 192, { kernel_size: 3, stride: 2 });
  }

  _forward(x: Tensor): Tensor[] {
    let branch3x3 = this.branch3x3_1(x);
    branch3x3 = this.branch3x3_2(branch3x3);

    let branch7x7x3 = this.branch7x7x3_1(x);
    branch7x7x3 = this.branch7x7x3_2(branch7x7x3);
    branch7x7x3 = this.branch7x7x3_3(branch7x7x3);
    branch7x7x3 = this.branch7x7x3_4(branch7x7x3);

    const branch_pool = F.max_pool2d(x, { kernel_size: 3, stride: 2 });
    const outputs = [branch3x3, branch7x7x3, branch_pool];
    return outputs;
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

const InceptionESig = signature('InceptionE.__init__', [req('in_channels', any<number>('int')), convBlock], { method: true });

/** The 8x8 block, with split 1x3 / 3x1 branches. */
export class InceptionE extends nn.Module {
  branch1x1: nn.Module;
  branch3x3_1: nn.Module;
  branch3x3_2a: nn.Module;
  branch3x3_2b: nn.Module;
  branch3x3dbl_1: nn.Module;
  branch3x3dbl_2: nn.Module;
  branch3x3dbl_3a: nn.Module;
  branch3x3dbl_3b: nn.Module;
  branch_pool: nn.Module;

  constructor(...args: ArgsOf<typeof InceptionESig>) {
    super();
    let { in_channels, conv_block } = InceptionESig.bind(args);
    if (conv_block === null) conv_block = BasicConv2d;
    this.branch1x1 = new conv_block(in_channels, 320, { kernel_size: 1 });

    this.branch3x3_1 = new conv_block(in_channels, 384, { kernel_size: 1 });
    this.branch3x3_2a = new conv_block(384, 384, { kernel_size: [1, 3], padding: [0, 1] });
    this.branch3x3_2b = new conv_block(384, 384, { kernel_size: [3, 1], padding: [1, 0] });

    this.branch3x3dbl_1 = new conv_block(in_channels, 448, { kernel_size: 1 });
    this.branch3x3dbl_2 = new conv_block(448, 384, { kernel_size: 3, padding: 1 });
    this.branch3x3dbl_3a = new conv_block(384, 384, { kernel_size: [1, 3], padding: [0, 1] });
    this.branch3x3dbl_3b = new conv_block(384, 384, { kernel_size: [3, 1], padding: [1, 0] });

    this.branch_pool = new conv_block(in_channels, 192, { kernel_size: 1 });
  }

  _forward(x: Tensor): Tensor[] {
    const branch1x1 = this.branch1x1(x);

    const branch3x3_1 = this.branch3x3_1(x);
    const branch3x3 = torch.cat([this.branch3x3_2a(branch3x3_1), this.branch3x3_2b(branch3x3_1)], 1);

    let branch3x3dbl_1 = this.branch3x3dbl_1(x);
    branch3x3dbl_1 = this.branch3x3dbl_2(branch3x3dbl_1);
    const branch3x3dbl = torch.cat([this.branch3x3dbl_3a(branch3x3dbl_1), this.branch3x3dbl_3b(branch3x3dbl_1)], 1);

    let branch_pool = F.avg_pool2d(x, { kernel_size: 3, stride: 1, padding: 1 });
    branch_pool = this.branch_pool(branch_pool);

    const outputs = [branch1x1, branch3x3, branch3x3dbl, branch_pool];
    return outputs;
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

const InceptionAuxSig = signature('InceptionAux.__init__', [req('in_channels', any<number>('int')), req('num_classes', any<number>('int')), convBlock], { method: true });

/** The auxiliary classifier on the 17x17 features, run only in train mode. */
export class InceptionAux extends nn.Module {
  conv0: nn.Module;
  conv1: nn.Module;
  fc: nn.Linear;

  constructor(...args: ArgsOf<typeof InceptionAuxSig>) {
    super();
    let { in_channels, num_classes, conv_block } = InceptionAuxSig.bind(args);
    if (conv_block === null) conv_block = BasicConv2d;
    this.conv0 = new conv_block(in_channels, 128, { kernel_size: 1 });
    this.conv1 = new conv_block(128, 768, { kernel_size: 5 });
    (this.conv1 as WithStddev).stddev = 0.01;
    this.fc = new nn.Linear(768, num_classes);
    (this.fc as WithStddev).stddev = 0.001;
  }

  forward(x: Tensor): Tensor {
    // N x 768 x 17 x 17
    x = F.avg_pool2d(x, { kernel_size: 5, stride: 3 });
    // N x 768 x 5 x 5
    x = this.conv0(x);
    // N x 128 x 5 x 5
    x = this.conv1(x);
    // N x 768 x 1 x 1
    // Adaptive average pooling
    x = F.adaptive_avg_pool2d(x, [1, 1]);
    // N x 768 x 1 x 1
    x = torch.flatten(x, 1);
    // N x 768
    x = this.fc(x);
    // N x 1000
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
 * Inception v3 from "Rethinking the Inception Architecture for Computer Vision". torchvision's
 * checkpoint expects `transform_input: true` (its weights set it).
 *
 * @see https://pytorch.org/vision/0.14/models/generated/torchvision.models.inception_v3.html
 */
export const inception_v3: (...args: BuilderArgs<Inception3Kwargs>) => Inception3 = register_model(function inception_v3(...args) {
  return new Inception3(builderKwargs<Inception3Kwargs>('inception_v3', 'Inception_V3_Weights', args));
});
