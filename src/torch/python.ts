/** Small pieces of Python's behaviour that several places print or compute with. */

/** Python's `str` of a tuple of numbers (or `None`s): `(3,)`, `(2, 3)`, `(None, 7)`, `()`. */
export function pyTuple(values: readonly (number | null)[]): string {
  const items = values.map((v) => (v === null ? 'None' : String(v)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

const float64Scratch = new Float64Array(1);
const uint64Scratch = new BigUint64Array(float64Scratch.buffer);

/**
 * A finite double split exactly into an integer significand and a power of two,
 * `x = m · 2^e`: the starting point of arithmetic done exactly in bigints (Python's float
 * formatting, ATen's fused multiply-add).
 */
export function float64Parts(x: number): [bigint, number] {
  float64Scratch[0] = x;
  const bits = uint64Scratch[0]!;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let m = bits & 0xfffffffffffffn;
  if (biased !== 0) m |= 1n << 52n;
  return [bits >> 63n ? -m : m, (biased === 0 ? 1 : biased) - 1075];
}
