/**
 * What the bench's floors share: a whole torchvision network written as a tfjs user writes it
 * for speed — NHWC throughout, every BatchNorm folded into the convolution before it, bias and
 * activation fused into tfjs's fused conv2d, explicit paddings — with public tfjs ops only, built
 * from the torchvision model's own state_dict. The bench checks each floor's output against ours.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A state_dict as torch.load returns it: PyTorch's names and shapes (OIHW weights). */
export type StateDict = Record<string, tf.Tensor>;

/** A floor network: `forward` takes `[1, H, W, 3]` and returns the logits `[1, classes]`. */
export interface Floor {
  forward(x: tf.Tensor4D): tf.Tensor;
  dispose(): void;
}

export type Activation = 'linear' | 'relu' | 'relu6';
export type Layer = (x: tf.Tensor4D) => tf.Tensor4D;

export interface ConvOptions {
  stride?: number;
  padding?: number;
  groups?: number;
  activation?: Activation;
}

/** Holds the converted weights a floor keeps between calls, and frees them. */
export class Weights {
  private readonly kept: tf.Tensor[] = [];

  constructor(private readonly sd: StateDict) {}

  keep<T extends tf.Tensor>(t: T): T {
    this.kept.push(t);
    return tf.keep(t);
  }

  has(key: string): boolean {
    return key in this.sd;
  }

  get(key: string): tf.Tensor {
    const t = this.sd[key];
    if (t === undefined) throw new Error(`floor: no ${key} in the state_dict`);
    return t;
  }

  dispose(): void {
    this.kept.forEach((t) => t.dispose());
  }

  /**
   * The convolution at `conv` (no bias) with the eval-mode BatchNorm at `bn` folded in:
   * `w·α` and `β − μ·α`, `α = γ / √(σ² + ε)` per output channel; bias and activation fused.
   */
  convBn(conv: string, bn: string, { stride = 1, padding = 0, groups = 1, activation = 'linear' }: ConvOptions = {}): Layer {
    const [w, bias] = tf.tidy(() => {
      const alpha = tf.div(this.get(`${bn}.weight`), tf.sqrt(tf.add(this.get(`${bn}.running_var`), 1e-5)));
      const folded = tf.mul(this.get(`${conv}.weight`), tf.reshape(alpha, [-1, 1, 1, 1])) as tf.Tensor4D;
      return [folded, tf.sub(this.get(`${bn}.bias`), tf.mul(this.get(`${bn}.running_mean`), alpha)) as tf.Tensor1D];
    });
    try {
      return this.conv(w, bias, { stride, padding, groups, activation });
    } finally {
      w.dispose();
      bias.dispose();
    }
  }

  /** `weight` (OIHW) and `bias` as a layer on NHWC input; the tensors given are not kept. */
  private conv(w: tf.Tensor4D, bias: tf.Tensor1D, { stride = 1, padding = 0, groups = 1, activation = 'linear' }: ConvOptions): Layer {
    const [cout, cinG, kh, kw] = w.shape;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [padding, padding], [padding, padding], [0, 0]];
    const b = this.keep(tf.clone(bias));
    if (groups === 1) {
      const filter = this.keep(tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D);
      return (x) => tf.fused.conv2d({ x, filter, strides: stride, pad, bias: b, activation });
    }
    if (groups === cout && cinG === 1) {
      const filter = this.keep(tf.transpose(tf.reshape(w, [cout, 1, kh, kw]), [2, 3, 0, 1]) as tf.Tensor4D);
      // tfjs's fused depthwise conv takes a symmetric padding only as a number.
      return (x) => tf.fused.depthwiseConv2d({ x, filter, strides: stride, pad: padding, bias: b, activation });
    }
    const act = (y: tf.Tensor4D): tf.Tensor4D => (activation === 'relu' ? tf.relu(y) : activation === 'relu6' ? tf.relu6(y) : y);
    const coutG = cout / groups;
    if (coutG <= 8) {
      // Few filters per group: one depthwise conv against every filter of its group, then a sum
      // over each group's input channels.
      const filter = this.keep(
        tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(w, [groups, coutG, cinG, kh, kw]), [3, 4, 0, 2, 1]), [kh, kw, groups * cinG, coutG])),
      );
      return (x) =>
        tf.tidy(() => {
          const y = tf.depthwiseConv2d(x, filter as tf.Tensor4D, stride, pad);
          const [n, ho, wo] = y.shape;
          return act(tf.add(tf.reshape(tf.sum(tf.reshape(y, [n * ho * wo, groups, cinG, coutG]), 2), [n, ho, wo, cout]), b));
        });
    }
    const filters = tf.tidy(() => tf.split(tf.transpose(w, [2, 3, 1, 0]), groups, 3)).map((f) => this.keep(f as tf.Tensor4D));
    return (x) =>
      tf.tidy(() => {
        const xs = tf.split(x, groups, 3);
        return act(tf.add(tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, filters[i], stride, pad)), 3), b));
      });
  }

  /**
   * A Linear layer's `x·Wᵀ + b`, for the `[N, features]` input. `Wᵀ` is kept: tfjs-wasm 4.22's
   * fused matMul adds its bias wrongly with `transposeB`.
   */
  linear(prefix: string): (x: tf.Tensor2D) => tf.Tensor2D {
    const w = this.keep(tf.transpose(this.get(`${prefix}.weight`)) as tf.Tensor2D);
    const b = this.get(`${prefix}.bias`);
    return (x) => tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
  }
}

/** Max pooling with PyTorch's explicit zero-or-more padding (the padding never wins). */
export const maxPool = (x: tf.Tensor4D, k: number, stride: number, padding: number): tf.Tensor4D =>
  tf.maxPool(tf.pad(x, [[0, 0], [padding, padding], [padding, padding], [0, 0]], -Infinity), k, stride, 'valid');

/** The global average pool and flatten before a classifier: `[N, H, W, C]` → `[N, C]`. */
export const globalMean = (x: tf.Tensor4D): tf.Tensor2D => tf.mean(x, [1, 2]);
