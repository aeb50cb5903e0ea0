/** `torch.nn`: modules. */
export { Module, IncompatibleKeys, RemovableHandle } from './module';
export { Parameter } from './parameter';
export type { ForwardHook, ForwardPreHook, HookInputs, StateDict } from './module';
export { Conv2d, PADDING_MODES } from './conv';
export type { Conv2dArgs, Conv2dConfig, PaddingMode } from './conv';
export { BatchNorm2d } from './batchnorm';
export type { BatchNorm2dArgs, BatchNorm2dOptions } from './batchnorm';
export { ReLU } from './activation';
export { ModuleDict, ModuleList, Sequential } from './container';
export { DepthWiseConv } from './blocks';
