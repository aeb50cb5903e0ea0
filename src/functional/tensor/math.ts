/**
 * `torch.*` elementwise math, matrix products and softmax, with PyTorch 1.13's broadcasting, type
 * promotion (a Python number may stand for a tensor where PyTorch allows it) and errors.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { guardAllocations, torchDType } from '../../backend/guard';
import * as ops from '../../backend/ops';
import { fromFlat, tidy, values, type LoadedDType } from '../../backend/tensor';
import { check } from '../../errors';
import { hidden, methodOf, named, overloads, type OverloadArgs } from '../../python/overloads';
import { kwonly, opt, pyType, req, signature, type ArgsOf } from '../../python/signature';
import { dimname, dtype, int, orNone, out, scalar, tensor, tensorOrScalar } from '../../python/types';
import { broadcastShapes, dtypeOf, isFloating, numel, resultType, scalarTypeName, wrapDim, type Operand } from './util';

const native = { dialect: 'native' } as const;
const shapeOf = (x: Operand): number[] => (typeof x === 'object' ? x.shape : []);

/** `x` as a tensor of `dtype` (a Python number becomes a 0-dim one). */
const asTensor = (x: Operand, dt: LoadedDType): Tensor => (typeof x === 'object' ? ops.cast(x, dt) : ops.scalar(Number(x), dt));

/**
 * A broadcasting binary operation computed in `dtype`; bool results are computed on ints and
 * cast back (tfjs has no bool arithmetic), so `True + True` is `True` as in PyTorch.
 */
function binaryOp(op: keyof typeof ops.binary, a: Operand, b: Operand, dt: LoadedDType = resultType(a, b)): Tensor {
  broadcastShapes(shapeOf(a), shapeOf(b));
  const work = dt === 'bool' ? 'int32' : dt;
  return tidy(() => {
    const y = ops.binary[op](asTensor(a, work), asTensor(b, work));
    return y.dtype === dt ? y : ops.cast(y, dt);
  });
}

// ---- add, sub, mul, div ----

const ADD_PARAMS = [req('input', tensorOrScalar), req('other', tensorOrScalar), kwonly('alpha', scalar, 1), out] as const;
const DEPRECATED_ADD = [req('input', tensor), req('alpha', scalar), req('other', tensor), out] as const;
export const AddSig = overloads('add', { tensor: ADD_PARAMS, deprecated: hidden(DEPRECATED_ADD) });
export const SubSig = overloads('sub', { tensor: ADD_PARAMS, deprecated: hidden(DEPRECATED_ADD) });

/** `input + alpha * other`, with ATen's `alpha_check`. */
export function addImpl(input: Operand, other: Operand, alpha: number | boolean): Tensor {
  const dt = resultType(input, other);
  check(typeof alpha !== 'boolean' || dt === 'bool', () => 'Boolean alpha only supported for Boolean results.');
  check(isFloating(dt) || Number.isInteger(Number(alpha)), () => 'For integral input tensors, argument alpha must not be a floating point number.');
  if (Number(alpha) === 1) return binaryOp('add', input, other, dt);
  return tidy(() => binaryOp('add', input, binaryOp('mul', other, Number(alpha), dt), dt));
}

/** `input - alpha * other`, refusing bool operands as ATen's `sub_check` does. */
export function subImpl(input: Operand, other: Operand, alpha: number | boolean): Tensor {
  const [a, b] = [dtypeOf(input), dtypeOf(other)];
  check(a !== 'bool' || b !== 'bool', () => 'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
  check(
    a !== 'bool' && b !== 'bool',
    () => 'Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
  );
  return addImpl(input, other, typeof alpha === 'boolean' ? alpha : -alpha);
}

/**
 * `torch.add(input, other, *, alpha=1)`: `input + alpha * other`, broadcast, with PyTorch's
 * type promotion (a Python number may be either operand).
 * @see https://pytorch.org/docs/1.13/generated/torch.add.html
 */
export function add(...args: OverloadArgs<typeof AddSig>): Tensor {
  const { input, other, alpha } = AddSig.bind(args);
  return addImpl(input, other, alpha);
}

/**
 * `torch.sub(input, other, *, alpha=1)`: `input - alpha * other`.
 * @see https://pytorch.org/docs/1.13/generated/torch.sub.html
 */
export function sub(...args: OverloadArgs<typeof SubSig>): Tensor {
  const { input, other, alpha } = SubSig.bind(args);
  return subImpl(input, other, alpha);
}

export const MulSig = signature('mul', [req('input', tensorOrScalar), req('other', tensorOrScalar), out], native);

export const mulImpl = (input: Operand, other: Operand): Tensor => binaryOp('mul', input, other);

/**
 * `torch.mul(input, other)`: elementwise product (logical and on bools).
 * @see https://pytorch.org/docs/1.13/generated/torch.mul.html
 */
export function mul(...args: ArgsOf<typeof MulSig>): Tensor {
  const { input, other } = MulSig.bind(args);
  return mulImpl(input, other);
}

const roundingMode = pyType<'trunc' | 'floor'>('str', (v) => typeof v === 'string');
export const DivSig = overloads('div', {
  tensor: [req('input', tensorOrScalar), req('other', tensorOrScalar), out],
  rounding: [req('input', tensorOrScalar), req('other', tensorOrScalar), kwonly('rounding_mode', orNone(roundingMode)), out],
  scalar: [req('input', tensor), req('other', scalar), kwonly('rounding_mode', orNone(roundingMode))],
});

/** True division (float), or PyTorch's `trunc` / `floor` rounding, which keep integer dtypes. */
export function divImpl(input: Operand, other: Operand, mode: string | null): Tensor {
  check(mode === null || mode === 'trunc' || mode === 'floor', () => `div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${mode}'`);
  const dt = resultType(input, other);
  if (mode === null) return binaryOp('div', input, other, isFloating(dt) ? dt : 'float32');
  if (!isFloating(dt)) {
    const zero = typeof other === 'object' ? Array.from(values(other)).includes(0) : Number(other) === 0;
    check(!zero, () => 'ZeroDivisionError');
  }
  return tidy(() => (mode === 'floor' ? binaryOp('floorDiv', input, other, dt) : truncDiv(input, other, dt)));
}
/** `trunc(a / b)`: the floor quotient moved toward zero where the signs differ and it is inexact. */
function truncDiv(a: Operand, b: Operand, dt: LoadedDType): Tensor {
  if (isFloating(dt)) {
    const q = binaryOp('div', a, b, dt);
    return ops.where(ops.binary.lt(q, ops.scalar(0, dt)), ops.unary.ceil(q), ops.unary.floor(q));
  }
  const [x, y] = [asTensor(a, dt), asTensor(b, dt)];
  const q = ops.binary.floorDiv(ops.unary.abs(x), ops.unary.abs(y));
  return ops.binary.mul(q, ops.binary.mul(ops.unary.sign(x), ops.unary.sign(y)));
}

/**
 * `torch.div(input, other, *, rounding_mode=None)`: true division, or `'trunc'`/`'floor'`.
 * @see https://pytorch.org/docs/1.13/generated/torch.div.html
 */
export function div(...args: OverloadArgs<typeof DivSig>): Tensor {
  const b = DivSig.bind(args);
  return divImpl(b.input, b.other, b.overload === 'tensor' ? null : b.rounding_mode);
}

// ---- pow and unary functions ----

export const PowSig = overloads('pow', {
  tensor: [req('input', tensor), req('exponent', tensor), out],
  base: [req('self', scalar), req('exponent', tensor), out],
  scalar: [req('input', tensor), req('exponent', scalar), out],
});

export function powImpl(base: Operand, exponent: Operand): Tensor {
  const dt = resultType(base, exponent);
  check(
    !(typeof exponent !== 'object' && typeof base === 'object' && !isFloating(base.dtype) && Number.isInteger(Number(exponent)) && Number(exponent) < 0),
    () => 'Integers to negative integer powers are not allowed.',
  );
  return binaryOp('pow', base, exponent, dt);
}

/**
 * `torch.pow(input, exponent)`: either may be a Python number.
 * @see https://pytorch.org/docs/1.13/generated/torch.pow.html
 */
export function pow(...args: OverloadArgs<typeof PowSig>): Tensor {
  const b = PowSig.bind(args);
  return powImpl(b.overload === 'base' ? b.self : b.input, b.exponent);
}

type UnaryName = 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'sigmoid' | 'tanh' | 'relu';
/** Ops whose integer and bool inputs give a float result, as PyTorch's floating-point functions do. */
const TO_FLOAT: readonly UnaryName[] = ['exp', 'log', 'sqrt', 'rsqrt', 'sigmoid', 'tanh'];

export function unaryImpl(name: UnaryName, input: Tensor): Tensor {
  check(
    !(name === 'neg' && input.dtype === 'bool'),
    () => 'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
  );
  const dt = TO_FLOAT.includes(name) ? 'float32' : (input.dtype as LoadedDType);
  return tidy(() => ops.unary[name](ops.cast(input, dt)));
}

const unary = (name: Exclude<UnaryName, 'relu'>) => {
  const sig = signature(name, [req('input', tensor), out], native);
  return (...args: ArgsOf<typeof sig>): Tensor => unaryImpl(name, sig.bind(args).input);
};
const ReluSig = signature('relu', [req('input', tensor)], native);

/** `torch.neg(input)`. @see https://pytorch.org/docs/1.13/generated/torch.neg.html */
export const neg = unary('neg');
/** `torch.abs(input)`. @see https://pytorch.org/docs/1.13/generated/torch.abs.html */
export const abs = unary('abs');
/** `torch.exp(input)`. @see https://pytorch.org/docs/1.13/generated/torch.exp.html */
export const exp = unary('exp');
/** `torch.log(input)`. @see https://pytorch.org/docs/1.13/generated/torch.log.html */
export const log = unary('log');
/** `torch.sqrt(input)`. @see https://pytorch.org/docs/1.13/generated/torch.sqrt.html */
export const sqrt = unary('sqrt');
/** `torch.rsqrt(input)`: `1 / sqrt(x)`. @see https://pytorch.org/docs/1.13/generated/torch.rsqrt.html */
export const rsqrt = unary('rsqrt');
/** `torch.sigmoid(input)`. @see https://pytorch.org/docs/1.13/generated/torch.sigmoid.html */
export const sigmoid = unary('sigmoid');
/** `torch.tanh(input)`. @see https://pytorch.org/docs/1.13/generated/torch.tanh.html */
export const tanh = unary('tanh');
/** `torch.relu(input)`. @see https://pytorch.org/docs/1.13/generated/torch.relu.html */
export function relu(...args: ArgsOf<typeof ReluSig>): Tensor {
  return unaryImpl('relu', ReluSig.bind(args).input);
}

// ---- clamp, maximum, minimum, where ----

const clampEntries = {
  tensor: [req('input', tensor), opt('min', orNone(tensor), null), opt('max', orNone(tensor), null), out],
  scalar: [req('input', tensor), opt('min', orNone(scalar), null), opt('max', orNone(scalar), null), out],
} as const;
export const ClampSig = overloads('clamp', clampEntries);
export const ClipSig = overloads('clip', clampEntries);

export function clampImpl(input: Tensor, min: Operand | null, max: Operand | null): Tensor {
  check(min !== null || max !== null, () => "torch.clamp: At least one of 'min' or 'max' must not be None");
  const dt = resultType(input, ...[min, max].filter((v): v is Operand => v !== null));
  return tidy(() => {
    const low = min === null ? ops.cast(input, dt) : binaryOp('maximum', input, min, dt);
    return max === null ? low : binaryOp('minimum', low, max, dt);
  });
}

/**
 * `torch.clamp(input, min=None, max=None)`: `min(max(x, min), max)` (so `max` wins when
 * `min > max`); the bounds are numbers or broadcasting tensors.
 * @see https://pytorch.org/docs/1.13/generated/torch.clamp.html
 */
export function clamp(...args: OverloadArgs<typeof ClampSig>): Tensor {
  const { input, min, max } = ClampSig.bind(args);
  return clampImpl(input, min, max);
}

/**
 * `torch.clip`: an alias of {@link clamp}.
 * @see https://pytorch.org/docs/1.13/generated/torch.clip.html
 */
export function clip(...args: OverloadArgs<typeof ClipSig>): Tensor {
  const { input, min, max } = ClipSig.bind(args);
  return clampImpl(input, min, max);
}

export const MaximumSig = signature('maximum', [req('input', tensor), req('other', tensor), out], native);
export const MinimumSig = signature('minimum', [req('input', tensor), req('other', tensor), out], native);
export const maximumImpl = (a: Tensor, b: Tensor): Tensor => binaryOp('maximum', a, b);
export const minimumImpl = (a: Tensor, b: Tensor): Tensor => binaryOp('minimum', a, b);

/** `torch.maximum(input, other)`. @see https://pytorch.org/docs/1.13/generated/torch.maximum.html */
export function maximum(...args: ArgsOf<typeof MaximumSig>): Tensor {
  const { input, other } = MaximumSig.bind(args);
  return maximumImpl(input, other);
}

/** `torch.minimum(input, other)`. @see https://pytorch.org/docs/1.13/generated/torch.minimum.html */
export function minimum(...args: ArgsOf<typeof MinimumSig>): Tensor {
  const { input, other } = MinimumSig.bind(args);
  return minimumImpl(input, other);
}

export const WhereSig = overloads('where', {
  nonzero: [req('condition', tensor)],
  tensors: [req('condition', tensor), req('input', tensor), req('other', tensor), out],
  self: [req('condition', tensor), req('self', scalar), req('other', tensor)],
  other: [req('condition', tensor), req('input', tensor), req('other', scalar)],
  scalars: [req('condition', tensor), req('self', scalar), req('other', scalar)],
});

export function whereImpl(condition: Tensor, input: Operand, other: Operand): Tensor {
  check(condition.dtype === 'bool', () => `where expected condition to be a boolean tensor, but got a tensor with dtype ${scalarTypeName(condition.dtype)}`);
  const shape = broadcastShapes(broadcastShapes(condition.shape, shapeOf(input)), shapeOf(other));
  const dt = resultType(input, other);
  // The output first, as PyTorch's refusal names it; then the operands, which tfjs needs broadcast.
  const out = { shape, dtype: torchDType(dt) };
  guardAllocations([out, { shape, dtype: 'bool' }, out, out]);
  return tidy(() => ops.where(ops.broadcastTo(condition, shape), ops.broadcastTo(asTensor(input, dt), shape), ops.broadcastTo(asTensor(other, dt), shape)));
}

/** `torch.where(condition)`: the indices of the true elements, one int tensor per dimension. */
export function nonzeroImpl(condition: Tensor): Tensor[] {
  const flags = values(condition);
  const strides = condition.shape.map((_, d) => numel(condition.shape.slice(d + 1)));
  const hits = [...flags.keys()].filter((i) => flags[i] !== 0);
  return strides.map((s, d) => fromFlat(Int32Array.from(hits, (i) => Math.floor(i / s) % condition.shape[d]), [hits.length], 'int32'));
}

/**
 * `torch.where(condition, input, other)`: `input` where `condition` holds, else `other`
 * (either may be a number); `torch.where(condition)` lists the indices where it holds.
 * @see https://pytorch.org/docs/1.13/generated/torch.where.html
 */
export function where(...args: OverloadArgs<typeof WhereSig, 'nonzero'>): Tensor[];
export function where(...args: OverloadArgs<typeof WhereSig, 'tensors' | 'self' | 'other' | 'scalars'>): Tensor;
export function where(...args: OverloadArgs<typeof WhereSig>): Tensor | Tensor[] {
  const b = WhereSig.bind(args);
  if (b.overload === 'nonzero') return nonzeroImpl(b.condition);
  return whereImpl(b.condition, 'input' in b ? b.input : b.self, b.other);
}

// ---- matrix products ----

const mmShapes = (a: readonly number[], b: readonly number[]) =>
  `mat1 and mat2 shapes cannot be multiplied (${a[0]}x${a[1]} and ${b[0]}x${b[1]})`;
const sameDtype = (a: Tensor, b: Tensor) =>
  check(a.dtype === b.dtype, () => `expected scalar type ${scalarTypeName(a.dtype)} but found ${scalarTypeName(b.dtype)}`);

export function mmImpl(input: Tensor, mat2: Tensor): Tensor {
  check(input.rank === 2, () => 'self must be a matrix');
  check(mat2.rank === 2, () => 'mat2 must be a matrix');
  check(input.shape[1] === mat2.shape[0], () => mmShapes(input.shape, mat2.shape));
  sameDtype(input, mat2);
  return tidy(() => ops.matmul(input, mat2));
}

export function bmmImpl(input: Tensor, mat2: Tensor): Tensor {
  check(input.rank === 3, () => 'batch1 must be a 3D tensor');
  check(mat2.rank === 3, () => 'batch2 must be a 3D tensor');
  const [b, , k] = input.shape;
  check(
    mat2.shape[0] === b && mat2.shape[1] === k,
    () => `Expected size for first two dimensions of batch2 tensor to be: [${b}, ${k}] but got: [${mat2.shape[0]}, ${mat2.shape[1]}].`,
  );
  sameDtype(input, mat2);
  return tidy(() => ops.matmul(input, mat2));
}

/** ATen's matmul: dot, matrix-vector, matrix and batched products, with each path's errors. */
export function matmulImpl(a: Tensor, b: Tensor): Tensor {
  check(a.rank > 0 && b.rank > 0, () => `both arguments to matmul need to be at least 1D, but they are ${a.rank}D and ${b.rank}D`);
  if (a.rank === 1 && b.rank === 1) {
    check(
      a.size === b.size,
      () => `inconsistent tensor size, expected tensor [${a.size}] and src [${b.size}] to have the same number of elements, but got ${a.size} and ${b.size} elements respectively`,
    );
    sameDtype(a, b);
    return tidy(() => ops.reshape(ops.matmul(ops.reshape(a, [1, a.size]), ops.reshape(b, [b.size, 1])), []));
  }
  if (a.rank === 2 && b.rank === 1) {
    check(a.shape[1] === b.size, () => `size mismatch, got ${a.shape[0]}, ${a.shape[0]}x${a.shape[1]},${b.size}`);
    sameDtype(a, b);
    return tidy(() => ops.reshape(ops.matmul(a, ops.reshape(b, [b.size, 1])), [a.shape[0]]));
  }
  if (a.rank <= 2 && b.rank === 2) {
    const a2 = a.rank === 1 ? [1, a.size] : a.shape;
    check(a2[1] === b.shape[0], () => mmShapes(a2, b.shape));
    sameDtype(a, b);
    return tidy(() => {
      const y = ops.matmul(ops.reshape(a, a2), b);
      return a.rank === 1 ? ops.reshape(y, [b.shape[b.rank - 1]]) : y;
    });
  }
  if (a.rank >= 3 && b.rank <= 2) {
    const rows = numel(a.shape.slice(0, -1));
    const b2 = b.rank === 1 ? [b.size, 1] : b.shape;
    check(a.shape[a.rank - 1] === b2[0], () => mmShapes([rows, a.shape[a.rank - 1]], b2));
    sameDtype(a, b);
    const outShape = [...a.shape.slice(0, -1), ...(b.rank === 2 ? [b.shape[b.rank - 1]] : [])];
    return tidy(() => ops.reshape(ops.matmul(ops.reshape(a, [rows, a.shape[a.rank - 1]]), ops.reshape(b, b2)), outShape));
  }
  const [n, m1] = a.rank > 1 ? [a.shape[a.rank - 2], a.shape[a.rank - 1]] : [1, a.size];
  const [m2, p] = b.rank > 1 ? [b.shape[b.rank - 2], b.shape[b.rank - 1]] : [b.size, 1];
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const count = numel(batch);
  check(m1 === m2, () => `Expected size for first two dimensions of batch2 tensor to be: [${count}, ${m1}] but got: [${count}, ${m2}].`);
  sameDtype(a, b);
  const outShape = [...batch, ...(a.rank > 1 ? [n] : []), ...(b.rank > 1 ? [p] : [])];
  // PyTorch's operands are expanded views; ours are copies, guarded after the output that its refusal names.
  const dt = torchDType(a.dtype);
  guardAllocations([{ shape: outShape, dtype: dt }, { shape: [...batch, n, m1], dtype: dt }, { shape: [...batch, m2, p], dtype: dt }]);
  return tidy(() => {
    const x = ops.broadcastTo(ops.reshape(a, [...a.shape.slice(0, -2), n, m1]), [...batch, n, m1]);
    const y = ops.broadcastTo(ops.reshape(b, [...b.shape.slice(0, -2), m2, p]), [...batch, m2, p]);
    return ops.reshape(ops.matmul(x, y), outShape);
  });
}

export const MatmulSig = signature('matmul', [req('input', tensor), req('other', tensor), out], native);
export const MmSig = signature('mm', [req('input', tensor), req('mat2', tensor), out], native);
export const BmmSig = signature('bmm', [req('input', tensor), req('mat2', tensor), out], native);

/**
 * `torch.matmul(input, other)`: dot, matrix-vector, matrix or batched (broadcast) product.
 * @see https://pytorch.org/docs/1.13/generated/torch.matmul.html
 */
export function matmul(...args: ArgsOf<typeof MatmulSig>): Tensor {
  const { input, other } = MatmulSig.bind(args);
  return matmulImpl(input, other);
}

/** `torch.mm(input, mat2)`: the product of two matrices. @see https://pytorch.org/docs/1.13/generated/torch.mm.html */
export function mm(...args: ArgsOf<typeof MmSig>): Tensor {
  const { input, mat2 } = MmSig.bind(args);
  return mmImpl(input, mat2);
}

/** `torch.bmm(input, mat2)`: batched matrix products of 3-D tensors. @see https://pytorch.org/docs/1.13/generated/torch.bmm.html */
export function bmm(...args: ArgsOf<typeof BmmSig>): Tensor {
  const { input, mat2 } = BmmSig.bind(args);
  return bmmImpl(input, mat2);
}

// ---- softmax ----

const softmaxEntries = {
    dim: [req('input', tensor), req('dim', int), opt('dtype', orNone(dtype), null), out],
    name: named([req('input', tensor), req('dim', dimname), kwonly('dtype', orNone(dtype), null)], 'dim'),
} as const;
export const SoftmaxSig = overloads('softmax', softmaxEntries);
export const LogSoftmaxSig = overloads('log_softmax', softmaxEntries);

export function softmaxImpl(log: boolean, input: Tensor, dim: number, dt: LoadedDType | null): Tensor {
  const d = wrapDim(dim, input.rank);
  const kind = d === Math.max(input.rank - 1, 0) ? 'lastdim_' : '';
  check(
    dt !== null || isFloating(input.dtype),
    () => `"${log ? 'log_' : ''}softmax_${kind}kernel_impl" not implemented for '${scalarTypeName(input.dtype)}'`,
  );
  return tidy(() => (log ? ops.logSoftmax : ops.softmax)(ops.cast(input, dt ?? 'float32'), d));
}

/**
 * `torch.softmax(input, dim, dtype=None)`: `exp(x) / sum(exp(x))` along `dim`.
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.softmax.html
 */
export function softmax(...args: OverloadArgs<typeof SoftmaxSig>): Tensor {
  const { input, dim, dtype: dt } = SoftmaxSig.bind(args);
  return softmaxImpl(false, input, dim, dt);
}

/**
 * `torch.log_softmax(input, dim, dtype=None)`.
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.log_softmax.html
 */
export function log_softmax(...args: OverloadArgs<typeof LogSoftmaxSig>): Tensor {
  const { input, dim, dtype: dt } = LogSoftmaxSig.bind(args);
  return softmaxImpl(true, input, dim, dt);
}

/** `x.softmax(dim, dtype=None)` and `x.log_softmax(...)`, which `F.softmax` calls. */
export const SoftmaxMethod = methodOf(SoftmaxSig);
export const LogSoftmaxMethod = methodOf(LogSoftmaxSig);
