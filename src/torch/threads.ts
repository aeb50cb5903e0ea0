/** `torch.set_num_threads` / `torch.get_num_threads`: the wasm backend's thread count. */
import { RuntimeError } from '../errors';
import { getNumThreads, setNumThreads } from '../backend/runtime';
import { isPlainObject, pyTypeName } from '../python/values';

/** CPython's argument count check for a builtin taking one argument (`METH_O`). */
function oneArgument(qualname: string, args: readonly unknown[]): unknown {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  if (end > 0 && isPlainObject(args[end - 1])) throw new TypeError(`${qualname}() takes no keyword arguments`);
  if (end !== 1) throw new TypeError(`${qualname}() takes exactly one argument (${end} given)`);
  return args[0];
}

/**
 * Sets the number of threads the wasm backend computes with: its threaded SIMD build with `n`
 * XNNPACK threads, or the single-threaded build for 1 (the default). Threads start with the
 * backend, so call it before `await torch.ready()` (or `torch.set_backend('wasm')`); once the
 * backend runs, asking for another count is a RuntimeError. The cpu backend is single-threaded.
 * As in PyTorch, `n` must be an int and is read as a C int, which must be positive.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.set_num_threads.html
 */
export function set_num_threads(...args: [n: number]): void {
  const n = oneArgument('torch.set_num_threads', args);
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new RuntimeError(`set_num_threads expects an int, but got ${pyTypeName(n)}`);
  const nthreads = n | 0; // PyTorch casts the long to a C int
  if (nthreads <= 0) throw new RuntimeError('set_num_threads expects a positive integer');
  setNumThreads(nthreads);
}

/**
 * The wasm backend's thread count: XNNPACK's own once the backend runs, else the count it will
 * start with (1 unless `torch.set_num_threads` said otherwise).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.get_num_threads.html
 */
export function get_num_threads(...args: []): number {
  let end = args.length;
  while (end > 0 && (args as unknown[])[end - 1] === undefined) end--;
  if (end > 0 && isPlainObject((args as unknown[])[end - 1])) throw new TypeError('torch.get_num_threads() takes no keyword arguments');
  if (end > 0) throw new TypeError(`torch.get_num_threads() takes no arguments (${end} given)`);
  return getNumThreads();
}
