/**
 * PyTorch's names for the dtypes tfjs tensors have, as its error messages print them: the
 * ScalarType (`"batch_norm" not implemented for 'Int'`), the TypeMeta (`Input type (int) and
 * bias type (float)`) and the legacy tensor type (`Input type (torch.FloatTensor) and weight
 * type (torch.IntTensor)`, where a bool tensor prints as `CPUBoolType`).
 */
const NAMES: Readonly<Record<string, { scalar: string; meta: string; legacy: string }>> = {
  float32: { scalar: 'Float', meta: 'float', legacy: 'torch.FloatTensor' },
  int32: { scalar: 'Int', meta: 'int', legacy: 'torch.IntTensor' },
  bool: { scalar: 'Bool', meta: 'bool', legacy: 'CPUBoolType' },
};

const names = (dtype: string) => NAMES[dtype] ?? { scalar: dtype, meta: dtype, legacy: dtype };

/** `c10::toString(ScalarType)`. */
export const scalarTypeName = (dtype: string): string => names(dtype).scalar;

/** `caffe2::TypeMeta::name()`. */
export const typeMetaName = (dtype: string): string => names(dtype).meta;

/** `Tensor::toString()` of a CPU tensor. */
export const legacyTypeName = (dtype: string): string => names(dtype).legacy;
