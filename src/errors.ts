import { pyStrRepr } from './python/repr';

/**
 * Python's exception classes, as PyTorch raises them. `name` is the class name, so a caught error
 * prints as `ValueError: ...`, and `instanceof` tells them apart as `except ValueError` does.
 * TypeError is JavaScript's own and needs no counterpart.
 */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
}

export class IndexError extends Error {
  override readonly name = 'IndexError';
}

export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
}

export class ZeroDivisionError extends Error {
  override readonly name = 'ZeroDivisionError';
}

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export class AttributeError extends Error {
  override readonly name = 'AttributeError';
}

/**
 * Python's KeyError. `message` is what `str(e)` prints in Python, the repr of the key or text
 * it was raised with (`'attribute \'x\' already exists'` prints with its quotes), so messages
 * compare equal to PyTorch's.
 */
export class KeyError extends Error {
  override readonly name = 'KeyError';

  constructor(readonly key: string) {
    super(pyStrRepr(key));
  }
}

/** Throws `RuntimeError(message())` unless `condition`; the message is built only on failure. */
export function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new RuntimeError(message());
}
