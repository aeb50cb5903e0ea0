/**
 * Classify images with a torchvision checkpoint, as torchvision's ImageNet models are meant to be
 * used: `npx tsx examples/classify.ts --model resnet18 --weights resnet18-f37072fd.pth cat.jpg`
 * prints each image's top-5 ImageNet classes with their probabilities.
 *
 * The preprocessing is torchvision's `ImageClassification` preset (what
 * `ResNet18_Weights.IMAGENET1K_V1.transforms()` runs on a PIL image): resize the shorter side to
 * 256 with PIL's antialiased bilinear filter, center-crop 224, scale to [0, 1], normalise with
 * ImageNet's mean and std. Images are decoded by sharp (libvips, with a libjpeg-turbo-derived
 * JPEG decoder that gives the same pixels as Pillow's); the resize is Pillow's own algorithm
 * (`ImagingResample`, 8-bit fixed point) ported below, so the tensor is bit for bit the one
 * torchvision makes from the same file (checked on PNGs, baseline and progressive JPEGs, and
 * images with an ICC profile, which both leave unconverted). What differs from
 * `Image.open(f).convert('RGB')`: CMYK JPEGs, which libvips converts through a colour profile and
 * Pillow by a plain formula (seen: up to 45 levels apart), and 16-bit images, which are not tested.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { F, nn, safetensors, torch, torchvision } from '../src';

/** An 8-bit RGB image, rows top to bottom, pixels interleaved (R, G, B). */
export interface RGBImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** ImageNet's normalisation, as `ImageClassification` declares it. */
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** `Image.open(file).convert('RGB')`: the file's pixels as 8-bit RGB (alpha dropped, gray replicated). */
export async function decodeRGB(file: string): Promise<RGBImage> {
  // Pillow keeps the stored values of an image with an ICC profile; libvips would convert them to sRGB.
  const { data, info } = await sharp(file, { ignoreIcc: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels === 3) return { width: info.width, height: info.height, data };
  const rgb = new Uint8Array(info.width * info.height * 3);
  for (let i = 0; i < info.width * info.height; i++) rgb.fill(data[i * info.channels], i * 3, i * 3 + 3);
  return { width: info.width, height: info.height, data: rgb };
}

// ---- Pillow's ImagingResample (src/libImaging/Resample.c) for 8-bit images, bilinear filter. ----

/** Fixed-point bits of Pillow's 8-bit coefficients: 32 - 8 - 2. */
const PRECISION_BITS = 22;

const bilinearFilter = (x: number): number => {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
};

/** Pillow's `clip8`: the rounded fixed-point sum shifted down and clamped to 0..255. */
const clip8 = (ss: number): number => Math.min(255, Math.max(0, ss >> PRECISION_BITS));

/**
 * `precompute_coeffs` then `normalize_coeffs_8bpc`: for each output pixel, the first input pixel
 * it reads, how many it reads, and their integer weights. When shrinking, the triangle filter is
 * widened by the scale factor, which is what makes the resize antialiased.
 */
function coefficients(inSize: number, outSize: number): { bounds: Int32Array; kk: Int32Array; ksize: number } {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1.0);
  const support = 1.0 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1.0 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0.0;
    for (let x = 0; x < xmax; x++) {
      k[x] = bilinearFilter((x + xmin - center + 0.5) * ss);
      ww += k[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0.0 ? k[x] / ww : k[x];
      kk[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, kk, ksize };
}

/**
 * `img.resize((width, height), Image.BILINEAR)` for an RGB image: a horizontal pass over the rows
 * the vertical pass needs, then the vertical pass, each rounding to 8 bits as Pillow does.
 */
export function resizeBilinear(img: RGBImage, width: number, height: number): RGBImage {
  const vert = coefficients(img.height, height);
  const yFirst = vert.bounds[0];
  const yLast = vert.bounds[height * 2 - 2] + vert.bounds[height * 2 - 1];
  let src = img;
  let rowOffset = 0;
  if (width !== img.width) {
    const horiz = coefficients(img.width, width);
    const rows = yLast - yFirst;
    const out = new Uint8Array(width * rows * 3);
    for (let yy = 0; yy < rows; yy++) {
      const row = (yy + yFirst) * img.width * 3;
      for (let xx = 0; xx < width; xx++) {
        const xmin = horiz.bounds[xx * 2];
        const xmax = horiz.bounds[xx * 2 + 1];
        const k = xx * horiz.ksize;
        let s0 = 1 << (PRECISION_BITS - 1);
        let s1 = s0;
        let s2 = s0;
        for (let x = 0; x < xmax; x++) {
          const p = row + (x + xmin) * 3;
          const w = horiz.kk[k + x];
          s0 += img.data[p] * w;
          s1 += img.data[p + 1] * w;
          s2 += img.data[p + 2] * w;
        }
        const o = (yy * width + xx) * 3;
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
      }
    }
    src = { width, height: rows, data: out };
    rowOffset = yFirst;
  }
  if (height === img.height) return src === img ? { ...img, data: img.data.slice() } : src;
  const out = new Uint8Array(width * height * 3);
  for (let yy = 0; yy < height; yy++) {
    const ymin = vert.bounds[yy * 2] - rowOffset;
    const ymax = vert.bounds[yy * 2 + 1];
    const k = yy * vert.ksize;
    for (let xx = 0; xx < width * 3; xx++) {
      let s = 1 << (PRECISION_BITS - 1);
      for (let y = 0; y < ymax; y++) s += src.data[(y + ymin) * width * 3 + xx] * vert.kk[k + y];
      out[yy * width * 3 + xx] = clip8(s);
    }
  }
  return { width, height, data: out };
}

/** Python's `round()` on a float: halves go to the even neighbour (`round(40.5) == 40`). */
const pyRound = (x: number): number => {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/**
 * torchvision's `ImageClassification(crop_size, resize_size)` on a PIL RGB image: `F.resize`
 * (shorter side to `resize_size`, the longer `int(resize_size * long / short)`), `F.center_crop`
 * (offsets rounded as Python rounds), `pil_to_tensor`, `convert_image_dtype` (`/ 255`) and
 * `F.normalize`, each step in float32 as PyTorch computes it. Returns `[1, 3, crop, crop]`.
 */
export function preprocess(img: RGBImage, resize_size = 256, crop_size = 224): tf.Tensor {
  const { width: w, height: h } = img;
  const [short, long] = w <= h ? [w, h] : [h, w];
  const newLong = Math.trunc((resize_size * long) / short);
  const [newW, newH] = w <= h ? [resize_size, newLong] : [newLong, resize_size];
  const resized = resizeBilinear(img, newW, newH);
  if (crop_size > newW || crop_size > newH) throw new Error(`crop ${crop_size} exceeds the resized ${newW}x${newH} image`);
  const top = pyRound((newH - crop_size) / 2.0);
  const left = pyRound((newW - crop_size) / 2.0);
  const values = new Float32Array(3 * crop_size * crop_size);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(MEAN[c]);
    const std = Math.fround(STD[c]);
    for (let y = 0; y < crop_size; y++) {
      for (let x = 0; x < crop_size; x++) {
        const v = resized.data[((y + top) * newW + x + left) * 3 + c];
        values[(c * crop_size + y) * crop_size + x] = Math.fround(Math.fround(v / 255) - mean) / std;
      }
    }
  }
  return tf.tensor(values, [1, 3, crop_size, crop_size]);
}

/** torchvision's ImageNet class names (`torchvision.models._meta._IMAGENET_CATEGORIES`), index order. */
export const IMAGENET_CATEGORIES: readonly string[] = JSON.parse(fs.readFileSync(path.join(__dirname, 'imagenet_categories.json'), 'utf8'));

/**
 * What torchvision's builders set when given `weights=`: the checkpoints of these models were
 * made with these options (and `init_weights=False` only skips an initialisation the checkpoint
 * overwrites).
 */
const CHECKPOINT_OPTIONS: Record<string, Record<string, unknown>> = {
  inception_v3: { transform_input: true, aux_logits: true, init_weights: false },
  googlenet: { transform_input: true, aux_logits: true, init_weights: false },
  ...Object.fromEntries(['vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn', 'vgg16', 'vgg16_bn', 'vgg19', 'vgg19_bn'].map((n) => [n, { init_weights: false }])),
};

/** The sizes of each model's `*_Weights.IMAGENET1K_V1.transforms` (Inception v3's differ). */
const TRANSFORM_SIZES: Record<string, [number, number]> = { inception_v3: [342, 299] };

export interface Prediction {
  readonly index: number;
  readonly label: string;
  readonly probability: number;
}

/** A checkpoint's tensors: a `.pth` / `.pt` from `torch.save` (`options` go to `torch.load`), or a `.safetensors` file. */
export function loadCheckpoint(file: string, options: Parameters<typeof torch.load>[1] = {}): nn.StateDict {
  return file.endsWith('.safetensors') ? safetensors.load_file(file) : torch.load(file, options);
}

/** torchvision model `name` with the checkpoint `state` loaded (its tensors then disposed), in eval mode. */
export function loadModel(name: string, state: nn.StateDict): nn.Module {
  const model = torchvision.models.get_model(name, CHECKPOINT_OPTIONS[name] ?? {}) as nn.Module;
  // torchvision's DenseNet checkpoints keep an old key format that its builders rename on load.
  if (name.startsWith('densenet')) torchvision.models.densenet._load_state_dict(model, state);
  else model.load_state_dict(state);
  for (const t of Object.values(state)) t.dispose();
  return model.eval();
}

/** The top `k` classes of a `[1, 1000]` logits tensor, by softmax probability. */
export function topk(logits: tf.Tensor, k = 5): Prediction[] {
  const probs = tf.tidy(() => F.softmax(logits, 1)).dataSync();
  return [...probs]
    .map((probability, index) => ({ index, label: IMAGENET_CATEGORIES[index], probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, k);
}

const USAGE = `usage: npx tsx examples/classify.ts --model NAME --weights FILE.pth|FILE.safetensors [--topk 5] [--resize-size N] [--crop-size N] [--backend wasm|cpu|tensorflow] IMAGE...`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      model: { type: 'string', default: 'resnet18' },
      weights: { type: 'string' },
      topk: { type: 'string', default: '5' },
      'resize-size': { type: 'string' },
      'crop-size': { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help || values.weights === undefined || positionals.length === 0) {
    console.error(USAGE);
    console.error(`models: ${torchvision.models.list_models().join(', ')}`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  if (values.backend !== undefined) await torch.set_backend(values.backend as torch.BackendName);
  else await torch.ready();
  const [resize, crop] = TRANSFORM_SIZES[values.model] ?? [256, 224];
  const model = loadModel(values.model, loadCheckpoint(values.weights));
  for (const file of positionals) {
    const x = preprocess(await decodeRGB(file), Number(values['resize-size'] ?? resize), Number(values['crop-size'] ?? crop));
    const logits = model(x) as tf.Tensor;
    console.log(file);
    for (const p of topk(logits, Number(values.topk))) console.log(`  ${(100 * p.probability).toFixed(2).padStart(6)}%  ${p.label} (${p.index})`);
    tf.dispose([x, logits]);
  }
  model.dispose();
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? `${e.name}: ${e.message}` : e);
    process.exitCode = 1;
  });
}
