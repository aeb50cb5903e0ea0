/**
 * The tfjs side of `torch.compile` (src/compile/): the engine hooks a trace records kernels by,
 * and the operations a compiled plan runs — kernel replays, layout moves, and convolutions with
 * BatchNorm folded in and the activation fused into tfjs's fused kernels.
 */
import { guardAllocation, type AllocDType } from './guard';
import { oihwToDepthwise, oihwToHwio } from './layout';
import { conv2dNhwc, FilterCache, type Conv2dGeometry } from './conv2d';
import { tf } from './runtime';

type Tensor = tf.Tensor;
export type Attrs = Record<string, unknown>;
/** A kernel's inputs as tfjs passes them: named (`{ a, b }`) or a list (Concat, AddN). */
export type KernelInputs = Record<string, Tensor> | Tensor[];

/** What a trace is told while it records (see {@link recordEngine}). */
export interface EngineObserver {
  /** A kernel run at the top level (not from inside another kernel), after it ran. */
  kernel(name: string, inputs: KernelInputs, attrs: Attrs, outputs: Tensor[], multi: boolean): void;
  /** A tensor made from JavaScript values (`tf.tensor`, a scalar operand): a constant of the trace. */
  made(t: Tensor): void;
  /** Values were read back (`dataSync`, `data`, `arraySync`, `item`). */
  read(): void;
}

/** The parts of tfjs-core 4.22's engine the trace wraps. */
interface Engine {
  state: { kernelDepth: number };
  runKernel(name: string, inputs: KernelInputs, attrs: Attrs): Tensor | Tensor[];
  makeTensor(...args: unknown[]): Tensor;
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
}
const engine = tf.engine() as unknown as Engine;

/**
 * Runs `fn` with every top-level kernel, every tensor made from values and every read-back
 * reported to `observer`. The engine's own methods are shadowed for the call and restored
 * however it ends, so nothing is observed outside a trace.
 */
export function recordEngine<T>(observer: EngineObserver, fn: () => T): T {
  const { runKernel, makeTensor, readSync, read } = engine;
  const own = engine as unknown as Record<string, unknown>;
  own.runKernel = function (this: Engine, name: string, inputs: KernelInputs, attrs: Attrs) {
    const top = engine.state.kernelDepth === 0;
    const out = runKernel.call(this, name, inputs, attrs);
    if (top) observer.kernel(name, inputs, attrs, Array.isArray(out) ? out : [out], Array.isArray(out));
    return out;
  };
  own.makeTensor = function (this: Engine, ...args: unknown[]) {
    const t = makeTensor.apply(this, args);
    observer.made(t);
    return t;
  };
  own.readSync = function (this: Engine, dataId: object) {
    observer.read();
    return readSync.call(this, dataId);
  };
  own.read = function (this: Engine, dataId: object) {
    observer.read();
    return read.call(this, dataId);
  };
  try {
    return fn();
  } finally {
    delete own.runKernel;
    delete own.makeTensor;
    delete own.readSync;
    delete own.read;
  }
}

/** A kernel run again on new inputs, exactly as the trace saw it run. */
export function replayKernel(name: string, inputs: KernelInputs, attrs: Attrs): Tensor[] {
  const out = engine.runKernel(name, inputs, attrs);
  return Array.isArray(out) ? out : [out];
}

/** A handle on `t`'s data that no tidy frees: what a plan keeps (constants, converted weights). */
export const keptClone = (t: Tensor): Tensor => tf.keep(tf.clone(t));
/** `make()`'s tensors, computed now and kept past every tidy: the plan's results computed from weights alone. */
export const computeKept = (make: () => Tensor[]): Tensor[] => tf.tidy(make).map((t) => tf.keep(t));
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => tf.reshape(x, [...shape]);

/**
 * Moves `x`, whose dim j holds logical dim `from[j]`, so that dim i holds logical dim `to[i]`.
 * Size-1 dims are dropped first and dims that stay adjacent are merged, so the transpose that
 * runs has the smallest rank that does the move (a channel shuffle's rank-5 move is a rank-3
 * `[N·H·W, g, C/g]` transpose: tfjs-wasm's rank-5 transposes are ~23× slower than rank 4), and
 * a move of size-1 dims only is a reshape.
 */
export function permutePhysical(x: Tensor, from: readonly number[], to: readonly number[]): Tensor {
  const move = planPermute(x.shape, from, to);
  if (move.perm === null) return tf.reshape(x, move.shape);
  guardAllocation(move.shape, x.dtype as AllocDType);
  return tf.reshape(tf.transpose(tf.reshape(x, move.merged), move.perm), move.shape);
}

/**
 * What {@link permutePhysical} runs for a tensor of `shape`: the result's shape, and the merged
 * shape and perm of its one transpose (null when the move is only a reshape).
 */
export function planPermute(shape: readonly number[], from: readonly number[], to: readonly number[]): { shape: number[]; merged: number[]; perm: number[] | null } {
  const source = to.map((d) => from.indexOf(d));
  const outShape = source.map((j) => shape[j]);
  const kept = source.filter((j) => shape[j] !== 1);
  const order = [...kept].sort((a, b) => a - b);
  const ranks = kept.map((j) => order.indexOf(j));
  const runs: number[][] = [];
  for (const r of ranks) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[last.length - 1] + 1 === r) last.push(r);
    else runs.push([r]);
  }
  const bySource = [...runs].sort((a, b) => a[0] - b[0]);
  const perm = runs.map((run) => bySource.indexOf(run));
  const merged = bySource.map((run) => run.reduce((n, r) => n * shape[order[r]], 1));
  return { shape: outShape, merged, perm: perm.every((p, i) => p === i) ? null : perm };
}

/** The activations tfjs's fused convolutions apply, by the name they take. */
export type FusedActivation = 'relu' | 'relu6';

/** A convolution's weights as a plan keeps them: converted once, BatchNorm already folded in. */
export interface PreparedConv {
  readonly kind: 'dense' | 'depthwise' | 'general';
  /** HWIO for dense, `[kH, kW, in, multiplier]` for depthwise, OIHW for the general lowering. */
  readonly filter: Tensor;
  readonly bias: Tensor | null;
  readonly geometry: Conv2dGeometry;
  /** The general lowering's own converted filters. */
  readonly cache: FilterCache;
}

/**
 * An OIHW weight and bias with an eval-mode BatchNorm folded in, as `torch.nn.utils.fusion`'s
 * `fuse_conv_bn_weights` does: `W' = W·γ/√(var+ε)` per output channel and
 * `b' = (b − mean)·γ/√(var+ε) + β`, computed in double precision and rounded once.
 */
export function foldBatchNorm(
  weight: Tensor,
  bias: Tensor | null,
  bn: { mean: Tensor; variance: Tensor; gamma: Tensor | null; beta: Tensor | null; eps: number },
): [Tensor, Tensor] {
  const w = weight.dataSync() as Float32Array;
  const out = weight.shape[0];
  const per = w.length / out;
  const mean = bn.mean.dataSync();
  const variance = bn.variance.dataSync();
  const gamma = bn.gamma?.dataSync() ?? null;
  const beta = bn.beta?.dataSync() ?? null;
  const b = bias?.dataSync() ?? null;
  const folded = new Float32Array(w.length);
  const shift = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const scale = (gamma === null ? 1 : gamma[o]) / Math.sqrt(variance[o] + bn.eps);
    for (let i = o * per; i < (o + 1) * per; i++) folded[i] = w[i] * scale;
    shift[o] = ((b === null ? 0 : b[o]) - mean[o]) * scale + (beta === null ? 0 : beta[o]);
  }
  return [tf.keep(tf.tensor(folded, weight.shape, 'float32')), tf.keep(tf.tensor1d(shift, 'float32'))];
}

/**
 * Converts a convolution's (possibly folded) OIHW weight once for the kernel that will run it:
 * tfjs's fused conv2d or depthwise conv2d when they can (no groups in between, no stride with
 * dilation, which tfjs refuses together), else the lowerings of {@link conv2dNhwc}.
 */
export function prepareConv(weight: Tensor, bias: Tensor | null, geometry: Conv2dGeometry, inChannels: number): PreparedConv {
  const subsample = geometry.stride.some((s) => s > 1) && geometry.dilation.some((d) => d > 1);
  const cache = new FilterCache();
  const kept = (make: () => Tensor) => tf.keep(tf.tidy(make));
  if (!subsample && geometry.groups === 1) return { kind: 'dense', filter: kept(() => oihwToHwio(weight as tf.Tensor4D)), bias, geometry, cache };
  if (!subsample && geometry.groups === inChannels) {
    return { kind: 'depthwise', filter: kept(() => oihwToDepthwise(weight as tf.Tensor4D, inChannels)), bias, geometry, cache };
  }
  return { kind: 'general', filter: kept(() => tf.clone(weight)), bias, geometry, cache };
}

export function disposeConv(c: PreparedConv): void {
  c.filter.dispose();
  c.cache.release();
}

const activate = (y: Tensor, activation: FusedActivation | null): Tensor =>
  activation === 'relu' ? tf.relu(y) : activation === 'relu6' ? tf.clipByValue(y, 0, 6) : y;

/** A prepared convolution on an NHWC input, with its activation fused where tfjs can fuse it. */
export function runConv(x: Tensor, c: PreparedConv, activation: FusedActivation | null): Tensor {
  const { stride, pads, dilation } = c.geometry;
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]];
  const args = {
    x: x as tf.Tensor4D,
    filter: c.filter as tf.Tensor4D,
    strides: [stride[0], stride[1]] as [number, number],
    pad,
    dilations: [dilation[0], dilation[1]] as [number, number],
    bias: c.bias ?? undefined,
    activation: (activation ?? 'linear') as FusedActivation | 'linear',
  };
  if (c.kind !== 'general') {
    const [n, h, w] = x.shape as [number, number, number];
    const [kh, kw, a, b] = c.filter.shape as [number, number, number, number];
    const size = (axis: 0 | 1, i: number, k: number) => Math.floor((i + pads[2 * axis] + pads[2 * axis + 1] - dilation[axis] * (k - 1) - 1) / stride[axis]) + 1;
    guardAllocation([n, size(0, h, kh), size(1, w, kw), c.kind === 'dense' ? b : a * b]);
  }
  if (c.kind === 'dense') return tf.fused.conv2d(args);
  // tfjs's declaration omits explicit padding for depthwise; its kernels take it, as conv2d's do.
  if (c.kind === 'depthwise') return tf.fused.depthwiseConv2d(args as unknown as Parameters<typeof tf.fused.depthwiseConv2d>[0]);
  return activate(conv2dNhwc(x as tf.Tensor4D, c.filter as tf.Tensor4D, c.bias as tf.Tensor1D | null, c.geometry, c.cache), activation);
}
