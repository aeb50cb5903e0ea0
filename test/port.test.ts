import { memory } from '@tensorflow/tfjs-core';
import { nn, torch, type Tensor } from '../src';
import { BACKENDS, expectClose, loadFixture } from './helpers';

/**
 * gen_port.py's network, ported from Python with the README's syntax-only edits: positional
 * Conv2d arguments, keywords in one trailing object, callable children, `x.view`, `torch.cat`,
 * `x.chunk`, `torch.flatten`, `out = out.add(identity)`; fields are declared in another order
 * than the constructors assign them.
 */
function channel_shuffle(x: Tensor, groups: number): Tensor {
  const [batchsize, num_channels, height, width] = x.shape;
  const channels_per_group = Math.floor(num_channels / groups);
  x = x.view(batchsize, groups, channels_per_group, height, width);
  x = torch.transpose(x, 1, 2).contiguous();
  x = x.view(batchsize, -1, height, width);
  return x;
}

class InvertedResidual extends nn.Module {
  branch2: nn.Sequential;
  branch1: nn.Sequential;
  stride: number;

  constructor(inp: number, oup: number, stride: number) {
    super();
    this.stride = stride;
    const branch_features = Math.floor(oup / 2);
    if (this.stride > 1) {
      this.branch1 = new nn.Sequential(
        InvertedResidual.depthwise_conv(inp, inp, { kernel_size: 3, stride: this.stride, padding: 1 }),
        new nn.BatchNorm2d(inp),
        new nn.Conv2d(inp, branch_features, { kernel_size: 1, stride: 1, padding: 0, bias: false }),
        new nn.BatchNorm2d(branch_features),
        new nn.ReLU({ inplace: true }),
      );
    } else {
      this.branch1 = new nn.Sequential();
    }
    this.branch2 = new nn.Sequential(
      new nn.Conv2d(this.stride > 1 ? inp : branch_features, branch_features, { kernel_size: 1, stride: 1, padding: 0, bias: false }),
      new nn.BatchNorm2d(branch_features),
      new nn.ReLU({ inplace: true }),
      InvertedResidual.depthwise_conv(branch_features, branch_features, { kernel_size: 3, stride: this.stride, padding: 1 }),
      new nn.BatchNorm2d(branch_features),
      new nn.Conv2d(branch_features, branch_features, { kernel_size: 1, stride: 1, padding: 0, bias: false }),
      new nn.BatchNorm2d(branch_features),
      new nn.ReLU({ inplace: true }),
    );
  }

  static depthwise_conv(i: number, o: number, { kernel_size, stride = 1, padding = 0, bias = false }: { kernel_size: number; stride?: number; padding?: number; bias?: boolean }): nn.Conv2d {
    return new nn.Conv2d(i, o, kernel_size, stride, padding, { bias, groups: i });
  }

  forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = x.chunk(2, { dim: 1 });
      out = torch.cat([x1, this.branch2(x2)], { dim: 1 });
    } else {
      out = torch.cat([this.branch1(x), this.branch2(x)], { dim: 1 });
    }
    return channel_shuffle(out, 2);
  }
}

class BasicBlock extends nn.Module {
  static expansion = 1;
  downsample: nn.Module | null;
  bn2: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  relu: nn.ReLU;
  bn1: nn.BatchNorm2d;
  conv1: nn.Conv2d;
  stride: number;

  constructor(inplanes: number, planes: number, stride = 1, downsample: nn.Module | null = null) {
    super();
    this.conv1 = new nn.Conv2d(inplanes, planes, 3, stride, 1, { bias: false });
    this.bn1 = new nn.BatchNorm2d(planes);
    this.relu = new nn.ReLU({ inplace: true });
    this.conv2 = new nn.Conv2d(planes, planes, 3, 1, 1, { bias: false });
    this.bn2 = new nn.BatchNorm2d(planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    let identity = x;
    let out = this.conv1(x);
    out = this.bn1(out);
    out = this.relu(out);
    out = this.conv2(out);
    out = this.bn2(out);
    if (this.downsample !== null) identity = this.downsample(x);
    out = out.add(identity);
    out = this.relu(out);
    return out;
  }
}

class TinyNet extends nn.Module {
  head: nn.Conv2d;
  block: BasicBlock;
  stage: nn.Sequential;
  stem: nn.Sequential;

  constructor() {
    super();
    this.stem = new nn.Sequential(new nn.Conv2d(3, 8, 3, 2, 1, { bias: false }), new nn.BatchNorm2d(8), new nn.ReLU({ inplace: true }));
    this.stage = new nn.Sequential(new InvertedResidual(8, 16, 2), new InvertedResidual(16, 16, 1));
    this.block = new BasicBlock(16, 12, 2, new nn.Sequential(new nn.Conv2d(16, 12, 1, 2, { bias: false }), new nn.BatchNorm2d(12)));
    this.head = new nn.Conv2d(12, 5, 1);
  }

  forward(x: Tensor): Tensor {
    x = this.stem(x);
    x = this.stage(x);
    x = this.block(x);
    x = this.head(x);
    x = x.mean([2, 3]);
    return torch.flatten(x, 1);
  }
}

const fixture = loadFixture<{
  repr: string;
  state_dict: [string, number[]][];
  parameters: Record<string, number[]>;
  input: number[];
  train_output: number[];
  output_shape: number[];
  eval_output: number[];
  running_mean: number[];
}>('port.json');

describe.each(BACKENDS)('a torchvision-style port on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it('prints, registers, initialises and computes as PyTorch', () => {
    const start = memory().numTensors;
    torch.manual_seed(0);
    const net = new TinyNet();
    const x = torch.rand(2, 3, 16, 16);
    expect(String(net)).toBe(fixture.repr);
    expect(Object.entries(net.state_dict()).map(([k, v]) => [k, v.shape])).toEqual(fixture.state_dict);
    const params = Object.fromEntries([...net.named_parameters()].map(([k, p]) => [k, [...p.dataSync()]]));
    expect(params).toEqual(fixture.parameters);
    expectClose(x, [2, 3, 16, 16], fixture.input);
    // gen_port.py runs both forwards under `with torch.no_grad():`.
    const train = torch.no_grad(() => net(x));
    expectClose(train, fixture.output_shape, fixture.train_output);
    expectClose(net.block.bn1.running_mean!, [12], fixture.running_mean);
    net.eval();
    const y = torch.no_grad(() => net(x));
    expectClose(y, fixture.output_shape, fixture.eval_output);
    // Layers keep the filters they converted (and a chain's folded ones) until disposed; nothing else stays.
    [train, y, x].forEach((t) => t.dispose());
    net.dispose();
    expect(memory().numTensors).toBe(start);
  });
});
