/**
 * PyTorch's dtype names, as the tfjs dtypes that hold them: `x.dtype === torch.float32` and
 * `torch.zeros(2, { dtype: torch.int64 })` read as in PyTorch. tfjs has no 64-bit integers, so
 * int64 (PyTorch's integer default, `torch.long`) is held as int32, as everywhere in tfjs-torch.
 */
export const float32 = 'float32' as const;
export const float = float32;
export const int32 = 'int32' as const;
export const int = int32;
export const int64 = int32;
export const long = int32;
export const bool = 'bool' as const;
