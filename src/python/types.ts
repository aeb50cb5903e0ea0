import type { Tensor } from '@tensorflow/tfjs-core';
import { pyType, pyTypeName } from './signature';

/**
 * The parameter types signatures are declared with, named as PyTorch's argument parser prints
 * them. `accepts` is what the parser checks for native functions; functions written in Python
 * check nothing at binding time (their bodies raise what Python raises).
 */
const isInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);
const isTensorLike = (v: unknown): boolean => typeof v === 'object' && v !== null && 'dataId' in v && 'shape' in v;

export const int = pyType<number>('int', isInt);
export const float = pyType<number>('float', (v) => typeof v === 'number');
export const bool = pyType<boolean>('bool', (v) => typeof v === 'boolean');
export const str = pyType<string>('str', (v) => typeof v === 'string');
export const tensor = pyType<Tensor>('Tensor', isTensorLike);
export const optionalTensor = pyType<Tensor | null>('Tensor', (v) => v === null || isTensorLike(v));
/** An int or a sequence of ints (`_pair`, `IntArrayRef`). */
export const intOrTuple = pyType<number | readonly number[]>('tuple of ints', (v) => isInt(v) || (Array.isArray(v) && v.every(isInt)));
const badElement = (v: unknown): string | null => {
  const i = (v as unknown[]).findIndex((e) => !isInt(e));
  return i < 0 ? null : `found element of type ${pyTypeName((v as unknown[])[i])} at pos ${i + 1}`;
};
/**
 * PyTorch's `int[]` (`IntArrayRef`, "tuple of ints"): a sequence is taken when its first element
 * is an int, and then a later non-int element is reported by position.
 */
export const intList = pyType<readonly number[]>('tuple of ints', (v) => Array.isArray(v) && (v.length === 0 || isInt(v[0])), badElement);
export const optionalFloat = pyType<number | null>('float', (v) => v === null || typeof v === 'number');

/** A value Python code takes without checking its type at binding time. */
export const any = <T>(name: string) => pyType<T>(name);
