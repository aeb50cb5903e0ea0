import type { Tensor } from '@tensorflow/tfjs-core';
import { fill, fromFlat, values, type DType } from '../backend/tensor';
import { RuntimeError, ValueError } from '../errors';
import { defaultGenerator, normal, uniform } from './random';
import { formatTensor } from './format';
import { Size } from './size';

export type { DType };

/** Nested numbers, as PyTorch's `torch.tensor` takes nested lists. */
export type NestedNumbers = number | boolean | readonly NestedNumbers[];

/**
 * PyTorch accepts a size as separate dimensions, as one sequence or by keyword:
 * `rand(2, 3)` = `rand([2, 3])` = `rand({ size: [2, 3] })` (Python's `rand(size=(2, 3))`).
 */
export type SizeArgs = number[] | [readonly number[]] | [{ size: readonly number[] }];

/**
 * The dimensions `args` name, with the checks of PyTorch's argument parser and `empty()`: a
 * non-integer is a TypeError worded as `fn`'s (`rand` takes "ints", `zeros` "SymInts"), a
 * negative size a RuntimeError.
 */
function sizeOf(fn: string, kind: 'ints' | 'SymInts', args: SizeArgs): number[] {
  const [first] = args;
  const dims = typeof first === 'object' ? [...('size' in first ? first.size : first)] : (args as number[]);
  const bad = dims.findIndex((d) => !Number.isInteger(d));
  if (bad === 0) throw new TypeError(`${fn}(): argument 'size' (position 1) must be tuple of ${kind}, not float`);
  if (bad > 0) throw new TypeError(`${fn}(): argument 'size' must be tuple of ${kind}, but found element of type float at pos ${bad + 1}`);
  const negative = dims.find((d) => d < 0);
  if (negative !== undefined) throw new RuntimeError(`Trying to create tensor with negative dimension ${negative}: [${dims.join(', ')}]`);
  return dims;
}

const numel = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/**
 * `torch.tensor(data, dtype=...)`: a tensor from nested arrays (float32 unless `dtype: 'int32'`).
 * A ragged nesting raises PyTorch's ValueError.
 */
export function tensor(data: NestedNumbers, options: { dtype?: DType } = {}): Tensor {
  const shape: number[] = [];
  for (let level: NestedNumbers = data; Array.isArray(level); level = (level as readonly NestedNumbers[])[0]) {
    shape.push((level as readonly NestedNumbers[]).length);
    if ((level as readonly NestedNumbers[]).length === 0) break;
  }
  const flat: number[] = [];
  const walk = (node: NestedNumbers, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(node)) throw new ValueError(`expected sequence of length ${shape[dim - 1]} at dim ${dim - 1} (got ${node.length})`);
      flat.push(Number(node));
      return;
    }
    if (!Array.isArray(node)) throw new TypeError(`not a sequence at dim ${dim}`);
    if (node.length !== shape[dim]) throw new ValueError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${node.length})`);
    node.forEach((child: NestedNumbers) => walk(child, dim + 1));
  };
  walk(data, 0);
  const dtype = options.dtype ?? 'float32';
  return fromFlat(dtype === 'int32' ? Int32Array.from(flat, Math.trunc) : Float32Array.from(flat), shape, dtype);
}

/** `torch.rand(*size)`: uniform on [0, 1), the same float32 values PyTorch draws after the same seed. */
export function rand(...size: SizeArgs): Tensor {
  const dims = sizeOf('rand', 'ints', size);
  return fromFlat(uniform(numel(dims), 0, 1), dims);
}

/** `torch.randn(*size)`: standard normal, the same float32 values PyTorch draws after the same seed. */
export function randn(...size: SizeArgs): Tensor {
  const dims = sizeOf('randn', 'ints', size);
  return fromFlat(normal(numel(dims), 0, 1), dims);
}

export function zeros(...size: SizeArgs): Tensor {
  return fill(sizeOf('zeros', 'SymInts', size), 0);
}

export function ones(...size: SizeArgs): Tensor {
  return fill(sizeOf('ones', 'SymInts', size), 1);
}

/** `torch.manual_seed(seed)`: reseeds the generator behind `rand`, `randn` and module initialisation. */
export function manual_seed(seed: number | bigint) {
  return defaultGenerator.manualSeed(seed);
}

/** `torch.initial_seed()`: the seed the default generator was last seeded with. */
export function initial_seed() {
  return defaultGenerator.initialSeed();
}

/** The size of a tensor as PyTorch prints it: `torch.Size([1, 256, 8, 8])` (Python's `x.shape`). */
export function size(x: Tensor): Size {
  return new Size(x.shape);
}

/**
 * Python's `str(tensor)` (what `print(x)` shows), in PyTorch's default print options. There is
 * no autograd here, so no `grad_fn=` suffix.
 */
export function str(x: Tensor): string {
  return formatTensor(values(x), x.shape, x.dtype === 'int32' || x.dtype === 'bool' ? x.dtype : 'float32');
}
