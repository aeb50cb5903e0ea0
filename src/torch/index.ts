/** The `torch` namespace: tensor creation, seeding, `Size`, and backend selection. */
export { initial_seed, manual_seed, ones, rand, randn, size, str, tensor, zeros } from './creation';
export type { DType, NestedNumbers } from './creation';
export { Generator } from './random';
export { Size } from './size';
export { load } from '../io/torch_load';
export { getBackend as get_backend, ready, setBackend as set_backend, BACKENDS } from '../backend/runtime';
export type { BackendName } from '../backend/runtime';
