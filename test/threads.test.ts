import { execFile } from 'child_process';
import * as path from 'path';
import { torch } from '../src';
import { loadFixture, thrown } from './helpers';

interface Fixture {
  set_num_threads: { arg: string; value: unknown; error: { type: string; message: string } }[];
  calls: Record<string, { type: string; message: string }>;
  default_num_threads: number;
}
const fixture = loadFixture<Fixture>('grouped.json');

/** What the child prints and how long it took to exit by itself (it is killed at the bound). */
function child(threads: number, boundMs: number): Promise<{ backend: string; threads: number; outputs: number[][]; ms: number }> {
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    execFile(tsx, [path.join(__dirname, 'threads_child.ts'), String(threads)], { timeout: boundMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error !== null) return reject(new Error(`child with ${threads} threads: ${error.message} ${stderr}`));
      resolve({ ...JSON.parse(stdout.trim().split('\n').at(-1)!), ms: Date.now() - t0 });
    });
  });
}

describe('torch.set_num_threads arguments, as PyTorch checks them', () => {
  it.each(fixture.set_num_threads.map((c) => [c.arg, c] as const))('set_num_threads(%s)', (_, c) => {
    expect(thrown(() => torch.set_num_threads(c.value as number))).toEqual(c.error);
  });

  it.each([
    ['set_num_threads()', () => (torch.set_num_threads as (...a: unknown[]) => void)()],
    ['set_num_threads(1, 2)', () => (torch.set_num_threads as (...a: unknown[]) => void)(1, 2)],
    ['set_num_threads(n=2)', () => (torch.set_num_threads as (...a: unknown[]) => void)({ n: 2 })],
    ['get_num_threads(1)', () => (torch.get_num_threads as (...a: unknown[]) => number)(1)],
    ['get_num_threads(n=1)', () => (torch.get_num_threads as (...a: unknown[]) => number)({ n: 1 })],
  ])('%s', (call, fn) => {
    expect(thrown(fn)).toEqual(fixture.calls[call]);
  });

  it("the default is PyTorch's here", () => {
    expect(torch.get_num_threads()).toBe(fixture.default_num_threads);
  });
});

describe('threads on a running wasm backend', () => {
  beforeAll(() => torch.set_backend('wasm'));

  it('keeps its own count and says when another is asked for', () => {
    expect(torch.get_num_threads()).toBe(1);
    torch.set_num_threads(1);
    expect(thrown(() => torch.set_num_threads(2))).toEqual({
      type: 'RuntimeError',
      message:
        'set_num_threads(2): the wasm backend is already running with 1 thread; call torch.set_num_threads before torch.ready() or torch.set_backend(...), which start it',
    });
    expect(torch.get_num_threads()).toBe(1);
  });
});

describe('two threads in a child process', () => {
  const bound = 120_000; // a generous bound on a shared 2-core machine; it exits in seconds when idle

  it('runs on 2 threads, computes what 1 thread computes bit for bit, and exits by itself', async () => {
    const [one, two] = await Promise.all([child(1, bound), child(2, bound)]);
    expect([one.backend, one.threads, two.backend, two.threads]).toEqual(['wasm', 1, 'wasm', 2]);
    expect(two.outputs.map((o) => o.length)).toEqual([2 * 48 * 12 * 12, 2 * 64 * 5 * 5]);
    expect(two.outputs).toEqual(one.outputs);
    expect(two.ms).toBeLessThan(bound);
  }, 2 * bound);
});
