import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { F, nn, RuntimeError, torch, torchvision } from '../src';
import { BACKENDS } from './helpers';

/** max |compiled − eager| / max |eager|: the measure of agreement. */
function relativeError(actual: Tensor, expected: Tensor): number {
  expect(actual.shape).toEqual(expected.shape);
  const [a, e] = [actual.dataSync(), expected.dataSync()];
  let scale = 0;
  let worst = 0;
  e.forEach((v, i) => {
    scale = Math.max(scale, Math.abs(v));
    worst = Math.max(worst, Math.abs(a[i] - v));
  });
  return worst / scale;
}

/** Eager and compiled results of `model` on `x`: the compiled one from a second call (the first traces). */
function both(model: nn.Module, compiled: nn.Module, x: Tensor): [Tensor, Tensor] {
  const eager = model(x) as Tensor;
  tf.dispose(compiled(x) as Tensor);
  return [eager, compiled(x) as Tensor];
}

const transposes = (steps: readonly string[]) => steps.filter((s) => s.startsWith('transpose'));

/** A user block with what a compiler must follow: residual add, cat, chunk, channel shuffle, F.relu, a view flatten. */
class Shuffle extends nn.Module {
  stem = new nn.Sequential(new nn.Conv2d(3, 8, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(8), new nn.ReLU());
  left = new nn.Conv2d(4, 4, 3, { padding: 1, groups: 4 });
  right = new nn.Sequential(new nn.Conv2d(4, 4, 1), new nn.BatchNorm2d(4), new nn.ReLU6());
  head = new nn.Linear(8 * 6 * 6, 5);

  forward(x: Tensor): Tensor {
    let y = this.stem(x);
    const [a, b] = y.chunk(2, { dim: 1 });
    y = torch.cat([F.relu(this.left(a)), this.right(b)], { dim: 1 });
    const [n, c, h, w] = y.shape;
    y = y.view(n, 2, c / 2, h, w).transpose(1, 2).contiguous().view(n, c, h, w);
    y = y.add(this.stem(x));
    y = F.max_pool2d(y, 2);
    return this.head(torch.flatten(y, 1));
  }
}

/** Reads a value to choose a branch: data-dependent control flow. */
class Branchy extends nn.Module {
  a = new nn.Conv2d(3, 4, 1);
  b = new nn.Conv2d(3, 4, 3, { padding: 1 });

  forward(x: Tensor): Tensor {
    return (x.mean().item() as number) > 0.5 ? this.a(x) : this.b(x);
  }
}

/** Adds a tensor kept on an attribute (no buffer) with a raw tfjs op. */
class Offset extends nn.Module {
  conv = new nn.Conv2d(3, 4, 1);
  offset: Tensor = tf.keep(tf.fill([1, 4, 1, 1], 0.25));

  forward(x: Tensor): Tensor {
    return tf.add(this.conv(x), this.offset);
  }
}

/** A raw tfjs op on traced tensors: followed like any other kernel. */
class RawOp extends nn.Module {
  conv = new nn.Conv2d(3, 4, 3);

  forward(x: Tensor): Tensor {
    return tf.sigmoid(tf.mul(this.conv(x), 2));
  }
}

describe.each(BACKENDS)('torch.compile on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  // Each torchvision family at a small configuration but AlexNet and VGG, whose 4096-wide
  // classifiers (61M and 133M parameters at any num_classes) are too heavy for a unit test.
  const families: [string, number][] = [
    ['resnet18', 32],
    ['mobilenet_v2', 32],
    ['shufflenet_v2_x0_5', 32],
    ['resnext50_32x4d', 32],
    ['mobilenet_v3_small', 32],
    ['googlenet', 32],
    ['densenet121', 32],
    ['squeezenet1_0', 32],
    ['efficientnet_b0', 32],
    ['mnasnet0_5', 32],
    ['regnet_y_400mf', 32],
    ['convnext_tiny', 32],
    ['inception_v3', 75],
  ];
  it.each(families)('%s on 1×3×%i² agrees with eager within 1e-5, channels-last throughout', (name, size) => {
    torch.manual_seed(0);
    const model = (torchvision.models.get_model(name, { num_classes: 10 }) as nn.Module).eval();
    const compiled = torch.compile(model);
    const x = torch.rand(1, 3, size, size);
    const [eager, got] = both(model, compiled, x);
    expect(compiled.explain().compiled).toBe(true);
    expect(relativeError(got, eager)).toBeLessThanOrEqual(1e-5);
    const moves = transposes(compiled.explain().steps);
    // The input's conversion to NHWC; the output [1, 10] needs none. A channel shuffle is one
    // [N·H·W, g, C/g] move (rank 2 once N·H·W is 1).
    expect(moves[0]).toBe('transpose(rank 2)');
    if (name.startsWith('shufflenet')) expect(moves.slice(1).every((m) => /^transpose\(rank [23]\)$/.test(m))).toBe(true);
    else if (name !== 'convnext_tiny') expect(moves).toHaveLength(1);
    tf.dispose([x, eager, got]);
    compiled.dispose();
  });

  it.each([
    ['resnet18', 'conv2d+batch_norm+relu'],
    ['mobilenet_v2', 'depthwise_conv2d+batch_norm+relu6'],
    ['resnext50_32x4d', 'grouped_conv2d(groups=32)+batch_norm+relu'],
  ])('%s folds BatchNorm and fuses activations (%s)', (name, step) => {
    torch.manual_seed(0);
    const model = (torchvision.models.get_model(name, { num_classes: 10 }) as nn.Module).eval();
    const compiled = torch.compile(model);
    const x = torch.rand(1, 3, 32, 32);
    tf.dispose([compiled(x) as Tensor, compiled(x) as Tensor]);
    const steps = compiled.explain().steps;
    expect(steps).toContain(step);
    expect(steps.some((s) => s === 'BatchNorm2d (channels-last)')).toBe(false);
    x.dispose();
    compiled.dispose();
  });

  it('follows a user forward: chunk, cat, F.relu, channel shuffle, residual add, flatten over spatial dims', () => {
    torch.manual_seed(1);
    const model = new Shuffle().eval();
    const compiled = torch.compile(model);
    const x = torch.rand(2, 3, 12, 12);
    const [eager, got] = both(model, compiled, x);
    expect(compiled.explain().compiled).toBe(true);
    expect(relativeError(got, eager)).toBeLessThanOrEqual(1e-5);
    expect(compiled.explain().steps.filter((s) => /transpose\(rank [5-9]\)/.test(s))).toEqual([]);
    tf.dispose([x, eager, got]);
    compiled.dispose();
  });

  it.each([
    [[1, 3, 32, 32], [2, 3, 40, 40]],
    [[2, 3, 40, 40], [1, 3, 24, 24]],
  ])('re-plans when the input shape changes: %j then %j', (first, second) => {
    torch.manual_seed(2);
    const model = torchvision.models.resnet18({ num_classes: 10 }).eval();
    const compiled = torch.compile(model);
    const a = torch.rand(...first);
    const b = torch.rand(...second);
    const [ea, ga] = both(model, compiled, a);
    expect(relativeError(ga, ea)).toBeLessThanOrEqual(1e-5);
    const eb = model(b) as Tensor;
    const traced = compiled(b) as Tensor;
    expect(compiled.explain().reason).toBe('traced on this call');
    const gb = compiled(b) as Tensor;
    expect(compiled.explain().compiled).toBe(true);
    // The traced call runs each layer on its own (eager chains fold BatchNorm), so it too is within rounding.
    expect(relativeError(traced, eb)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(gb, eb)).toBeLessThanOrEqual(1e-5);
    tf.dispose([a, b, ea, ga, eb, traced, gb]);
    compiled.dispose();
  });

  it('re-folds after load_state_dict', () => {
    torch.manual_seed(3);
    const model = torchvision.models.resnet18({ num_classes: 10 }).eval();
    torch.manual_seed(4);
    const other = torchvision.models.resnet18({ num_classes: 10 });
    other.train();
    tf.dispose(other(torch.rand(2, 3, 32, 32)));
    const compiled = torch.compile(model);
    const x = torch.rand(1, 3, 32, 32);
    const [before, old] = both(model, compiled, x);
    model.load_state_dict(other.state_dict());
    const eager = model(x) as Tensor;
    const got = compiled(x) as Tensor;
    expect(compiled.explain().compiled).toBe(true);
    expect(relativeError(eager, before)).toBeGreaterThan(1e-2);
    expect(relativeError(got, eager)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, before, old, eager, got]);
    compiled.dispose();
    other.dispose();
  });

  it('re-folds after an optim.SGD step, and runs eagerly in training mode', () => {
    torch.manual_seed(5);
    const model = torchvision.models.mobilenet_v2({ num_classes: 10, width_mult: 0.25 });
    const compiled = torch.compile(model);
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.5 });
    const x = torch.rand(2, 3, 32, 32);
    model.eval();
    const [before, old] = both(model, compiled, x);
    model.train();
    tf.tidy(() => {
      optimizer.zero_grad();
      const loss = (compiled(x) as Tensor).sum();
      expect(compiled.explain()).toEqual({ compiled: false, reason: 'a module is in training mode', steps: [] });
      loss.backward();
      optimizer.step();
    });
    compiled.eval();
    const eager = model(x) as Tensor;
    const got = compiled(x) as Tensor;
    expect(compiled.explain().compiled).toBe(true);
    expect(relativeError(eager, before)).toBeGreaterThan(1e-3);
    expect(relativeError(got, eager)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, before, old, eager, got]);
    optimizer.dispose();
    compiled.dispose();
  });

  it.each([
    ['an .item() branch', () => new Branchy(), 'the forward reads tensor values (item, dataSync, data, arraySync), so it may branch on them'],
    ['a tensor kept on an attribute', () => new Offset(), 'kernel Add received a tensor that is neither an input, a parameter, a buffer nor made by the traced forward'],
  ])('runs %s eagerly, with the eager result', (_, make, reason) => {
    torch.manual_seed(6);
    const model = make().eval();
    const compiled = torch.compile(model);
    for (const value of [0.2, 0.8]) {
      const x = torch.full([1, 3, 6, 6], value);
      const eager = model(x) as Tensor;
      const got = compiled(x) as Tensor;
      expect(compiled.explain()).toEqual({ compiled: false, reason, steps: [] });
      expect(relativeError(got, eager)).toBe(0);
      tf.dispose([x, eager, got]);
    }
    expect(() => torch.compile(model, { fullgraph: true })(torch.rand(1, 3, 6, 6))).toThrow(new RuntimeError(`torch.compile(fullgraph=True) cannot compile ${model.constructor.name}: ${reason}`));
    if (model instanceof Offset) model.offset.dispose();
    compiled.dispose();
  });

  it('follows raw tfjs ops on traced tensors', () => {
    torch.manual_seed(7);
    const model = new RawOp().eval();
    const compiled = torch.compile(model);
    const x = torch.rand(1, 3, 8, 8);
    const [eager, got] = both(model, compiled, x);
    expect(compiled.explain().compiled).toBe(true);
    expect(relativeError(got, eager)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, eager, got]);
    compiled.dispose();
  });

  it('runs eagerly while a forward hook is registered, and the hook runs', () => {
    torch.manual_seed(8);
    const model = torchvision.models.resnet18({ num_classes: 10 }).eval();
    const compiled = torch.compile(model);
    const seen: number[][] = [];
    const handle = model.layer1.register_forward_hook((_m, _i, out) => void seen.push((out as Tensor).shape));
    const x = torch.rand(1, 3, 32, 32);
    tf.dispose(compiled(x) as Tensor);
    expect(compiled.explain().reason).toBe('forward hooks are registered');
    expect(seen).toEqual([[1, 64, 8, 8]]);
    handle.remove();
    tf.dispose([compiled(x) as Tensor, compiled(x) as Tensor]);
    expect(compiled.explain().compiled).toBe(true);
    x.dispose();
    compiled.dispose();
  });

  it("prints as PyTorch 2's OptimizedModule and keys its state_dict under _orig_mod", () => {
    const model = new nn.Sequential(new nn.Conv2d(3, 4, 1), new nn.ReLU());
    const compiled = torch.compile(model);
    expect(String(compiled)).toBe('OptimizedModule(\n  (_orig_mod): Sequential(\n    (0): Conv2d(3, 4, kernel_size=(1, 1), stride=(1, 1))\n    (1): ReLU()\n  )\n)');
    expect(Object.keys(compiled.state_dict())).toEqual(['_orig_mod.0.weight', '_orig_mod.0.bias']);
    expect(compiled._orig_mod).toBe(model);
    compiled.dispose();
  });

  it('leaks no tensor across many calls, and frees everything on dispose', () => {
    const start = tf.memory().numTensors;
    torch.manual_seed(9);
    const model = new Shuffle().eval();
    const compiled = torch.compile(model);
    const x = torch.rand(2, 3, 12, 12);
    tf.dispose([compiled(x) as Tensor, compiled(x) as Tensor]);
    const held = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) tf.dispose(compiled(x) as Tensor);
    expect(tf.memory().numTensors).toBe(held);
    x.dispose();
    compiled.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
