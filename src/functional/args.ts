/**
 * Argument forms shared by the functional and module layers, and PyTorch's normalisation of them.
 */

/** An int or a sequence of ints, as PyTorch's `_pair` and `IntArrayRef` arguments accept. */
export type IntOrTuple = number | readonly number[];

/** The padding strings `conv2d` understands; any other string is PyTorch's "Invalid padding string". */
export const PADDING_STRINGS = ['same', 'valid'] as const;
export type PaddingString = (typeof PADDING_STRINGS)[number];

export type Conv2dPadding = IntOrTuple | PaddingString;

export const isPaddingString = (p: unknown): p is PaddingString => (PADDING_STRINGS as readonly unknown[]).includes(p);

/** Python's `_pair`: an int becomes `(x, x)`, a sequence is kept as a tuple of its length. */
export function pair(x: IntOrTuple): number[] {
  return typeof x === 'number' ? [x, x] : [...x];
}

/** Python's `//` and `%`: floor division and a remainder with the divisor's sign. */
export const floorDiv = (a: number, b: number): number => Math.floor(a / b);
export const pyMod = (a: number, b: number): number => ((a % b) + b) % b;

/** How PyTorch prints a list of sizes inside an error message: `[1, 3, 5, 5]`. */
export const sizes = (dims: readonly number[]): string => `[${dims.join(', ')}]`;
