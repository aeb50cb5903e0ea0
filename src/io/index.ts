/**
 * Loading PyTorch weights without Python: `torch.load` for `torch.save(model.state_dict())`
 * files, and the `safetensors` format (`load_file`, `save_file`, `load`, `save`, `safe_open`,
 * `SafetensorError`). Neither imports or runs anything a file names, and what a file can make
 * them allocate is bounded by the file (see `load`) and checked against the backend first.
 */
export { load } from './torch_load';
export { UnpicklingError } from './pickle';
export * as safetensors from './safetensors';
