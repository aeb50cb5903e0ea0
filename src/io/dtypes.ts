import type { LoadedDType } from '../backend/tensor';
import { RuntimeError } from '../errors';

/**
 * One element type as checkpoints store it (little-endian), and the tfjs dtype it loads as.
 * tfjs holds only float32, int32 and bool, so wider or narrower types are converted on the
 * way in: every float type to float32 (exact for float16 and bfloat16, rounded to nearest
 * even for float64, as PyTorch's `.float()` rounds), every integer type to int32 (exact; an
 * int64 value outside int32 is an error rather than a silent wrap).
 */
export interface ElementType {
  /** PyTorch's name of the dtype (`torch.float16` → `'float16'`). */
  readonly name: string;
  readonly bytes: number;
  readonly dtype: LoadedDType;
  /** Element `index` of `view`; `what` names the tensor in errors. */
  read(view: DataView, index: number, what: string): number;
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;

/** An IEEE binary16 bit pattern as a number; every half is exactly a float32. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** bfloat16 is the top half of a float32: shift its bits into place and reinterpret. */
const bfloatScratch = new DataView(new ArrayBuffer(4));
function bfloat16ToNumber(bits: number): number {
  bfloatScratch.setUint32(0, bits << 16);
  return bfloatScratch.getFloat32(0);
}

function readInt64(view: DataView, index: number, what: string): number {
  const value = view.getBigInt64(index * 8, true);
  if (value < INT32_MIN || value > INT32_MAX) {
    throw new RuntimeError(`${what}: int64 value ${value} (element ${index}) does not fit in int32, the widest integer type tfjs has`);
  }
  return Number(value);
}

const element = (name: string, bytes: number, dtype: LoadedDType, read: ElementType['read']): ElementType => ({ name, bytes, dtype, read });

/** Every element type the loaders accept, by PyTorch's dtype name. */
export const ELEMENT_TYPES = {
  float64: element('float64', 8, 'float32', (v, i) => v.getFloat64(i * 8, true)),
  float32: element('float32', 4, 'float32', (v, i) => v.getFloat32(i * 4, true)),
  float16: element('float16', 2, 'float32', (v, i) => halfToNumber(v.getUint16(i * 2, true))),
  bfloat16: element('bfloat16', 2, 'float32', (v, i) => bfloat16ToNumber(v.getUint16(i * 2, true))),
  int64: element('int64', 8, 'int32', readInt64),
  int32: element('int32', 4, 'int32', (v, i) => v.getInt32(i * 4, true)),
  int16: element('int16', 2, 'int32', (v, i) => v.getInt16(i * 2, true)),
  int8: element('int8', 1, 'int32', (v, i) => v.getInt8(i)),
  uint8: element('uint8', 1, 'int32', (v, i) => v.getUint8(i)),
  bool: element('bool', 1, 'bool', (v, i) => (v.getUint8(i) === 0 ? 0 : 1)),
} as const;

export type LoadedArray = Float32Array | Int32Array | Uint8Array;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes a whole little-endian buffer of `type` into the typed array tfjs takes for its dtype.
 * float32 and int32 on a little-endian host are the bytes themselves: viewed in place when
 * `reuse` says the caller owns them and they are aligned, else copied once. The other types are
 * read element by element through a DataView (the bytes need not be aligned).
 */
export function decode(bytes: Uint8Array, type: ElementType, what: string, reuse = false): LoadedArray {
  const n = bytes.byteLength / type.bytes;
  if (littleEndian && (type === ELEMENT_TYPES.float32 || type === ELEMENT_TYPES.int32)) {
    // A copy through the constructor: a Buffer's `slice` would be a view, possibly unaligned.
    const aligned = reuse && bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
    return type === ELEMENT_TYPES.float32 ? new Float32Array(aligned.buffer, aligned.byteOffset, n) : new Int32Array(aligned.buffer, aligned.byteOffset, n);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = type.dtype === 'float32' ? new Float32Array(n) : type.dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = type.read(view, i, what);
  return out;
}
