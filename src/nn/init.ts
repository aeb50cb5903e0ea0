/**
 * `torch.nn.init`: the initialisation functions, drawing exactly what PyTorch 1.13 draws after the
 * same `torch.manual_seed` (same generator calls, same float32 roundings), and assigning into a
 * parameter (a tfjs Variable) as PyTorch fills a tensor in place.
 *
 * Also the helpers modules use to create their parameters with PyTorch's `torch.empty` checks.
 *
 * @see https://pytorch.org/docs/1.13/nn.init.html
 */
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { assign, fromFlat, isTensor, isVariable } from '../backend/tensor';
import { AttributeError, RuntimeError, ValueError, ZeroDivisionError } from '../errors';
import { mod } from '../python/ops';
import { pyFloat } from '../python/repr';
import { opt, pyTypeName, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { erf, erfinvf } from '../torch/libm';
import { normal, uniform } from '../torch/random';
import { newParameter as parameter } from './parameter';

const f = Math.fround;

// ---- the checks of the factories modules create parameters with ----

/** How PyTorch's parser lists the overloads of the factories modules call, in its "invalid combination" error. */
const FACTORY_OVERLOADS = {
  empty: [
    'tuple of ints size, *, tuple of names names, torch.memory_format memory_format, torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool requires_grad',
    'tuple of SymInts size, *, torch.memory_format memory_format, Tensor out, torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool requires_grad',
  ],
  zeros: [
    'tuple of ints size, *, tuple of names names, torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool requires_grad',
    'tuple of SymInts size, *, Tensor out, torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool requires_grad',
  ],
};

/**
 * @internal The checks of `torch.empty(size, dtype=None, device=None)` (or `zeros`) that a
 * module runs when it makes its parameters and buffers: every dimension an int, none negative.
 * The messages are PyTorch's argument parser's for that call: `torch.empty(n)` names a bad `n`'s
 * type, `torch.empty((a, b))` a bad first element as a tuple (`form`), later ones by position.
 */
export function emptyShape(shape: readonly unknown[], fn: keyof typeof FACTORY_OVERLOADS = 'empty', form: 'int' | 'tuple' = shape.length === 1 ? 'int' : 'tuple'): number[] {
  const bad = shape.findIndex((d) => typeof d !== 'number' || !Number.isInteger(d));
  if (bad === 0) {
    const overloads = FACTORY_OVERLOADS[fn].map((o) => ` * (${o})\n`).join('');
    const got = form === 'int' ? pyTypeName(shape[0]) : 'tuple';
    throw new TypeError(`${fn}() received an invalid combination of arguments - got (${got}, dtype=NoneType, device=NoneType), but expected one of:\n${overloads}`);
  }
  if (bad > 0) throw new TypeError(`${fn}(): argument 'size' must be tuple of SymInts, but found element of type ${pyTypeName(shape[bad])} at pos ${bad + 1}`);
  const dims = shape as number[];
  const negative = dims.find((d) => d < 0);
  if (negative !== undefined) throw new RuntimeError(`Trying to create tensor with negative dimension ${negative}: [${dims.join(', ')}]`);
  return dims;
}

/**
 * @internal PyTorch's `_calculate_fan_in_and_fan_out` fan-in for a weight of `shape`: `shape[1]`
 * times the receptive field (the product of the dimensions after the second).
 */
export function fanIn(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * @internal A new parameter drawn as `init.kaiming_uniform_(w, a)` draws it (the default
 * initialisation of convolutions and linear layers). An empty weight draws nothing.
 */
export function kaimingUniform(shape: readonly number[], a: number): Variable {
  const n = shape.reduce((x, y) => x * y, 1);
  if (n === 0) return parameter(new Float32Array(0), shape);
  const bound = kaimingStd(shape, a, 'fan_in', 'leaky_relu') * Math.sqrt(3.0);
  return parameter(uniform(n, -bound, bound), shape);
}

/** @internal A new parameter drawn as `init.uniform_(b, -bound, bound)`; zeros where PyTorch leaves it unset (`null`). */
export function uniformParameter(shape: readonly number[], bound: number | null): Variable {
  const n = shape.reduce((x, y) => x * y, 1);
  return parameter(bound === null ? new Float32Array(n) : uniform(n, -bound, bound), shape);
}

// ---- nn.init ----

/** The Variable an init function fills, or the error Python's `tensor.method_(...)` gives for a non-tensor. */
function filled(tensor: unknown, method: string): Variable {
  if (!isTensor(tensor)) throw new AttributeError(`'${pyTypeName(tensor)}' object has no attribute '${method}'`);
  if (!isVariable(tensor)) throw new TypeError(`nn.init fills a parameter in place: pass a tf.Variable (a Parameter), not a Tensor (tfjs tensors are immutable)`);
  return tensor;
}

/** Writes `values` into `v`, as PyTorch's in-place fill does, and returns `v`. */
function write(v: Variable, values: Float32Array): Variable {
  const t = fromFlat(values, v.shape);
  assign(v, t);
  t.dispose();
  return v;
}

const numel = (t: Tensor): number => t.size;

const UniformSig = signature('uniform_', [req('tensor', any<Variable | null>('Tensor')), opt('a', any<number>('float'), 0), opt('b', any<number>('float'), 1)]);

/**
 * `uniform_(tensor, a=0.0, b=1.0)`: fills with U(a, b), the float32 values `tensor.uniform_(a, b)`
 * draws.
 *
 * @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.uniform_
 */
export function uniform_(...args: ArgsOf<typeof UniformSig>): Variable {
  const { tensor, a, b } = UniformSig.bind(args);
  const v = filled(tensor, 'uniform_');
  return write(v, uniform(numel(v), a, b));
}

const NormalSig = signature('normal_', [req('tensor', any<Variable | null>('Tensor')), opt('mean', any<number>('float'), 0), opt('std', any<number>('float'), 1)]);

/**
 * `normal_(tensor, mean=0.0, std=1.0)`: fills with N(mean, std²), as `tensor.normal_` draws it
 * (float32 Box–Muller for 16 or more values, double precision with a cached second sample below).
 *
 * @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.normal_
 */
export function normal_(...args: ArgsOf<typeof NormalSig>): Variable {
  const { tensor, mean, std } = NormalSig.bind(args);
  const v = filled(tensor, 'normal_');
  return write(v, normal(numel(v), mean, std));
}

const TruncNormalSig = signature('trunc_normal_', [
  req('tensor', any<Variable | null>('Tensor')),
  opt('mean', any<number>('float'), 0),
  opt('std', any<number>('float'), 1),
  opt('a', any<number>('float'), -2),
  opt('b', any<number>('float'), 2),
]);

/**
 * `trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0)`: N(mean, std²) truncated to [a, b],
 * by PyTorch's method: uniform values in `[2Φ(α)−1, 2Φ(β)−1]` (α, β the standardised bounds),
 * then ATen's float `erfinv`, `·std·√2 + mean` in float32, clamped to [a, b].
 *
 * @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.trunc_normal_
 */
export function trunc_normal_(...args: ArgsOf<typeof TruncNormalSig>): Variable {
  const { tensor, mean, std, a, b } = TruncNormalSig.bind(args);
  if (std === 0) throw new ZeroDivisionError('float division by zero');
  const normCdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
  const [l, u] = [normCdf((a - mean) / std), normCdf((b - mean) / std)];
  const v = filled(tensor, 'uniform_');
  const values = uniform(numel(v), 2 * l - 1, 2 * u - 1);
  const [scale, shift, lo, hi] = [f(std * Math.SQRT2), f(mean), f(a), f(b)];
  for (let i = 0; i < values.length; i++) values[i] = Math.min(Math.max(f(f(erfinvf(values[i]) * scale) + shift), lo), hi);
  return write(v, values);
}

const ConstantSig = signature('constant_', [req('tensor', any<Variable | null>('Tensor')), req('val', any<number>('float'))]);

/** `constant_(tensor, val)`: every element `val`. @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.constant_ */
export function constant_(...args: ArgsOf<typeof ConstantSig>): Variable {
  const { tensor, val } = ConstantSig.bind(args);
  const v = filled(tensor, 'fill_');
  return write(v, new Float32Array(numel(v)).fill(Number(val)));
}

const OnesSig = signature('ones_', [req('tensor', any<Variable | null>('Tensor'))]);

/** `ones_(tensor)`. @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.ones_ */
export function ones_(...args: ArgsOf<typeof OnesSig>): Variable {
  const v = filled(OnesSig.bind(args).tensor, 'fill_');
  return write(v, new Float32Array(numel(v)).fill(1));
}

const ZerosSig = signature('zeros_', [req('tensor', any<Variable | null>('Tensor'))]);

/** `zeros_(tensor)`. @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.zeros_ */
export function zeros_(...args: ArgsOf<typeof ZerosSig>): Variable {
  const v = filled(ZerosSig.bind(args).tensor, 'zero_');
  return write(v, new Float32Array(numel(v)));
}

const EyeSig = signature('eye_', [req('tensor', any<Variable | null>('Tensor'))]);

/** `eye_(tensor)`: a 2-D tensor's identity (ones on the main diagonal). @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.eye_ */
export function eye_(...args: ArgsOf<typeof EyeSig>): Variable {
  const v = filled(EyeSig.bind(args).tensor, 'ndimension');
  if (v.rank !== 2) throw new ValueError('Only tensors with 2 dimensions are supported');
  const [rows, cols] = v.shape;
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < Math.min(rows, cols); i++) values[i * cols + i] = 1;
  return write(v, values);
}

const DiracSig = signature('dirac_', [req('tensor', any<Variable | null>('Tensor')), opt('groups', any<number>('int'), 1)]);

/**
 * `dirac_(tensor, groups=1)`: a 3-, 4- or 5-D convolution weight that passes its input through,
 * each group's first `min(out/groups, in)` channels at the kernel's centre.
 *
 * @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.dirac_
 */
export function dirac_(...args: ArgsOf<typeof DiracSig>): Variable {
  const { tensor, groups } = DiracSig.bind(args);
  const v = filled(tensor, 'ndimension');
  if (v.rank < 3 || v.rank > 5) throw new ValueError('Only tensors with 3, 4, or 5 dimensions are supported');
  const shape = v.shape as number[];
  if (mod(shape[0], groups) !== 0) throw new ValueError('dim 0 must be divisible by groups');
  const perGroup = Math.floor(shape[0] / groups);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const centre = shape.slice(2).reduce((at, s, i) => at + Math.floor(s / 2) * strides[i + 2], 0);
  const values = new Float32Array(numel(v));
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < Math.min(perGroup, shape[1]); d++) values[(g * perGroup + d) * strides[0] + d * strides[1] + centre] = 1;
  }
  return write(v, values);
}

/**
 * `_calculate_fan_in_and_fan_out(tensor)`: `[in·receptive field, out·receptive field]` for a
 * weight `[out, in, *kernel]`.
 */
export function _calculate_fan_in_and_fan_out(tensor: Tensor): [number, number] {
  if (tensor.rank < 2) throw new ValueError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const shape = tensor.shape as number[];
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * receptive, shape[0] * receptive];
}

/** `std = gain·√(2 / (fan_in + fan_out))`, in Python's double steps. */
function xavierStd(v: Variable, gain: number): number {
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(v);
  if (fanIn + fanOut === 0) throw new ZeroDivisionError('float division by zero');
  return gain * Math.sqrt(2.0 / (fanIn + fanOut));
}

const XavierUniformSig = signature('xavier_uniform_', [req('tensor', any<Variable | null>('Tensor')), opt('gain', any<number>('float'), 1)]);

/**
 * `xavier_uniform_(tensor, gain=1.0)`: U(−a, a) with `a = gain·√(6 / (fan_in + fan_out))`.
 *
 * @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.xavier_uniform_
 */
export function xavier_uniform_(...args: ArgsOf<typeof XavierUniformSig>): Variable {
  const { tensor, gain } = XavierUniformSig.bind(args);
  const v = filled(tensor, 'dim');
  const a = Math.sqrt(3.0) * xavierStd(v, gain);
  return write(v, uniform(numel(v), -a, a));
}

const XavierNormalSig = signature('xavier_normal_', [req('tensor', any<Variable | null>('Tensor')), opt('gain', any<number>('float'), 1)]);

/**
 * `xavier_normal_(tensor, gain=1.0)`: N(0, std²) with `std = gain·√(2 / (fan_in + fan_out))`.
 *
 * @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.xavier_normal_
 */
export function xavier_normal_(...args: ArgsOf<typeof XavierNormalSig>): Variable {
  const { tensor, gain } = XavierNormalSig.bind(args);
  const v = filled(tensor, 'dim');
  return write(v, normal(numel(v), 0, xavierStd(v, gain)));
}

/** Python's `str()` of a value a message prints. */
const pyStr = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? 'True' : 'False') : v === null || v === undefined ? 'None' : typeof v === 'number' && !Number.isInteger(v) ? pyFloat(v) : String(v);

const LINEAR_FNS = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d'];

const GainSig = signature('calculate_gain', [req('nonlinearity', any<string>('str')), opt('param', any<number | null>('float'), null)]);

/**
 * `calculate_gain(nonlinearity, param=None)`: the recommended gain for a nonlinearity: 1 for
 * linear ones and sigmoid, 5/3 for tanh, √2 for relu, √(2/(1 + slope²)) for leaky_relu (slope
 * `param`, default 0.01), 3/4 for selu.
 *
 * @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.calculate_gain
 */
export function calculate_gain(...args: ArgsOf<typeof GainSig>): number {
  const { nonlinearity, param } = GainSig.bind(args);
  if (LINEAR_FNS.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu') {
    if (param !== null && typeof param !== 'number') throw new ValueError(`negative_slope ${pyStr(param)} not a valid number`);
    const slope = param ?? 0.01;
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new ValueError(`Unsupported nonlinearity ${pyStr(nonlinearity)}`);
}

/** `gain / √fan` for kaiming's `a`, `mode` and `nonlinearity`, with `_calculate_correct_fan`'s checks. */
function kaimingStd(shape: readonly number[], a: number, mode: string, nonlinearity: string): number {
  if (typeof mode !== 'string') throw new AttributeError(`'${pyTypeName(mode)}' object has no attribute 'lower'`);
  const m = mode.toLowerCase();
  if (m !== 'fan_in' && m !== 'fan_out') throw new ValueError(`Mode ${m} not supported, please use one of ['fan_in', 'fan_out']`);
  if (shape.length < 2) throw new ValueError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = shape.slice(2).reduce((x, y) => x * y, 1);
  const fan = (m === 'fan_in' ? shape[1] : shape[0]) * receptive;
  return calculate_gain(nonlinearity, a) / Math.sqrt(fan);
}

const kaimingSignature = (name: string) =>
  signature(name, [
    req('tensor', any<Variable | null>('Tensor')),
    opt('a', any<number>('float'), 0),
    opt('mode', any<'fan_in' | 'fan_out' | string>('str'), 'fan_in'),
    opt('nonlinearity', any<string>('str'), 'leaky_relu'),
  ]);
const KaimingUniformSig = kaimingSignature('kaiming_uniform_');
const KaimingNormalSig = kaimingSignature('kaiming_normal_');

/**
 * `kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu')`: U(−bound, bound)
 * with `bound = gain·√(3 / fan)`, `gain = calculate_gain(nonlinearity, a)` and `fan` the fan-in
 * or fan-out. A tensor with a zero dimension is left as it is, drawing nothing.
 *
 * @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.kaiming_uniform_
 */
export function kaiming_uniform_(...args: ArgsOf<typeof KaimingUniformSig>): Variable {
  const { tensor, a, mode, nonlinearity } = KaimingUniformSig.bind(args);
  const v = filled(tensor, 'shape');
  if (v.shape.includes(0)) return v;
  const bound = Math.sqrt(3.0) * kaimingStd(v.shape, a, mode, nonlinearity);
  return write(v, uniform(numel(v), -bound, bound));
}

/**
 * `kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu')`: N(0, std²) with
 * `std = gain/√fan` (see kaiming_uniform_).
 *
 * @see https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.kaiming_normal_
 */
export function kaiming_normal_(...args: ArgsOf<typeof KaimingNormalSig>): Variable {
  const { tensor, a, mode, nonlinearity } = KaimingNormalSig.bind(args);
  const v = filled(tensor, 'shape');
  if (v.shape.includes(0)) return v;
  return write(v, normal(numel(v), 0, kaimingStd(v.shape, a, mode, nonlinearity)));
}
