/** `torchvision.ops`: the blocks torchvision's models are built from. */
export { Conv2dNormActivation, MLP, Permute, SqueezeExcitation } from './misc';
export { StochasticDepth, stochastic_depth } from './stochastic_depth';
export type { StochasticDepthMode } from './stochastic_depth';
export * as misc from './misc';
