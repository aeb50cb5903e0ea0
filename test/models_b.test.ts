import { memory } from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { nn, torch, torchvision } from '../src';
import { BACKENDS, loadFixture, thrown } from './helpers';
import { expectCloseToMax, firstBitDifference, firstValues, keysAndShapes, numParams, tensorOf, unpack, weightsPath, type Packed, type Plain } from './models_b_helpers';

/** test/fixtures/gen_models_b.py's records (layout in its docstring). */
interface ReducedCase {
  id: string;
  build: string;
  repr: string;
  state_dict: [string, number[]][];
  num_params: number;
  weights: string;
  train: { seed: number; steps: number; input_shape: number[]; output: Plain };
  eval: { input: Packed; output: Plain };
}
interface ErrorCase {
  id: string;
  call: string;
  type: string;
  message: string;
}
interface WarnedCase {
  id: string;
  build: string;
  repr: string;
  warnings: string[];
}
interface FullCase {
  name: string;
  repr: string;
  num_params: number;
  state_dict: [string, number[]][];
  first: string;
}
const fixture = loadFixture<{ reduced: ReducedCase[]; errors: ErrorCase[]; warned: WarnedCase[] }>('models_b.json');
const full = loadFixture<{ builders: FullCase[] }>('models_b_full.json');

const { models } = torchvision;
const { MBConvConfig, FusedMBConvConfig, FusedMBConv } = models.efficientnet;
const { BlockParams } = models.regnet;
const { CNBlockConfig } = models.convnext;

/** Each reduced configuration's Python call (`build` in the fixture), ported with the README's rules. */
const REDUCED: Record<string, () => nn.Module> = {
  shufflenet_v2: () => new models.ShuffleNetV2([2, 2, 1], [8, 16, 32, 64, 128], { num_classes: 10 }),
  mobilenet_v2: () =>
    models.mobilenet_v2({
      num_classes: 10,
      width_mult: 0.25,
      inverted_residual_setting: [
        [1, 16, 1, 1],
        [6, 24, 2, 2],
        [6, 32, 2, 2],
      ],
      dropout: 0.0,
    }),
  mobilenet_v3: () => models.mobilenet_v3_small({ num_classes: 10, width_mult: 0.25, reduced_tail: true, dilated: true, dropout: 0.0 }),
  mnasnet: () => new models.MNASNet(0.1, { num_classes: 10, dropout: 0.0 }),
  efficientnet: () =>
    new models.EfficientNet([new MBConvConfig(1, 3, 1, 16, 8, 1), new MBConvConfig(6, 5, 2, 8, 16, 2), new MBConvConfig(6, 3, 2, 16, 24, 1)], 0.0, { num_classes: 10 }),
  efficientnet_v2: () =>
    new models.EfficientNet([new FusedMBConvConfig(1, 3, 1, 8, 8, 2), new FusedMBConvConfig(4, 3, 2, 8, 16, 1), new MBConvConfig(4, 3, 2, 16, 24, 2)], 0.0, {
      stochastic_depth_prob: 0.5,
      num_classes: 10,
      norm_layer: (num_features: number) => new nn.BatchNorm2d(num_features, { eps: 1e-3 }),
      last_channel: 64,
    }),
  regnet_y: () => new models.RegNet(BlockParams.from_init_params({ depth: 4, w_0: 8, w_a: 8.0, w_m: 2.0, group_width: 8, se_ratio: 0.25 }), { num_classes: 10, stem_width: 8 }),
  regnet_x: () => new models.RegNet(BlockParams.from_init_params({ depth: 4, w_0: 8, w_a: 6.0, w_m: 1.5, group_width: 4 }), { num_classes: 10, stem_width: 8 }),
  convnext: () => new models.ConvNeXt([new CNBlockConfig(8, 16, 1), new CNBlockConfig(16, null, 2)], { stochastic_depth_prob: 0.5, layer_scale: 0.5, num_classes: 10 }),
};

/** What each error case's Python call is here. */
const ERRORS: Record<string, () => unknown> = {
  mobilenet_v2_bad_setting: () => models.mobilenet_v2({ inverted_residual_setting: [[1, 16, 1]] }),
  mobilenet_v2_empty_setting: () => models.mobilenet_v2({ inverted_residual_setting: [] }),
  shufflenet_bad_repeats: () => new models.ShuffleNetV2([4, 8], [24, 48, 96, 192, 1024]),
  shufflenet_bad_channels: () => new models.ShuffleNetV2([4, 8, 4], [24, 48, 96, 192]),
  mnasnet_bad_alpha: () => new models.MNASNet(0.0),
  regnet_bad_settings: () => BlockParams.from_init_params({ depth: 4, w_0: 12, w_a: 8.0, w_m: 2.0, group_width: 8 }),
  efficientnet_empty: () => new models.EfficientNet([], 0.2),
  convnext_empty: () => new models.ConvNeXt([]),
};

/** What each warning case's Python call is here. */
const WARNED: Record<string, () => nn.Module> = {
  efficientnet_block_kwarg: () =>
    // `block` is a deprecated keyword EfficientNet takes through Python's **kwargs, outside its declared signature.
    new models.EfficientNet([new MBConvConfig(1, 3, 1, 16, 8, 1), new FusedMBConvConfig(1, 3, 1, 8, 8, 1)], 0.0, { num_classes: 4, block: FusedMBConv } as { num_classes: number }),
};

const FAMILIES = ['shufflenet_v2', 'mobilenet_v2', 'mobilenet_v3', 'mnasnet', 'efficientnet', 'regnet', 'convnext'];

/** `torch.load` of a reduced configuration's checkpoint; the caller disposes it. */
const loadWeights = (c: ReducedCase) => torch.load(weightsPath(c.weights));
const disposeAll = (sd: Record<string, Tensor>) => Object.values(sd).forEach((t) => t.dispose());

describe.each(BACKENDS)('torchvision.models, reduced configurations, on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(fixture.reduced.map((c) => [c.id, c] as const))('%s', (id, c) => {
    it(`${c.build}: repr, state_dict, parameter count and every initial parameter after manual_seed(0)`, () => {
      torch.manual_seed(0);
      const m = REDUCED[id]();
      expect(String(m)).toBe(c.repr);
      expect(keysAndShapes(m)).toEqual(c.state_dict);
      expect(numParams(m)).toBe(c.num_params);
      // Training forwards change no parameter: the checkpoint holds the initial ones.
      const saved = loadWeights(c);
      for (const [key, p] of m.named_parameters()) {
        expect([key, firstBitDifference(p.dataSync() as Float32Array, saved[key].dataSync() as Float32Array)]).toEqual([key, -1]);
      }
      disposeAll(saved);
      m.dispose();
    });

    it(`${c.train.steps} train-mode forwards give PyTorch's output and BatchNorm statistics`, () => {
      torch.manual_seed(0);
      const m = REDUCED[id]();
      torch.manual_seed(c.train.seed);
      m.train();
      let y: Tensor | null = null;
      for (let step = 0; step < c.train.steps; step++) {
        y?.dispose();
        const x = torch.randn(c.train.input_shape);
        y = m(x) as Tensor;
        x.dispose();
      }
      expectCloseToMax(y!, c.train.output);
      y!.dispose();
      const saved = loadWeights(c);
      const off: string[] = [];
      for (const [key, b] of m.named_buffers()) {
        const expected = Array.from(saved[key].dataSync());
        if (key.endsWith('num_batches_tracked')) {
          expect([key, Array.from(b.dataSync())]).toEqual([key, expected]);
          continue;
        }
        // A running mean can be rounding noise around 0: it is compared on the scale of the
        // activations' spread, the square root of the running variance beside it.
        const variance = Array.from(saved[key.replace(/running_mean$/, 'running_var')].dataSync());
        const scale = key.endsWith('running_mean') ? Math.sqrt(Math.max(...variance)) : Math.max(...variance);
        const worst = Array.from(b.dataSync()).reduce((w, v, i) => Math.max(w, Math.abs(v - expected[i])), 0);
        if (!(worst <= 1e-4 * scale)) off.push(`${key}: |difference| ${worst} > 1e-4 × ${scale}`);
      }
      expect(off).toEqual([]);
      disposeAll(saved);
      m.dispose();
    });

    it('load_state_dict(torch.load(...)), eval: PyTorch’s output, and a forward leaks nothing', () => {
      const m = REDUCED[id]();
      const saved = loadWeights(c);
      expect(String(m.load_state_dict(saved))).toBe('<All keys matched successfully>');
      disposeAll(saved);
      m.eval();
      const x = tensorOf(c.eval.input);
      const y = m(x) as Tensor;
      expectCloseToMax(y, c.eval.output);
      y.dispose();
      const before = memory().numTensors;
      (m(x) as Tensor).dispose();
      expect(memory().numTensors).toBe(before);
      x.dispose();
      m.dispose();
    });
  });

  it.each(fixture.errors.filter((e) => e.id in ERRORS).map((e) => [e.call, e] as const))('%s raises as torchvision does', (_, e) => {
    expect(thrown(ERRORS[e.id])).toEqual({ type: e.type, message: e.message });
  });
});

describe('torchvision.models warnings', () => {
  it.each(fixture.warned.map((c) => [c.build, c] as const))('%s warns as torchvision does', (_, c) => {
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      torch.manual_seed(0);
      const m = WARNED[c.id]();
      expect(spy.mock.calls.map(([message]) => String(message))).toEqual(c.warnings);
      expect(String(m)).toBe(c.repr);
      m.dispose();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('torchvision.models builders', () => {
  const names = full.builders.map((b) => b.name);

  it("list_models() names every builder of these families, as torchvision's does", () => {
    const listed = models.list_models();
    expect(listed).toEqual([...listed].sort());
    expect(listed.filter((n) => FAMILIES.some((f) => n.startsWith(f)))).toEqual(names);
  });

  it.each(names)('%s({ weights }) refuses to download and says how to load a checkpoint', (name) => {
    const e = thrown(() => models.get_model(name, { weights: 'DEFAULT' }));
    expect(e.type).toBe('ValueError');
    expect(e.message).toContain('load_state_dict(torch.load(');
  });
});

/**
 * Building a model draws every initial weight in JavaScript (about 3 million parameters a second
 * here, slower for ConvNeXt's truncated normals), so by default the builders above 40 million
 * parameters are skipped; set TORCHVISION_FULL_SIZE=all to check them too (regnet_y_128gf alone
 * has 645 million).
 */
const FULL_SIZE_BUDGET = process.env.TORCHVISION_FULL_SIZE === 'all' ? Infinity : 40e6;

describe('torchvision.models, every builder at full size, on wasm', () => {
  beforeAll(() => torch.set_backend('wasm'));

  for (const b of full.builders) {
    (b.num_params <= FULL_SIZE_BUDGET ? it : it.skip)(
      `${b.name}(): repr, state_dict, parameter count and the first values of every parameter after manual_seed(0)`,
      () => {
        torch.manual_seed(0);
        const m = models.get_model(b.name) as nn.Module;
        try {
          expect(String(m)).toBe(b.repr);
          expect(keysAndShapes(m)).toEqual(b.state_dict);
          expect(numParams(m)).toBe(b.num_params);
          expect(firstBitDifference(firstValues(m), unpack(b.first))).toBe(-1);
        } finally {
          m.dispose();
        }
      },
      1_800_000,
    );
  }
});
