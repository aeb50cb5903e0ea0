/**
 * Loading PyTorch weights without Python: `torch.load` for `torch.save(model.state_dict())`
 * files, and the `safetensors` format (`load_file`, `save_file`, `load`, `save`, `safe_open`,
 * `SafetensorError`). Both are safe on untrusted files: nothing in a file is ever imported or run.
 */
export { load } from './torch_load';
export { UnpicklingError } from './pickle';
export * as safetensors from './safetensors';
