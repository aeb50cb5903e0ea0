import type { Variable } from '@tensorflow/tfjs-core';
import { RuntimeError } from '../errors';
import { pyTypeName } from '../python/signature';
import { uniform } from '../torch/random';
import { newParameter as parameter } from './parameter';

/** How PyTorch's parser lists the overloads of the factories modules call, in its "invalid combination" error. */
const FACTORY_OVERLOADS = {
  empty: [
    'tuple of ints size, *, tuple of names names, torch.memory_format memory_format, torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool requires_grad',
    'tuple of SymInts size, *, torch.memory_format memory_format, Tensor out, torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool requires_grad',
  ],
  zeros: [
    'tuple of ints size, *, tuple of names names, torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool requires_grad',
    'tuple of SymInts size, *, Tensor out, torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool requires_grad',
  ],
};

/**
 * The checks of `torch.empty(size, dtype=None, device=None)` (or `zeros`) that a module runs
 * when it makes its parameters and buffers: every dimension an int, none negative. The
 * messages are PyTorch's argument parser's for that call.
 */
export function emptyShape(shape: readonly unknown[], fn: keyof typeof FACTORY_OVERLOADS = 'empty'): number[] {
  const bad = shape.findIndex((d) => typeof d !== 'number' || !Number.isInteger(d));
  if (bad >= 0 && shape.length === 1) {
    const overloads = FACTORY_OVERLOADS[fn].map((o) => ` * (${o})\n`).join('');
    throw new TypeError(`${fn}() received an invalid combination of arguments - got (${pyTypeName(shape[0])}, dtype=NoneType, device=NoneType), but expected one of:\n${overloads}`);
  }
  if (bad >= 0) throw new TypeError(`${fn}(): argument 'size' must be tuple of SymInts, but found element of type ${pyTypeName(shape[bad])} at pos ${bad + 1}`);
  const dims = shape as number[];
  const negative = dims.find((d) => d < 0);
  if (negative !== undefined) throw new RuntimeError(`Trying to create tensor with negative dimension ${negative}: [${dims.join(', ')}]`);
  return dims;
}

/**
 * PyTorch's `_calculate_fan_in_and_fan_out` fan-in for a weight of `shape`: `shape[1]` times the
 * receptive field (the product of the dimensions after the second).
 */
export function fanIn(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * A parameter drawn as `init.kaiming_uniform_(w, a)` draws it: U(−bound, bound) with
 * `bound = sqrt(3) * sqrt(2 / (1 + a²)) / sqrt(fan_in)`, computed in the same double-precision
 * steps as Python so the float32 bounds — and, after the same seed, the values — are PyTorch's.
 * An empty weight draws nothing, as PyTorch skips it.
 */
export function kaimingUniform(shape: readonly number[], a: number): Variable {
  const n = shape.reduce((x, y) => x * y, 1);
  if (n === 0) return parameter(new Float32Array(0), shape);
  const gain = Math.sqrt(2.0 / (1 + a ** 2));
  const std = gain / Math.sqrt(fanIn(shape));
  const bound = Math.sqrt(3.0) * std;
  return parameter(uniform(n, -bound, bound), shape);
}

/** A parameter drawn as `init.uniform_(b, -bound, bound)`; zeros where PyTorch leaves it unset. */
export function uniformParameter(shape: readonly number[], bound: number | null): Variable {
  const n = shape.reduce((x, y) => x * y, 1);
  return parameter(bound === null ? new Float32Array(n) : uniform(n, -bound, bound), shape);
}
