import { constants } from 'buffer';
import * as os from 'os';
import { RuntimeError } from '../errors';
import { compute, ensureReady, tf, wasmModule, type WasmModule } from './runtime';

/**
 * A dtype a tensor of ours can have, and so an allocation. `int64` is PyTorch's int64 held as
 * int32 (torch.int64 is 'int32' here): the backend's limits count its 4 bytes an element, the
 * messages PyTorch's 8, so that `torch.arange(2**40)` names the bytes PyTorch names.
 */
export type AllocDType = 'float32' | 'int32' | 'int64' | 'bool';

/** One tensor an operation is about to ask the backend for. */
export interface Allocation {
  readonly shape: readonly number[];
  readonly dtype: AllocDType;
}

/** Bytes an element as PyTorch counts them, and as the backend holds them. */
const ITEMSIZE: Readonly<Record<AllocDType, bigint>> = { float32: 4n, int32: 4n, int64: 8n, bool: 1n };
const HELD: Readonly<Record<AllocDType, bigint>> = { float32: 4n, int32: 4n, int64: 4n, bool: 1n };

/**
 * The dtype a result of tfjs dtype `dtype` is to PyTorch: an int tensor of ours holds PyTorch's
 * int64, its default integer type (what `arange`, `randint`, indices and int arithmetic give).
 */
export const torchDType = (dtype: string): AllocDType => (dtype === 'int32' ? 'int64' : (dtype as AllocDType));
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The wasm backend's limit for one tensor. Its heap is at most 4 GiB − 64 KiB (Emscripten's
 * `getHeapMax()` in tfjs-backend-wasm 4.22), and tfjs passes a tensor's byte count to `malloc`
 * as a 32-bit size, so 4 GiB or more wraps around to a small allocation that kernels then
 * write past. Half of that is the cap: tensors between 2 and 4 GiB could only ever be one of
 * two operands the heap holds, and the kernels' 32-bit index arithmetic is not audited past it.
 */
export const WASM_MAX_TENSOR_BYTES = 2n ** 31n;

/**
 * The cpu backend keeps every tensor in one JavaScript typed array, whose length V8 caps
 * (`buffer.constants.MAX_LENGTH`, 2^32 elements in Node 20).
 */
export const CPU_MAX_TENSOR_ELEMENTS = BigInt(constants.MAX_LENGTH);

/** From this size on, the cpu backend asks the operating system for the memory before computing. */
const CPU_PROBE_BYTES = 2n ** 30n;

/** PyTorch 1.13's message when its CPU allocator fails (`torch.empty(2**40)`). */
export const cannotAllocate = (bytes: bigint): RuntimeError =>
  new RuntimeError(
    `[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate ${bytes} bytes. Error code 12 (Cannot allocate memory)`,
  );

/**
 * The bytes a tensor of `shape` takes, computed as c10's `computeStorageNbytes` computes them:
 * in 64-bit integers, failing with its error as soon as the running product overflows.
 */
export function nbytes(shape: readonly number[], dtype: AllocDType): bigint {
  // A running product that stays exact in a double needs no 64-bit arithmetic: most sizes.
  let elements = 1;
  for (const d of shape) if ((elements *= d) > 2 ** 50) break;
  if (elements <= 2 ** 50) return BigInt(elements) * ITEMSIZE[dtype];
  let numel = 1n;
  for (const d of shape) {
    numel *= BigInt(d);
    if (numel > INT64_MAX) throw storageOverflow(shape);
  }
  const bytes = numel * ITEMSIZE[dtype];
  if (bytes > INT64_MAX) throw storageOverflow(shape);
  return bytes;
}

// BigInt prints a large size exactly (2305843009213693952, where a number prints 2305843009213694000).
const storageOverflow = (shape: readonly number[]) => new RuntimeError(`Storage size calculation overflowed with sizes=[${shape.map((d) => BigInt(d)).join(', ')}]`);

/** Emscripten's `getHeapMax()` in tfjs-backend-wasm 4.22: how far the heap can grow. */
const WASM_HEAP_MAX = 4294901760;

/**
 * Whether the heap can certainly take `bytes` more without a probe: were it full, it could
 * still grow by that much. Only an operating system that refuses the growth can fail it then,
 * which {@link guardWasmWrites} catches when tfjs mallocs, with tfjs's byte count.
 */
const roomFor = (wasm: WasmModule, bytes: number): boolean => bytes + wasm.HEAPU8.length <= WASM_HEAP_MAX;

/**
 * Checks, before anything is allocated, that the active backend can hold all of `allocations`
 * at once (an operation's output first, then the intermediates it keeps until it returns), and
 * raises PyTorch's RuntimeError for the first that it cannot: "Storage size calculation
 * overflowed" when the byte count passes int64, else the CPU allocator's "can't allocate
 * memory: you tried to allocate N bytes".
 *
 * - wasm: each tensor at most {@link WASM_MAX_TENSOR_BYTES}, and the heap must have room for
 *   all of them: they are allocated from it (and freed at once) in order, so fragmentation and
 *   what else the heap holds count exactly as they will for the operation.
 * - cpu: each tensor at most {@link CPU_MAX_TENSOR_ELEMENTS} elements, and all of them together
 *   at most the machine's memory; tensors of 1 GiB or more are requested from the operating
 *   system first, which refuses what it could not back (the refusal PyTorch reports).
 * - tensorflow: the cpu backend's typed-array limit, since results are read back into one.
 *
 * Without this, a wasm output of 4 GiB or more is silently allocated too small, and one that
 * does not fit the heap is written at address 0, which breaks every later kernel.
 */
export function guardAllocations(allocations: readonly Allocation[]): void {
  const sizes = allocations.map(({ shape, dtype }): Sized => {
    const bytes = nbytes(shape, dtype);
    return { bytes, held: (bytes / ITEMSIZE[dtype]) * HELD[dtype], itemsize: HELD[dtype] };
  });
  const wasm = wasmModule();
  if (wasm !== null) {
    const held = sizes.reduce((n, s) => n + Number(s.held), 0);
    if (sizes.every((s) => s.held <= WASM_MAX_TENSOR_BYTES) && roomFor(wasm, held)) return;
    // A heap that a trap has broken can trap in malloc too; compute() then restarts it.
    return compute(() => probeWasmHeap(wasm, sizes));
  }
  ensureReady();
  const memory = BigInt(os.totalmem());
  const big: ArrayBuffer[] = [];
  let total = 0n;
  for (const { bytes, held, itemsize } of sizes) {
    total += held;
    if (held / itemsize > CPU_MAX_TENSOR_ELEMENTS || total > memory) throw cannotAllocate(bytes);
    if (held < CPU_PROBE_BYTES) continue;
    try {
      // Untouched pages cost nothing; the buffers are dropped when this returns.
      big.push(new ArrayBuffer(Number(held)));
    } catch {
      throw cannotAllocate(bytes);
    }
  }
}

/** {@link guardAllocations} for one tensor. */
export const guardAllocation = (shape: readonly number[], dtype: AllocDType = 'float32'): void => guardAllocations([{ shape, dtype }]);

/** The guard for an elementwise result: `shapes` broadcast together (the caller has checked they can be). */
export const guardBroadcast = (dtype: AllocDType, ...shapes: (readonly number[])[]): void =>
  guardAllocation(shapes.reduce<number[]>((a, b) => tf.broadcast_util.assertAndGetBroadcastShape(a, [...b]), []), dtype);

/** An allocation's bytes as PyTorch counts them (what a refusal names) and as the backend holds them. */
interface Sized {
  bytes: bigint;
  held: bigint;
  itemsize: bigint;
}

function probeWasmHeap(wasm: WasmModule, sizes: readonly Sized[]): void {
  const pointers: number[] = [];
  try {
    for (const { bytes, held } of sizes) {
      if (held === 0n) continue;
      if (held > WASM_MAX_TENSOR_BYTES) throw cannotAllocate(bytes);
      // `>>> 0`: malloc's pointer comes back as a signed 32-bit number.
      const pointer = wasm._malloc(Number(held)) >>> 0;
      if (pointer === 0) throw cannotAllocate(bytes);
      pointers.push(pointer);
    }
  } finally {
    pointers.forEach((pointer) => wasm._free(pointer));
  }
}

/** tfjs-backend-wasm's BackendWasm as far as {@link guardWasmWrites} wraps it (4.22's `move` stores every tensor it makes). */
interface WasmBackendClass {
  prototype: {
    wasm: WasmModule;
    move(dataId: object, values: unknown, shape: number[], dtype: string, refCount: number): void;
    dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
    disposeData(dataId: object, force: boolean): boolean;
  };
}
const wrapped = new WeakSet<object>();

/**
 * Makes every tensor the wasm backend stores, whichever kernel asks, pass a check: tfjs mallocs
 * an output without checking the result, so past what the heap can hold it writes the tensor
 * at address 0, and past 4 GiB its 32-bit size wraps. The operations' own guards name PyTorch's
 * bytes before anything runs; this catches the intermediates of tfjs kernels and an output
 * that the heap, filled since, no longer has room for. A size past the cap is refused first; a
 * tensor made from values (which tfjs copies in at once) is probed for; any other is refused
 * when malloc comes back empty, before a kernel writes it: no second heap operation on the
 * kernels' path. The failed kernel's outputs so far are freed by the caller's tidy, and the
 * heap is left as it was.
 */
export function guardWasmWrites(backend: WasmBackendClass): void {
  const proto = backend.prototype;
  if (wrapped.has(proto)) return;
  wrapped.add(proto);
  const move = proto.move;
  proto.move = function (dataId, values, shape, dtype, refCount) {
    if (dtype === 'string') return move.call(this, dataId, values, shape, dtype, refCount);
    const held = HELD[dtype as AllocDType];
    let bytes = Number(held);
    for (const d of shape) bytes *= d;
    if (bytes > Number(WASM_MAX_TENSOR_BYTES)) throw cannotAllocate(nbytes(shape, dtype as AllocDType));
    if (values != null) probeWasmHeap(this.wasm, [{ bytes: nbytes(shape, dtype as AllocDType), held: BigInt(bytes), itemsize: held }]);
    move.call(this, dataId, values, shape, dtype, refCount);
    if (bytes > 0 && this.dataIdMap.get(dataId)?.memoryOffset === 0) {
      this.disposeData(dataId, true);
      throw cannotAllocate(nbytes(shape, dtype as AllocDType));
    }
  };
}
