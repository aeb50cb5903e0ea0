/**
 * What both torch.save formats share once their container is read: the pickle's allowlist
 * (tensor rebuilding, storage types, OrderedDict), storages and the tensor views of them, and
 * the making of a state_dict's tensors from the storages' bytes within the file's bounds. The
 * zip format (`torch_load.ts`) and the legacy format (`torch_legacy.ts`) differ only in where a
 * storage's bytes are and how its persistent id names it.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { fromFlat, reshaped, tidy } from '../backend/tensor';
import { guardAllocations } from '../backend/guard';
import { RuntimeError } from '../errors';
import { setMetadata, type LocalMetadata, type StateDict, type StateDictMetadata } from '../nn/module';
import { pyTuple } from '../torch/python';
import { decode, ELEMENT_TYPES, type ElementType, type LoadedArray } from './dtypes';
import { isTuple, ORDERED_DICT, PyDict, PyGlobal, PyObject, PyOrderedDict, typeName, UnpicklingError, type PyTuple, type PyValue } from './pickle';

/** A `torch.<X>Storage` class: in a persistent id it names the storage's element type. */
export class StorageType extends PyGlobal {
  constructor(
    name: string,
    /** `null` for types PyTorch has and tfjs cannot hold (complex, quantized). */
    readonly element: ElementType | null,
  ) {
    super('torch', name);
  }
}

export const STORAGE_TYPES: readonly StorageType[] = [
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

/** The element type a persistent id's storage type names, or the error for one tfjs cannot load. */
export function storageElement(type: PyValue, key: string): ElementType {
  if (!(type instanceof StorageType)) throw new RuntimeError(`unknown storage dtype: storage ${key} names ${typeName(type)}, which is not a storage type`);
  if (type.element === null) throw new RuntimeError(`unsupported storage dtype ${type.qualname} (storage ${key}): tfjs-torch loads ${SUPPORTED_DTYPES} tensors`);
  return type.element;
}

/**
 * A storage of the file, shared by every tensor that views it: a root storage (its own bytes in
 * the file), or a legacy-format view of `numel` elements of a root storage from `offset`.
 */
export class Storage extends PyObject {
  readonly pyClass = 'torch.storage.TypedStorage';

  constructor(
    readonly key: string,
    readonly element: ElementType,
    readonly numel: number,
    readonly view: { readonly root: Storage; readonly offset: number } | null = null,
  ) {
    super();
  }
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided view of a root storage. */
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

export function isNonNegativeInt(v: PyValue): v is number {
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
 * view stays inside its storage (a legacy storage view's own size, as PyTorch's `set_` does),
 * with PyTorch's own `set_` message.
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
  if (size.reduce((a, b) => a * b, 1) > 0) {
    const needed = offset + size.reduce((sum, n, d) => sum + (n - 1) * stride[d], 0) + 1;
    if (needed > storage.numel) {
      const itemsize = storage.element.bytes;
      throw new RuntimeError(
        `setStorage: sizes [${size.join(', ')}], strides [${stride.join(', ')}], storage offset ${offset}, and itemsize ${itemsize} ` +
          `requiring a storage size of ${needed * itemsize} are out of bounds for storage of size ${storage.numel * itemsize}`,
      );
    }
  }
  const root = storage.view?.root ?? storage;
  return new TensorView(root, offset + (storage.view?.offset ?? 0), size, stride);
});

/** `torch._utils._rebuild_parameter(data, requires_grad, backward_hooks)`: an `nn.Parameter` loads as its data. */
const REBUILD_PARAMETER = new PyGlobal('torch._utils', '_rebuild_parameter', (args: PyTuple) => {
  if (args.length !== 3 || !(args[0] instanceof TensorView)) throw new UnpicklingError('_rebuild_parameter needs (tensor, requires_grad, backward_hooks)');
  return args[0];
});

/** The only globals a state_dict's pickle may name. */
export const CHECKPOINT_GLOBALS: readonly PyGlobal[] = [ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_PARAMETER, ...STORAGE_TYPES];

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

/** Options of `torch.load`. */
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

/** A pickled metadata value as JavaScript: dicts with str keys as objects, tuples frozen, other values as they are. */
function plain(v: PyValue): unknown {
  if (v instanceof PyDict) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v.items) {
      if (typeof k !== 'string') throw new RuntimeError(`state_dict _metadata holds a dict with a ${typeName(k)} key; its keys must be str`);
      Object.defineProperty(out, k, { value: plain(x), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (v instanceof PyObject) throw new RuntimeError(`state_dict _metadata holds a ${typeName(v)}, which metadata never holds`);
  if (Array.isArray(v)) return isTuple(v) ? Object.freeze(v.map(plain)) : v.map(plain);
  return v;
}

/** The `_metadata` attribute an OrderedDict's BUILD gave the state_dict, as a Map from module prefix to local metadata. */
function metadataFrom(root: PyDict): StateDictMetadata | undefined {
  if (!(root instanceof PyOrderedDict) || !root.attributes.has('_metadata')) return undefined;
  const pickled = root.attributes.get('_metadata') as PyValue;
  if (!(pickled instanceof PyDict)) throw new RuntimeError(`state_dict _metadata must be a dict keyed by module prefix, got ${typeName(pickled)}`);
  const metadata: StateDictMetadata = new Map();
  for (const [prefix, local] of pickled.items) {
    if (typeof prefix !== 'string' || !(local instanceof PyDict)) {
      throw new RuntimeError(`state_dict _metadata must map module prefixes (str) to dicts, got ${typeName(prefix)}: ${typeName(local)}`);
    }
    metadata.set(prefix, plain(local) as LocalMetadata);
  }
  return metadata;
}

/**
 * The state_dict an unpickled checkpoint describes. `bytesOf(storage, label)` gives a root
 * storage's bytes (read only now, one storage at a time); `ownsBytes` says they may be viewed
 * rather than copied. Every view is checked against `maxExpansion` and every tensor against the
 * backend before anything is read or allocated; a failure leaves no tensor behind.
 */
export function buildStateDict(root: PyValue, bytesOf: (storage: Storage, label: string) => Uint8Array, maxExpansion: number, ownsBytes: boolean): StateDict {
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
  const metadata = metadataFrom(root);
  const distinct = new Map<string, TensorView>();
  const firstKey = new Map<Storage, string>();
  for (const [key, v] of views) {
    if (!distinct.has(tensorId(v))) distinct.set(tensorId(v), v);
    if (!firstKey.has(v.storage)) firstKey.set(v.storage, key);
  }
  checkExpansion(views, distinct, maxExpansion);
  const shapeOf = (v: TensorView): readonly number[] => (v.whole ? [v.storage.numel] : v.size);
  guardAllocations([...distinct.values()].map((v) => ({ shape: shapeOf(v), dtype: v.storage.element.dtype })));
  const stateDict = tidy(() => {
    const made = new Map<string, Tensor>();
    // Storage by storage, so that besides the tensors made so far only one storage's bytes are held.
    for (const [storage, key] of firstKey) {
      const label = `tensor '${key}'`;
      const elements = decode(bytesOf(storage, label), storage.element, label, ownsBytes);
      for (const [id, v] of distinct) {
        if (v.storage === storage) made.set(id, fromFlat(v.whole ? elements : gather(v, elements), shapeOf(v), storage.element.dtype));
      }
    }
    const out: StateDict = {};
    for (const [key, v] of views) {
      // Every key its own tensor object, sharing the data: disposing one leaves the others intact.
      const tensor = reshaped(made.get(tensorId(v)) as Tensor, v.size);
      // defineProperty, not assignment: a key such as '__proto__' must stay an ordinary entry.
      Object.defineProperty(out, key, { value: tensor, enumerable: true, writable: true, configurable: true });
    }
    return out;
  });
  if (metadata !== undefined) setMetadata(stateDict, metadata);
  return stateDict;
}
