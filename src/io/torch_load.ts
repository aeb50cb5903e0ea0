import type { Tensor } from '@tensorflow/tfjs-core';
import { fromFlat, reshaped, tidy } from '../backend/tensor';
import { guardAllocations } from '../backend/guard';
import { RuntimeError } from '../errors';
import type { StateDict } from '../nn/module';
import { pyTuple } from '../torch/python';
import { decode, ELEMENT_TYPES, type ElementType, type LoadedArray } from './dtypes';
import { isTuple, ORDERED_DICT, PyDict, PyGlobal, PyObject, typeName, unpickle, UnpicklingError, type PyTuple, type PyValue } from './pickle';
import { bufferSource, fileSource, ZipArchive, type ByteSource, type ZipEntry } from './zip';

/** A `torch.<X>Storage` class: in a persistent id it names the storage's element type. */
class StorageType extends PyGlobal {
  constructor(
    name: string,
    /** `null` for types PyTorch has and tfjs cannot hold (complex, quantized). */
    readonly element: ElementType | null,
  ) {
    super('torch', name);
  }
}

const STORAGE_TYPES: readonly StorageType[] = [
  new StorageType('DoubleStorage', ELEMENT_TYPES.float64),
  new StorageType('FloatStorage', ELEMENT_TYPES.float32),
  new StorageType('HalfStorage', ELEMENT_TYPES.float16),
  new StorageType('BFloat16Storage', ELEMENT_TYPES.bfloat16),
  new StorageType('LongStorage', ELEMENT_TYPES.int64),
  new StorageType('IntStorage', ELEMENT_TYPES.int32),
  new StorageType('ShortStorage', ELEMENT_TYPES.int16),
  new StorageType('CharStorage', ELEMENT_TYPES.int8),
  new StorageType('ByteStorage', ELEMENT_TYPES.uint8),
  new StorageType('BoolStorage', ELEMENT_TYPES.bool),
  ...['ComplexFloatStorage', 'ComplexDoubleStorage', 'QInt8Storage', 'QUInt8Storage', 'QInt32Storage', 'QUInt4x2Storage', 'QUInt2x4Storage'].map(
    (name) => new StorageType(name, null),
  ),
];

const SUPPORTED_DTYPES = Object.keys(ELEMENT_TYPES).join(', ');

/** One storage record of the archive (`<prefix>/data/<key>`), shared by every tensor that views it. */
class Storage extends PyObject {
  readonly pyClass = 'torch.storage.TypedStorage';

  constructor(
    readonly key: string,
    readonly element: ElementType,
    readonly numel: number,
    readonly record: ZipEntry,
  ) {
    super();
  }
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage. */
class TensorView extends PyObject {
  readonly pyClass = 'torch.Tensor';

  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly size: readonly number[],
    readonly stride: readonly number[],
  ) {
    super();
  }

  get numel(): number {
    return this.size.reduce((a, b) => a * b, 1);
  }

  /** C-contiguous strides: the view's elements are a run of the storage. */
  get contiguous(): boolean {
    return this.size.every((n, d) => n === 1 || this.stride[d] === this.size.slice(d + 1).reduce((a, b) => a * b, 1));
  }

  /** The whole storage in order: such a view shares one tensor with every other like it. */
  get whole(): boolean {
    return this.offset === 0 && this.numel === this.storage.numel && this.contiguous;
  }

  /** Views with equal keys hold equal elements. */
  get key(): string {
    return `${this.offset}:${this.size.join(',')}:${this.stride.join(',')}`;
  }
}

function isNonNegativeInt(v: PyValue): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}


function intTuple(v: PyValue, what: string): number[] {
  if (isTuple(v) && v.every(isNonNegativeInt)) return [...v] as number[];
  const shown = isTuple(v) && v.every((x) => typeof x === 'number') ? pyTuple(v as readonly number[]) : typeName(v);
  throw new UnpicklingError(`${what} must be a tuple of non-negative ints, got ${shown}`);
}

/**
 * `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
 * backward_hooks)`, which every tensor in a torch.save pickle is rebuilt by. It checks that the
 * view stays inside its storage, with PyTorch's own `set_` message.
 */
const REBUILD_TENSOR_V2 = new PyGlobal('torch._utils', '_rebuild_tensor_v2', (args: PyTuple) => {
  if (args.length !== 6) throw new UnpicklingError(`_rebuild_tensor_v2 takes 6 arguments here, got ${args.length}`);
  const [storage, offset, sizeArg, strideArg, requiresGrad, hooks] = args;
  if (!(storage instanceof Storage)) throw new UnpicklingError(`_rebuild_tensor_v2 needs a storage, got ${typeName(storage)}`);
  if (!isNonNegativeInt(offset)) throw new UnpicklingError(`storage_offset must be a non-negative int, got ${typeName(offset)}`);
  const size = intTuple(sizeArg, 'size');
  const stride = intTuple(strideArg, 'stride');
  if (stride.length !== size.length) throw new UnpicklingError(`size ${pyTuple(size)} and stride ${pyTuple(stride)} differ in length`);
  if (typeof requiresGrad !== 'boolean') throw new UnpicklingError(`requires_grad must be a bool, got ${typeName(requiresGrad)}`);
  if (!(hooks instanceof PyDict)) throw new UnpicklingError(`backward_hooks must be an OrderedDict, got ${typeName(hooks)}`);
  const view = new TensorView(storage, offset, size, stride);
  if (view.numel > 0) {
    const needed = offset + size.reduce((sum, n, d) => sum + (n - 1) * stride[d], 0) + 1;
    if (needed > storage.numel) {
      const itemsize = storage.element.bytes;
      throw new RuntimeError(
        `setStorage: sizes [${size.join(', ')}], strides [${stride.join(', ')}], storage offset ${offset}, and itemsize ${itemsize} ` +
          `requiring a storage size of ${needed * itemsize} are out of bounds for storage of size ${storage.numel * itemsize}`,
      );
    }
  }
  return view;
});

/** `torch._utils._rebuild_parameter(data, requires_grad, backward_hooks)`: an `nn.Parameter` loads as its data. */
const REBUILD_PARAMETER = new PyGlobal('torch._utils', '_rebuild_parameter', (args: PyTuple) => {
  if (args.length !== 3 || !(args[0] instanceof TensorView)) throw new UnpicklingError('_rebuild_parameter needs (tensor, requires_grad, backward_hooks)');
  return args[0];
});

/** The start of a pre-1.6 `torch.save` file: PROTO 2, then LONG1 of the legacy magic number. */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
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
    const start = source.read(0, LEGACY_MAGIC.length);
    if (startsWith(start, LEGACY_MAGIC)) {
      throw new RuntimeError(
        'this file uses the legacy torch.save format (PyTorch < 1.6, or _use_new_zipfile_serialization=False), which is not supported: ' +
          're-save it in Python with torch.save(torch.load(path), path)',
      );
    }
    if (!startsWith(start, ZIP_MAGIC)) {
      throw new RuntimeError('PytorchStreamReader failed reading zip archive: not a zip archive (torch.save has written zip archives since PyTorch 1.6)');
    }
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

/** Unpickles `data.pkl`, resolving each persistent id to its storage record (read later, if at all). */
function unpickleArchive(archive: Archive): PyValue {
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
    if (!(type instanceof StorageType)) throw new RuntimeError(`unknown storage dtype: storage ${key} names ${typeName(type)}, which is not a storage type`);
    if (type.element === null) throw new RuntimeError(`unsupported storage dtype ${type.qualname} (storage ${key}): tfjs-torch loads ${SUPPORTED_DTYPES} tensors`);
    const cached = storages.get(key);
    if (cached !== undefined) return cached;
    const record = archive.find(`data/${key}`);
    if (record === undefined) throw new RuntimeError(`PytorchStreamReader failed locating file data/${key}: file not found`);
    // The size the header declares, checked before anything is read or inflated.
    if (record.size !== numel * type.element.bytes) {
      throw new RuntimeError(`storage data/${key} holds ${record.size} bytes, but ${numel} ${type.element.name} elements need ${numel * type.element.bytes}`);
    }
    const storage = new Storage(key, type.element, numel, record);
    storages.set(key, storage);
    return storage;
  };
  return unpickle(archive.read('data.pkl'), { globals: [ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_PARAMETER, ...STORAGE_TYPES], persistentLoad });
}

/** The view's elements in C order, gathered from its storage's elements by offset and strides. */
function gather(t: TensorView, source: LoadedArray): LoadedArray {
  const n = t.numel;
  if (t.contiguous) return source.slice(t.offset, t.offset + n);
  const out = new (source.constructor as new (n: number) => LoadedArray)(n);
  const index = t.size.map(() => 0);
  let at = t.offset;
  for (let i = 0; i < n; i++) {
    out[i] = source[at];
    for (let d = t.size.length - 1; d >= 0; d--) {
      at += t.stride[d];
      if (++index[d] < t.size[d]) break;
      at -= t.stride[d] * t.size[d];
      index[d] = 0;
    }
  }
  return out;
}

/** Options of {@link load}. */
export interface LoadOptions {
  /**
   * The most elements a file's tensors may hold together, as a multiple of the elements of the
   * storages they view (default 2). PyTorch's tensors alias their storage; tfjs tensors cannot,
   * so every view that is not a whole storage is copied, and a small file can describe
   * gigabytes of views (a stride-0 view of size [1e9] of one float, or a thousand views of one
   * storage). Views of a whole storage in order share one tensor and count once, equal views
   * count once, and 2^18 elements are allowed beyond the multiple. Pass `Infinity` to load any
   * file; the backend's allocation limits still apply.
   */
  max_expansion?: number;
}

const FREE_ELEMENTS = 2 ** 18;

/** Which tensor a view loads as: its storage's, if it is the whole storage, else a copy of its own. */
const tensorId = (v: TensorView): string => (v.whole ? v.storage.key : `${v.storage.key}/${v.key}`);

/** Refuses a file whose distinct tensors would hold more than `limit` times its storages' elements. */
function checkExpansion(views: ReadonlyMap<string, TensorView>, distinct: ReadonlyMap<string, TensorView>, limit: number): void {
  const stored = [...new Set([...distinct.values()].map((v) => v.storage))].reduce((sum, st) => sum + st.numel, 0);
  const total = [...distinct.values()].reduce((sum, v) => sum + (v.whole ? v.storage.numel : v.numel), 0);
  if (total <= limit * stored + FREE_ELEMENTS) return;
  const ratio = (v: TensorView) => v.numel / v.storage.numel;
  const [key, worst] = [...views].reduce((a, b) => (ratio(b[1]) > ratio(a[1]) ? b : a));
  throw new RuntimeError(
    `the tensors in this file would hold ${total} elements, more than max_expansion=${limit} times the ${stored} elements of the storages they view ` +
      `(tfjs tensors cannot alias a storage, so views are copied; tensor '${key}' has size [${worst.size.join(', ')}] and stride [${worst.stride.join(', ')}] ` +
      `over a storage of ${worst.storage.numel}): pass { max_expansion: Infinity } to torch.load to load it anyway`,
  );
}

/**
 * `torch.load(f)` for a state_dict: reads a file written by `torch.save(model.state_dict(), f)`
 * (the zip format, PyTorch ≥ 1.6) from a path or its bytes, and returns its tensors keyed and
 * ordered as PyTorch keyed them, ready for `module.load_state_dict`.
 *
 * Loading is weights-only: the pickle inside is read by an
 * allowlist unpickler that resolves only tensor rebuilding, storage types and OrderedDict, and
 * never imports or runs anything. dtypes: float32 as is; float64, float16 and bfloat16 convert
 * to float32; int64, int32, int16, int8 and uint8 to int32 (an int64 outside int32 is an
 * error); bool stays bool. Views (offsets, strides, storage shared between entries) load as
 * the tensors PyTorch would give. Keys that look like array indices (`'0'`, `'12'`) are listed
 * first by JavaScript objects; module state_dict keys never look like that (`'0.weight'`).
 *
 * What a file can cost is bounded by the file: only `data.pkl` and the storages it references
 * are read, each no further than its header's size, which must be the storage's; records
 * that overlap or share a name are refused; views of a whole storage share one tensor, and the
 * copies other views need are limited by `options.max_expansion`; every tensor is checked
 * against the backend's allocation limits before anything is allocated. A path is read by
 * position, so files over 2 GiB load from one; memory peaks near the size of the tensors.
 * A file that fails leaves no tensor behind. Needs a backend (`await torch.ready()`).
 *
 * @throws UnpicklingError when the pickle is malformed or names a global outside the allowlist.
 * @throws RuntimeError when the file is not a torch.save zip archive (or is TorchScript), is
 * truncated or corrupt, lacks a record, is big-endian, holds an unsupported dtype, holds
 * something other than a dict of tensors, or would exceed `max_expansion` or the backend.
 * @see https://pytorch.org/docs/1.13/generated/torch.load.html
 * @see https://pytorch.org/docs/1.13/notes/serialization.html
 */
export function load(f: string | Uint8Array, options: LoadOptions = {}): StateDict {
  const source = typeof f === 'string' ? fileSource(f) : bufferSource(f);
  try {
    return loadArchive(new Archive(source), options.max_expansion ?? 2, typeof f === 'string');
  } finally {
    source.close();
  }
}

function loadArchive(archive: Archive, maxExpansion: number, ownsBytes: boolean): StateDict {
  if (archive.find('byteorder') !== undefined) {
    const order = new TextDecoder().decode(archive.read('byteorder'));
    if (order !== 'little') throw new RuntimeError(`this checkpoint was saved ${order === 'big' ? 'big-endian' : `with byteorder '${order}'`}; only little-endian checkpoints are supported`);
  }
  const root = unpickleArchive(archive);
  if (!(root instanceof PyDict)) {
    throw new RuntimeError(`expected a state_dict (a dict of tensors), but the file holds a ${typeName(root)}`);
  }
  const views = new Map<string, TensorView>();
  for (const [key, value] of root.items) {
    if (typeof key !== 'string') throw new RuntimeError(`state_dict keys must be str, got ${typeName(key)}`);
    if (!(value instanceof TensorView)) {
      throw new RuntimeError(
        `entry '${key}' is a ${typeName(value)}, not a tensor: torch.load reads files holding one state_dict, as torch.save(model.state_dict(), path) writes them`,
      );
    }
    views.set(key, value);
  }
  const distinct = new Map<string, TensorView>();
  const firstKey = new Map<Storage, string>();
  for (const [key, v] of views) {
    if (!distinct.has(tensorId(v))) distinct.set(tensorId(v), v);
    if (!firstKey.has(v.storage)) firstKey.set(v.storage, key);
  }
  checkExpansion(views, distinct, maxExpansion);
  const shapeOf = (v: TensorView): readonly number[] => (v.whole ? [v.storage.numel] : v.size);
  guardAllocations([...distinct.values()].map((v) => ({ shape: shapeOf(v), dtype: v.storage.element.dtype })));
  return tidy(() => {
    const made = new Map<string, Tensor>();
    // Storage by storage, so that besides the tensors made so far only one storage's bytes are held.
    for (const [storage, key] of firstKey) {
      const elements = decode(archive.zip.read(storage.record, `data/${storage.key}`), storage.element, `tensor '${key}'`, ownsBytes);
      for (const [id, v] of distinct) {
        if (v.storage === storage) made.set(id, fromFlat(v.whole ? elements : gather(v, elements), shapeOf(v), storage.element.dtype));
      }
    }
    const stateDict: StateDict = {};
    for (const [key, v] of views) {
      // Every key its own tensor object, sharing the data: disposing one leaves the others intact.
      const tensor = reshaped(made.get(tensorId(v)) as Tensor, v.size);
      // defineProperty, not assignment: a key such as '__proto__' must stay an ordinary entry.
      Object.defineProperty(stateDict, key, { value: tensor, enumerable: true, writable: true, configurable: true });
    }
    return stateDict;
  });
}
