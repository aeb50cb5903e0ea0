import { RuntimeError } from '../errors';
import type { StateDict } from '../nn/module';
import { buildStateDict, CHECKPOINT_GLOBALS, isNonNegativeInt, Storage, storageElement, type LoadOptions } from './checkpoint';
import { isTuple, typeName, unpickle, UnpicklingError, type PyValue } from './pickle';
import { isLegacy, isLegacyTar, loadLegacy } from './torch_legacy';
import { bufferSource, fileSource, ZipArchive, type ByteSource, type ZipEntry } from './zip';

export type { LoadOptions } from './checkpoint';

const ZIP_MAGIC = [0x50, 0x4b]; // "PK"

const startsWith = (bytes: Uint8Array, magic: readonly number[]): boolean => magic.every((b, i) => bytes[i] === b);

/**
 * A torch.save zip archive, with the rules PyTorch's reader adds to zip's: every record sits in
 * one top folder (`archive/` by default, any name), named by the first record, and an archive
 * holding `constants.pkl` is TorchScript.
 */
class Archive {
  readonly zip: ZipArchive;
  private readonly prefix: string;

  constructor(source: ByteSource) {
    this.zip = new ZipArchive(source);
    const [first] = this.zip.entries;
    if (first !== undefined && !first.name.includes('/')) {
      throw new RuntimeError(`[enforce fail at inline_container.cc:129] . file in archive is not in a subdirectory: ${first.name}`);
    }
    this.prefix = first === undefined ? '' : first.name.slice(0, first.name.indexOf('/'));
    const outside = this.zip.entries.find((e) => !e.name.startsWith(`${this.prefix}/`));
    if (outside !== undefined) {
      throw new RuntimeError(`[enforce fail at inline_container.cc:252] . file in archive is not in a subdirectory ${this.prefix}/: ${outside.name}`);
    }
    if (this.find('constants.pkl') !== undefined) {
      throw new RuntimeError(
        'this is a TorchScript archive (torch.jit.save), which PyTorch\'s torch.load hands to torch.jit.load; tfjs-torch reads state_dicts only: ' +
          'in Python, save its weights with torch.save(torch.jit.load(path).state_dict(), path)',
      );
    }
  }

  /** The record `<prefix>/<name>`, or undefined. */
  find(name: string): ZipEntry | undefined {
    return this.zip.get(`${this.prefix}/${name}`);
  }

  /** The bytes of record `<prefix>/<name>`; PyTorch's error if it is missing. */
  read(name: string): Uint8Array {
    const record = this.find(name);
    if (record === undefined) throw new RuntimeError(`PytorchStreamReader failed locating file ${name}: file not found`);
    return this.zip.read(record, name);
  }
}

/**
 * Unpickles `data.pkl`, resolving each persistent id to its storage, and remembers each
 * storage's record (read later, if at all).
 */
function unpickleArchive(archive: Archive, records: Map<Storage, ZipEntry>): PyValue {
  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: PyValue): Storage => {
    if (!isTuple(pid) || pid.length !== 5 || pid[0] !== 'storage') {
      const shown = isTuple(pid) ? `a tuple of ${pid.length}` : typeName(pid);
      throw new UnpicklingError(`persistent id must be ('storage', storage_type, key, location, numel), got ${shown}`);
    }
    const [, type, key, location, numel] = pid;
    if (typeof key !== 'string' || typeof location !== 'string' || !isNonNegativeInt(numel)) {
      throw new UnpicklingError('persistent id must be (\'storage\', storage_type, key: str, location: str, numel: int)');
    }
    const element = storageElement(type, key);
    const cached = storages.get(key);
    if (cached !== undefined) return cached;
    const record = archive.find(`data/${key}`);
    if (record === undefined) throw new RuntimeError(`PytorchStreamReader failed locating file data/${key}: file not found`);
    // The size the header declares, checked before anything is read or inflated.
    if (record.size !== numel * element.bytes) {
      throw new RuntimeError(`storage data/${key} holds ${record.size} bytes, but ${numel} ${element.name} elements need ${numel * element.bytes}`);
    }
    const storage = new Storage(key, element, numel);
    storages.set(key, storage);
    records.set(storage, record);
    return storage;
  };
  return unpickle(archive.read('data.pkl'), { globals: CHECKPOINT_GLOBALS, persistentLoad });
}

/**
 * `torch.load(f)` for a state_dict: reads a file written by `torch.save(model.state_dict(), f)`
 * from a path or its bytes, in either of torch.save's formats: the zip format (PyTorch ≥ 1.6)
 * or the legacy one (earlier PyTorch, or `_use_new_zipfile_serialization=False`: a stream of
 * pickles followed by each storage's bytes), which many older torchvision `.pth` files use. It
 * returns the tensors keyed and ordered as PyTorch keyed them, ready for
 * `module.load_state_dict`, with PyTorch's `state_dict._metadata` (each module's `version`) as
 * the returned object's non-enumerable `_metadata` property (see `nn.StateDictMetadata`), so
 * that modules whose checkpoints changed over versions (BatchNorm2d, torchvision's MNASNet) load
 * old ones as PyTorch does.
 *
 * Loading is weights-only: the pickle inside is read by an
 * allowlist unpickler that resolves only tensor rebuilding, storage types and OrderedDict, and
 * never imports or runs anything. dtypes: float32 as is; float64, float16 and bfloat16 convert
 * to float32; int64, int32, int16, int8 and uint8 to int32 (an int64 outside int32 is an
 * error); bool stays bool. Views (offsets, strides, storage shared between entries, the legacy
 * format's storage views) load as the tensors PyTorch would give. Keys that look like array
 * indices (`'0'`, `'12'`) are listed first by JavaScript objects; module state_dict keys never
 * look like that (`'0.weight'`).
 *
 * What a file can cost is bounded by the file: only the pickle and the storages it references
 * are read, each no further than its declared size, which must be the storage's and must fit
 * in what is left of the file; zip records that overlap or share a name are refused, and a
 * legacy storage listed twice is read once, the first time; views of a whole storage share one
 * tensor, and the copies other views need are limited by `options.max_expansion`; every tensor
 * is checked against the backend's allocation limits before anything is allocated. A path is
 * read by position, so files over 2 GiB load from one; memory peaks near the size of the
 * tensors. A file that fails leaves no tensor behind. Needs a backend (`await torch.ready()`).
 *
 * @throws UnpicklingError when the pickle is malformed or names a global outside the allowlist.
 * @throws EOFError when a legacy file ends where one of its pickles should start (Python's
 * `Ran out of input`).
 * @throws RuntimeError when the file is not a torch.save file (or is TorchScript, or the tar
 * format before PyTorch 0.4), is truncated or corrupt (PyTorch's messages for a legacy file:
 * `Invalid magic number; corrupt file?`, `unexpected EOF, expected N more bytes. The file might
 * be corrupted.`), lacks a record, is big-endian, holds an unsupported dtype, holds something
 * other than a dict of tensors, or would exceed `max_expansion` or the backend.
 * @see https://pytorch.org/docs/1.13/generated/torch.load.html
 * @see https://pytorch.org/docs/1.13/notes/serialization.html
 */
export function load(f: string | Uint8Array, options: LoadOptions = {}): StateDict {
  const source = typeof f === 'string' ? fileSource(f) : bufferSource(f);
  const maxExpansion = options.max_expansion ?? 2;
  const ownsBytes = typeof f === 'string';
  try {
    const start = source.read(0, Math.min(source.size, 512));
    if (startsWith(start, ZIP_MAGIC)) return loadArchive(new Archive(source), maxExpansion, ownsBytes);
    if (isLegacy(start)) return loadLegacy(source, maxExpansion, ownsBytes);
    if (isLegacyTar(start)) {
      throw new RuntimeError(
        'this file uses the tar format of torch.save before PyTorch 0.4, which is not supported: re-save it in Python with torch.save(torch.load(path), path)',
      );
    }
    throw new RuntimeError('PytorchStreamReader failed reading zip archive: not a zip archive (torch.save has written zip archives since PyTorch 1.6)');
  } finally {
    source.close();
  }
}

function loadArchive(archive: Archive, maxExpansion: number, ownsBytes: boolean): StateDict {
  if (archive.find('byteorder') !== undefined) {
    const order = new TextDecoder().decode(archive.read('byteorder'));
    if (order !== 'little') throw new RuntimeError(`this checkpoint was saved ${order === 'big' ? 'big-endian' : `with byteorder '${order}'`}; only little-endian checkpoints are supported`);
  }
  const records = new Map<Storage, ZipEntry>();
  const root = unpickleArchive(archive, records);
  return buildStateDict(root, (storage) => archive.zip.read(records.get(storage) as ZipEntry, `data/${storage.key}`), maxExpansion, ownsBytes);
}
