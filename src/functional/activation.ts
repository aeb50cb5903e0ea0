import type { Tensor } from '@tensorflow/tfjs-core';
import { relu as reluOp } from '../backend/activation';
import { tidy } from '../backend/tensor';
import { checkArgument, opt, req, signature, type ArgsOf } from '../python/signature';
import { any, bool, tensor } from '../python/types';

const ReluSig = signature('relu', [req('input', any<Tensor>('Tensor')), opt('inplace', bool, false)]);

/**
 * `F.relu(input, inplace=False)`: `max(0, x)` elementwise. tfjs tensors are immutable, so
 * `inplace` cannot overwrite the input; the result is always a new tensor.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.relu.html
 */
export function relu(...args: ArgsOf<typeof ReluSig>): Tensor {
  const { input } = ReluSig.bind(args);
  checkArgument('relu', { name: 'input', type: tensor }, 1, input);
  return tidy(() => reluOp(input));
}
