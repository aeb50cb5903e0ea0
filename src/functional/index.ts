/** `torch.nn.functional`: PyTorch semantics on NCHW activations and OIHW weights. */
export { conv2d } from './conv';
export type { Conv2dArgs } from './conv';
export { pad, PAD_MODES } from './pad';
export type { PadArgs, PadMode } from './pad';
export { batch_norm } from './batchnorm';
export { relu } from './activation';
export { elu, gelu, hardsigmoid, hardswish, leaky_relu, log_softmax, mish, prelu, relu6, sigmoid, silu, softmax, tanh } from './activation';
export { linear } from './linear';
export { adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d } from './pooling';
export type { AdaptiveSize, MaxPool2dOptions } from './pooling';
export { dropout, dropout2d } from './dropout';
export { group_norm, layer_norm, local_response_norm } from './normalization';
export { binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss, kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss } from './loss';
