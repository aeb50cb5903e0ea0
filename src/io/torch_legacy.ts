/**
 * The legacy torch.save format: what PyTorch wrote before 1.6, and still writes with
 * `_use_new_zipfile_serialization=False` (many older torchvision `.pth` files). The file is five
 * pickles back to back, then the storages' bytes:
 *
 * 1. the magic number `0x1950a86a20f9469cfc6c`; 2. the protocol version `1001`; 3. `sys_info`
 * (byte order, type sizes); 4. the object itself, whose tensors name their storages by
 * persistent ids `('storage', storage_type, key, location, numel, view_metadata)`, where
 * `view_metadata` is None or `(view_key, offset, numel)` for a view of part of storage `key`;
 * 5. the list of storage keys, in the order their bytes follow; then, for each key, its element
 * count (8 bytes, little-endian) and its elements.
 *
 * Every size is checked against the bytes left in the file before anything is read or made, and
 * a storage's bytes are read only when its tensors are made: from a path by position (so files
 * over 2 GiB load), from bytes as views of them.
 *
 * @see https://github.com/pytorch/pytorch/blob/v1.13.0/torch/serialization.py (`_legacy_save`, `_legacy_load`)
 */
import { constants } from 'buffer';
import { RuntimeError, ValueError } from '../errors';
import type { StateDict } from '../nn/module';
import { buildStateDict, CHECKPOINT_GLOBALS, isNonNegativeInt, Storage, storageElement } from './checkpoint';
import { isTuple, PyDict, typeName, unpickleAt, UnpicklingError, type PyValue, type UnpickleOptions } from './pickle';
import type { ByteSource } from './zip';

const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;
const COUNT_BYTES = 8;

/**
 * A legacy file starts with a pickle (PROTO), the magic number's; an empty file is read as one
 * too, as PyTorch reads it (`EOFError: Ran out of input`). Anything else that is not a zip is no
 * torch.save file.
 */
export const isLegacy = (start: Uint8Array): boolean => start.length === 0 || start[0] === 0x80;

/** The tar format torch.save wrote before PyTorch 0.4: a POSIX tar archive (`ustar` at byte 257). */
export const isLegacyTar = (start: Uint8Array): boolean => new TextDecoder().decode(start.subarray(257, 262)) === 'ustar';

/** Python's `%s` of a small pickled value, for PyTorch's messages. */
const shown = (v: PyValue): string => (v === null ? 'None' : typeof v === 'object' ? typeName(v) : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

const plainData: UnpickleOptions = {
  globals: [],
  persistentLoad: () => {
    throw new UnpicklingError('A load persistent id instruction was encountered, but no persistent_load function was specified.');
  },
};

const eof = (missing: number | bigint): RuntimeError => new RuntimeError(`unexpected EOF, expected ${missing} more bytes. The file might be corrupted.`);

/** The storages the main pickle declares: roots by key, and views of them by view key, each the first declaration of its key. */
class Declared {
  readonly roots = new Map<string, Storage>();
  private readonly views = new Map<string, Storage>();

  /** `persistent_load` of `_legacy_load`: a storage, or a view of one, for a persistent id. */
  readonly persistentLoad = (pid: PyValue): Storage => {
    if (!isTuple(pid) || pid.length === 0) throw new UnpicklingError(`persistent id must be a tuple ('storage', ...), got ${isTuple(pid) ? 'an empty tuple' : typeName(pid)}`);
    if (pid[0] === 'module') {
      throw new UnpicklingError('this file pickles a whole nn.Module (torch.save(model)), whose classes tfjs-torch never imports: save model.state_dict() instead');
    }
    if (pid[0] !== 'storage') throw new RuntimeError(`Unknown saved id type: ${shown(pid[0])}`);
    // PyTorch unpacks the rest into five names, with Python's errors when there are more or fewer.
    if (pid.length < 6) throw new ValueError(`not enough values to unpack (expected 5, got ${pid.length - 1})`);
    if (pid.length > 6) throw new ValueError('too many values to unpack (expected 5)');
    const [, type, key, location, numel, viewMetadata] = pid;
    if (typeof key !== 'string' || typeof location !== 'string' || !isNonNegativeInt(numel)) {
      throw new UnpicklingError("persistent id must be ('storage', storage_type, key: str, location: str, numel: int, view_metadata)");
    }
    const element = storageElement(type, key);
    let root = this.roots.get(key);
    if (root === undefined) {
      root = new Storage(key, element, numel);
      this.roots.set(key, root);
    }
    if (viewMetadata === null) return root;
    if (!isTuple(viewMetadata) || viewMetadata.length !== 3) throw new UnpicklingError(`view_metadata must be None or (view_key, offset, numel), got ${typeName(viewMetadata)}`);
    const [viewKey, offset, viewNumel] = viewMetadata;
    if (typeof viewKey !== 'string' || !isNonNegativeInt(offset) || !isNonNegativeInt(viewNumel)) {
      throw new UnpicklingError('view_metadata must be (view_key: str, offset: int, numel: int)');
    }
    const cached = this.views.get(viewKey);
    if (cached !== undefined) return cached;
    if (offset + viewNumel > root.numel) {
      throw new RuntimeError(`storage view ${viewKey} of ${viewNumel} elements from element ${offset} runs past the end of storage ${key}, which has ${root.numel}`);
    }
    const view = new Storage(viewKey, root.element, viewNumel, { root, offset });
    this.views.set(viewKey, view);
    return view;
  };
}

/**
 * Reads the storage list and the count before each storage's bytes, from byte `at`: where each
 * root storage's bytes start. A key listed twice is read the first time; its later bytes are
 * checked and skipped.
 */
function locateStorages(source: ByteSource, at: number, keys: PyValue, roots: ReadonlyMap<string, Storage>): Map<Storage, number> {
  if (!Array.isArray(keys) || isTuple(keys)) throw new RuntimeError(`the legacy file's storage list must be a list of keys, got ${typeName(keys)}`);
  const starts = new Map<Storage, number>();
  for (const key of keys) {
    const storage = typeof key === 'string' ? roots.get(key) : undefined;
    if (storage === undefined) throw new RuntimeError(`the file lists storage ${shown(key)} for reading, but no tensor of its pickle names it`);
    const left = source.size - at;
    if (left < COUNT_BYTES) throw eof(COUNT_BYTES - left);
    const counted = source.read(at, COUNT_BYTES);
    const count = new DataView(counted.buffer, counted.byteOffset, COUNT_BYTES).getBigInt64(0, true);
    const bytes = BigInt(storage.numel * storage.element.bytes);
    if (count * BigInt(storage.element.bytes) !== bytes) {
      throw new RuntimeError(`storage has wrong byte size: storage ${key} holds ${bytes} bytes, but the file gives it ${count * BigInt(storage.element.bytes)}`);
    }
    at += COUNT_BYTES;
    if (bytes > BigInt(source.size - at)) throw eof(bytes - BigInt(source.size - at));
    if (!starts.has(storage)) starts.set(storage, at);
    at += Number(bytes);
  }
  for (const storage of roots.values()) {
    if (!starts.has(storage)) throw new RuntimeError(`storage ${storage.key} has no bytes in the file: the file's storage list does not name it`);
  }
  return starts;
}

/**
 * `torch.load` of a legacy-format file (see the file's comment); `ownsBytes` says the source's
 * reads are new buffers (a file), which may then be viewed rather than copied.
 *
 * @throws RuntimeError `Invalid magic number; corrupt file?`, `Invalid protocol version: N`, and
 * `unexpected EOF, expected N more bytes. The file might be corrupted.` as PyTorch's, or when
 * a storage's count is not its declared size, the file lists a storage no tensor names or names
 * a storage it does not list, or it was saved big-endian.
 * @throws EOFError when the file ends where a pickle should start, as Python's `Ran out of input`.
 */
export function loadLegacy(source: ByteSource, maxExpansion: number, ownsBytes: boolean): StateDict {
  const magic = unpickleAt(source, 0, plainData);
  if (magic.value !== MAGIC_NUMBER) throw new RuntimeError('Invalid magic number; corrupt file?');
  const protocol = unpickleAt(source, magic.end, plainData);
  if (protocol.value !== PROTOCOL_VERSION) throw new RuntimeError(`Invalid protocol version: ${shown(protocol.value)}`);
  const sysInfo = unpickleAt(source, protocol.end, plainData);
  if (sysInfo.value instanceof PyDict && sysInfo.value.items.get('little_endian') === false) {
    throw new RuntimeError('this checkpoint was saved big-endian; only little-endian checkpoints are supported');
  }
  const declared = new Declared();
  const main = unpickleAt(source, sysInfo.end, { globals: CHECKPOINT_GLOBALS, persistentLoad: declared.persistentLoad });
  const keys = unpickleAt(source, main.end, plainData);
  const starts = locateStorages(source, keys.end, keys.value, declared.roots);
  const bytesOf = (storage: Storage, label: string): Uint8Array => {
    const length = storage.numel * storage.element.bytes;
    if (length > constants.MAX_LENGTH) throw new RuntimeError(`storage ${storage.key} of ${label}: its ${length} bytes are more than one JavaScript array holds`);
    return source.read(starts.get(storage) as number, length);
  };
  return buildStateDict(main.value, bytesOf, maxExpansion, ownsBytes);
}
