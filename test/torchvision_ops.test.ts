import { memory } from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { nn, torch, torchvision } from '../src';
import { BACKENDS, loadFixture, thrown } from './helpers';
import { expectCloseToMax, firstBitDifference, keysAndShapes, unpack, type Packed, type Plain } from './models_b_helpers';

/** test/fixtures/gen_models_b.py's torchvision.ops cases (layout in its docstring). */
interface OpCase {
  id: string;
  build: string;
  repr: string;
  state_dict: [string, number[]][];
  params: Record<string, Packed>;
  seed: number;
  warnings: string[];
  input?: Packed;
  train_output?: Plain;
  eval_output?: Plain;
}
interface SDCase {
  id: string;
  seed: number;
  p: number;
  mode: 'row' | 'batch';
  training: boolean;
  input: Packed;
  outputs: Plain[];
  rand_after: number[];
}
interface ErrorCase {
  id: string;
  call: string;
  type: string;
  message: string;
}
const fixture = loadFixture<{ ops: OpCase[]; stochastic_depth: SDCase[]; errors: ErrorCase[] }>('models_b.json');

const { ops } = torchvision;

/** Each case's Python call (`build` in the fixture), ported with the README's rules. */
const OPS: Record<string, () => nn.Module> = {
  cna_default: () => new ops.Conv2dNormActivation(3, 8),
  cna_stride_groups_hardswish_nonorm: () =>
    new ops.Conv2dNormActivation(4, 8, { kernel_size: 3, stride: 2, groups: 2, norm_layer: null, activation_layer: nn.Hardswish }),
  cna_tuple_kernel_dilation: () => new ops.Conv2dNormActivation(4, 6, { kernel_size: [3, 5], dilation: [1, 2], activation_layer: nn.SiLU }),
  cna_padding0_inplace_none: () => new ops.Conv2dNormActivation(4, 4, 3, 1, 0, { inplace: null }),
  cna_bias_partial_norm_no_activation: () =>
    new ops.Conv2dNormActivation(4, 5, {
      kernel_size: 1,
      norm_layer: (num_features: number) => new nn.BatchNorm2d(num_features, { eps: 1e-3, momentum: 0.01 }),
      activation_layer: null,
      bias: true,
    }),
  cna_dilation2_relu6: () => new ops.Conv2dNormActivation(3, 3, 3, { groups: 3, dilation: 2, activation_layer: nn.ReLU6 }),
  convnormactivation_base: () => new ops.misc.ConvNormActivation(3, 4, 3),
  se_default: () => new ops.SqueezeExcitation(8, 2),
  se_silu_hardsigmoid: () => new ops.SqueezeExcitation(6, 4, { activation: nn.SiLU, scale_activation: nn.Hardsigmoid }),
  permute_nhwc: () => new ops.Permute([0, 2, 3, 1]),
  permute_3d: () => new ops.Permute([2, 0, 1]),
  mlp_default: () => new ops.MLP(6, [8, 4]),
  mlp_layernorm_gelu_dropout: () => new ops.MLP(5, [8, 8, 3], { norm_layer: nn.LayerNorm, activation_layer: nn.GELU, inplace: null, bias: false, dropout: 0.0 }),
  mlp_dropout_eval: () => new ops.MLP(4, [6, 2], { dropout: 0.5 }),
  stochastic_depth_module: () => new ops.StochasticDepth(0.25, 'row'),
  stochastic_depth_batch: () => new ops.StochasticDepth(0.5, 'batch'),
};

/** What each error case's Python call is here. */
const ERRORS: Record<string, () => unknown> = {
  sd_p_negative: () => ops.stochastic_depth(torch.ones(2), -0.1, 'row'),
  sd_p_above_one: () => ops.stochastic_depth(torch.ones(2), 1.5, 'batch'),
  sd_bad_mode: () => ops.stochastic_depth(torch.ones(2), 0.5, 'col' as 'row'),
  sd_module_bad_mode: () => new ops.StochasticDepth(0.5, 'col' as 'row')(torch.ones(2)),
};

/** `fn()` with `process.emitWarning` recorded: the messages of the warnings it emitted. */
function warningsOf<T>(fn: () => T): [T, string[]] {
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const result = fn();
    return [result, spy.mock.calls.map(([message]) => String(message))];
  } finally {
    spy.mockRestore();
  }
}

/** torch.randn(shape), checked against the input the fixture recorded (PyTorch drew it the same way). */
function drawInput(p: Packed): Tensor {
  const x = torch.randn(p.shape);
  expect(firstBitDifference(x.dataSync() as Float32Array, unpack(p.b64))).toBe(-1);
  return x;
}

describe.each(BACKENDS)('torchvision.ops on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe.each(fixture.ops.map((c) => [c.id, c] as const))('%s', (id, c) => {
    it(`${c.build}: repr, state_dict, warnings and initial parameters after manual_seed`, () => {
      torch.manual_seed(c.seed);
      const [m, warnings] = warningsOf(OPS[id]);
      expect(warnings).toEqual(c.warnings);
      expect(String(m)).toBe(c.repr);
      expect(keysAndShapes(m)).toEqual(c.state_dict);
      const params = Object.fromEntries(m.named_parameters());
      expect(Object.keys(params)).toEqual(Object.keys(c.params));
      for (const [key, p] of Object.entries(c.params)) {
        expect([key, firstBitDifference(params[key].dataSync() as Float32Array, unpack(p.b64))]).toEqual([key, -1]);
      }
      m.dispose();
    });

    if (c.input !== undefined) {
      it('train-mode and eval-mode outputs match PyTorch, and a forward leaks nothing', () => {
        torch.manual_seed(c.seed);
        const [m] = warningsOf(OPS[id]);
        const x = drawInput(c.input!);
        const train = m(x) as Tensor;
        expectCloseToMax(train, c.train_output!);
        train.dispose();
        m.eval();
        const evaluated = m(x) as Tensor;
        expectCloseToMax(evaluated, c.eval_output!);
        if (evaluated !== x) evaluated.dispose();
        // Layers keep what they derive from their weights once; a second call adds nothing.
        const before = memory().numTensors;
        const again = m(x) as Tensor;
        if (again !== x) again.dispose();
        expect(memory().numTensors).toBe(before);
        x.dispose();
        m.dispose();
      });
    }
  });

  describe.each(fixture.stochastic_depth.map((c) => [c.id, c] as const))('stochastic_depth %s', (_, c) => {
    it(`p=${c.p}, mode=${c.mode}, training=${c.training}: PyTorch's draws, outputs and generator advance`, () => {
      torch.manual_seed(c.seed);
      const x = drawInput(c.input);
      const before = memory().numTensors;
      for (const expected of c.outputs) {
        const y = ops.stochastic_depth(x, c.p, c.mode, c.training);
        expect(y.shape).toEqual(expected.shape);
        expect(firstBitDifference(y.dataSync() as Float32Array, Float32Array.from(expected.values))).toBe(-1);
        if (y !== x) y.dispose();
      }
      expect(memory().numTensors).toBe(before);
      const after = torch.rand(2);
      expect(Array.from(after.dataSync())).toEqual(c.rand_after);
      [x, after].forEach((t) => t.dispose());
    });
  });

  it.each(fixture.errors.filter((e) => e.id in ERRORS).map((e) => [e.call, e] as const))('%s raises as torchvision does', (_, e) => {
    expect(thrown(ERRORS[e.id])).toEqual({ type: e.type, message: e.message });
  });

  it('StochasticDepth is the identity in eval mode and when p is 0, drawing nothing', () => {
    const x = torch.randn(3, 2);
    torch.manual_seed(7);
    const expected = torch.rand(1);
    torch.manual_seed(7);
    const sd = new ops.StochasticDepth(0.5, 'row').eval();
    expect(sd(x)).toBe(x);
    expect(new ops.StochasticDepth(0.0, 'batch')(x)).toBe(x);
    const next = torch.rand(1);
    expect(Array.from(next.dataSync())).toEqual(Array.from(expected.dataSync()));
    [x, expected, next].forEach((t) => t.dispose());
  });
});
