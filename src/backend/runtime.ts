import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { RuntimeError, ValueError } from '../errors';

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
  else if (name === 'wasm') require('@tensorflow/tfjs-backend-wasm');
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
    } catch {
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
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  calledRun?: boolean;
  tfjs?: Record<string, (...args: number[]) => number>;
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
  wasm.tfjs = {
    init: wasm.cwrap('init', null, []),
    initWithThreadsCount: wasm.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: wasm.cwrap('get_threads_count', 'number', []),
    registerTensor: wasm.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: wasm.cwrap('dispose_data', null, ['number']),
    dispose: wasm.cwrap('dispose', null, []),
  };
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
  tf.removeBackend('wasm');
  const fresh = newWasmBackend();
  tf.registerBackend('wasm', () => fresh, 2); // 2: the priority tfjs-backend-wasm registers itself with
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
