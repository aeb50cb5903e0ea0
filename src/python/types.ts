import type { Tensor } from '@tensorflow/tfjs-core';
import type { LoadedDType } from '../backend/tensor';
import { kwonly, pyType, type PyType } from './signature';
import { pyTypeName } from './values';

/**
 * The parameter types signatures are declared with, named as PyTorch's argument parser prints
 * them. `accepts` is what the parser checks for native functions (`FunctionParameter::check`);
 * functions written in Python check nothing at binding time (their bodies raise what Python
 * raises).
 */
const isInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);
/** `THPUtils_checkScalar`: a Python bool is an int, so it is a number too. */
const isScalar = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
const isTensorLike = (v: unknown): boolean => typeof v === 'object' && v !== null && 'dataId' in v && 'shape' in v;

export const int = pyType<number>('int', isInt);
export const float = pyType<number>('float', isScalar);
export const bool = pyType<boolean>('bool', (v) => typeof v === 'boolean');
export const str = pyType<string>('str', (v) => typeof v === 'string');
export const tensor = pyType<Tensor>('Tensor', isTensorLike);
export const optionalTensor = pyType<Tensor | null>('Tensor', (v) => v === null || isTensorLike(v));
/** A Python number (`Scalar`, printed "Number"). */
export const scalar = pyType<number | boolean>('Number', isScalar);
/** `Tensor other` of add, sub, mul and div, where PyTorch lets a Python number stand for a tensor. */
export const tensorOrScalar = pyType<Tensor | number | boolean>('Tensor', (v) => isTensorLike(v) || isScalar(v));
/** An int or a sequence of ints (`_pair`, `IntArrayRef`). */
export const intOrTuple = pyType<number | readonly number[]>('tuple of ints', (v) => isInt(v) || (Array.isArray(v) && v.every(isInt)));
export const optionalFloat = pyType<number | null>('float', (v) => v === null || isScalar(v));

/** Sequence elements are unpacked with `__index__`, which a bool has: `zeros(2, True)` is `zeros(2, 1)`. */
const badElement = (v: unknown): string | null => {
  if (!Array.isArray(v)) return null;
  const i = v.findIndex((e) => !isInt(e) && typeof e !== 'boolean');
  return i < 0 ? null : `found element of type ${pyTypeName(v[i])} at pos ${i + 1}`;
};
const asInts = (v: unknown): unknown => (Array.isArray(v) ? v.map(Number) : v);
/** A sequence is taken when its first element is an int (not a bool); `size` > 0 also takes a bare int. */
const acceptsIntList = (size: number) => (v: unknown) => (Array.isArray(v) ? v.length === 0 || isInt(v[0]) : size > 0 && isInt(v));

type IntListType<T> = PyType<T> & { readonly varargs: true };
const intListType = <T>(name: string, size: number): IntListType<T> => ({
  ...pyType<T>(name, acceptsIntList(size), badElement),
  unpack: asInts,
  varargs: true,
});
/** PyTorch's `int[]` (`IntArrayRef`, "tuple of ints"). */
export const intList = intListType<readonly number[]>('tuple of ints', 0);
/** `int[1]`: also a bare int (`sum(x, 1)`). */
export const intListOrInt = intListType<number | readonly number[]>('tuple of ints', 1);
/** `SymInt[]`, which 1.13 prints as "tuple of SymInts". */
export const symIntList = intListType<readonly number[]>('tuple of SymInts', 0);

/** `TensorList`: any element that is not a tensor is an error at once, whichever overload is tried. */
export const tensorList = pyType<readonly Tensor[]>('tuple of Tensors', (v, argnum) => {
  if (!Array.isArray(v)) return false;
  const bad = v.findIndex((e) => !isTensorLike(e));
  if (bad >= 0) throw new TypeError(`expected Tensor as element ${bad} in argument ${argnum}, but got ${pyTypeName(v[bad])}`);
  return true;
});

/** A dtype: `torch.float32` and the others are tfjs's dtype names (int64 is held as int32). */
export const dtype = pyType<LoadedDType>('torch.dtype', (v) => v === 'float32' || v === 'int32' || v === 'bool');
/** Dimension names (named tensors): declared for PyTorch's overload lists, never run. */
export const dimname = pyType<string | null>('name', (v) => v === null || typeof v === 'string');
const isDimnameList = (v: unknown) => Array.isArray(v) && (v.length === 0 || v[0] === null || typeof v[0] === 'string');
export const dimnameList = pyType<readonly (string | null)[]>('tuple of names', isDimnameList);
/** `Dimname[1]`: also a bare name. */
export const dimnameListOrName = pyType<string | null | readonly (string | null)[]>('tuple of names', (v) => isDimnameList(v) || v === null || typeof v === 'string');
/** The generator random functions draw from (`torch.Generator`). */
export const generator = pyType<object>('torch.Generator', (v) => typeof v === 'object' && v !== null && 'nextUint32' in v);
/** Factory options with one value here: accepted as PyTorch's defaults only. */
export const layout = pyType<null>('torch.layout', () => false);
export const memoryFormat = pyType<null>('torch.memory_format', () => false);
export const device = pyType<'cpu' | number>('torch.device', (v) => isInt(v) || typeof v === 'string');

/** `T?`: `None` is accepted too. */
export const orNone = <T>(type: PyType<T>): PyType<T | null> => ({ ...type, nullable: true });

/** The `out=` of functions; tfjs tensors are immutable, so only its default runs. */
export const out = kwonly('out', orNone(tensor), null);
/** `out=` of functions returning (values, indices). */
export const outs = kwonly('out', orNone(pyType<readonly Tensor[]>('tuple of Tensors', Array.isArray)), null);

/** A value Python code takes without checking its type at binding time. */
export const any = <T>(name: string) => pyType<T>(name);

/** `SymInt[2]` (adaptive pooling's output size): also a bare int, which stands for both. */
export const symIntPair = intListType<number | readonly number[]>('tuple of SymInts', 2);
