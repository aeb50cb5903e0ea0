/** `torch.nn.functional`: PyTorch semantics on NCHW activations and OIHW weights. */
export { conv2d } from './conv';
export type { Conv2dArgs } from './conv';
export { pad, PAD_MODES } from './pad';
export type { PadArgs, PadMode } from './pad';
export { batch_norm } from './batchnorm';
export { relu } from './activation';
