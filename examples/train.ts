/**
 * Trains the article's depthwise-separable block (nn.DepthWiseConv) plus a classifier on a small
 * data set made here: 3×16×16 images of horizontal stripes, vertical stripes or a checkerboard,
 * with noise. Per epoch: a progress bar over the batches, the mean training loss and accuracy, and
 * the validation accuracy; at the end a checkpoint written with torch.save, which PyTorch's
 * torch.load reads.
 *
 *     npx tsx examples/train.ts [epochs] [checkpoint.pt]
 *
 * The loop is PyTorch's, line for line; what JavaScript adds is memory: `tf.tidy` frees what a
 * step made (Python's reference counting does that), and each batch is disposed after use.
 */
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { SingleBar, Presets } from 'cli-progress';
import { nn, torch, type Tensor } from '../src';

const CLASSES = ['horizontal', 'vertical', 'checkerboard'];

/** `n` noisy images of each pattern, class by class, then shuffled by the DataLoader. */
function patterns(n: number): [Tensor, Tensor] {
  const size = 16;
  const images: number[][][][] = [];
  const labels: number[] = [];
  for (let c = 0; c < CLASSES.length; c++) {
    for (let k = 0; k < n; k++) {
      const period = 2 + (k % 3);
      const pixel = (h: number, w: number) => {
        const on = (v: number) => Math.floor(v / period) % 2;
        return c === 0 ? on(h) : c === 1 ? on(w) : on(h) ^ on(w);
      };
      images.push([0, 1, 2].map((ch) => Array.from({ length: size }, (_, h) => Array.from({ length: size }, (_, w) => pixel(h, w) * (0.5 + 0.25 * ch)))));
      labels.push(c);
    }
  }
  const clean = torch.tensor(images);
  const noise = torch.randn(clean.shape);
  const x = tf.tidy(() => clean.add(noise.mul(0.5)));
  tf.dispose([clean, noise]);
  return [x, torch.tensor(labels, { dtype: 'int32' })];
}

/** The article's block, then global average pooling and a linear classifier. */
class Classifier extends nn.Module {
  block = new nn.DepthWiseConv(3, 16);
  pool = new nn.AdaptiveAvgPool2d(1);
  fc = new nn.Linear(16, CLASSES.length);

  forward(x: Tensor): Tensor {
    return this.fc(this.pool(this.block(x)).flatten(1));
  }
}

/** The number of correct predictions in a batch. */
const correct = (output: Tensor, y: Tensor): number => tf.tidy(() => Number(torch.argmax(output, 1).eq(y).sum().item()));

export async function main(epochs = 6, checkpoint = path.join(os.tmpdir(), 'tfjs-torch-train.pt')): Promise<void> {
  const backend = await torch.ready();
  torch.manual_seed(0);
  const [trainX, trainY] = patterns(80);
  const [valX, valY] = patterns(20);
  const train_loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(trainX, trainY), { batch_size: 16, shuffle: true });
  const val_loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(valX, valY), { batch_size: 60 });

  const model = new Classifier();
  const criterion = new nn.CrossEntropyLoss({ label_smoothing: 0.05 });
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 0.02 });
  const scheduler = new torch.optim.lr_scheduler.StepLR(optimizer, { step_size: 3, gamma: 0.5 });
  console.log(`backend: ${backend}; ${trainX.shape[0]} training and ${valX.shape[0]} validation images of ${CLASSES.join(', ')}`);

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar = new SingleBar({ format: `epoch ${epoch}/${epochs} [{bar}] {value}/{total} batches | loss {loss}`, hideCursor: true }, Presets.shades_classic);
    bar.start(train_loader.length, 0, { loss: '-' });
    let total = 0;
    let hits = 0;
    let seen = 0;
    model.train();
    for (const [x, y] of train_loader as Iterable<Tensor[]>) {
      tf.tidy(() => {
        optimizer.zero_grad();
        const output = model(x);
        const loss = criterion(output, y);
        loss.backward();
        optimizer.step();
        const value = loss.item() as number;
        total += value * x.shape[0];
        hits += correct(output, y);
        seen += x.shape[0];
        bar.increment({ loss: value.toFixed(4) });
      });
      tf.dispose([x, y]);
    }
    bar.stop();
    scheduler.step();
    model.eval();
    let valHits = 0;
    for (const [x, y] of val_loader as Iterable<Tensor[]>) {
      valHits += torch.no_grad(() => tf.tidy(() => correct(model(x), y)));
      tf.dispose([x, y]);
    }
    const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)}%`;
    console.log(`epoch ${epoch}: loss ${(total / seen).toFixed(4)}, accuracy ${pct(hits, seen)}, validation accuracy ${pct(valHits, valX.shape[0])}, lr ${scheduler.get_last_lr()[0]}`);
  }

  torch.save({ epoch: epochs, model: model.state_dict(), optimizer: optimizer.state_dict() }, checkpoint);
  console.log(`checkpoint: ${checkpoint} (torch.load(path)['model'] loads into the same PyTorch module)`);
  tf.dispose([trainX, trainY, valX, valY]);
  optimizer.dispose();
  model.dispose();
}

if (require.main === module) {
  const [epochs, file] = process.argv.slice(2);
  main(epochs === undefined ? undefined : Number(epochs), file);
}
