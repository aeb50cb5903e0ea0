import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { F, nn, torch } from '../src';
import { chooseGroupedLowering, depthwiseThenSum, FilterCache, groupMajor, splitConcat, type GroupedLowering } from '../src/backend/conv2d';
import { concatAxis, sliceAxis } from '../src/backend/kernels/axis';
import { BACKENDS, expectClose, loadFixture, tensorFrom } from './helpers';

interface Case {
  id: string;
  ctor: nn.Conv2dConfig & { in_channels: number; out_channels: number; groups: number };
  input_shape: number[];
  input: number[];
  weight_shape: number[];
  weight: number[];
  bias: number[] | null;
  output_shape: number[];
  output: number[];
}
const fixture = loadFixture<{ cases: Case[] }>('grouped.json');

const lowerings: [string, GroupedLowering][] = [
  ['depthwise+sum', depthwiseThenSum],
  ['group-major', groupMajor],
  ['split+concat', splitConcat],
];
const nameOf = (lower: GroupedLowering) => lowerings.find(([, l]) => l === lower)![0];

/** The fixture's module, its weights loaded as a user loads them. */
function moduleFor(c: Case): nn.Conv2d {
  const m = new nn.Conv2d(c.ctor);
  const sd: Record<string, Tensor> = { weight: tensorFrom(c.weight, c.weight_shape) };
  if (c.bias !== null) sd.bias = tensorFrom(c.bias, [c.weight_shape[0]]);
  m.load_state_dict(sd);
  Object.values(sd).forEach((t) => t.dispose());
  return m;
}

describe('the lowering chosen for each fixture shape', () => {
  // The fixture covers both choices on the backends with kernels of ours.
  it.each(BACKENDS)('%s: both depthwise+sum and group-major are exercised', (backend) => {
    const chosen = new Set(fixture.cases.map((c) => nameOf(chooseGroupedLowering(backend, c.ctor.out_channels, c.ctor.groups))));
    expect([...chosen].sort()).toEqual(['depthwise+sum', 'group-major']);
  });
});

describe.each(BACKENDS)('grouped convolution on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(fixture.cases.map((c) => [`${c.id} (${nameOf(chooseGroupedLowering(backend, c.ctor.out_channels, c.ctor.groups))})`, c] as const))('%s', (_, c) => {
    it('nn.Conv2d matches PyTorch, twice through its filter cache, leaking nothing', () => {
      const m = moduleFor(c);
      const x = tensorFrom(c.input, c.input_shape);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) {
        const y = m(x);
        expectClose(y, c.output_shape, c.output);
        y.dispose();
      }
      m.dispose();
      x.dispose();
      expect(tf.memory().numTensors).toBe(before - 1 - (c.bias === null ? 1 : 2));
    });

    it('group-major gives split+concat bit for bit', () => {
      const x = tf.transpose(tensorFrom(c.input, c.input_shape), [0, 2, 3, 1]) as tf.Tensor4D;
      const w = tensorFrom(c.weight, c.weight_shape) as tf.Tensor4D;
      const g = { stride: [1, 1], pads: [1, 1, 1, 1], dilation: [1, 1], groups: c.ctor.groups } as const;
      const [ref, major] = tf.tidy(() => [splitConcat, groupMajor].map((lower) => Array.from(lower(x, w, g, [1, 1], [1, 1]).dataSync())));
      expect(major).toEqual(ref);
      tf.dispose([x, w]);
    });
  });

  const functional = fixture.cases.filter((c) => c.ctor.padding_mode === undefined);
  it.each(functional.map((c) => [c.id, c] as const))('F.conv2d: %s matches PyTorch', (_, c) => {
    const [x, w] = [tensorFrom(c.input, c.input_shape), tensorFrom(c.weight, c.weight_shape)];
    const b = c.bias === null ? null : tensorFrom(c.bias, [c.weight_shape[0]]);
    const y = F.conv2d(x, w, b, { stride: c.ctor.stride, padding: c.ctor.padding, dilation: c.ctor.dilation, groups: c.ctor.groups });
    expectClose(y, c.output_shape, c.output);
    tf.dispose([x, w, y, ...(b === null ? [] : [b])]);
  });

  describe.each([
    ['float32', [6, 2, 3], 0, 3],
    ['float32', [2, 3, 130], 2, 2],
    ['float32', [2, 6, 5], 1, 3],
    ['int32', [4, 5], 0, 2],
    ['int32', [4, 6], 1, 3],
    ['bool', [2, 3, 2], 2, 2],
  ] as const)('own kernels on %s %j along axis %i in %i pieces', (dtype, shape, axis, pieces) => {
    it('slice and concat along one axis are tfjs slice and concat, freeing what they make', () => {
      const size = shape.reduce((a: number, b: number) => a * b, 1);
      const values = Array.from({ length: size }, (_, i) => i - 7);
      const x = dtype === 'bool' ? tf.tensor(values.map((v) => v % 3 === 0), [...shape], 'bool') : tf.tensor(values, [...shape], dtype);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const m = (shape[axis] as number) / pieces;
        const ours = Array.from({ length: pieces }, (_, i) => sliceAxis(x, axis, i * m, m));
        const theirs = tf.split(x, pieces, axis);
        const described = (ts: tf.Tensor[]) => ts.map((t) => [t.shape, t.dtype, Array.from(t.dataSync())]);
        expect(described(ours)).toEqual(described(theirs));
        const back = concatAxis(ours, axis);
        expect([back.shape, back.dtype, Array.from(back.dataSync())]).toEqual([x.shape, x.dtype, Array.from(x.dataSync())]);
      });
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  });

  it('a cached group-major filter set is freed with its cache', () => {
    const x = tf.ones([1, 3, 3, 8]) as tf.Tensor4D;
    const w = tf.ones([12, 2, 3, 3]) as tf.Tensor4D;
    const g = { stride: [1, 1], pads: [1, 1, 1, 1], dilation: [1, 1], groups: 4 } as const;
    const before = tf.memory().numTensors;
    const cache = new FilterCache();
    tf.tidy(() => void groupMajor(x, w, g, [1, 1], [1, 1], cache));
    expect(tf.memory().numTensors).toBe(before + 4);
    cache.release();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});
