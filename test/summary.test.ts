import { add, memory, mul, sub, sum, type Tensor } from '@tensorflow/tfjs-core';
import { nn, RuntimeError, summary, torch, ValueError, type LayerInfo } from '../src';
import { Stem } from './models';
import { BACKENDS, expectClose, loadFixture, thrown } from './helpers';

type Shape = number[];
type HookEvent = ['pre' | 'fwd', string, Shape | null, Shape | null];
interface ModelCase {
  id: string;
  input_shape: Shape;
  num_params: number;
  trainable_params: number;
  named_modules: [string, string][];
  events: HookEvent[];
}
const fixture = loadFixture<{
  models: ModelCase[];
  replace: { seed: number; input_shape: Shape; input: number[]; output_shape: Shape; output_plain: number[]; output_hooked: number[]; events: [number, number][] };
  added_during_call: string[];
}>('summary.json');

class Shared extends nn.Module {
  conv = new nn.Conv2d(4, 4, 3, { padding: 1 });
  act = new nn.ReLU();

  forward(x: Tensor): Tensor {
    return this.act(this.conv(this.act(this.conv(x))));
  }
}

const seq = (...layers: nn.Module[]) => new nn.Sequential(...layers);
const makers: Record<string, () => nn.Module> = {
  standard_5x5_out1: () => seq(new nn.Conv2d({ in_channels: 3, out_channels: 1, kernel_size: [5, 5] })),
  standard_5x5: () => seq(new nn.Conv2d({ in_channels: 3, out_channels: 256, kernel_size: [5, 5] })),
  group: () => seq(new nn.Conv2d({ in_channels: 256, out_channels: 32, kernel_size: [3, 3], padding: 1, groups: 8 })),
  pointwise: () => seq(new nn.Conv2d({ in_channels: 3, out_channels: 256, kernel_size: [1, 1] })),
  depthwise: () => seq(new nn.Conv2d({ in_channels: 3, out_channels: 3, kernel_size: [5, 5], groups: 3 })),
  separable_5x5: () =>
    seq(
      new nn.Conv2d({ in_channels: 3, out_channels: 3, kernel_size: [5, 5], groups: 3 }),
      new nn.Conv2d({ in_channels: 3, out_channels: 256, kernel_size: [1, 1] }),
    ),
  block: () => new nn.DepthWiseConv(3, 16),
  block_batch: () => new nn.DepthWiseConv(4, 6),
  nested: () => seq(seq(new nn.Conv2d(2, 4, 3), new nn.BatchNorm2d(4)), new nn.ReLU(), new nn.Conv2d(4, 3, 1)),
  deep: () => seq(seq(seq(seq(new nn.Conv2d(2, 3, 1), new nn.ReLU())), new nn.BatchNorm2d(3))),
  stem: () => new Stem(),
  strided: () =>
    seq(
      new nn.Conv2d(4, 8, 3, { stride: 2, padding: 1 }),
      new nn.Conv2d(8, 8, 3, { padding: 2, dilation: 2, groups: 4 }),
      new nn.Conv2d(8, 6, [3, 1], { stride: [2, 1], padding: [0, 1], dilation: [1, 2], groups: 2, bias: false }),
      new nn.Conv2d(6, 6, 2, { stride: 2, dilation: 2, groups: 6 }),
      new nn.BatchNorm2d(6, { affine: false }),
      new nn.ReLU(),
    ),
  shared: () => new Shared(),
  shared_across: () => {
    const c = new nn.Conv2d(3, 3, 3, { padding: 1 });
    return seq(seq(c, new nn.ReLU()), c);
  },
};

/** PyTorch names the article's block `Depth_Wise_Conv`; ours is `DepthWiseConv`. */
const pythonName = (m: nn.Module) => (m instanceof nn.DepthWiseConv ? 'Depth_Wise_Conv' : m.constructor.name);
const pathsOf = (model: nn.Module) => new Map([...model.named_modules()].map(([name, m]) => [m, name]));

/** The call tree PyTorch's hooks describe: a row per pre-hook, nested by the calls still open. */
function pytorchRows(events: HookEvent[]) {
  const rows: { name: string; depth: number; recursive: boolean; input: Shape; output: Shape }[] = [];
  const open: (typeof rows)[number][] = [];
  const seen = new Set<string>();
  for (const [kind, name, input, output] of events) {
    if (kind === 'pre') {
      const row = { name, depth: open.length, recursive: seen.has(name), input: [] as Shape, output: [] as Shape };
      seen.add(name);
      rows.push(row);
      open.push(row);
    } else {
      Object.assign(open.pop()!, { input, output });
    }
  }
  return rows;
}

/**
 * The stated definitions, from a module's attributes and its output shape `[N, C, H_out, W_out]`:
 * Conv2d `N·C_out·H_out·W_out·(C_in/groups)·kH·kW` for the weight plus `N·C_out·H_out·W_out` for
 * the bias; BatchNorm2d `N·C` for each of weight and bias (affine only); anything else 0.
 */
function statedMultAdds(m: nn.Module, [n, , ho, wo]: Shape): { weight: number; bias: number } {
  if (m instanceof nn.Conv2d) {
    const [kh, kw] = m.kernel_size;
    return { weight: n * m.out_channels * ho * wo * (m.in_channels / m.groups) * kh * kw, bias: m.bias === null ? 0 : n * m.out_channels * ho * wo };
  }
  if (m instanceof nn.BatchNorm2d && m.affine) return { weight: n * m.num_features, bias: n * m.num_features };
  return { weight: 0, bias: 0 };
}

/** PyTorch's output size: `floor((H + 2·padding − dilation·(k − 1) − 1) / stride) + 1`, per dimension. */
function convOutput(m: nn.Conv2d, [n, , h, w]: Shape): Shape {
  const pad = m.padding as readonly number[];
  const size = (x: number, i: number) => Math.floor((x + 2 * pad[i] - m.dilation[i] * (m.kernel_size[i] - 1) - 1) / m.stride[i]) + 1;
  return [n, m.out_channels, size(h, 0), size(w, 1)];
}

const numel = (shape: Shape) => shape.reduce((a, b) => a * b, 1);

describe.each(BACKENDS)('summary() on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(fixture.models.map((c) => [c.id, c] as const))('%s', (id, c) => {
    let model: nn.Module;
    let rows: readonly LayerInfo[];
    let stats: ReturnType<typeof summary>;
    beforeAll(() => {
      model = makers[id]();
      stats = summary(model, c.input_shape);
      rows = stats.summary_list;
    });
    afterAll(() => model.dispose());

    it("lists PyTorch's named_modules() and counts its parameters as sum(p.numel())", () => {
      expect([...model.named_modules()].map(([name, m]) => [name, pythonName(m)])).toEqual(c.named_modules);
      expect(stats.total_params).toBe(c.num_params);
      expect(stats.trainable_params).toBe(c.trainable_params);
      expect(stats.total_param_bytes).toBe(4 * c.num_params);
    });

    it("has one row per call, nested as PyTorch's hooks fire, with PyTorch's shapes", () => {
      const paths = pathsOf(model);
      const ours = rows.map((r) => ({ name: paths.get(r.module), depth: r.depth, recursive: r.is_recursive, input: r.input_size, output: r.output_size }));
      expect(ours).toEqual(pytorchRows(c.events));
    });

    it('counts multiply-adds by the stated formulas (weight and bias terms, whole batch)', () => {
      const leaves = rows.filter((r) => r.is_leaf_layer);
      for (const r of leaves) {
        const { weight, bias } = statedMultAdds(r.module, r.output_size);
        expect([r.class_name, r.macs, r.macs_by_param.weight ?? 0]).toEqual([r.class_name, weight + bias, weight]);
        if (r.module instanceof nn.Conv2d) expect(r.output_size).toEqual(convOutput(r.module, r.input_size));
      }
      expect(stats.total_mult_adds).toBe(leaves.reduce((n, r) => n + r.macs, 0));
    });

    it('sizes: input bytes, twice the outputs of layers with parameters, parameter bytes', () => {
      expect(stats.input_size).toEqual([c.input_shape]);
      expect(stats.total_input).toBe(4 * numel(c.input_shape));
      const withParams = rows.filter((r) => r.is_leaf_layer && r.num_params > 0);
      expect(stats.total_output_bytes).toBe(withParams.reduce((n, r) => n + 2 * 4 * numel(r.output_size), 0));
    });

    it("hooks fire in PyTorch's order with PyTorch's shapes", () => {
      const events: HookEvent[] = [];
      const shape = (t: unknown) => [...(t as Tensor).shape];
      const handles = [...model.named_modules()].flatMap(([name, m]) => [
        m.register_forward_pre_hook(() => void events.push(['pre', name, null, null])),
        m.register_forward_hook((_m, inputs, output) => void events.push(['fwd', name, shape(inputs[0]), shape(output)])),
      ]);
      const x = torch.zeros(c.input_shape);
      model(x).dispose();
      handles.forEach((h) => h.remove());
      x.dispose();
      expect(events).toEqual(c.events);
    });
  });
});

describe('summary() tables', () => {
  beforeAll(() => torch.set_backend('cpu'));

  it("DepthWiseConv(3, 16) on [1, 3, 16, 16] with torchinfo's default columns", () => {
    const m = new nn.DepthWiseConv(3, 16);
    expect(String(summary(m, [1, 3, 16, 16]))).toBe(
      [
        '==========================================================================================',
        'Layer (type:depth-idx)                   Output Shape              Param #',
        '==========================================================================================',
        'DepthWiseConv                            [1, 16, 18, 18]           --',
        '├─Conv2d: 1-1                            [1, 3, 16, 16]            30',
        '├─Conv2d: 1-2                            [1, 16, 18, 18]           64',
        '├─BatchNorm2d: 1-3                       [1, 16, 18, 18]           32',
        '├─ReLU: 1-4                              [1, 16, 18, 18]           --',
        '==========================================================================================',
        'Total params: 126',
        'Trainable params: 126',
        'Non-trainable params: 0',
        'Total mult-adds (M): 0.03',
        '==========================================================================================',
        'Input size (MB): 0.00',
        'Forward/backward pass size (MB): 0.09',
        'Params size (MB): 0.00',
        'Estimated Total Size (MB): 0.09',
        '==========================================================================================',
      ].join('\n'),
    );
    m.dispose();
  });

  it('depth=3 hides the fourth level; the row at the limit shows its whole parameters and multiply-adds', () => {
    const m = makers.deep();
    const text = String(summary(m, [1, 2, 4, 4], { col_names: ['output_size', 'num_params', 'mult_adds'] }));
    expect(text.split('\n').slice(3, 8)).toEqual([
      'Sequential                               [1, 3, 4, 4]              --                        --',
      '├─Sequential: 1-1                        [1, 3, 4, 4]              --                        --',
      '│    └─Sequential: 2-1                   [1, 3, 4, 4]              --                        --',
      '│    │    └─Sequential: 3-1              [1, 3, 4, 4]              9                         144',
      '│    └─BatchNorm2d: 2-2                  [1, 3, 4, 4]              6                         6',
    ]);
    m.dispose();
  });

  it('a module called twice: (recursive) rows, each call counted in the multiply-adds; var_names', () => {
    const m = new Shared();
    const s = summary(m, [1, 4, 5, 5], { col_names: ['kernel_size', 'output_size', 'num_params', 'params_percent', 'mult_adds'], row_settings: ['depth', 'var_names'] });
    expect(String(s).split('\n').slice(1, 9)).toEqual([
      'Layer (type (var_name):depth-idx)        Kernel Shape              Output Shape              Param #                   Param %                   Mult-Adds',
      '='.repeat(5 * 25 + 40),
      'Shared (Shared)                          --                        [1, 4, 5, 5]              --                             --                   --',
      '├─Conv2d (conv): 1-1                     [3, 3]                    [1, 4, 5, 5]              148                       100.00%                   3,700',
      '├─ReLU (act): 1-2                        --                        [1, 4, 5, 5]              --                             --                   --',
      '├─Conv2d (conv): 1-3                     [3, 3]                    [1, 4, 5, 5]              (recursive)               (recursive)               3,700',
      '├─ReLU (act): 1-4                        --                        [1, 4, 5, 5]              --                        (recursive)               --',
      '='.repeat(5 * 25 + 40),
    ]);
    expect([s.total_params, s.total_mult_adds]).toEqual([148, 7400]);
    m.dispose();
  });

  it('without an input: registered modules only, a shared one again as (recursive), no sizes', () => {
    const m = makers.shared_across();
    expect(String(summary(m))).toBe(
      [
        '=================================================================',
        'Layer (type:depth-idx)                   Param #',
        '=================================================================',
        'Sequential                               --',
        '├─Sequential: 1-1                        --',
        '│    └─Conv2d: 2-1                       84',
        '│    └─ReLU: 2-2                         --',
        '├─Conv2d: 1-2                            (recursive)',
        '=================================================================',
        'Total params: 84',
        'Trainable params: 84',
        'Non-trainable params: 0',
        '=================================================================',
      ].join('\n'),
    );
    expect(thrown(() => summary(m, null, { col_names: ['output_size'] }))).toEqual({
      type: 'ValueError',
      message: 'You must pass input_data or input_size in order to use column output_size',
    });
    m.dispose();
  });

  it('ascii_only without depth; trainable column; parameterless BatchNorm2d(affine=False)', () => {
    const m = seq(new nn.Conv2d(3, 3, 1, { bias: false }), new nn.BatchNorm2d(3, { affine: false }));
    expect(String(summary(m, [2, 3, 4, 4], { col_names: ['num_params', 'trainable'], row_settings: ['ascii_only'] })).split('\n').slice(1, 6)).toEqual([
      'Layer (type)                             Param #                   Trainable',
      '='.repeat(2 * 25 + 40),
      'Sequential                               --                        True',
      '+ Conv2d                                 9                         True',
      '+ BatchNorm2d                            --                        --',
    ]);
    m.dispose();
  });

  it.each([
    [[1, 31250], '0.12'],
    [[1, 93750], '0.38'],
    [[1, 156250], '0.62'],
    [[1, 218750], '0.88'],
  ])('input %j: %s MB, exact ties rounded to even as Python formats them', (shape, mb) => {
    const text = String(summary(new nn.ReLU(), shape));
    expect(text).toContain(`\nInput size (MB): ${mb}\n`);
    expect(text).toContain('\nTotal mult-adds (M): 0\n');
  });

  it('a long layer name widens the first column to the next multiple of 5', () => {
    class AVeryLongModuleNameForTheLayerColumn extends nn.Module {
      act = new nn.ReLU();
      forward(x: Tensor): Tensor {
        return this.act(x);
      }
    }
    const m = seq(new AVeryLongModuleNameForTheLayerColumn());
    const lines = String(summary(m, [1, 2])).split('\n');
    expect(lines[0]).toBe('='.repeat(50 + 2 * 25));
    expect(lines[4]).toBe(`${'├─AVeryLongModuleNameForTheLayerColumn: 1-1'.padEnd(50)} [1, 2]                    --`);
  });
});

describe('summary() leaves no trace', () => {
  beforeAll(() => torch.set_backend('cpu'));
  afterEach(() => jest.restoreAllMocks());

  /** Every handle summary registers, and whether it was removed. */
  function watchHandles() {
    const pre = jest.spyOn(nn.Module.prototype, 'register_forward_pre_hook');
    const fwd = jest.spyOn(nn.Module.prototype, 'register_forward_hook');
    const remove = jest.spyOn(nn.RemovableHandle.prototype, 'remove');
    return {
      check() {
        const made = [...pre.mock.results, ...fwd.mock.results].map((r) => r.value as nn.RemovableHandle);
        const removed = new Set(remove.mock.contexts);
        expect(made.length).toBeGreaterThan(0);
        expect(made.filter((h) => !removed.has(h))).toEqual([]);
        [pre, fwd, remove].forEach((s) => s.mockRestore());
        return made.length;
      },
    };
  }

  it('frees every tensor it makes, removes every hook, restores train/eval flags and BatchNorm state', () => {
    const m = new Stem();
    m.block.eval();
    const x = torch.rand(2, 3, 6, 6);
    m(x).dispose(); // the first call may convert weights once; the module keeps those
    const flags = [...m.modules()].map((mod) => mod.training);
    const state = Object.fromEntries(Object.entries(m.state_dict()).map(([k, v]) => [k, Array.from(v.dataSync())]));
    const before = memory().numTensors;
    const watch = watchHandles();
    const s = summary(m, [2, 3, 6, 6]);
    expect(watch.check()).toBe(2 * [...m.modules()].length);
    expect(memory().numTensors).toBe(before);
    expect([...m.modules()].map((mod) => mod.training)).toEqual(flags);
    expect(Object.fromEntries(Object.entries(m.state_dict()).map(([k, v]) => [k, Array.from(v.dataSync())]))).toEqual(state);
    const rows = s.summary_list.length;
    m(x).dispose();
    expect(s.summary_list.length).toBe(rows);
    x.dispose();
    m.dispose();
  });

  it("mode 'train' runs BatchNorm on batch statistics (updating them, as torchinfo does) and restores the flags", () => {
    const m = new nn.DepthWiseConv(3, 4).eval();
    summary(m, [2, 3, 5, 5], { mode: 'train' });
    expect(m.bn.num_batches_tracked!.dataSync()[0]).toBe(1);
    expect([...m.modules()].every((mod) => !mod.training)).toBe(true);
    m.dispose();
  });

  it('a given tensor is used as is and not freed; several inputs are summed in the input size', () => {
    const m = new nn.DepthWiseConv(3, 4);
    const x = torch.rand(1, 3, 5, 5);
    const fromTensor = summary(m, x);
    const fromSize = summary(m, [1, 3, 5, 5]);
    expect(String(fromTensor)).toBe(String(fromSize));
    expect(x.isDisposed).toBe(false);
    class Sum extends nn.Module {
      forward(a: Tensor, b: Tensor): Tensor {
        return add(a, b);
      }
    }
    const s = summary(new Sum(), [
      [1, 2],
      [1, 2],
    ]);
    expect([s.input_size, s.total_input, s.summary_list[0].input_size, s.summary_list[0].output_size]).toEqual([[[1, 2], [1, 2]], 16, [1, 2], [1, 2]]);
    x.dispose();
    m.dispose();
  });

  it('a failing forward: RuntimeError naming the executed layers; hooks, flags and tensors as before', () => {
    const m = seq(new nn.Conv2d(3, 4, 1), new nn.BatchNorm2d(5));
    const x = torch.rand(1, 3, 4, 4);
    m.at(0).call(x).dispose(); // the first call may convert weights once; the module keeps those
    x.dispose();
    const before = memory().numTensors;
    const watch = watchHandles();
    let error: unknown;
    try {
      summary(m, [1, 3, 4, 4]);
    } catch (e) {
      error = e;
    }
    watch.check();
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/^Failed to run summary\(\): .+\. Executed layers up to: \[Conv2d: 1\]$/);
    expect(memory().numTensors).toBe(before);
    expect([...m.modules()].every((mod) => mod.training)).toBe(true);
    m.dispose();
  });

  it('an invalid size is a ValueError, as in torchinfo', () => {
    expect(thrown(() => summary(new nn.ReLU(), [1, 0, 3]))).toEqual({ type: 'ValueError', message: 'Input_data is invalid, or negative size found in input_data.' });
    expect(() => summary(new nn.ReLU(), [2], { col_names: ['shape' as never] })).toThrow(ValueError);
  });
});

describe('forward hooks as PyTorch runs them', () => {
  beforeAll(() => torch.set_backend('cpu'));
  const r = fixture.replace;

  it('a pre-hook replaces the input (a bare value or an array), a forward hook the output; removal restores', () => {
    torch.manual_seed(r.seed);
    const m = seq(new nn.Conv2d(2, 3, 3, { padding: 1 }), new nn.ReLU(), new nn.Conv2d(3, 2, 1));
    const x = torch.rand(r.input_shape);
    expect(Array.from(x.dataSync())).toEqual(r.input);
    const plain = m(x);
    expectClose(plain, r.output_shape, r.output_plain);
    const events: [number, number][] = [];
    const total = (t: unknown) => sum(t as Tensor).dataSync()[0];
    const handles = [
      m.at(0).register_forward_pre_hook((_m, inputs) => mul(inputs[0] as Tensor, 2)),
      m.at(1).register_forward_pre_hook(() => undefined),
      m.at(2).register_forward_pre_hook((_m, inputs) => [sub(inputs[0] as Tensor, 0.5)]),
      m.at(1).register_forward_hook((_m, _inputs, output) => add(output as Tensor, 1)),
      m.at(1).register_forward_hook((_m, _inputs, output) => mul(output as Tensor, 3)),
      m.at(2).register_forward_hook((_m, inputs, output) => void events.push([total(inputs[0]), total(output)])),
    ];
    const hooked = m(x);
    expectClose(hooked, r.output_shape, r.output_hooked);
    expect(events.length).toBe(1);
    events[0].forEach((v, i) => expect(Math.abs(v - r.events[0][i])).toBeLessThanOrEqual(1e-4 * Math.abs(r.events[0][i]) + 1e-4));
    handles.forEach((h) => h.remove());
    handles[0].remove();
    const after = m(x);
    expectClose(after, r.output_shape, r.output_plain);
    [x, plain, hooked, after].forEach((t) => t.dispose());
    m.dispose();
  });

  it('a pre-hook registered during a call fires from the next call on', () => {
    const m = new nn.ReLU();
    const events: string[] = [];
    let added = false;
    m.register_forward_pre_hook(() => {
      events.push('first');
      if (!added) {
        added = true;
        m.register_forward_pre_hook(() => void events.push('second'));
      }
    });
    const x = torch.zeros(1);
    m(x).dispose();
    events.push('|');
    m(x).dispose();
    x.dispose();
    expect(events).toEqual(fixture.added_during_call);
  });
});

describe("the article's claim, from summary()'s numbers", () => {
  beforeAll(() => torch.set_backend('cpu'));

  /** Multiply-adds per sample of a 3×3 convolution 16 → N, standard and depthwise-separable (no biases). */
  function costs(n: number): { standard: number; separable: number } {
    const std = seq(new nn.Conv2d(16, n, 3, { padding: 1, bias: false }));
    const sep = seq(new nn.Conv2d(16, 16, 3, { padding: 1, groups: 16, bias: false }), new nn.Conv2d(16, n, 1, { bias: false }));
    const perSample = (m: nn.Module) => summary(m, [2, 16, 10, 10]).total_mult_adds / 2;
    const result = { standard: perSample(std), separable: perSample(sep) };
    std.dispose();
    sep.dispose();
    return result;
  }
  const ratio = (n: number) => {
    const { standard, separable } = costs(n);
    return separable / standard;
  };

  it.each([64, 128, 256, 512])('N = %i: separable / standard = 1/N + 1/9', (n) => {
    expect(ratio(n)).toBeCloseTo(1 / n + 1 / 9, 12);
  });

  it.each([128, 256, 512])('N = %i: the ratio lies in [1/9, 1/8]', (n) => {
    expect(ratio(n)).toBeGreaterThan(1 / 9);
    expect(ratio(n)).toBeLessThanOrEqual(1 / 8);
  });

  it('N = 64 is not yet large enough (1/N + 1/9 > 1/8 below N = 72); the ratio falls toward 1/9 as N grows', () => {
    const values = [64, 128, 256, 512].map(ratio);
    expect(values[0]).toBeGreaterThan(1 / 8);
    values.slice(1).forEach((v, i) => expect(v).toBeLessThan(values[i]));
  });

  it("the tour's table: per-sample weight multiply-adds of the article's models (with biases)", () => {
    const weightPerSample = (m: nn.Module, shape: Shape) =>
      summary(m, shape).summary_list.reduce((n, l) => n + (l.is_leaf_layer ? (l.macs_by_param.weight ?? 0) : 0), 0) / shape[0];
    const std = makers.standard_5x5();
    const sep = makers.separable_5x5();
    expect([weightPerSample(std, [1, 3, 12, 12]), weightPerSample(sep, [1, 3, 12, 12])]).toEqual([256 * 8 * 8 * 3 * 25, 3 * 8 * 8 * 25 + 256 * 8 * 8 * 3]);
    std.dispose();
    sep.dispose();
  });
});
