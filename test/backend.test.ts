import { RuntimeError, torch, ValueError } from '../src';

/** Whether tfjs-node loads here (installed with its native binding, which needs its install script). */
const tfjsNodeLoads = (() => {
  try {
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

// Jest gives each test file fresh modules, so nothing has chosen a backend before these run.
describe('backend selection', () => {
  it('refuses to compute before a backend is ready, saying what to call', () => {
    expect(() => torch.rand(2)).toThrow(
      new RuntimeError('tfjs-torch has no backend yet: call `await torch.ready()` (or `await torch.set_backend(...)`) once before computing'),
    );
  });

  it('ready() picks tensorflow when tfjs-node loads, else wasm', async () => {
    const expected = tfjsNodeLoads ? 'tensorflow' : 'wasm';
    await expect(torch.ready()).resolves.toBe(expected);
    expect(torch.get_backend()).toBe(expected);
  });

  it.each(['cpu', 'wasm'] as const)('set_backend(%s) switches to it', async (name) => {
    await torch.set_backend(name);
    expect(torch.get_backend()).toBe(name);
    expect(torch.rand(2, 3).shape).toEqual([2, 3]);
  });

  it('set_backend(tensorflow) works with tfjs-node and otherwise names the missing package', async () => {
    const attempt = torch.set_backend('tensorflow');
    if (tfjsNodeLoads) {
      await attempt;
      expect(torch.get_backend()).toBe('tensorflow');
    } else {
      await expect(attempt).rejects.toThrow(RuntimeError);
      await expect(torch.set_backend('tensorflow')).rejects.toThrow(/^backend 'tensorflow' is not available: @tensorflow\/tfjs-node could not be loaded/);
    }
  });

  it('rejects an unknown backend name', async () => {
    await expect(torch.set_backend('webgl' as never)).rejects.toThrow(new ValueError("unknown backend 'webgl', expected one of tensorflow, wasm, cpu"));
  });
});
