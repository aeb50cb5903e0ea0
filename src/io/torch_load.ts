import * as fs from 'fs';
import { unzipSync } from 'fflate';
import { fromFlat, tidy } from '../backend/tensor';
import { RuntimeError } from '../errors';
import type { StateDict } from '../nn/module';
import { pyTuple } from '../torch/python';
import { decode, ELEMENT_TYPES, type ElementType, type LoadedArray } from './dtypes';
import { isTuple, ORDERED_DICT, PyDict, PyGlobal, PyObject, typeName, unpickle, UnpicklingError, type PyTuple, type PyValue } from './pickle';

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
  private decoded: LoadedArray | undefined;

  constructor(
    readonly element: ElementType,
    readonly numel: number,
    private readonly bytes: Uint8Array,
  ) {
    super();
  }

  /** The storage's elements, decoded once however many tensors view them. */
  values(what: string): LoadedArray {
    this.decoded ??= decode(this.bytes, this.element, what);
    return this.decoded;
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

/** The records of a torch.save zip archive under its top folder (`archive/` by default, any name). */
class Archive {
  private readonly records: Map<string, Uint8Array>;
  private readonly prefix: string;

  constructor(bytes: Uint8Array) {
    if (startsWith(bytes, LEGACY_MAGIC)) {
      throw new RuntimeError(
        'this file uses the legacy torch.save format (PyTorch < 1.6, or _use_new_zipfile_serialization=False), which is not supported: ' +
          're-save it in Python with torch.save(torch.load(path), path)',
      );
    }
    if (!startsWith(bytes, ZIP_MAGIC)) {
      throw new RuntimeError('PytorchStreamReader failed reading zip archive: not a zip archive (torch.save has written zip archives since PyTorch 1.6)');
    }
    const sizes = new Map<string, number>();
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(bytes, { filter: (file) => (sizes.set(file.name, file.originalSize), true) });
    } catch (cause) {
      throw new RuntimeError(`PytorchStreamReader failed reading zip archive: ${(cause as Error).message} (the file is truncated or corrupt)`);
    }
    this.records = new Map(Object.entries(files));
    for (const [name, data] of this.records) {
      // fflate slices stored records without checking that they lie inside the file.
      if (data.length !== sizes.get(name)) throw new RuntimeError(`PytorchStreamReader failed reading zip archive: record ${name} is truncated`);
    }
    const first = this.records.keys().next();
    this.prefix = first.done ? '' : first.value.split('/')[0];
  }

  /** The record `<prefix>/<name>`, or undefined. */
  find(name: string): Uint8Array | undefined {
    return this.records.get(`${this.prefix}/${name}`);
  }

  /** The record `<prefix>/<name>`; PyTorch's error if it is missing. */
  get(name: string): Uint8Array {
    const data = this.find(name);
    if (data === undefined) throw new RuntimeError(`PytorchStreamReader failed locating file ${name}: file not found`);
    return data;
  }
}

/** Unpickles `data.pkl`, resolving each persistent id to its storage record. */
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
    const bytes = archive.get(`data/${key}`);
    if (bytes.length !== numel * type.element.bytes) {
      throw new RuntimeError(`storage data/${key} holds ${bytes.length} bytes, but ${numel} ${type.element.name} elements need ${numel * type.element.bytes}`);
    }
    const storage = new Storage(type.element, numel, bytes);
    storages.set(key, storage);
    return storage;
  };
  return unpickle(archive.get('data.pkl'), { globals: [ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_PARAMETER, ...STORAGE_TYPES], persistentLoad });
}

/** The view's elements in C order, gathered from its storage by offset and strides. */
function gather(t: TensorView, what: string): LoadedArray {
  const source = t.storage.values(what);
  const n = t.numel;
  const contiguous = t.size.every((_, d) => t.size[d] === 1 || t.stride[d] === t.size.slice(d + 1).reduce((a, b) => a * b, 1));
  if (contiguous) return source.slice(t.offset, t.offset + n);
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
 * The whole file is checked and decoded before any tensor is made, so a bad file leaves no
 * tensor behind. Needs a backend (`await torch.ready()`).
 *
 * @throws UnpicklingError when the pickle is malformed or names a global outside the allowlist.
 * @throws RuntimeError when the file is not a torch.save zip archive, is truncated, lacks a
 * record, is big-endian, holds an unsupported dtype, or holds something other than a dict of tensors.
 * @see https://pytorch.org/docs/1.13/generated/torch.load.html
 * @see https://pytorch.org/docs/1.13/notes/serialization.html
 */
export function load(f: string | Uint8Array): StateDict {
  const archive = new Archive(typeof f === 'string' ? fs.readFileSync(f) : f);
  const byteorder = archive.find('byteorder');
  if (byteorder !== undefined) {
    const order = new TextDecoder().decode(byteorder);
    if (order !== 'little') throw new RuntimeError(`this checkpoint was saved ${order === 'big' ? 'big-endian' : `with byteorder '${order}'`}; only little-endian checkpoints are supported`);
  }
  const root = unpickleArchive(archive);
  if (!(root instanceof PyDict)) {
    throw new RuntimeError(`expected a state_dict (a dict of tensors), but the file holds a ${typeName(root)}`);
  }
  const entries: [string, TensorView, LoadedArray][] = [];
  for (const [key, value] of root.items) {
    if (typeof key !== 'string') throw new RuntimeError(`state_dict keys must be str, got ${typeName(key)}`);
    if (!(value instanceof TensorView)) {
      throw new RuntimeError(
        `entry '${key}' is a ${typeName(value)}, not a tensor: torch.load reads files holding one state_dict, as torch.save(model.state_dict(), path) writes them`,
      );
    }
    entries.push([key, value, gather(value, `tensor '${key}'`)]);
  }
  return tidy(() => {
    const stateDict: StateDict = {};
    for (const [key, view, values] of entries) {
      // defineProperty, not assignment: a key such as '__proto__' must stay an ordinary entry.
      Object.defineProperty(stateDict, key, { value: fromFlat(values, view.size, view.storage.element.dtype), enumerable: true, writable: true, configurable: true });
    }
    return stateDict;
  });
}
