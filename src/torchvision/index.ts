/** `torchvision`: its classification models (`torchvision.models`) and the ops they are built from. */
export * as models from './models';
export * as ops from './ops';
