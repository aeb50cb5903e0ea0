import type { Tensor } from '@tensorflow/tfjs-core';
import { relu as reluOp } from '../backend/activation';
import { tidy } from '../backend/tensor';

/**
 * `F.relu(input)`: `max(0, x)` elementwise. tfjs tensors are immutable, so `inplace` cannot
 * overwrite the input; the result is always a new tensor.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.relu.html
 */
export function relu(input: Tensor): Tensor {
  return tidy(() => reluOp(input));
}
