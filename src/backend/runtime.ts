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
  if (!(await tf.setBackend(name))) {
    throw new RuntimeError(`backend '${name}' failed to initialise`);
  }
  await tf.ready();
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

export { tf };
