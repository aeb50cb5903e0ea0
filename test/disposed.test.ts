import { memory } from '@tensorflow/tfjs-core';
import { nn, RuntimeError, torch } from '../src';
import { BACKENDS } from './helpers';

/**
 * Disposal has no PyTorch counterpart, so these check the library's own contract: a disposed
 * module or tensor is refused with a RuntimeError before any tfjs kernel sees it, nothing leaks,
 * and everything else keeps working.
 */
describe.each(BACKENDS)('disposed modules and tensors on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it('refuses to call a disposed module, and other modules keep working', () => {
    const m = new nn.Conv2d(2, 3, 3);
    const x = torch.rand(1, 2, 5, 5);
    m.dispose();
    const before = memory().numTensors;
    expect(() => m(x)).toThrow(new RuntimeError('Conv2d was disposed: its parameters and buffers are freed'));
    expect(() => m.load_state_dict(new nn.Conv2d(2, 3, 3).state_dict())).toThrow(RuntimeError);
    expect(memory().numTensors).toBeGreaterThanOrEqual(before);
    const other = new nn.Conv2d(2, 3, 3);
    const y = other(x);
    expect(y.shape).toEqual([1, 3, 3, 3]);
    [x, y].forEach((t) => t.dispose());
    other.dispose();
  });

  it('refuses a disposed input, and the next call works', () => {
    const m = new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.ReLU());
    const x = torch.rand(1, 2, 5, 5);
    x.dispose();
    const before = memory().numTensors;
    expect(() => m(x)).toThrow(new RuntimeError('Sequential: input 0 is a disposed tensor'));
    expect(memory().numTensors).toBe(before);
    const x2 = torch.rand(1, 2, 5, 5);
    const y = m(x2);
    expect(y.shape).toEqual([1, 3, 3, 3]);
    [x2, y].forEach((t) => t.dispose());
    m.dispose();
  });

  it('refuses a state_dict holding a disposed tensor before copying anything', () => {
    const m = new nn.Conv2d(2, 3, 3);
    const source = new nn.Conv2d(2, 3, 3);
    const sd = source.state_dict();
    const weightBefore = [...m.weight.dataSync()];
    sd.bias.dispose();
    expect(() => m.load_state_dict(sd)).toThrow(
      new RuntimeError('Error(s) in loading state_dict for Conv2d:\n\tdisposed tensor(s) in state_dict: "bias"'),
    );
    expect([...m.weight.dataSync()]).toEqual(weightBefore);
    const x = torch.rand(1, 2, 5, 5);
    const y = m(x);
    expect(y.shape).toEqual([1, 3, 3, 3]);
    [x, y].forEach((t) => t.dispose());
    m.dispose();
    source.weight.dispose();
  });
});
