import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { isRecording } from '../backend/autograd';
import type { FilterCache } from '../backend/conv2d';
import { linearRows } from '../backend/linear';
import { tidy } from '../backend/tensor';
import { check, RuntimeError } from '../errors';
import { opt, req, signature, type ArgsOf } from '../python/signature';
import { orNone, tensor } from '../python/types';
import { scalarTypeName } from './dtypes';
import { addImpl, matmulImpl } from './tensor/math';
import { tImpl } from './tensor/shape';
import { broadcastShapes, sizeStr } from './tensor/util';

const LinearSig = signature('linear', [req('input', tensor), req('weight', tensor), opt('bias', orNone(tensor), null)], { dialect: 'native' });

/**
 * `F.linear(input, weight, bias=None)`: `y = x·Aᵀ + b` over the last dimension.
 *
 * input `[*, in_features]`; weight `[out_features, in_features]`; bias `[out_features]` (or
 * anything that broadcasts to the output); output `[*, out_features]`. Errors are those of the
 * ATen path PyTorch takes: one `addmm` for 2-D input with a bias (3-D flattened to 2-D first),
 * otherwise `matmul` and an in-place add.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.functional.linear.html
 */
export function linear(...args: ArgsOf<typeof LinearSig>): Tensor {
  const { input, weight, bias } = LinearSig.bind(args);
  return linearImpl(input, weight, bias);
}

/** F.linear after binding, as nn.Linear calls it (with its cache of the transposed weight, used when nothing is recorded). */
export function linearImpl(input: Tensor, weight: Tensor, bias: Tensor | null, cache: FilterCache | null = null): Tensor {
  if (bias !== null && (input.rank === 2 || input.rank === 3)) {
    check(weight.rank <= 2, () => `t() expects a tensor with <= 2 dimensions, but self is ${weight.rank}D`);
    const mat2 = [...weight.shape].reverse();
    const k = input.shape[input.rank - 1];
    const rows = input.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    check(mat2.length === 2, () => `mat2 must be a matrix, got ${mat2.length}-D tensor`);
    check(k === mat2[0], () => `mat1 and mat2 shapes cannot be multiplied (${rows}x${k} and ${mat2[0]}x${mat2[1]})`);
    expandCheck(bias.shape, [rows, mat2[1]]);
    check(bias.dtype === weight.dtype, () => 'self and mat2 must have the same dtype');
    check(input.dtype === weight.dtype, () => 'mat1 and mat2 must have the same dtype');
    check(input.dtype !== 'bool', () => `"addmm_impl_cpu_" not implemented for 'Bool'`);
    // An int32 product is exact only through the integer matmul below (tfjs multiplies float32).
    if (input.dtype === 'float32') return tidy(() => linearRows(input, weight as Tensor2D, bias, cache !== null && !isRecording([input, weight, bias]) ? cache : null));
  } else {
    // ATen's mm dispatches on the input's dtype before it compares the two.
    check(input.dtype !== 'bool', () => `"addmm_impl_cpu_" not implemented for 'Bool'`);
    check(input.dtype === weight.dtype, () => `expected scalar type ${scalarTypeName(input.dtype)} but found ${scalarTypeName(weight.dtype)}`);
  }
  return tidy(() => {
    const output = matmulImpl(input, tImpl(weight));
    if (bias === null) return output;
    const shape = broadcastShapes(output.shape, bias.shape);
    check(shape.length === output.rank && shape.every((d, i) => d === output.shape[i]), () =>
      `output with shape ${sizeStr(output.shape)} doesn't match the broadcast shape ${sizeStr(shape)}`);
    return addImpl(output, bias, 1);
  });
}

/** `expand`'s checks, as `addmm` expands its bias to the product's shape. */
function expandCheck(shape: readonly number[], target: readonly number[]): void {
  if (shape.length > target.length) {
    throw new RuntimeError(
      `expand(torch.FloatTensor{${sizeStr(shape)}}, size=${sizeStr(target)}): the number of sizes provided (${target.length}) must be greater or equal to the number of dimensions in the tensor (${shape.length})`,
    );
  }
  const offset = target.length - shape.length;
  shape.forEach((d, i) => {
    const t = target[offset + i];
    check(d === t || d === 1, () =>
      `The expanded size of the tensor (${t}) must match the existing size (${d}) at non-singleton dimension ${offset + i}.  Target sizes: ${sizeStr(target)}.  Tensor sizes: ${sizeStr(shape)}`);
  });
}
