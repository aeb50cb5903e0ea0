/**
 * `torch.save(obj, f)`: PyTorch 1.13's zip format (the default since 1.6), which its
 * `torch.load` reads. The archive holds `<name>/data.pkl` (a protocol-2 pickle of `obj` whose
 * tensors refer to storages by persistent id, as torch.save's `persistent_id` writes them),
 * `<name>/data/<key>` (each storage's little-endian bytes, 64-byte aligned as PyTorch's writer
 * aligns them) and `<name>/version` (`3`). `<name>` is the file name without its extension, as
 * PyTorch names it.
 *
 * What pickles: tensors (float32 as FloatStorage, int32 as LongStorage — this library's int32
 * stands for PyTorch's int64 — bool as BoolStorage), numbers (whole ones as Python ints), bigints,
 * booleans, null, strings, arrays (frozen ones as tuples), Maps (dicts with their key types,
 * as an optimizer's state keyed by int), and plain objects (dicts with str keys; one whose values
 * are all tensors, a state_dict, as `collections.OrderedDict`, as PyTorch's state_dict is, with
 * its `_metadata` — each module's version — as the OrderedDict's attribute, as PyTorch pickles it).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.save.html
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs-core';
import { isTensor, values } from '../backend/tensor';
import { opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { pyTypeName } from '../python/values';
import { metadataOf } from '../nn/module';

// Pickle opcodes (Python's pickletools), protocol 2.
const PROTO = 0x80, STOP = 0x2e, MARK = 0x28, TUPLE = 0x74, EMPTY_TUPLE = 0x29, TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87;
const EMPTY_DICT = 0x7d, SETITEMS = 0x75, EMPTY_LIST = 0x5d, APPENDS = 0x65, NONE = 0x4e, NEWTRUE = 0x88, NEWFALSE = 0x89;
const BININT1 = 0x4b, BININT2 = 0x4d, BININT = 0x4a, LONG1 = 0x8a, BINFLOAT = 0x47, BINUNICODE = 0x58;
const GLOBAL = 0x63, REDUCE = 0x52, BINPERSID = 0x51, BUILD = 0x62;

class PickleWriter {
  private chunks: number[] = [];
  private readonly storages = new Map<object, { key: string; tensor: Tensor }>();

  constructor(private readonly onStorage: (key: string, tensor: Tensor) => void) {}

  byte(...b: number[]): void {
    for (const x of b) this.chunks.push(x);
  }

  bytes(b: Uint8Array): void {
    for (const x of b) this.chunks.push(x);
  }

  private u32(n: number): void {
    this.byte(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }

  private str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.byte(BINUNICODE);
    this.u32(b.length);
    this.bytes(b);
  }

  private global(module: string, name: string): void {
    this.byte(GLOBAL);
    this.bytes(Buffer.from(`${module}\n${name}\n`, 'ascii'));
  }

  private int(n: bigint): void {
    if (n >= 0n && n < 256n) this.byte(BININT1, Number(n));
    else if (n >= 0n && n < 65536n) this.byte(BININT2, Number(n & 0xffn), Number(n >> 8n));
    else if (n >= -(2n ** 31n) && n < 2n ** 31n) {
      this.byte(BININT);
      this.u32(Number(BigInt.asUintN(32, n)));
    } else {
      const out: number[] = [];
      let v = n;
      // Two's complement little-endian, as Python's encode_long.
      do {
        out.push(Number(v & 0xffn));
        v >>= 8n;
      } while (!((v === 0n && (out[out.length - 1] & 0x80) === 0) || (v === -1n && (out[out.length - 1] & 0x80) !== 0)));
      this.byte(LONG1, out.length, ...out);
    }
  }

  private tuple(items: unknown[]): void {
    if (items.length === 0) return this.byte(EMPTY_TUPLE);
    if (items.length <= 3) {
      items.forEach((v) => this.value(v));
      return this.byte([TUPLE1, TUPLE2, TUPLE3][items.length - 1]);
    }
    this.byte(MARK);
    items.forEach((v) => this.value(v));
    this.byte(TUPLE);
  }

  private dict(entries: [unknown, unknown][], ordered: boolean): void {
    if (ordered) {
      this.global('collections', 'OrderedDict');
      this.byte(EMPTY_TUPLE, REDUCE);
    } else {
      this.byte(EMPTY_DICT);
    }
    if (entries.length === 0) return;
    this.byte(MARK);
    for (const [k, v] of entries) {
      this.value(k);
      this.value(v);
    }
    this.byte(SETITEMS);
  }

  /** `torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())`. */
  private tensor(t: Tensor): void {
    let entry = this.storages.get(t.dataId);
    if (entry === undefined) {
      entry = { key: String(this.storages.size), tensor: t };
      this.storages.set(t.dataId, entry);
      this.onStorage(entry.key, t);
    }
    const storageType = { float32: 'FloatStorage', int32: 'LongStorage', bool: 'BoolStorage' }[t.dtype as string];
    if (storageType === undefined) throw new TypeError(`torch.save: tensors of dtype ${t.dtype} cannot be saved`);
    const stride = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    this.global('torch._utils', '_rebuild_tensor_v2');
    this.byte(MARK);
    this.byte(MARK);
    this.str('storage');
    this.global('torch', storageType);
    this.str(entry.key);
    this.str('cpu');
    this.int(BigInt(t.size));
    this.byte(TUPLE, BINPERSID);
    this.int(0n);
    this.tuple(t.shape);
    this.tuple(stride);
    this.byte(NEWFALSE);
    this.dict([], true);
    this.byte(TUPLE, REDUCE);
  }

  value(v: unknown): void {
    if (v === null || v === undefined) this.byte(NONE);
    else if (typeof v === 'boolean') this.byte(v ? NEWTRUE : NEWFALSE);
    else if (typeof v === 'bigint') this.int(v);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) this.int(BigInt(v));
      else {
        const b = Buffer.alloc(8);
        b.writeDoubleBE(v);
        this.byte(BINFLOAT);
        this.bytes(b);
      }
    } else if (typeof v === 'string') this.str(v);
    else if (isTensor(v)) this.tensor(v);
    else if (Array.isArray(v)) {
      if (Object.isFrozen(v)) return this.tuple(v);
      this.byte(EMPTY_LIST);
      if (v.length === 0) return;
      this.byte(MARK);
      v.forEach((x) => this.value(x));
      this.byte(APPENDS);
    } else if (v instanceof Map) this.dict([...v], false);
    else if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
      const entries = Object.entries(v);
      const metadata = metadataOf(v);
      this.dict(entries, metadata !== undefined || (entries.length > 0 && entries.every(([, x]) => isTensor(x))));
      if (metadata !== undefined) {
        // OrderedDict's pickle ends with BUILD of its attributes: {'_metadata': OrderedDict(prefix → {'version': N})}.
        this.byte(EMPTY_DICT, MARK);
        this.str('_metadata');
        this.dict([...metadata], true);
        this.byte(SETITEMS, BUILD);
      }
    } else throw new TypeError(`torch.save: cannot pickle '${pyTypeName(v)}' object`);
  }

  finish(obj: unknown): Uint8Array {
    this.byte(PROTO, 2);
    this.value(obj);
    this.byte(STOP);
    return Uint8Array.from(this.chunks);
  }
}

/** A tensor's bytes as PyTorch stores them: little-endian; int32 widened to int64; bool one byte each. */
function storageBytes(t: Tensor): Uint8Array {
  const v = values(t);
  if (t.dtype === 'int32') {
    const out = new BigInt64Array(v.length);
    v.forEach((x, i) => (out[i] = BigInt(x)));
    return new Uint8Array(out.buffer);
  }
  if (t.dtype === 'bool') return Uint8Array.from(v);
  return new Uint8Array(Float32Array.from(v).buffer);
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A stored (uncompressed) zip whose entries' data start on 64-byte boundaries, as PyTorch's writer places them. */
function zipStored(entries: [string, Uint8Array][]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const unpadded = offset + 30 + nameBytes.length + 4;
    const pad = (64 - (unpadded % 64)) % 64;
    const extra = Buffer.alloc(4 + pad, 'Z');
    extra.writeUInt16LE(0x4246, 0); // 'FB', the id PyTorch's writer uses for its padding field
    extra.writeUInt16LE(pad, 2);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(extra.length, 28);
    parts.push(local, nameBytes, extra, Buffer.from(data));
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(data.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBytes.length, 28);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, nameBytes);
    offset += 30 + nameBytes.length + extra.length + data.length;
  }
  const dirSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirSize, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, ...central, end]));
}

/** The bytes `torch.save(obj, name + '.pt')` writes. */
export function serialize(obj: unknown, name = 'archive'): Uint8Array {
  const storages: [string, Tensor][] = [];
  const pickle = new PickleWriter((key, t) => storages.push([key, t])).finish(obj);
  const records: [string, Uint8Array][] = [[`${name}/data.pkl`, pickle]];
  for (const [key, t] of [...storages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) records.push([`${name}/data/${key}`, storageBytes(t)]);
  records.push([`${name}/version`, Buffer.from('3\n')]);
  return zipStored(records);
}

const SaveSig = signature('save', [
  req('obj', any<unknown>('object')),
  req('f', any<string>('str')),
  opt('pickle_module', any<null>('module'), null),
  opt('pickle_protocol', any<number>('int'), 2),
  opt('_use_new_zipfile_serialization', any<boolean>('bool'), true),
]);

/**
 * `torch.save(obj, f)`: writes `obj` (a state_dict, an optimizer's state_dict, or plain data
 * holding them) to the file `f` in PyTorch's zip format. Only protocol 2 and the zip format are
 * written, as PyTorch writes by default.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.save.html
 */
export function save(...args: ArgsOf<typeof SaveSig>): void {
  const { obj, f, pickle_protocol, _use_new_zipfile_serialization } = SaveSig.bind(args);
  if (typeof f !== 'string') throw new TypeError(`torch.save: f must be a file name, got ${pyTypeName(f)}`);
  if (pickle_protocol !== 2 || !_use_new_zipfile_serialization) throw new TypeError('torch.save writes pickle protocol 2 in the zip format only');
  const stem = path.basename(f).replace(/\.[^.]*$/, '');
  fs.writeFileSync(f, serialize(obj, stem));
}
