/** `torch.optim`: the optimizers and `lr_scheduler`. */
export { Optimizer, required } from './optimizer';
export type { OptimizerStateDict, ParamGroup, Params, ParamState } from './optimizer';
export { SGD } from './sgd';
export { Adam } from './adam';
export { AdamW } from './adamw';
export { RMSprop } from './rmsprop';
export { Adagrad } from './adagrad';
export * as lr_scheduler from './lr_scheduler';
