/**
 * tfjs-torch: PyTorch's layer API on TensorFlow.js.
 *
 * ```ts
 * import { torch, nn } from 'tfjs-torch';
 * await torch.ready();
 * const model = new nn.Conv2d(3, 256, [5, 5]);
 * console.log(String(torch.size(model.call(torch.rand([1, 3, 12, 12])))));  // torch.Size([1, 256, 8, 8])
 * ```
 */
export * as torch from './torch';
export * as nn from './nn';
export * as F from './functional';
export { IndexError, NotImplementedError, RuntimeError, ValueError } from './errors';
export { safetensors, UnpicklingError } from './io';
export { summary, ModelStatistics, LayerInfo } from './utils/summary';
export type { SummaryInput, SummaryOptions, ColumnName, RowSetting } from './utils/summary';
export * as torchvision from './torchvision';
export { Tensor } from '@tensorflow/tfjs-core';
import './methods/tensor';
import './autograd/tensor';
