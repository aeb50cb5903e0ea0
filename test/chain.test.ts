import { profile, transpose as tfTranspose, type Tensor } from '@tensorflow/tfjs-core';
import { nn, torch, torchvision } from '../src';
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

/**
 * How many of the transposes tfjs ran for `fn` converted between NCHW and NHWC (a grouped
 * convolution's group-major lowering transposes inside the kernel too; those are not layout).
 */
async function layoutConversions(fn: () => Tensor): Promise<number> {
  const info = await profile(() => fn());
  const permuted = (shape: number[], perm: number[]) => perm.map((p) => shape[p]).join();
  return info.kernels.filter((k) => {
    const [input, output] = [k.inputShapes[0], k.outputShapes[0]];
    return k.name === 'Transpose' && input.length === 4 && [[0, 2, 3, 1], [0, 3, 1, 2]].some((perm) => permuted(input, perm) === output.join());
  }).length;
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
    expect(await layoutConversions(() => m(x))).toBe(2);
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

/** Running statistics and affine parameters away from their initial 0 and 1, so folding them changes the weights. */
function randomiseNorms(m: nn.Module): void {
  for (const bn of m.modules()) {
    if (!(bn instanceof nn.BatchNorm2d)) continue;
    const c = bn.num_features;
    const state = { weight: torch.rand(c).add(0.5), bias: torch.randn(c).mul(0.1), running_mean: torch.randn(c).mul(0.1), running_var: torch.rand(c).add(0.5) };
    bn.load_state_dict(state, false);
    Object.values(state).forEach((t) => t.dispose());
  }
}

/** A copy of `m` whose every module has a hook, so that it runs layer by layer on NCHW tensors, unfused. */
function layerByLayer<M extends nn.Module>(m: M, make: () => M): M {
  const copy = make();
  copy.load_state_dict(m.state_dict());
  copy.train(m.training);
  for (const c of copy.modules()) c.register_forward_hook(() => undefined);
  return copy;
}

/** max |a − b| over max(1, max |b|): folding rounds differently, by float32 steps of the outputs' size. */
const maxDiff = (a: Tensor, b: Tensor) => {
  const [x, y] = [a.dataSync(), b.dataSync()];
  return Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i]))) / Math.max(1, ...Array.from(y, Math.abs));
};

describe.each(BACKENDS)('eager fusion in eval-mode chains on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  const convBnAct = (act: () => nn.Module, groups = 1) => () => new nn.Sequential(new nn.Conv2d(4, 4, 3, { padding: 1, groups }), new nn.BatchNorm2d(4), act());

  it.each([
    ['Conv2d → BatchNorm2d → ReLU', convBnAct(() => new nn.ReLU()), 'FusedConv2D'],
    ['Conv2d → BatchNorm2d → ReLU6', convBnAct(() => new nn.ReLU6()), 'FusedConv2D'],
    ['depthwise Conv2d → BatchNorm2d → ReLU', convBnAct(() => new nn.ReLU(), 4), 'FusedDepthwiseConv2D'],
  ] as const)('%s runs as one %s, as layer-by-layer calls compute it', async (_, make, kernel) => {
    torch.manual_seed(0);
    const m = make();
    randomiseNorms(m);
    m.eval();
    const ref = layerByLayer(m, make);
    const x = torch.randn(2, 4, 5, 5);
    const [y, yRef] = [m(x), ref(x)];
    expect(maxDiff(y, yRef)).toBeLessThanOrEqual(1e-5);
    const names = (await kernels(() => m(x))).filter((k) => !['Transpose', 'Identity', 'Reshape'].includes(k) && !k.endsWith('__op'));
    expect(names).toEqual([kernel]);
    [x, y, yRef].forEach((t) => t.dispose());
    m.dispose();
    ref.dispose();
  });

  it.each(['load_state_dict', 'an optimizer step', 'running statistics updated in train mode'] as const)('folds again after %s', (change) => {
    torch.manual_seed(1);
    const make = convBnAct(() => new nn.ReLU());
    const m = make();
    randomiseNorms(m);
    m.eval();
    const x = torch.randn(2, 4, 5, 5);
    m(x).dispose();
    if (change === 'load_state_dict') {
      const other = make();
      randomiseNorms(other);
      m.load_state_dict(other.state_dict());
      other.dispose();
    } else if (change === 'an optimizer step') {
      const optimizer = new torch.optim.SGD(m.parameters(), { lr: 0.5 });
      const xg = torch.randn(2, 4, 5, 5).requires_grad_();
      const loss = m(xg).sum();
      loss.backward();
      optimizer.step();
      [xg, loss].forEach((t) => t.dispose());
    } else {
      m.train();
      m(x).dispose();
      m.eval();
    }
    const ref = layerByLayer(m, make);
    const [y, yRef] = [m(x), ref(x)];
    expect(maxDiff(y, yRef)).toBeLessThanOrEqual(1e-5);
    [x, y, yRef].forEach((t) => t.dispose());
    m.dispose();
    ref.dispose();
  });

  it("torchvision's residual blocks run channels-last between one conversion in and one out", async () => {
    torch.manual_seed(2);
    const make = () => new nn.Sequential(new torchvision.models.resnet.BasicBlock(4, 4), new torchvision.models.mobilenetv2.InvertedResidual(4, 4, 1, 2));
    const m = make();
    randomiseNorms(m);
    m.eval();
    const ref = layerByLayer(m, make);
    const x = torch.randn(1, 4, 6, 6);
    const [y, yRef] = [m(x), ref(x)];
    expect(maxDiff(y, yRef)).toBeLessThanOrEqual(1e-5);
    expect((await kernels(() => m(x))).filter((k) => k === 'Transpose')).toHaveLength(2);
    [x, y, yRef].forEach((t) => t.dispose());
    m.dispose();
    ref.dispose();
  });
});

describe.each(BACKENDS)('permute on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  // [shape, perm, rank of the transpose that runs]
  it.each([
    [[1, 2, 3, 4, 5], [0, 2, 1, 3, 4], 3],
    [[2, 2, 3, 4, 5], [0, 2, 1, 3, 4], 4],
    [[1, 4, 5, 2, 3], [0, 1, 2, 4, 3], 3],
    [[2, 3, 1, 4], [0, 3, 2, 1], 3],
    [[3, 1, 4], [1, 0, 2], 0],
    [[2, 3, 4, 5], [3, 2, 1, 0], 4],
  ] as const)('%j by %j runs a rank-%i transpose and moves what tfjs moves', async (shape, perm, rank) => {
    const x = torch.rand([...shape]);
    const y = x.permute(...perm);
    expect(y.shape).toEqual(perm.map((d) => shape[d]));
    const reference = tfTranspose(x, [...perm]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(reference.dataSync()));
    const info = await profile(() => x.permute(...perm));
    const ranks = info.kernels.filter((k) => k.name === 'Transpose').map((k) => k.inputShapes[0]!.length);
    expect(ranks).toEqual(rank === 0 ? [] : [rank]);
    [x, y, reference].forEach((t) => t.dispose());
  });
});
