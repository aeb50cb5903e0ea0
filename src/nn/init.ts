import type { Variable } from '@tensorflow/tfjs-core';
import { parameter } from '../backend/tensor';
import { uniform } from '../torch/random';

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
