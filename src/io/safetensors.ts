import * as fs from 'fs';
import type { Tensor } from '@tensorflow/tfjs-core';
import { guardAllocations } from '../backend/guard';
import { fromFlat, isTensor, tidy, values } from '../backend/tensor';
import { ValueError } from '../errors';
import type { StateDict } from '../nn/module';
import { decode, ELEMENT_TYPES, type ElementType, type LoadedArray } from './dtypes';
import { JsonDepthError, parseJsonKeepingFloats } from './json';
import { bufferSource, fileSource, type ByteSource } from './zip';

/** The Python package's `SafetensorError`: the file breaks the format. */
export class SafetensorError extends Error {
  override readonly name = 'SafetensorError';
}

/** safetensors dtype names → element types: the ones tfjs can hold, possibly after conversion. */
const DTYPES: Readonly<Record<string, ElementType>> = {
  F64: ELEMENT_TYPES.float64,
  F32: ELEMENT_TYPES.float32,
  F16: ELEMENT_TYPES.float16,
  BF16: ELEMENT_TYPES.bfloat16,
  I64: ELEMENT_TYPES.int64,
  I32: ELEMENT_TYPES.int32,
  I16: ELEMENT_TYPES.int16,
  I8: ELEMENT_TYPES.int8,
  U8: ELEMENT_TYPES.uint8,
  BOOL: ELEMENT_TYPES.bool,
};

/** What `save` writes each tfjs dtype as; `rank` is the dtype's place in the reference `Dtype` enum. */
const WRITERS: Readonly<Record<string, { name: string; rank: number; bytes: number; write(v: DataView, at: number, x: number): void }>> = {
  float32: { name: 'F32', rank: 11, bytes: 4, write: (v, at, x) => v.setFloat32(at, x, true) },
  int32: { name: 'I32', rank: 9, bytes: 4, write: (v, at, x) => v.setInt32(at, x, true) },
  bool: { name: 'BOOL', rank: 0, bytes: 1, write: (v, at, x) => v.setUint8(at, x) },
};

/** The reference implementation's cap, above which it refuses a header. */
const MAX_HEADER_SIZE = 100_000_000;

interface TensorInfo {
  name: string;
  element: ElementType;
  shape: number[];
  begin: number;
  end: number;
}

const utf8 = new TextEncoder();
/** Rust orders `String`s by their UTF-8 bytes; JavaScript's `<` compares UTF-16 units. */
const byUtf8 = (a: string, b: string): number => Buffer.compare(utf8.encode(a), utf8.encode(b));

const headerError = (variant: string, detail: string): SafetensorError => new SafetensorError(`Error while deserializing header: ${variant}: ${detail}`);

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One header entry, checked field by field as serde checks `TensorInfo`. */
function tensorInfo(name: string, entry: unknown): TensorInfo {
  const bad = (why: string) => headerError('InvalidHeaderDeserialization', `tensor '${name}' ${why}`);
  if (!isObject(entry)) throw bad('is not an object');
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string') throw bad('has no dtype string');
  const element = Object.prototype.hasOwnProperty.call(DTYPES, dtype) ? DTYPES[dtype] : undefined;
  if (element === undefined) throw bad(`has unsupported dtype '${dtype}' (supported: ${Object.keys(DTYPES).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad('needs a shape of non-negative integers');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) throw bad('needs data_offsets [begin, end]');
  return { name, element, shape, begin: offsets[0], end: offsets[1] };
}

/**
 * Parses and validates a whole file as the reference implementation does (`read_metadata`,
 * `Metadata::validate`): the header lies inside the file, is UTF-8 JSON, and the tensors'
 * byte ranges, taken in offset order, tile the data section exactly (no gap, overlap or
 * excess) with each range the size its dtype and shape require. Only the header is read: the
 * data section is checked against the source's size.
 */
function parseHeader(src: ByteSource): { metadata: Record<string, string> | null; tensors: TensorInfo[]; dataStart: number } {
  const size = src.size;
  if (size < 8) throw headerError('HeaderTooSmall', `the file has ${size} bytes, fewer than the 8-byte header length`);
  const prefix = src.read(0, 8);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_SIZE)) throw headerError('HeaderTooLarge', `the header length ${n} exceeds ${MAX_HEADER_SIZE} bytes`);
  const dataStart = 8 + Number(n);
  if (dataStart > size) throw headerError('InvalidHeaderLength', `the header length ${n} runs past the end of the file (${size} bytes)`);
  let text: string;
  try {
    // ignoreBOM: a BOM stays in the text, where serde_json, like JSON.parse, refuses it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(src.read(8, dataStart - 8));
  } catch {
    throw headerError('InvalidHeader', 'the header is not valid UTF-8');
  }
  let json: unknown;
  try {
    JSON.parse(text);
    // Parsed again to keep `2.0` a float, which serde's integer fields refuse and JSON.parse would make 2.
    json = parseJsonKeepingFloats(text);
  } catch (cause) {
    const why = cause instanceof JsonDepthError ? cause.message : `the header is not valid JSON (${(cause as Error).message})`;
    throw headerError('InvalidHeaderDeserialization', why);
  }
  if (!isObject(json)) throw headerError('InvalidHeaderDeserialization', 'the header is not a JSON object');

  let metadata: Record<string, string> | null = null;
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name !== '__metadata__') {
      tensors.push(tensorInfo(name, entry));
    } else if (entry !== null) {
      if (!isObject(entry) || !Object.values(entry).every((v) => typeof v === 'string')) {
        throw headerError('InvalidHeaderDeserialization', '__metadata__ must map strings to strings');
      }
      metadata = entry as Record<string, string>;
    }
  }

  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  for (const t of tensors) {
    if (t.begin !== expectedBegin || t.end < t.begin) {
      throw headerError('InvalidOffset', `tensor '${t.name}' has data_offsets [${t.begin}, ${t.end}], but its data must start at byte ${expectedBegin} of the data section`);
    }
    expectedBegin = t.end;
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(numel * t.element.bytes)) throw headerError('ValidationOverflow', `tensor '${t.name}' has shape [${t.shape.join(', ')}], too large`);
    if (t.end - t.begin !== numel * t.element.bytes) {
      throw headerError(
        'TensorInvalidInfo',
        `tensor '${t.name}' of shape [${t.shape.join(', ')}] needs ${numel * t.element.bytes} bytes of ${t.element.name}, but data_offsets [${t.begin}, ${t.end}] hold ${t.end - t.begin}`,
      );
    }
  }
  if (dataStart + expectedBegin !== size) {
    throw headerError('MetadataIncompleteBuffer', `the tensors cover ${expectedBegin} bytes of data, but the file has ${size - dataStart} after the header`);
  }
  return { metadata, tensors, dataStart };
}

/** One tensor's values: only its own byte range is read. */
function decodeTensor(src: ByteSource, dataStart: number, t: TensorInfo): LoadedArray {
  return decode(src.read(dataStart + t.begin, t.end - t.begin), t.element, `tensor '${t.name}'`);
}

/** `use(source)` over a path (opened for the call, read by position: files past 2 GiB too) or bytes. */
function withSource<T>(from: string | Uint8Array, use: (src: ByteSource) => T): T {
  const src = typeof from === 'string' ? fileSource(from) : bufferSource(from);
  try {
    return use(src);
  } finally {
    src.close();
  }
}

/** The tensors in the order Python's `keys()` lists them: sorted by name (by UTF-8 bytes). */
const inNameOrder = (tensors: readonly TensorInfo[]): TensorInfo[] => [...tensors].sort((a, b) => byUtf8(a.name, b.name));

/**
 * An opened safetensors file, as Python's `safe_open(filename, framework="pt")`: the header is
 * parsed and validated up front; tensors are made on request.
 *
 * @see https://huggingface.co/docs/safetensors/api/python#safetensors.safe_open
 */
export class SafeOpen {
  private readonly header: ReturnType<typeof parseHeader>;
  private readonly byName: Map<string, TensorInfo>;

  /** `from`: the file's path (reopened for each tensor, which reads only its own bytes) or its bytes. */
  constructor(private readonly from: string | Uint8Array) {
    this.header = withSource(from, parseHeader);
    this.byName = new Map(this.header.tensors.map((t) => [t.name, t]));
  }

  /** The tensor names, sorted as Python's `keys()` sorts them (by UTF-8 bytes). */
  keys(): string[] {
    return inNameOrder(this.header.tensors).map((t) => t.name);
  }

  /** The `__metadata__` string map, or null when the file has none. */
  metadata(): Record<string, string> | null {
    return this.header.metadata === null ? null : { ...this.header.metadata };
  }

  /** Tensor `name`: float32 for F32/F16/BF16/F64, int32 for I64/I32/I16/I8/U8, bool for BOOL. */
  get_tensor(name: string): Tensor {
    const t = this.byName.get(name);
    if (t === undefined) throw new SafetensorError(`File does not contain tensor ${name}`);
    guardAllocations([{ shape: t.shape, dtype: t.element.dtype }]);
    return fromFlat(
      withSource(this.from, (src) => decodeTensor(src, this.header.dataStart, t)),
      t.shape,
      t.element.dtype,
    );
  }
}

/**
 * Opens a safetensors file (a path, or its bytes) and validates its header.
 *
 * @throws SafetensorError when the header is malformed; its message starts with the reference
 * implementation's `Error while deserializing header: <variant>`.
 * @see https://huggingface.co/docs/safetensors/api/python#safetensors.safe_open
 */
export function safe_open(filename: string | Uint8Array): SafeOpen {
  return new SafeOpen(filename);
}

/**
 * Python's `safetensors.torch.load(data)`: every tensor of a safetensors file's bytes, keyed by
 * name in sorted order. The file is validated and decoded in full before any tensor is made.
 *
 * @see https://huggingface.co/docs/safetensors/api/torch#safetensors.torch.load
 */
export function load(data: Uint8Array): StateDict {
  return withSource(data, loadFrom);
}

/** Every tensor of a source: the header validated and the whole result guarded before any tensor's bytes are read. */
function loadFrom(src: ByteSource): StateDict {
  const { tensors, dataStart } = parseHeader(src);
  guardAllocations(tensors.map((t) => ({ shape: t.shape, dtype: t.element.dtype })));
  const decoded = inNameOrder(tensors).map((t) => ({ t, values: decodeTensor(src, dataStart, t) }));
  return tidy(() => {
    const stateDict: StateDict = {};
    for (const { t, values } of decoded) {
      // defineProperty, not assignment: a tensor named '__proto__' must stay an ordinary entry.
      Object.defineProperty(stateDict, t.name, { value: fromFlat(values, t.shape, t.element.dtype), enumerable: true, writable: true, configurable: true });
    }
    return stateDict;
  });
}

/**
 * Python's `safetensors.torch.load_file(filename)`: every tensor of the file, keyed by name in
 * sorted order. F32, F16, BF16 and F64 load as float32 (F64 rounded to nearest); I64, I32, I16,
 * I8 and U8 as int32 (an I64 value outside int32 is an error); BOOL as bool. Read the
 * `__metadata__` with `safe_open(filename).metadata()`. The file is read by position, never
 * whole: the header, then (once the result is known to fit the backend) each tensor's bytes,
 * so files past 2 GiB load and a file whose tensors cannot be held is refused unread.
 *
 * @throws SafetensorError when the file breaks the format: too short, header length past the
 * end, invalid UTF-8 or JSON, unsupported dtype, offsets that overlap, leave gaps or do not
 * match shape × dtype size, or bytes left over.
 * @see https://huggingface.co/docs/safetensors/api/torch#safetensors.torch.load_file
 */
export function load_file(filename: string): StateDict {
  return withSource(filename, loadFrom);
}

/**
 * Python's `safetensors.torch.save(tensors, metadata)`: the bytes of a safetensors file, laid out
 * as the reference implementation lays them out. Tensors are sorted by dtype alignment, largest
 * first, then by name. The JSON header (`__metadata__` first, its keys sorted) is padded with
 * spaces to a multiple of 8 bytes, and data is little-endian. float32 is written as F32, int32 as
 * I32, and bool as BOOL. An int32 `num_batches_tracked` stays I32, and PyTorch's
 * `load_state_dict` copies it into its int64 buffer.
 *
 * @see https://huggingface.co/docs/safetensors/api/torch#safetensors.torch.save
 */
export function save(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = Object.entries(tensors).map(([name, t]) => {
    if (name === '__metadata__') throw new ValueError("'__metadata__' is reserved for the metadata and cannot name a tensor");
    if (!isTensor(t)) throw new TypeError(`tensor '${name}' is not a Tensor`);
    const writer = Object.prototype.hasOwnProperty.call(WRITERS, t.dtype) ? WRITERS[t.dtype] : undefined;
    if (writer === undefined) throw new ValueError(`cannot save tensor '${name}' of dtype ${t.dtype}: safetensors files here hold float32, int32 and bool`);
    return { name, t, writer };
  });
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TypeError(`metadata values must be strings, but '${k}' is ${typeof v}`);
  }
  entries.sort((a, b) => b.writer.rank - a.writer.rank || byUtf8(a.name, b.name));

  // Written out piece by piece: JSON.stringify of an object would list keys such as "0" first.
  const fields: string[] = [];
  if (metadata !== undefined) {
    const pairs = Object.keys(metadata).sort(byUtf8).map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`);
    fields.push(`"__metadata__":{${pairs.join(',')}}`);
  }
  let offset = 0;
  for (const { name, t, writer } of entries) {
    const end = offset + t.size * writer.bytes;
    fields.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype: writer.name, shape: t.shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  const json = utf8.encode(`{${fields.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const { t, writer } of entries) {
    for (const x of values(t)) {
      writer.write(view, at, x);
      at += writer.bytes;
    }
  }
  return out;
}

/**
 * Python's `safetensors.torch.save_file(tensors, filename, metadata)`: writes `save(tensors,
 * metadata)` to `filename`. A module's `state_dict()` saved this way loads back in PyTorch with
 * `safetensors.torch.load_file` and `load_state_dict`.
 *
 * @see https://huggingface.co/docs/safetensors/api/torch#safetensors.torch.save_file
 */
export function save_file(tensors: Record<string, Tensor>, filename: string, metadata?: Record<string, string>): void {
  fs.writeFileSync(filename, save(tensors, metadata));
}
