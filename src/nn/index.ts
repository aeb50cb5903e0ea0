/** `torch.nn`: modules. */
export { Module, IncompatibleKeys } from './module';
export type { StateDict } from './module';
export { Conv2d, PADDING_MODES } from './conv';
export type { Conv2dConfig, Conv2dOptions, PaddingMode } from './conv';
