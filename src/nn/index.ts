/** `torch.nn`: modules. */
export { Module, IncompatibleKeys, RemovableHandle } from './module';
export type { ForwardHook, ForwardPreHook, HookInputs, StateDict } from './module';
export { Conv2d, PADDING_MODES } from './conv';
export type { Conv2dConfig, Conv2dOptions, PaddingMode } from './conv';
export { BatchNorm2d } from './batchnorm';
export type { BatchNorm2dOptions } from './batchnorm';
export { ReLU } from './activation';
export { Sequential } from './container';
export { DepthWiseConv } from './blocks';
