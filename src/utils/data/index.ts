/** `torch.utils.data`: datasets, samplers and the DataLoader. */
export { Dataset, TensorDataset } from './dataset';
export { DataLoader, default_collate } from './dataloader';
export type { Batch } from './dataloader';
export { BatchSampler, RandomSampler, Sampler, SequentialSampler } from './sampler';
