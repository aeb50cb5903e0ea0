import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { isTensor, isVariable, parameter, variableOf } from '../backend/tensor';
import { pyTypeName } from '../python/signature';

/** The Variables that are parameters; other Variables (BatchNorm's running statistics) are buffers. */
const parameters = new WeakSet<object>();

/** Whether `x` is a Parameter, as Python's `isinstance(x, nn.Parameter)`. */
export const isParameter = (x: unknown): x is Variable => isVariable(x) && parameters.has(x);

/** A new Parameter holding `values` (what module initialisation draws). */
export function newParameter(values: Float32Array, shape: readonly number[]): Variable {
  const p = parameter(values, shape);
  parameters.add(p);
  return p;
}

/**
 * PyTorch's `torch.typename(obj)`, as module errors print it: `torch.FloatTensor` for a float32
 * tensor, the class name for a module, Python's type name otherwise.
 */
export function typename(value: unknown): string {
  if (isTensor(value)) return `torch.${{ float32: 'Float', int32: 'Int', bool: 'Bool' }[value.dtype as string] ?? 'Float'}Tensor`;
  return pyTypeName(value);
}

/** The instance type of {@link Parameter}: a tfjs Variable (`requires_grad` is its `trainable`). */
export interface Parameter extends Variable {}

/**
 * `nn.Parameter(data, requires_grad=True)`: a tensor that a module registers as a parameter
 * when assigned to one of its attributes. It shares `data`'s values (no copy), as PyTorch's does.
 * It is a tfjs Variable, so tfjs's gradient and optimizer machinery see it.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.parameter.Parameter.html
 */
export class Parameter {
  constructor(data: Tensor, requires_grad = true) {
    if (!isTensor(data)) throw new TypeError(`new(): argument 'data' (position 1) must be Tensor, not ${pyTypeName(data)}`);
    const p = variableOf(data, requires_grad);
    parameters.add(p);
    return p as Parameter;
  }

  static [Symbol.hasInstance](x: unknown): boolean {
    return isParameter(x);
  }
}
