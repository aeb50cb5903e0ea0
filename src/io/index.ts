/**
 * Loading PyTorch weights without Python: `torch.load` for `torch.save(model.state_dict())`
 * files, and the `safetensors` format (`load_file`, `save_file`, `load`, `save`, `safe_open`,
 * `SafetensorError`). Neither imports or runs anything a file names; neither caps the memory a
 * file can make it allocate (a zip bomb, a huge stride-0 view), so size-check untrusted files.
 */
export { load } from './torch_load';
export { UnpicklingError } from './pickle';
export * as safetensors from './safetensors';
