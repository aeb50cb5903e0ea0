import { createHash } from 'crypto';
import * as path from 'path';
import { memory } from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { nn, torch, torchvision } from '../src';
import { BACKENDS, loadFixture, thrown } from './helpers';
import { expectCloseToMax, firstValues, keysAndShapes, numParams, tensorOf, unpack, type Packed, type Plain } from './models_b_helpers';

/** test/fixtures/gen_models_a.py's records (layout in its docstring). */
interface ReducedCase {
  id: string;
  build: string;
  repr: string;
  state_dict: [string, number[]][];
  num_params: number;
  params: [string, string, number[]][];
  weights: string | null;
  weights_kind: 'state_dict' | 'buffers' | null;
  train: { seed: number; steps: number; input_shape: number[]; outputs: TrainOutput[] };
  eval: { input: Packed; output: Plain };
}
/** A train-mode output; `values` is null where PyTorch's own float32 result is too noisy to compare. */
interface TrainOutput {
  shape: number[];
  values: number[] | null;
  float64_spread: number;
}
interface ErrorCase {
  id: string;
  call: string;
  type: string;
  message: string;
}
interface FullCase {
  name: string;
  kwargs: Record<string, unknown>;
  repr: string;
  num_params: number;
  state_dict: [string, number[]][];
  first: string;
  sha: string[];
}
const fixture = loadFixture<{
  reduced: ReducedCase[];
  inception_aux: { build: string; seed: number; input_shape: number[]; outputs: TrainOutput[]; aux_eval: { input: Packed; output: Plain } };
  errors: ErrorCase[];
}>('models_a.json');
const full = loadFixture<{ builders: FullCase[] }>('models_a_full.json');

const { models } = torchvision;
const { BasicBlock, Bottleneck } = models.resnet;
const { make_layers } = models.vgg;
const { BasicConv2d } = models.inception;

/** Each reduced configuration's Python call (`build` in the fixture), ported with the README's rules. */
const REDUCED: Record<string, () => nn.Module> = {
  alexnet: () => models.alexnet({ num_classes: 10, dropout: 0.0 }),
  vgg_bn: () => new models.VGG(make_layers([8, 'M', 16, 'M', 512, 'M'], true), { num_classes: 10, init_weights: false, dropout: 0.0 }),
  resnet_basic: () => new models.ResNet(BasicBlock, [1, 1, 1, 1], { num_classes: 10 }),
  resnext_dilated: () =>
    new models.ResNet(Bottleneck, [1, 1, 1, 1], { num_classes: 10, groups: 4, width_per_group: 8, replace_stride_with_dilation: [false, true, true] }),
  squeezenet1_0: () => models.squeezenet1_0({ num_classes: 10, dropout: 0.0 }),
  squeezenet1_1: () => models.squeezenet1_1({ num_classes: 10, dropout: 0.0 }),
  densenet: () => new models.DenseNet({ growth_rate: 4, block_config: [2, 2, 2], num_init_features: 8, bn_size: 2, num_classes: 10 }),
  inception_v3: () => new models.Inception3({ num_classes: 10, aux_logits: false, transform_input: true, dropout: 0.0 }),
  googlenet: () => new models.GoogLeNet({ num_classes: 10, aux_logits: true, transform_input: true, dropout: 0.0, dropout_aux: 0.0 }),
};

/** What each error case's Python call is here. */
const ERRORS: Record<string, () => unknown> = {
  resnext_groups: () => models.resnext50_32x4d({ groups: 2 }),
  wide_width: () => models.wide_resnet50_2({ width_per_group: 64 }),
  resnet_kwarg: () => models.resnet18({ foo: 1 } as never),
  alexnet_kwarg: () => models.alexnet({ num_classes: 10, foo: 1 } as never),
  vgg_features_twice: () => models.vgg11({ features: new nn.Sequential() } as never),
  basicblock_groups: () => new BasicBlock(64, 64, { groups: 2 }),
  basicblock_dilation: () => new BasicBlock(64, 64, { dilation: 2 }),
  resnet_dilation_list: () => new models.ResNet(BasicBlock, [1, 1, 1, 1], { replace_stride_with_dilation: [true] }),
  resnet_dilated_basic: () => new models.ResNet(BasicBlock, [1, 1, 1, 2], { replace_stride_with_dilation: [false, false, true] }),
  squeezenet_version: () => new models.SqueezeNet('1_2'),
  inception_blocks: () => new models.Inception3({ inception_blocks: [BasicConv2d], init_weights: false }),
  googlenet_blocks: () => new models.GoogLeNet({ blocks: [BasicConv2d], init_weights: false }),
  basicconv2d_no_kernel: () => new BasicConv2d(3, 8),
  builder_positional: () => (models.resnet18 as (...args: unknown[]) => unknown)(1),
};

/** The builder-name prefixes of this part's families, as gen_models_a.py selects them. */
const FAMILIES = ['alexnet', 'vgg', 'resnet', 'resnext', 'wide_resnet', 'squeezenet', 'densenet', 'inception', 'googlenet'];

/** gen_models_a.py's `sha`: the first 16 hex digits of SHA-256 over a tensor's float32 bytes. */
const sha = (t: Tensor): string => {
  const values = t.dataSync() as Float32Array;
  return createHash('sha256').update(Buffer.from(values.buffer, values.byteOffset, values.byteLength)).digest('hex').slice(0, 16);
};

/** `[key, sha]` of each parameter, ours and the fixture's, for comparing whole parameter sets. */
function digests(m: nn.Module, expected: string[]): { ours: [string, string][]; theirs: [string, string][] } {
  const keys = [...m.named_parameters()].map(([key]) => key);
  return { ours: [...m.named_parameters()].map(([key, p]) => [key, sha(p)]), theirs: keys.map((key, i) => [key, expected[i]]) };
}

const load = (file: string) => torch.load(path.join(__dirname, 'fixtures', 'models_a', file));
const disposeAll = (sd: Record<string, Tensor> | Tensor[]) => Object.values(sd).forEach((t) => t.dispose());
/** A forward's result as gen_models_a.py lists it: a tensor, or a namedtuple's fields. */
const asList = (y: Tensor | Tensor[]): Tensor[] => (Array.isArray(y) ? y : [y]);

/** Each train-mode output has PyTorch's shape, and its values where they are well conditioned. */
function expectTrainOutputs(y: Tensor[], expected: TrainOutput[]): void {
  expect(y.map((t) => t.shape)).toEqual(expected.map((e) => e.shape));
  y.forEach((t, i) => {
    const { shape, values } = expected[i];
    if (values !== null) expectCloseToMax(t, { shape, values });
  });
}

describe.each(BACKENDS)('torchvision.models (AlexNet, VGG, ResNet, SqueezeNet, DenseNet, Inception, GoogLeNet), reduced configurations, on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(fixture.reduced.map((c) => [c.id, c] as const))('%s', (id, c) => {
    // The fixed-width families are large: one model per case, used by the steps in order.
    let m: nn.Module;
    beforeAll(() => {
      torch.manual_seed(0);
      m = REDUCED[id]();
    });
    afterAll(() => m.dispose());

    it(`${c.build}: repr, state_dict, parameter count and every initial parameter after manual_seed(0)`, () => {
      expect(String(m)).toBe(c.repr);
      expect(keysAndShapes(m)).toEqual(c.state_dict);
      expect(numParams(m)).toBe(c.num_params);
      expect([...m.named_parameters()].map(([key]) => key)).toEqual(c.params.map(([key]) => key));
      const { ours, theirs } = digests(m, c.params.map(([, digest]) => digest));
      expect(ours).toEqual(theirs);
    });

    const conditioned = c.train.outputs.every((o) => o.values !== null);
    it(`${c.train.steps} train-mode forwards give PyTorch's output${conditioned ? ' and BatchNorm statistics' : "'s shape (too noisy in float32 to compare, see gen_models_a.py)"}`, () => {
      torch.manual_seed(c.train.seed);
      m.train();
      let y: Tensor[] = [];
      for (let step = 0; step < c.train.steps; step++) {
        y.forEach((t) => t.dispose());
        const x = torch.randn(c.train.input_shape);
        const out = m(x) as Tensor | Tensor[];
        if (m instanceof models.GoogLeNet) {
          const named = out as InstanceType<typeof models.GoogLeNetOutputs>;
          expect(named).toBeInstanceOf(models.GoogLeNetOutputs);
          expect([named.logits, named.aux_logits2, named.aux_logits1]).toEqual([...named]);
        }
        y = asList(out);
        x.dispose();
      }
      expectTrainOutputs(y, c.train.outputs);
      y.forEach((t) => t.dispose());
      if (c.weights === null || !conditioned) return;
      const saved = load(c.weights);
      for (const [key, b] of m.named_buffers()) {
        const expected = { shape: saved[key].shape, values: Array.from(saved[key].dataSync()) };
        if (key.endsWith('num_batches_tracked')) expect([key, Array.from(b.dataSync())]).toEqual([key, expected.values]);
        else expectCloseToMax(b, expected);
      }
      disposeAll(saved);
    });

    it('load_state_dict(torch.load(...)), eval: PyTorch’s output, and a forward leaks nothing', () => {
      if (c.weights !== null) {
        const saved = load(c.weights);
        if (c.weights_kind === 'state_dict') {
          expect(String(m.load_state_dict(saved))).toBe('<All keys matched successfully>');
        } else {
          // Only the buffers were saved: the parameters are manual_seed(0)'s, as in PyTorch.
          const result = m.load_state_dict(saved, { strict: false });
          expect(result.missing_keys).toEqual(c.params.map(([key]) => key));
          expect(result.unexpected_keys).toEqual([]);
        }
        disposeAll(saved);
      }
      m.eval();
      const x = tensorOf(c.eval.input);
      const y = m(x) as Tensor;
      expectCloseToMax(y, c.eval.output);
      y.dispose();
      const before = memory().numTensors;
      (m(x) as Tensor).dispose();
      expect(memory().numTensors).toBe(before);
      x.dispose();
    });
  });
});

describe('torchvision.models: Inception v3 on wasm', () => {
  beforeAll(() => torch.set_backend('wasm'));

  it(`${fixture.inception_aux.build}: in train mode at 299x299, InceptionOutputs(logits, aux_logits) as PyTorch's; its aux head's numbers`, () => {
    const c = fixture.inception_aux;
    torch.manual_seed(0);
    const m = new models.Inception3({ num_classes: 10, dropout: 0.0 });
    const features = tensorOf(c.aux_eval.input);
    m.eval();
    const aux = m.AuxLogits!(features) as Tensor;
    expectCloseToMax(aux, c.aux_eval.output);
    m.train();
    torch.manual_seed(c.seed);
    const x = torch.randn(c.input_shape);
    const out = m(x) as InstanceType<typeof models.InceptionOutputs>;
    expect(out).toBeInstanceOf(models.InceptionOutputs);
    expect([out.logits, out.aux_logits]).toEqual([...out]);
    expectTrainOutputs(out as Tensor[], c.outputs);
    disposeAll([features, aux, x, ...(out as Tensor[])]);
    m.dispose();
  }, 300_000);
});

describe('torchvision.models (AlexNet … GoogLeNet) builders and errors', () => {
  beforeAll(() => torch.set_backend('cpu'));

  it("list_models() names every builder of these families, as torchvision's does", () => {
    const names = [...new Set(full.builders.map((b) => b.name))];
    const listed = models.list_models();
    expect(listed).toEqual([...listed].sort());
    expect(listed.filter((n) => FAMILIES.some((f) => n.startsWith(f)))).toEqual(names);
  });

  it.each([...new Set(full.builders.map((b) => b.name))])(
    '%s({ weights }) and ({ pretrained: true }) refuse to download and say how to load a checkpoint',
    (name) => {
      for (const kwargs of [{ weights: 'DEFAULT' }, { pretrained: true }]) {
        const e = thrown(() => models.get_model(name, kwargs));
        expect(e.type).toBe('ValueError');
        expect(e.message).toContain(`torchvision.models.${name}(); model.load_state_dict(torch.load(path));`);
      }
    },
  );

  it.each(fixture.errors.map((e) => [e.call, e] as const))('%s raises as torchvision does', (_, e) => {
    expect(thrown(ERRORS[e.id])).toEqual({ type: e.type, message: e.message });
  });

  it("densenet's _load_state_dict renames torchvision's old checkpoint keys (norm.1 → norm1) and loads them", () => {
    torch.manual_seed(0);
    const m = new models.DenseNet({ growth_rate: 4, block_config: [1, 1], num_init_features: 8, bn_size: 2, num_classes: 3 });
    // num_batches_tracked is an integer buffer: give it an integer, as a checkpoint holds.
    const fresh = Object.entries(m.state_dict()).map(([k, v]) => [k, v.dtype === 'int32' ? torch.tensor(7, { dtype: 'int32' }) : torch.randn(v.shape)] as const);
    // The inverse of torchvision's pattern: these suffixes had the old names.
    const old = Object.fromEntries(fresh.map(([k, v]) => [k.replace(/(denselayer\d+\.(?:norm|relu|conv))([12])\.(weight|bias|running_mean|running_var)$/, '$1.$2.$3'), v]));
    expect(Object.keys(old)).toContain('features.denseblock1.denselayer1.norm.1.weight');
    expect(String(models.densenet._load_state_dict(m, old))).toBe('<All keys matched successfully>');
    const loaded = m.state_dict();
    for (const [k, v] of fresh) expect([k, Array.from(loaded[k].dataSync())]).toEqual([k, Array.from(v.dataSync())]);
    disposeAll(old);
    m.dispose();
  });
});

describe('torchvision.models (AlexNet … GoogLeNet), every builder at full size, on wasm', () => {
  beforeAll(() => torch.set_backend('wasm'));

  it.each(full.builders.map((b) => [`${b.name}(${JSON.stringify(b.kwargs)})`, b] as const))(
    '%s: repr, state_dict, parameter count and every parameter, bit for bit, after manual_seed(0)',
    (_, b) => {
      torch.manual_seed(0);
      const m = models.get_model(b.name, b.kwargs) as nn.Module;
      try {
        expect(String(m)).toBe(b.repr);
        expect(keysAndShapes(m)).toEqual(b.state_dict);
        expect(numParams(m)).toBe(b.num_params);
        expect(Array.from(firstValues(m))).toEqual(Array.from(unpack(b.first)));
        const { ours, theirs } = digests(m, b.sha);
        expect(ours).toEqual(theirs);
      } finally {
        m.dispose();
      }
    },
    900_000,
  );
});
