/** The `torch` namespace: tensor creation, seeding, `Size`, and backend selection. */
export { initial_seed, manual_seed, ones, rand, randn, size, str, tensor, zeros } from './creation';
export type { DType, NestedNumbers } from './creation';
export { Generator } from './random';
export { Size } from './size';
export { load } from '../io/torch_load';
export type { LoadOptions } from '../io/torch_load';
export { getBackend as get_backend, ready, setBackend as set_backend, BACKENDS } from '../backend/runtime';
export { get_num_threads, set_num_threads } from './threads';
export type { BackendName } from '../backend/runtime';
export { arange, empty, eye, full, full_like, linspace, ones_like, rand_like, randint, randn_like, randperm, zeros_like } from './creation';
export type { LoadedDType } from './creation';
export { bool, float, float32, int, int32, int64, long } from './dtypes';
export { Tensor } from '@tensorflow/tfjs-core';
export {
  broadcast_to,
  cat,
  chunk,
  concat,
  flatten,
  flip,
  index_select,
  narrow,
  permute,
  reshape,
  roll,
  select,
  split,
  squeeze,
  stack,
  t,
  tile,
  transpose,
  unflatten,
  unsqueeze,
} from '../functional/tensor/shape';
export { abs, add, bmm, clamp, clip, div, exp, log, log_softmax, matmul, maximum, minimum, mm, mul, neg, pow, relu, rsqrt, sigmoid, softmax, sqrt, sub, tanh, where } from '../functional/tensor/math';
export { all, amax, amin, any_ as any, argmax, argmin, max, mean, min, norm, prod, sort, std, sum, topk, var_ as var, ReturnTypes } from '../functional/tensor/reduce';
export { allclose, eq, equal, ge, gt, isclose, le, lt, ne } from '../functional/tensor/compare';
export { enable_grad, is_grad_enabled, no_grad, set_grad_enabled } from '../autograd/grad_mode';
export * as autograd from '../autograd';
export * as optim from '../optim';
export * as utils from '../utils/torch_utils';
export { save } from '../io/torch_save';
export { compile, OptimizedModule } from '../compile';
export type { CompileOptions, Explanation } from '../compile';
