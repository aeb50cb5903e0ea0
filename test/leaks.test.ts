import { memory } from '@tensorflow/tfjs-core';
import { F, nn, RuntimeError, torch } from '../src';
import { BACKENDS } from './helpers';

const configs: [string, nn.Conv2dConfig, number[]][] = [
  ['dense', { in_channels: 3, out_channels: 8, kernel_size: 3 }, [1, 3, 8, 8]],
  ['depthwise', { in_channels: 4, out_channels: 8, kernel_size: 3, groups: 4, padding: 1 }, [2, 4, 6, 6]],
  ['grouped', { in_channels: 8, out_channels: 4, kernel_size: 3, groups: 2 }, [1, 8, 6, 6]],
  ['stride and dilation', { in_channels: 2, out_channels: 2, kernel_size: 3, stride: 2, dilation: 2 }, [1, 2, 9, 9]],
  ['same, reflect', { in_channels: 2, out_channels: 3, kernel_size: [2, 4], padding: 'same', padding_mode: 'reflect' }, [1, 2, 6, 6]],
  ['circular', { in_channels: 2, out_channels: 2, kernel_size: 3, padding: 1, padding_mode: 'circular' }, [1, 2, 5, 5]],
  ['unbatched replicate', { in_channels: 2, out_channels: 2, kernel_size: 3, padding: 2, padding_mode: 'replicate' }, [2, 5, 5]],
  ['empty batch', { in_channels: 2, out_channels: 2, kernel_size: 3 }, [0, 2, 5, 5]],
];

describe.each(BACKENDS)('no tensor leaks on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(configs)('%s: 100 forwards leave the tensor count unchanged, dispose() frees the rest', (_, config, shape) => {
    const start = memory().numTensors;
    const m = new nn.Conv2d(config);
    const x = torch.rand(shape);
    m(x).dispose(); // the first call converts the weight to tfjs's layout once, kept by the module
    const before = memory().numTensors;
    for (let i = 0; i < 100; i++) m(x).dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
    expect(memory().numTensors).toBe(start);
  });

  it('a weight changed by load_state_dict is reconverted, and the old conversion freed', () => {
    const [m, fresh] = [new nn.Conv2d(2, 4, 3, { groups: 2 }), new nn.Conv2d(2, 4, 3, { groups: 2 })];
    const x = torch.rand(1, 2, 3, 3);
    m(x).dispose(); // caches m's converted weight
    const before = memory().numTensors;
    m.load_state_dict(fresh.state_dict());
    const [y, expected] = [m(x), fresh.call(x)];
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected.dataSync()));
    [y, expected].forEach((t) => t.dispose());
    expect(memory().numTensors).toBe(before + 1); // fresh's own cached conversion
    x.dispose();
    m.dispose();
    fresh.dispose();
  });

  it('failing forwards leave the tensor count unchanged', () => {
    const m = new nn.Conv2d(3, 4, 3, { padding: 1, padding_mode: 'reflect' });
    const x = torch.rand(1, 4, 5, 5);
    const before = memory().numTensors;
    for (let i = 0; i < 100; i++) expect(() => m(x)).toThrow(RuntimeError);
    expect(memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('a disposed module releases every tensor it made', () => {
    const before = memory().numTensors;
    const m = new nn.Conv2d(3, 4, 3);
    const x = torch.ones(1, 3, 4, 4);
    F.conv2d(x, m.weight, m.bias).dispose();
    x.dispose();
    m.dispose();
    expect(memory().numTensors).toBe(before);
  });
});
