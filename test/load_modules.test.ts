import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { memory } from '@tensorflow/tfjs-core';
import { nn, safetensors, torch } from '../src';
import { BACKENDS, expectClose, tensorFrom } from './helpers';

/** Module checkpoints written by test/fixtures/gen_weights.py: torch.save(model.state_dict()) after one training step. */
const dir = path.join(__dirname, 'fixtures', 'weights');
const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {
  modules: Record<string, { class: string; repr: string; input_shape: number[]; input: number[]; output_shape: number[]; output: number[] }>;
};

/** The PyTorch model of each file, built as a user porting it would build it. */
const MODELS: Record<string, () => nn.Module> = {
  'conv2d.pt': () => new nn.Conv2d(3, 4, 3, { padding: 1 }),
  'batchnorm2d.pt': () => new nn.BatchNorm2d(4),
  'depthwise.pt': () => new nn.DepthWiseConv(3, 16),
  'sequential.pt': () => new nn.Sequential(new nn.Conv2d(3, 8, 3), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.Conv2d(8, 4, 1)),
};

describe.each(BACKENDS)('PyTorch checkpoints of whole models on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-torch-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(Object.keys(MODELS))('%s: load_state_dict(torch.load(...)) then eval forward matches PyTorch', (name) => {
    const c = expected.modules[name];
    const model = MODELS[name]();
    // The article's Python class is Depth_Wise_Conv; its port is named nn.DepthWiseConv.
    expect(String(model)).toBe(c.repr.replace(/^Depth_Wise_Conv\(/, 'DepthWiseConv('));
    const before = memory().numTensors;
    const sd = torch.load(path.join(dir, name));
    expect(String(model.load_state_dict(sd))).toBe('<All keys matched successfully>');
    Object.values(sd).forEach((t) => t.dispose());
    // Loading and copying into the model leave nothing behind.
    expect(memory().numTensors).toBe(before);
    model.eval();
    const x = tensorFrom(c.input, c.input_shape);
    const y = model(x) as ReturnType<nn.Conv2d['forward']>;
    expectClose(y, c.output_shape, c.output);
    [x, y].forEach((t) => t.dispose());
    model.dispose();
  });

  it.each(Object.keys(MODELS))('%s: the loaded state_dict survives save_file / load_file into a fresh model', (name) => {
    const c = expected.modules[name];
    const file = path.join(tmp, `${name}.safetensors`);
    const a = MODELS[name]();
    const sd = torch.load(path.join(dir, name));
    a.load_state_dict(sd);
    Object.values(sd).forEach((t) => t.dispose());
    safetensors.save_file(a.state_dict(), file);
    const b = MODELS[name]();
    const back = safetensors.load_file(file);
    expect(String(b.load_state_dict(back))).toBe('<All keys matched successfully>');
    Object.values(back).forEach((t) => t.dispose());
    b.eval();
    const x = tensorFrom(c.input, c.input_shape);
    const y = b(x) as ReturnType<nn.Conv2d['forward']>;
    expectClose(y, c.output_shape, c.output);
    [x, y].forEach((t) => t.dispose());
    [a, b].forEach((m) => m.dispose());
  });
});
