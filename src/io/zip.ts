/**
 * A zip reader for torch.save archives that reads only what it is asked for: the central
 * directory when opened, then one record at a time, by position. Nothing is inflated or copied
 * until a record is read, a record is never read past the size its header declares, and a file
 * is read with `fs.readSync` at offsets rather than into one buffer, so archives over 2 GiB
 * load from a path.
 *
 * Opening refuses what PyTorch 1.13's reader (miniz) refuses, with its message, and also what
 * would make this reader see other bytes than PyTorch or read the same bytes twice: two entries
 * with one name (miniz then picks one by its own sort order, which is neither the first nor the
 * last in general) and entries whose data overlap (a zip bomb's way to multiply its output).
 *
 * @see https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT (the format, zip64 included)
 */
import { constants } from 'buffer';
import * as fs from 'fs';
import { Inflate } from 'fflate';
import { RuntimeError } from '../errors';

/** Bytes read by position: from a buffer, or from an open file. */
export interface ByteSource {
  readonly size: number;
  /** `length` bytes from `offset`: a view of a buffer source, a new buffer from a file. */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

/** A source over bytes already in memory; reads are views of them. */
export function bufferSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length), close: () => undefined };
}

/** Node reads at most this many bytes per `readSync` call. */
const READ_CHUNK = 2 ** 30;

/** A source over an open file, read by position; `close` closes it. */
export function fileSource(path: string): ByteSource {
  const fd = fs.openSync(path, 'r');
  const size = fs.fstatSync(fd).size;
  return {
    size,
    read(offset, length) {
      // Its own ArrayBuffer, so that the bytes can be viewed as float32 or int32 without a copy.
      const out = new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
      for (let done = 0; done < length; ) {
        const n = fs.readSync(fd, out, done, Math.min(READ_CHUNK, length - done), offset + done);
        if (n === 0) throw new RuntimeError(`PytorchStreamReader failed reading zip archive: the file ended at byte ${offset + done} of ${size}`);
        done += n;
      }
      return out;
    },
    close: () => fs.closeSync(fd),
  };
}

/** One record as the central directory describes it. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  /** The uncompressed size the header declares. */
  readonly size: number;
  readonly headerOffset: number;
  /** Where the record's data starts, after its local header. */
  readonly dataOffset: number;
}

const corrupt = (): RuntimeError => new RuntimeError('PytorchStreamReader failed reading zip archive: invalid header or archive is corrupted');

const SIG = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50, end64: 0x06064b50, locator64: 0x07064b50 } as const;
const LOCAL_HEADER = 30;
const END_RECORD = 22;
const MAX_COMMENT = 0xffff;
const U32_MAX = 0xffffffff;

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const u64 = (v: DataView, at: number): number => Number(v.getBigUint64(at, true));
const names = new TextDecoder('utf-8');

/** The central directory's place and size, from the end record (or its zip64 form). */
function findCentralDirectory(source: ByteSource): { offset: number; size: number; count: number; end: number } {
  const tailStart = Math.max(0, source.size - END_RECORD - MAX_COMMENT);
  const tail = source.read(tailStart, source.size - tailStart);
  const t = view(tail);
  let at = -1;
  for (let i = tail.length - END_RECORD; i >= 0; i--) {
    if (t.getUint32(i, true) === SIG.end && i + END_RECORD + t.getUint16(i + 20, true) <= tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new RuntimeError('PytorchStreamReader failed reading zip archive: invalid zip data (the file is truncated or corrupt)');
  let count = t.getUint16(at + 10, true);
  let size = t.getUint32(at + 12, true);
  let offset = t.getUint32(at + 16, true);
  let end = tailStart + at;
  if (at >= 20 && t.getUint32(at - 20, true) === SIG.locator64) {
    const end64 = u64(t, at - 20 + 8);
    if (end64 + 56 > end) throw corrupt();
    const e = view(source.read(end64, 56));
    if (e.getUint32(0, true) !== SIG.end64) throw corrupt();
    [count, size, offset, end] = [u64(e, 32), u64(e, 40), u64(e, 48), end64];
  }
  if (offset + size > end) throw corrupt();
  return { offset, size, count, end };
}

/** A zip archive's entries, in central-directory order, each readable on its own. */
export class ZipArchive {
  readonly entries: readonly ZipEntry[];
  private readonly byName = new Map<string, ZipEntry>();

  constructor(private readonly source: ByteSource) {
    const cd = findCentralDirectory(source);
    const dir = source.read(cd.offset, cd.size);
    const d = view(dir);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < cd.count; i++) {
      if (p + 46 > dir.length || d.getUint32(p, true) !== SIG.central) throw corrupt();
      const method = d.getUint16(p + 10, true);
      let compressedSize = d.getUint32(p + 20, true);
      let size = d.getUint32(p + 24, true);
      const nameLength = d.getUint16(p + 28, true);
      const extraLength = d.getUint16(p + 30, true);
      const total = 46 + nameLength + extraLength + d.getUint16(p + 32, true);
      let headerOffset = d.getUint32(p + 42, true);
      if (p + total > dir.length) throw corrupt();
      const name = names.decode(dir.subarray(p + 46, p + 46 + nameLength));
      // zip64: the fields that overflowed 32 bits follow in the extra field, in this order.
      for (let x = p + 46 + nameLength, xEnd = x + extraLength; x + 4 <= xEnd; ) {
        const id = d.getUint16(x, true);
        const length = d.getUint16(x + 2, true);
        if (id === 1) {
          let f = x + 4;
          const next = (): number => {
            if (f + 8 > x + 4 + length) throw corrupt();
            return (f += 8), u64(d, f - 8);
          };
          if (size === U32_MAX) size = next();
          if (compressedSize === U32_MAX) compressedSize = next();
          if (headerOffset === U32_MAX) headerOffset = next();
        }
        x += 4 + length;
      }
      // miniz's own checks when it opens an archive.
      if ((method === 0 && size !== compressedSize) || (size > 0 && compressedSize === 0)) throw corrupt();
      if (headerOffset + LOCAL_HEADER + compressedSize > source.size) throw corrupt();
      const local = view(source.read(headerOffset, LOCAL_HEADER));
      if (local.byteLength < LOCAL_HEADER || local.getUint32(0, true) !== SIG.local) throw corrupt();
      const dataOffset = headerOffset + LOCAL_HEADER + local.getUint16(26, true) + local.getUint16(28, true);
      if (dataOffset + compressedSize > source.size) throw corrupt();
      if (this.byName.has(name)) {
        throw new RuntimeError(
          `PytorchStreamReader failed reading zip archive: two records are named ${name}, and readers differ in which one they use (PyTorch's picks one by its own sort order), so the file is refused`,
        );
      }
      const entry: ZipEntry = { name, method, compressedSize, size, headerOffset, dataOffset };
      this.byName.set(name, entry);
      entries.push(entry);
      p += total;
    }
    const byPlace = [...entries].sort((a, b) => a.headerOffset - b.headerOffset);
    byPlace.forEach((a, i) => {
      const next = byPlace[i + 1];
      const end = a.dataOffset + a.compressedSize;
      if (end > (next?.headerOffset ?? cd.offset)) {
        throw new RuntimeError(
          `PytorchStreamReader failed reading zip archive: record ${a.name} overlaps ${next?.name ?? 'the central directory'}; ` +
            'no zip writer produces overlapping records, but a zip bomb uses them to inflate the same bytes many times',
        );
      }
    });
    this.entries = entries;
  }

  /** The entry named `name`, or undefined. */
  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /**
   * The record's bytes: its declared size, no more. A deflated record is inflated in steps and
   * stops once that size is reached, as miniz stops, so a stream that would inflate further
   * costs no time or memory; one that ends short is an error. `label` names it in errors.
   */
  read(entry: ZipEntry, label: string): Uint8Array {
    if (entry.size > constants.MAX_LENGTH) {
      throw new RuntimeError(`PytorchStreamReader failed reading file ${label}: its ${entry.size} bytes are more than one JavaScript array holds`);
    }
    if (entry.method === 0) return this.source.read(entry.dataOffset, entry.size);
    if (entry.method !== 8) throw new RuntimeError(`PytorchStreamReader failed retrieving file meta-data for ${label}: unsupported method`);
    const out = new Uint8Array(entry.size);
    let filled = 0;
    const inflate = new Inflate((chunk) => {
      const n = Math.min(chunk.length, out.length - filled);
      out.set(chunk.subarray(0, n), filled);
      filled += n;
    });
    const step = 1 << 16;
    try {
      for (let at = 0; at < entry.compressedSize && filled < out.length; at += step) {
        const n = Math.min(step, entry.compressedSize - at);
        inflate.push(this.source.read(entry.dataOffset + at, n), at + n === entry.compressedSize);
      }
    } catch (cause) {
      throw new RuntimeError(`PytorchStreamReader failed reading file ${label}: the deflate stream is corrupt (${(cause as Error).message})`);
    }
    if (filled < out.length) throw new RuntimeError(`PytorchStreamReader failed reading file ${label}: unexpected decompressed size`);
    return out;
  }
}
