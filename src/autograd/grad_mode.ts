/**
 * Grad mode: PyTorch's `torch.no_grad`, `torch.enable_grad`, `torch.set_grad_enabled` and
 * `torch.is_grad_enabled`. Python's `with torch.no_grad(): body` becomes
 * `torch.no_grad(() => body)`, which runs the callback with recording off and returns its
 * value; the mode before it is restored however the callback ends (when it returns a promise,
 * once that settles, as an `await` inside Python's `with` keeps the mode until the block ends).
 * `@torch.no_grad()` on a function becomes `torch.no_grad(fn)` at its call, or a wrapper.
 */
import { isGradEnabled, setGradEnabled } from '../backend/autograd';
import { req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { pyTypeName } from '../python/values';

const NoGradSig = signature('no_grad', [req('fn', any<() => unknown>('function'))]);
const EnableGradSig = signature('enable_grad', [req('fn', any<() => unknown>('function'))]);
const SetGradEnabledSig = signature('set_grad_enabled.__init__', [req('mode', any<boolean>('bool'))], { method: true });

/** Runs `fn` with grad mode `mode`, restoring the previous mode after it (or after its promise). */
function withMode<T>(mode: boolean, fn: () => T, name: string): T {
  if (typeof fn !== 'function') throw new TypeError(`${name}() takes the block to run as a function: torch.${name}(() => { ... })`);
  const before = setGradEnabled(mode);
  let async = false;
  try {
    const result = fn();
    if (result instanceof Promise) {
      async = true;
      return result.finally(() => setGradEnabled(before)) as T;
    }
    return result;
  } finally {
    if (!async) setGradEnabled(before);
  }
}

/**
 * `with torch.no_grad(): ...` as `torch.no_grad(() => ...)`: nothing computed inside is
 * recorded for backward, and results do not require grad.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.no_grad.html
 */
export function no_grad<T>(...args: [fn: () => T]): T {
  const { fn } = NoGradSig.bind(args as ArgsOf<typeof NoGradSig>);
  return withMode(false, fn as () => T, 'no_grad');
}

/**
 * `with torch.enable_grad(): ...` as `torch.enable_grad(() => ...)`: records inside a `no_grad`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.enable_grad.html
 */
export function enable_grad<T>(...args: [fn: () => T]): T {
  const { fn } = EnableGradSig.bind(args as ArgsOf<typeof EnableGradSig>);
  return withMode(true, fn as () => T, 'enable_grad');
}

/**
 * `torch.set_grad_enabled(mode)` called as a function: sets grad mode from here on. (Its
 * `with` form is `torch.no_grad` / `torch.enable_grad` with a callback.)
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.set_grad_enabled.html
 */
export function set_grad_enabled(...args: ArgsOf<typeof SetGradEnabledSig>): void {
  const { mode } = SetGradEnabledSig.bind(args);
  if (typeof mode !== 'boolean') throw new TypeError(`enabled must be a bool (got ${pyTypeName(mode)})`);
  setGradEnabled(mode);
}

/**
 * `torch.is_grad_enabled()`: whether operations are recorded now.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.is_grad_enabled.html
 */
export function is_grad_enabled(): boolean {
  return isGradEnabled();
}
