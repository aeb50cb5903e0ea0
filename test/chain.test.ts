import { profile, type Tensor } from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';
import { BACKENDS, loadFixture, thrown } from './helpers';

const fixture = loadFixture<{
  block: { input_shape: number[] };
  chain_hooks: [string, number[], number[]][];
  chain_error: { type: string; message: string };
}>('article.json');

/** The chain gen_article.py's chain_hooks() builds in PyTorch. */
const blocks = () =>
  new nn.Sequential(
    new nn.DepthWiseConv(4, 8),
    new nn.Sequential(new nn.Conv2d(8, 8, 3, { padding: 1, groups: 8 }), new nn.Conv2d(8, 6, 1), new nn.BatchNorm2d(6), new nn.ReLU()),
    new nn.Conv2d(6, 6, 3, { groups: 2, stride: 2, dilation: 2, padding: 2 }),
  );

/** Kernel names tfjs ran for `fn`, in order. */
async function kernels(fn: () => Tensor): Promise<string[]> {
  const info = await profile(() => fn());
  return info.kernels.map((k) => k.name);
}

describe.each(BACKENDS)('channels-last chains on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each([
    ['a Sequential of blocks', blocks, [2, 4, 9, 9]],
    ['the DepthWiseConv block', () => new nn.DepthWiseConv(3, 16), fixture.block.input_shape],
  ] as const)('%s converts layout once in and once out', async (_, make, shape) => {
    const m = make();
    const x = torch.rand([...shape]);
    m(x).dispose(); // converts weights once
    const names = await kernels(() => m(x));
    expect(names.filter((k) => k === 'Transpose')).toHaveLength(2);
    x.dispose();
    m.dispose();
  });

  it.each(['train', 'eval'] as const)('in %s mode gives what layer-by-layer calls give', (mode) => {
    torch.manual_seed(3);
    const [a, b] = [blocks(), blocks()];
    b.load_state_dict(a.state_dict());
    a.train(mode === 'train');
    b.train(mode === 'train');
    // A hook on every module makes every chain run layer by layer on NCHW tensors.
    for (const m of b.modules()) m.register_forward_hook(() => undefined);
    const x = torch.rand(2, 4, 9, 9);
    const [ya, yb] = [a(x), b(x)];
    const diff = Math.max(...Array.from(ya.dataSync(), (v, i) => Math.abs(v - yb.dataSync()[i])));
    expect(ya.shape).toEqual(yb.shape);
    expect(diff).toBeLessThanOrEqual(1e-5);
    const [sa, sb] = [a.state_dict(), b.state_dict()];
    for (const k of Object.keys(sa)) expect(Array.from(sa[k].dataSync())).toEqual(Array.from(sb[k].dataSync()));
    [x, ya, yb].forEach((t) => t.dispose());
    a.dispose();
    b.dispose();
  });

  it('hooks inside a chain see NCHW tensors with PyTorch\'s shapes', () => {
    const m = blocks();
    const seen: [string, number[], number[]][] = [];
    for (const [name, child] of m.named_modules()) {
      child.register_forward_hook((_, inputs, output) => {
        seen.push([name, (inputs[0] as Tensor).shape, (output as Tensor).shape]);
      });
    }
    const x = torch.rand(2, 4, 9, 9);
    m(x).dispose();
    expect(seen).toEqual(fixture.chain_hooks);
    x.dispose();
    m.dispose();
  });

  it('raises PyTorch\'s error, with NCHW shapes, from inside a chain', () => {
    const m = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.Conv2d(5, 2, 1));
    const x = torch.rand(1, 3, 6, 6);
    expect(thrown(() => m(x))).toEqual(fixture.chain_error);
    x.dispose();
    m.dispose();
  });
});
