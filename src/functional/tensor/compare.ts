/**
 * `torch.*` comparisons: elementwise (`eq`, `lt`, ... and `isclose`, broadcast, bool results)
 * and whole-tensor (`allclose`, `equal`, a JavaScript boolean), with PyTorch 1.13's errors.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as ops from '../../backend/ops';
import { tidy, values } from '../../backend/tensor';
import { check } from '../../errors';
import { overloads, type OverloadArgs } from '../../python/overloads';
import { opt, req, signature, type ArgsOf } from '../../python/signature';
import { bool, float, out, scalar, tensor } from '../../python/types';
import { broadcastShapes, resultType, scalarTypeName, sizeStr, type Operand } from './util';

const native = { dialect: 'native' } as const;
export type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export function compareImpl(op: Comparison, input: Tensor, other: Operand): Tensor {
  broadcastShapes(input.shape, typeof other === 'object' ? other.shape : []);
  const dt = resultType(input, other);
  return tidy(() => ops.binary[op](ops.cast(input, dt), typeof other === 'object' ? ops.cast(other, dt) : ops.scalar(Number(other), dt)));
}

const comparisonSig = (name: Comparison) =>
  overloads(name, {
    tensor: [req('input', tensor), req('other', tensor), out],
    scalar: [req('input', tensor), req('other', scalar), out],
  });
export const COMPARISON_SIGS = { eq: comparisonSig('eq'), ne: comparisonSig('ne'), gt: comparisonSig('gt'), ge: comparisonSig('ge'), lt: comparisonSig('lt'), le: comparisonSig('le') };

const comparison = (name: Comparison) => (...args: OverloadArgs<(typeof COMPARISON_SIGS)[Comparison]>): Tensor => {
  const { input, other } = COMPARISON_SIGS[name].bind(args);
  return compareImpl(name, input, other);
};

/** `torch.eq(input, other)`: `input == other` elementwise. @see https://pytorch.org/docs/1.13/generated/torch.eq.html */
export const eq = comparison('eq');
/** `torch.ne(input, other)`: `input != other`. @see https://pytorch.org/docs/1.13/generated/torch.ne.html */
export const ne = comparison('ne');
/** `torch.gt(input, other)`: `input > other`. @see https://pytorch.org/docs/1.13/generated/torch.gt.html */
export const gt = comparison('gt');
/** `torch.ge(input, other)`: `input >= other`. @see https://pytorch.org/docs/1.13/generated/torch.ge.html */
export const ge = comparison('ge');
/** `torch.lt(input, other)`: `input < other`. @see https://pytorch.org/docs/1.13/generated/torch.lt.html */
export const lt = comparison('lt');
/** `torch.le(input, other)`: `input <= other`. @see https://pytorch.org/docs/1.13/generated/torch.le.html */
export const le = comparison('le');

const closeParams = [req('input', tensor), req('other', tensor), opt('rtol', float, 1e-5), opt('atol', float, 1e-8), opt('equal_nan', bool, false)] as const;
export const IscloseSig = signature('isclose', closeParams, native);
export const AllcloseSig = signature('allclose', closeParams, native);

/** How C++ streams print a double in ATen's messages (6 significant digits). */
const cppDouble = (x: number) => String(Number(x.toPrecision(6)));

/** ATen's isclose: `|a - b| <= atol + |rtol * b|` in the tensors' dtype, plus exact equality. */
export function iscloseImpl(input: Tensor, other: Tensor, rtol: number, atol: number, equalNan: boolean): Tensor {
  check(input.dtype === other.dtype, () => `${scalarTypeName(input.dtype)} did not match ${scalarTypeName(other.dtype)}`);
  check(rtol >= 0, () => `rtol must be greater than or equal to zero, but got ${cppDouble(rtol)}`);
  check(atol >= 0, () => `atol must be greater than or equal to zero, but got ${cppDouble(atol)}`);
  broadcastShapes(input.shape, other.shape);
  return tidy(() => {
    let close = ops.binary.eq(input, other);
    if (equalNan) close = ops.binary.or(close, ops.binary.and(ops.unary.isNaN(input), ops.unary.isNaN(other)));
    if (rtol === 0 && atol === 0) return close;
    const [a, b] = [ops.cast(input, 'float32'), ops.cast(other, 'float32')];
    const allowed = ops.binary.add(ops.scalar(atol, 'float32'), ops.unary.abs(ops.binary.mul(ops.scalar(rtol, 'float32'), b)));
    const actual = ops.unary.abs(ops.binary.sub(a, b));
    return ops.binary.or(close, ops.binary.and(ops.unary.isFinite(actual), ops.binary.le(actual, allowed)));
  });
}

/**
 * `torch.isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False)`.
 * @see https://pytorch.org/docs/1.13/generated/torch.isclose.html
 */
export function isclose(...args: ArgsOf<typeof IscloseSig>): Tensor {
  const { input, other, rtol, atol, equal_nan } = IscloseSig.bind(args);
  return iscloseImpl(input, other, rtol, atol, equal_nan);
}

export function allcloseImpl(input: Tensor, other: Tensor, rtol: number, atol: number, equalNan: boolean): boolean {
  const close = iscloseImpl(input, other, rtol, atol, equalNan);
  const result = Array.from(values(close)).every((v) => v !== 0);
  close.dispose();
  return result;
}

/**
 * `torch.allclose(...)`: whether `isclose` holds everywhere (a JavaScript boolean).
 * @see https://pytorch.org/docs/1.13/generated/torch.allclose.html
 */
export function allclose(...args: ArgsOf<typeof AllcloseSig>): boolean {
  const { input, other, rtol, atol, equal_nan } = AllcloseSig.bind(args);
  return allcloseImpl(input, other, rtol, atol, equal_nan);
}

export const EqualSig = signature('equal', [req('input', tensor), req('other', tensor)], native);

export function equalImpl(input: Tensor, other: Tensor): boolean {
  if (sizeStr(input.shape) !== sizeStr(other.shape)) return false;
  const same = compareImpl('eq', input, other);
  const result = Array.from(values(same)).every((v) => v !== 0);
  same.dispose();
  return result;
}

/**
 * `torch.equal(input, other)`: the same size and the same values (a JavaScript boolean).
 * @see https://pytorch.org/docs/1.13/generated/torch.equal.html
 */
export function equal(...args: ArgsOf<typeof EqualSig>): boolean {
  const { input, other } = EqualSig.bind(args);
  return equalImpl(input, other);
}
