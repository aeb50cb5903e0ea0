import * as fs from 'fs';
import * as os from 'os';
import { Worker as NodeWorker } from 'worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { RuntimeError, ValueError } from '../errors';
// A cycle (guard.ts uses compute and wasmModule): neither module calls the other while loading.
import { guardWasmWrites } from './guard';
import { patchEmptyWasmKernels } from './wasm_empty';

/** The backends we run on, fastest first: the order `ready()` tries them in. */
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/**
 * Loads a backend's package. Each is required lazily so that an absent optional package
 * (tfjs-node, skipped where its install script cannot download libtensorflow) only matters
 * when it is asked for.
 */
function loadPackage(name: BackendName): void {
  if (name === 'tensorflow') require('@tensorflow/tfjs-node');
  else if (name === 'wasm') {
    guardWasmWrites(require('@tensorflow/tfjs-backend-wasm').BackendWasm);
    patchEmptyWasmKernels();
  }
}

let active: BackendName | null = null;

/**
 * Switches the backend every later computation runs on. Rejects with a RuntimeError naming the
 * missing package if that backend is not installed.
 */
export async function setBackend(name: BackendName): Promise<void> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new ValueError(`unknown backend '${name}', expected one of ${BACKENDS.join(', ')}`);
  }
  try {
    loadPackage(name);
  } catch (cause) {
    const pkg = name === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-backend-wasm';
    throw new RuntimeError(
      `backend '${name}' is not available: ${pkg} could not be loaded (${(cause as Error).message.split('\n')[0]})`,
    );
  }
  if (name === 'wasm' && threads > 1 && tf.findBackend('wasm') === null) {
    const backend = await threadedWasmBackend(threads);
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => backend, WASM_PRIORITY);
  }
  const listeners = processListeners();
  if (!(await tf.setBackend(name))) {
    throw new RuntimeError(`backend '${name}' failed to initialise`);
  }
  await tf.ready();
  removeListenersAddedSince(listeners);
  if (name === 'wasm') wasmBinary ??= (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  active = name;
}

/**
 * Picks the fastest available backend (tensorflow, then wasm, then cpu) unless one was set.
 * Call `await torch.ready()` once at the start of a script: wasm initialises asynchronously.
 */
export async function ready(): Promise<BackendName> {
  if (active !== null) return active;
  for (const name of BACKENDS) {
    try {
      await setBackend(name);
      return name;
    } catch (e) {
      if (threadErrors.has(e as Error)) throw e;
      continue;
    }
  }
  throw new RuntimeError('no tfjs backend could be initialised');
}

/** The active backend's name. */
export function getBackend(): BackendName {
  return ensureReady();
}

/**
 * Guards every computation. tfjs would otherwise silently initialise its own choice of backend;
 * we want the user's `await torch.ready()` (or `set_backend`) to decide, so we say so instead.
 */
export function ensureReady(): BackendName {
  if (active === null || tf.getBackend() !== active) {
    throw new RuntimeError(
      'tfjs-torch has no backend yet: call `await torch.ready()` (or `await torch.set_backend(...)`) once before computing',
    );
  }
  return active;
}

/** The parts of tfjs-backend-wasm's Emscripten module that the allocation guard and a restart use. */
export interface WasmModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  /** The heap as bytes; a new view after each growth. */
  HEAPU8: Uint8Array;
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  calledRun?: boolean;
  tfjs?: Record<string, (...args: number[]) => number>;
  /** Emscripten's pool of pthread workers, in the threaded build only. */
  PThread?: PThreads;
}

interface PThreads {
  unusedWorkers: NodeWorker[];
  runningWorkers: NodeWorker[];
  allocateUnusedWorker(): void;
}

/** The priority tfjs-backend-wasm registers itself with. */
const WASM_PRIORITY = 2;

/** The wasm backend's thread count: requested until the backend starts, then what XNNPACK runs. */
let threads = 1;

/** XNNPACK's thread count on the running wasm backend, or null before it starts. */
function wasmThreads(): number | null {
  if (tf.findBackend('wasm') === null) return null;
  return (require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount(): number }).getThreadsCount();
}

/**
 * Sets the number of threads the wasm backend computes with (`n` already checked to be a
 * positive whole number). The threaded build starts with the backend, so this must come before
 * `ready()` or `setBackend('wasm')`; once the backend runs, only its own count is accepted.
 */
export function setNumThreads(n: number): void {
  const running = wasmThreads();
  if (running !== null && running !== n) {
    throw new RuntimeError(
      `set_num_threads(${n}): the wasm backend is already running with ${running} thread${running === 1 ? '' : 's'}; ` +
        'call torch.set_num_threads before torch.ready() or torch.set_backend(...), which start it',
    );
  }
  threads = n;
}

/** The wasm backend's thread count: XNNPACK's once the backend runs, else the one it will start with. */
export function getNumThreads(): number {
  return wasmThreads() ?? threads;
}

const WASM_OUT = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';

/**
 * tfjs-backend-wasm's threaded SIMD build, started under Node with nothing of the package
 * changed. tfjs's own `init` cannot do it: it reports no thread support under Node, and hands
 * Emscripten a `blob:` URL for the worker script and the main script, which Node's Worker
 * refuses. So the unbundled Emscripten factory is called directly (under Node it hands its
 * workers its own file path), with
 * - pool workers that run the package's worker script as code (the file exports it as a string,
 *   with `\n` to escape as tfjs escapes it for its blob); Emscripten constructs them through the
 *   global `Worker`, which it assigns itself, so that name reads ours while the factory runs;
 * - the pool cut from Emscripten's eight workers to the n − 1 XNNPACK uses, and any later
 *   worker made the same way;
 * - the core count the module reports raised to 2n: the backend caps XNNPACK at half of it,
 *   which on a 2-core machine would be one thread whatever is asked;
 * - the workers unreferenced once XNNPACK's threads run (they wait for work forever), so that
 *   the process still exits when the program ends.
 */
async function threadedWasmBackend(n: number): Promise<WasmBackend> {
  try {
    return await startThreadedWasm(n);
  } catch (cause) {
    const e = new RuntimeError(
      `set_num_threads(${n}): the threaded wasm backend could not start (${cause instanceof Error ? cause.message : String(cause)}); ` +
        'torch.set_num_threads(1) runs the single-threaded build',
      { cause },
    );
    threadErrors.add(e);
    throw e;
  }
}

/** Failures to start threads, which `ready()` reports rather than falling back to the cpu backend. */
const threadErrors = new WeakSet<Error>();

async function startThreadedWasm(n: number): Promise<WasmBackend> {
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('this JavaScript runtime has no SharedArrayBuffer, through which threads share the heap');
  const pkg = require('@tensorflow/tfjs-backend-wasm') as { BackendWasm: new (wasm: WasmModule) => WasmBackend; setThreadsCount(n: number): void };
  const factory = require(`${WASM_OUT}.js`) as (config: object) => Promise<WasmModule>;
  const source = (require(`${WASM_OUT}.worker.js`) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  const binary = await fs.promises.readFile(require.resolve(`${WASM_OUT}.wasm`));
  let fail: (e: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  function PoolWorker(): NodeWorker {
    return new NodeWorker(source, { eval: true }).once('error', (e) => fail(e));
  }
  const config = {
    instantiateWasm(imports: { env: Record<string, unknown> }, receive: (instance: object, module: object) => void) {
      imports.env.emscripten_num_logical_cores = () => Math.max(os.cpus().length, 2 * n);
      void WebAssemblyGlobal.instantiate(binary, imports).then(({ instance, module }) => {
        const pool = (config as Partial<WasmModule>).PThread as PThreads;
        pool.unusedWorkers.splice(n - 1).forEach((w) => void w.terminate());
        pool.allocateUnusedWorker = () => void pool.unusedWorkers.push(PoolWorker());
        receive(instance, module);
      }, () => undefined); // a failure reaches the factory's promise through the module's abort
      return {};
    },
  };
  const globalWorker = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PoolWorker, set: () => undefined });
  let started: Promise<WasmModule>;
  const listeners = processListeners();
  try {
    started = factory(config);
  } finally {
    if (globalWorker === undefined) delete (globalThis as { Worker?: unknown }).Worker;
    else Object.defineProperty(globalThis, 'Worker', globalWorker);
  }
  const wasm = await Promise.race([started, failed]).finally(() => removeListenersAddedSince(listeners));
  wasm.tfjs = moduleFunctions(wasm);
  pkg.setThreadsCount(n);
  const backend = new pkg.BackendWasm(wasm);
  const pool = wasm.PThread as PThreads;
  pool.runningWorkers.forEach((w) => w.unref());
  return backend;
}

/** The functions tfjs's `init` wraps on a module, under the names BackendWasm calls. */
function moduleFunctions(wasm: WasmModule): Record<string, (...args: number[]) => number> {
  return {
    init: wasm.cwrap('init', null, []),
    initWithThreadsCount: wasm.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: wasm.cwrap('get_threads_count', 'number', []),
    registerTensor: wasm.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: wasm.cwrap('dispose_data', null, ['number']),
    dispose: wasm.cwrap('dispose', null, []),
  };
}

/** tfjs's BackendWasm, as far as this file relies on it. */
interface WasmBackend extends tf.KernelBackend {
  wasm: WasmModule;
  dataIdMap: { delete(dataId: object): boolean };
}

/** The active wasm backend's module, or null on another backend. */
export function wasmModule(): WasmModule | null {
  return ensureReady() === 'wasm' ? (tf.backend() as WasmBackend).wasm : null;
}

/** Node's WebAssembly global, which the ES2022 library this project compiles against does not declare. */
interface WebAssemblyApi {
  RuntimeError: new (...args: never[]) => Error;
  Module: new (binary: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  instantiate(binary: Uint8Array, imports: object): Promise<{ instance: object; module: object }>;
}
const WebAssemblyGlobal = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The binary tfjs chose when the wasm backend first initialised (it depends on SIMD support). */
let wasmBinary: string | undefined;
let compiledWasm: object | undefined;

type Listeners = ReturnType<typeof processListeners>;
const processListeners = () => ({ uncaught: process.listeners('uncaughtException'), rejection: process.listeners('unhandledRejection') });

/**
 * Each instance of tfjs's Emscripten module adds process handlers that rethrow, which turns any
 * uncaught error of the program into exit code 7 and, repeated per restart, would pile up.
 */
function removeListenersAddedSince(before: Listeners): void {
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.uncaught.includes(listener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!before.rejection.includes(listener)) process.removeListener('unhandledRejection', listener);
  }
}

/**
 * A fresh wasm backend, made synchronously so that the computation that trapped can report it
 * and the next one runs: the module is instantiated from the binary compiled here (the
 * factory's own loader is asynchronous), then wired up as tfjs's `init` wires it.
 */
function newWasmBackend(): WasmBackend {
  const pkg = require('@tensorflow/tfjs-backend-wasm') as { BackendWasm: new (wasm: WasmModule) => WasmBackend };
  const factory = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js') as (config: object) => Promise<unknown>;
  compiledWasm ??= new WebAssemblyGlobal.Module(fs.readFileSync(require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${wasmBinary}`)));
  const compiled = compiledWasm;
  const module: Partial<WasmModule> & { instantiateWasm: unknown } = {
    instantiateWasm(imports: object, receive: (instance: object, module: object) => void) {
      const instance = new WebAssemblyGlobal.Instance(compiled, imports);
      receive(instance, compiled);
      return instance.exports;
    },
  };
  const listeners = processListeners();
  factory(module).catch(() => undefined); // its readiness promise; the module is ready synchronously or not at all
  removeListenersAddedSince(listeners);
  const wasm = module as WasmModule;
  if (!wasm.calledRun) throw new RuntimeError('the wasm backend could not be restarted');
  wasm.tfjs = moduleFunctions(wasm);
  return new pkg.BackendWasm(wasm);
}

const lostMessage =
  'this tensor was on the wasm backend when a kernel trapped; the backend was restarted with a new heap and the tensor\'s data is lost: create it again';

/**
 * Replaces the wasm backend after a trap. The old heap may be corrupt (a kernel that traps has
 * usually written where it should not), so nothing is copied from it: tensors made before the
 * trap raise an error when read or used, and disposing them only forgets them, because calling
 * into the trapped module could trap again.
 */
function restartWasm(): void {
  const old = tf.backend() as WasmBackend;
  old.readSync = () => {
    throw new RuntimeError(lostMessage);
  };
  old.read = () => Promise.reject(new RuntimeError(lostMessage));
  old.disposeData = (dataId: object) => (old.dataIdMap.delete(dataId), true);
  old.dispose = () => undefined;
  // Emscripten's own clean-up calls into the module; terminating its workers does not.
  const pool = old.wasm.PThread;
  pool?.runningWorkers.concat(pool.unusedWorkers).forEach((w) => void w.terminate());
  tf.removeBackend('wasm');
  const fresh = newWasmBackend();
  tf.registerBackend('wasm', () => fresh, WASM_PRIORITY);
  // The factory returns the backend itself, so setBackend completes before it returns its promise.
  void tf.setBackend('wasm');
  if (tf.backend() !== fresh) throw new RuntimeError('the wasm backend could not be restarted');
}

/** tfjs's allocation failures, which the guard should have prevented: the backend could not make an array. */
const isAllocationFailure = (e: unknown): e is RangeError =>
  e instanceof RangeError && /Array buffer allocation failed|Invalid typed array length|Invalid array buffer length/.test(e.message);

/**
 * Runs `fn`, a computation on the active backend, and turns what the backend itself throws into
 * the library's RuntimeError. A trap in a wasm kernel (WebAssembly.RuntimeError), or an array
 * the wasm backend failed to allocate after its heap ran out, leaves that module unusable, so
 * the backend is restarted first: the error says so, and the next computation runs on a fresh
 * heap. Runs inside any `tf.tidy` of the caller, so that the tidy's clean-up finds the old
 * backend already detached.
 */
export function compute<T>(fn: () => T): T {
  const backend = ensureReady();
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof WebAssemblyGlobal.RuntimeError) && !isAllocationFailure(e)) throw e;
    if (backend === 'wasm') {
      restartWasm();
      throw new RuntimeError(
        `the wasm backend failed inside a kernel (${e.constructor.name}: ${e.message}) and was restarted with a new heap: ` +
          'tensors made before this call are lost, so create them again (for a model, reload its weights); later calls run normally',
        { cause: e },
      );
    }
    throw new RuntimeError(`the ${backend} backend could not allocate memory (${e.constructor.name}: ${e.message})`, { cause: e });
  }
}

export { tf };
