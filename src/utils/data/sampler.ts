/**
 * torch.utils.data's samplers (1.13's sampler.py), drawing what PyTorch draws: a shuffling
 * RandomSampler without its own generator takes a seed with `torch.empty((), dtype=torch.int64)
 * .random_()` from the default generator, then permutes with `torch.randperm` on a new
 * generator seeded with it, so `torch.manual_seed(s)` gives PyTorch's order.
 */
import { ValueError } from '../../errors';
import { defaultGenerator, Generator } from '../../torch/random';

/** `torch.empty((), dtype=torch.int64).random_(generator=g).item()`: two 32-bit draws, high word first, modulo 2⁶³. */
export function randomInt64(g: Generator = defaultGenerator): bigint {
  const hi = BigInt(g.nextUint32());
  const lo = BigInt(g.nextUint32());
  return ((hi << 32n) | lo) % (1n << 63n);
}

/** ATen's CPU `randperm` (n below 2²⁴): Fisher–Yates from the front, `random() % (n − i)`. */
export function randperm(n: number, g: Generator): number[] {
  const r = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n - 1; i++) {
    const z = g.nextUint32() % (n - i);
    [r[i], r[z + i]] = [r[z + i], r[i]];
  }
  return r;
}

/** What a sampler samples from: anything with a length. */
export interface Sized {
  readonly length: number;
}

/** `Sampler`: an iterable of dataset indices. @see https://pytorch.org/docs/1.13/data.html#torch.utils.data.Sampler */
export abstract class Sampler implements Iterable<number> {
  abstract [Symbol.iterator](): Iterator<number>;
  abstract get length(): number;
}

/** `SequentialSampler(data_source)`: 0, 1, …, n − 1. */
export class SequentialSampler extends Sampler {
  constructor(readonly data_source: Sized) {
    super();
  }

  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.data_source.length; i++) yield i;
  }

  get length(): number {
    return this.data_source.length;
  }
}

/**
 * `RandomSampler(data_source, replacement=False, num_samples=None, generator=None)` without
 * replacement: a permutation per pass, as 1.13 draws it.
 */
export class RandomSampler extends Sampler {
  constructor(
    readonly data_source: Sized,
    readonly replacement = false,
    private readonly numSamples: number | null = null,
    readonly generator: Generator | null = null,
  ) {
    super();
    if (replacement) throw new ValueError('RandomSampler with replacement=True is not supported here (it draws with torch.randint)');
    if (!Number.isInteger(this.num_samples) || this.num_samples <= 0) {
      throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${this.num_samples}`);
    }
  }

  get num_samples(): number {
    return this.numSamples ?? this.data_source.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.data_source.length;
    const g = this.generator ?? new Generator(randomInt64());
    for (let k = 0; k < Math.floor(this.num_samples / n); k++) yield* randperm(n, g);
    yield* randperm(n, g).slice(0, this.num_samples % n);
  }

  get length(): number {
    return this.num_samples;
  }
}

/** `BatchSampler(sampler, batch_size, drop_last)`: lists of indices. */
export class BatchSampler implements Iterable<number[]> {
  constructor(
    readonly sampler: Iterable<number> & Sized,
    readonly batch_size: number,
    readonly drop_last: boolean,
  ) {
    if (!Number.isInteger(batch_size) || typeof batch_size === 'boolean' || batch_size <= 0) {
      throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${batch_size}`);
    }
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batch_size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.drop_last) yield batch;
  }

  get length(): number {
    const n = this.sampler.length;
    return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
  }
}
