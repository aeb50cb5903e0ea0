import type { Tensor } from '@tensorflow/tfjs-core';
import { numbersTensor, stackRows } from '../../backend/data';
import { isTensor } from '../../backend/tensor';
import { RuntimeError, ValueError } from '../../errors';
import { kwonly, opt, req, signature, type ArgsOf } from '../../python/signature';
import { any } from '../../python/types';
import type { Generator } from '../../torch/random';
import { Dataset, TensorDataset } from './dataset';
import { BatchSampler, randomInt64, RandomSampler, SequentialSampler, type Sampler } from './sampler';

/** A collated batch: tensors, or arrays and records of them, mirroring one sample's structure. */
export type Batch = Tensor | Batch[] | { [key: string]: Batch };

/**
 * `default_collate(batch)`: tensors are stacked along a new first dimension, numbers become a
 * tensor (int32 for integers, which PyTorch makes int64; float32 where PyTorch makes float64),
 * arrays and records are collated element by element.
 *
 * @see https://pytorch.org/docs/1.13/data.html#torch.utils.data.default_collate
 */
export function default_collate(batch: unknown[]): Batch {
  const elem = batch[0];
  if (isTensor(elem)) return stackRows(batch as Tensor[]);
  if (typeof elem === 'number' || typeof elem === 'boolean') return numbersTensor(batch.map(Number));
  if (Array.isArray(elem)) {
    if (!batch.every((b) => Array.isArray(b) && b.length === elem.length)) throw new RuntimeError('each element in list of batch should be of equal size');
    return elem.map((_, i) => default_collate(batch.map((b) => (b as unknown[])[i])));
  }
  if (typeof elem === 'object' && elem !== null) {
    return Object.fromEntries(Object.keys(elem).map((k) => [k, default_collate(batch.map((b) => (b as Record<string, unknown>)[k]))]));
  }
  throw new TypeError(`default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found ${typeof elem}`);
}

const DataLoaderSig = signature(
  'DataLoader.__init__',
  [
    req('dataset', any<Dataset>('Dataset')),
    opt('batch_size', any<number | null>('int'), 1),
    opt('shuffle', any<boolean | null>('bool'), null),
    opt('sampler', any<Sampler | null>('Sampler'), null),
    opt('batch_sampler', any<Iterable<number[]> | null>('Sampler'), null),
    opt('num_workers', any<number>('int'), 0),
    opt('collate_fn', any<((batch: unknown[]) => unknown) | null>('function'), null),
    opt('pin_memory', any<boolean>('bool'), false),
    opt('drop_last', any<boolean>('bool'), false),
    opt('timeout', any<number>('float'), 0),
    opt('worker_init_fn', any<null>('function'), null),
    opt('multiprocessing_context', any<null>('str'), null),
    opt('generator', any<Generator | null>('Generator'), null),
    kwonly('prefetch_factor', any<number>('int'), 2),
    kwonly('persistent_workers', any<boolean>('bool'), false),
    kwonly('pin_memory_device', any<string>('str'), ''),
  ],
  { method: true },
);

/**
 * `DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
 * num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, ...)`, in process.
 * `for (const [x, y] of loader)` is Python's `for x, y in loader`: each pass draws PyTorch's
 * base seed and (when shuffling) PyTorch's permutation from the default generator, so the
 * order after `torch.manual_seed(s)` is PyTorch's. Each batch is new tensors the caller owns.
 *
 * @see https://pytorch.org/docs/1.13/data.html#torch.utils.data.DataLoader
 */
export class DataLoader<T = Batch> implements Iterable<T> {
  readonly dataset: Dataset;
  readonly batch_size: number | null;
  readonly drop_last: boolean;
  readonly sampler: Sampler;
  readonly batch_sampler: (Iterable<number[]> & { length?: number }) | null;
  readonly generator: Generator | null;
  readonly collate_fn: (batch: unknown[]) => unknown;
  private readonly defaultCollate: boolean;

  constructor(...args: ArgsOf<typeof DataLoaderSig>) {
    const b = DataLoaderSig.bind(args);
    if (b.num_workers !== 0) throw new ValueError('num_workers > 0 is not supported: the DataLoader runs in process');
    if (b.sampler !== null && b.shuffle) throw new ValueError('sampler option is mutually exclusive with shuffle');
    if (b.batch_sampler !== null && (b.batch_size !== 1 || b.shuffle || b.sampler !== null || b.drop_last)) {
      throw new ValueError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
    }
    if (b.batch_size === null && b.drop_last) {
      throw new ValueError('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    }
    this.dataset = b.dataset;
    this.generator = b.generator;
    this.sampler = b.sampler ?? (b.shuffle ? new RandomSampler(b.dataset, false, null, b.generator) : new SequentialSampler(b.dataset));
    this.batch_size = b.batch_sampler === null ? b.batch_size : null;
    this.drop_last = b.drop_last;
    this.batch_sampler = b.batch_sampler ?? (b.batch_size === null ? null : new BatchSampler(this.sampler as Sampler, b.batch_size, b.drop_last));
    this.defaultCollate = b.collate_fn === null;
    this.collate_fn = b.collate_fn ?? ((batch) => default_collate(batch));
  }

  *[Symbol.iterator](): Iterator<T> {
    const indices: Iterable<number[] | number> = this.batch_sampler ?? this.sampler;
    // `_BaseDataLoaderIter.__init__` draws the base seed before the sampler starts.
    randomInt64(this.generator ?? undefined);
    for (const index of indices) {
      if (!Array.isArray(index)) {
        yield this.dataset.getitem(index) as T;
        continue;
      }
      if (this.defaultCollate && this.dataset instanceof TensorDataset) {
        yield this.dataset.getitems(index) as T;
        continue;
      }
      const samples = index.map((i) => this.dataset.getitem(i));
      try {
        yield this.collate_fn(samples) as T;
      } finally {
        disposeAll(samples);
      }
    }
  }

  /** `len(loader)`: the number of batches. */
  get length(): number {
    const bs = this.batch_sampler as { length?: number } | null;
    return bs === null ? this.sampler.length : (bs.length ?? 0);
  }
}

function disposeAll(x: unknown): void {
  if (isTensor(x)) x.dispose();
  else if (Array.isArray(x)) x.forEach(disposeAll);
  else if (typeof x === 'object' && x !== null) Object.values(x).forEach(disposeAll);
}
