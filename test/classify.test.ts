import { execFile } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import type { Tensor } from '@tensorflow/tfjs-core';
import { decodeRGB, IMAGENET_CATEGORIES, loadCheckpoint, loadModel, preprocess, topk } from '../examples/classify';
import { safetensors, torch } from '../src';
import { makeClassifyImages } from './fixtures/classify_image';
import { BACKENDS, loadFixture } from './helpers';
import { expectCloseToMax, type Plain } from './models_b_helpers';

/** test/fixtures/gen_classify.py's record (layout in its docstring). */
interface ImageCase {
  name: string;
  width: number;
  height: number;
  pixels_sha: string;
  input_sha: string;
  input_first: number[];
  logits: Plain;
  top5: [number, string, number][];
}
const fixture = loadFixture<{ model: string; weights: string; images: ImageCase[] }>('classify.json');
const weights = path.join(__dirname, 'fixtures', 'classify', fixture.weights);
// The checkpoint keeps its parameters small as overlapping views of one storage (see
// gen_classify.py), which torch.load loads only when asked to expand them.
const expand = { max_expansion: Infinity };
const sha = (bytes: ArrayBufferView) => createHash('sha256').update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).digest('hex');

let dir: string;
let files: Record<string, string>;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classify-'));
  const made = await makeClassifyImages(dir);
  files = Object.fromEntries(made.map((f) => [path.basename(f), f]));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("examples/classify.ts: torchvision's preprocessing", () => {
  beforeAll(() => torch.set_backend('cpu'));

  it.each(fixture.images.map((c) => [c.name, c] as const))('%s decodes to the pixels Pillow decodes, and preprocesses to the very tensor torchvision makes', async (name, c) => {
    const img = await decodeRGB(files[name]);
    expect([img.width, img.height]).toEqual([c.width, c.height]);
    expect(sha(img.data)).toBe(c.pixels_sha);
    const x = preprocess(img);
    const values = x.dataSync() as Float32Array;
    expect(Array.from(values.subarray(0, c.input_first.length))).toEqual(c.input_first);
    expect(sha(values)).toBe(c.input_sha);
    x.dispose();
  });

  it("keeps torchvision's ImageNet category names, in index order", () => {
    expect(IMAGENET_CATEGORIES.length).toBe(fixture.images[0].logits.shape[1]);
    for (const c of fixture.images) for (const [index, label] of c.top5) expect(IMAGENET_CATEGORIES[index]).toBe(label);
  });
});

describe.each(BACKENDS)('examples/classify.ts: a ResNet-18 checkpoint saved by PyTorch, on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));
  // A 224x224 ResNet-18 forward takes a minute or more on the plain-JavaScript cpu backend: one image there.
  const images = backend === 'cpu' ? fixture.images.slice(0, 1) : fixture.images;

  it.each(images.map((c) => [c.name, c] as const))("%s: PyTorch's logits and top-5", async (name, c) => {
    const model = loadModel(fixture.model, loadCheckpoint(weights, expand));
    const x = preprocess(await decodeRGB(files[name]));
    const logits = model(x) as Tensor;
    expectCloseToMax(logits, c.logits);
    const top = topk(logits, 5);
    expect(top.map((p) => [p.index, p.label])).toEqual(c.top5.map(([i, label]) => [i, label]));
    top.forEach((p, i) => expect(Math.abs(p.probability - c.top5[i][2])).toBeLessThanOrEqual(1e-5));
    x.dispose();
    logits.dispose();
    model.dispose();
  });

  if (backend === 'wasm') it("loads a checkpoint that predates num_batches_tracked (PyTorch < 0.4.1), as PyTorch's BatchNorm does", async () => {
    const saved = loadCheckpoint(weights, expand);
    for (const key of Object.keys(saved).filter((k) => k.endsWith('num_batches_tracked'))) {
      saved[key].dispose();
      delete saved[key];
    }
    // Such a checkpoint has no num_batches_tracked and no state_dict versions (`_metadata`, which
    // a spread leaves behind): BatchNorm then loads the counter as 0.
    const state = { ...saved };
    const model = loadModel(fixture.model, state);
    const c = fixture.images[0];
    const x = preprocess(await decodeRGB(files[c.name]));
    const logits = model(x) as Tensor;
    expectCloseToMax(logits, c.logits);
    x.dispose();
    logits.dispose();
    model.dispose();
  });
});

describe('npx tsx examples/classify.ts', () => {
  it('prints each image, then its top-5 classes with probabilities (weights from a .safetensors file)', async () => {
    await torch.set_backend('wasm');
    const state = torch.load(weights, expand);
    const dense = path.join(dir, 'resnet18.safetensors');
    safetensors.save_file(state, dense);
    Object.values(state).forEach((t) => t.dispose());
    const run = promisify(execFile);
    const images = fixture.images.map((c) => files[c.name]);
    const { stdout } = await run('npx', ['tsx', 'examples/classify.ts', '--model', fixture.model, '--weights', dense, '--backend', 'wasm', ...images], {
      cwd: path.join(__dirname, '..'),
    });
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBe(fixture.images.length * 6);
    fixture.images.forEach((c, i) => {
      expect(lines[i * 6]).toBe(images[i]);
      c.top5.forEach(([index, label, p], k) => {
        const m = /^ +([\d.]+)% {2}(.*) \((\d+)\)$/.exec(lines[i * 6 + 1 + k]);
        expect(m && [m[2], Number(m[3])]).toEqual([label, index]);
        expect(Math.abs(Number(m![1]) - 100 * p)).toBeLessThanOrEqual(0.01);
      });
    });
  }, 120_000);
});
