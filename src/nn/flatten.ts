import type { Tensor } from '@tensorflow/tfjs-core';
import { NotImplementedError } from '../errors';
import { methodOf } from '../python/overloads';
import { opt, pyTypeName, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { FlattenSig, flattenImpl, UnflattenSig, unflattenImpl } from '../functional/tensor/shape';
import { Module } from './module';
import { py } from './repr';

/** `input.flatten(...)` and `input.unflatten(...)`, the tensor methods the layers call. */
const FlattenMethod = methodOf(FlattenSig);
const UnflattenMethod = methodOf(UnflattenSig);

const FlattenInitSig = signature('Flatten.__init__', [opt('start_dim', any<number>('int'), 1), opt('end_dim', any<number>('int'), -1)], { method: true });

/**
 * `nn.Flatten(start_dim=1, end_dim=-1)`: dimensions `start_dim … end_dim` merged into one
 * (`[N, C, H, W]` → `[N, C·H·W]` by default).
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Flatten.html
 */
export class Flatten extends Module {
  readonly start_dim: number;
  readonly end_dim: number;

  constructor(...args: ArgsOf<typeof FlattenInitSig>) {
    super();
    const { start_dim, end_dim } = FlattenInitSig.bind(args);
    this.start_dim = start_dim;
    this.end_dim = end_dim;
  }

  forward(input: Tensor): Tensor {
    const { start_dim, end_dim } = FlattenMethod.bind([this.start_dim, this.end_dim]) as { start_dim: number; end_dim: number };
    return flattenImpl(input, start_dim, end_dim);
  }

  override extra_repr(): string {
    return `start_dim=${py(this.start_dim)}, end_dim=${py(this.end_dim)}`;
  }
}

const UnflattenInitSig = signature('Unflatten.__init__', [req('dim', any<number>('int')), req('unflattened_size', any<readonly number[]>('tuple'))], { method: true });

/**
 * `nn.Unflatten(dim, unflattened_size)`: dimension `dim` split into `unflattened_size` (one
 * entry may be −1). Named dimensions are not supported.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.nn.Unflatten.html
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattened_size: readonly number[];

  constructor(...args: ArgsOf<typeof UnflattenInitSig>) {
    super();
    const { dim, unflattened_size } = UnflattenInitSig.bind(args);
    if (typeof dim === 'string') throw new NotImplementedError('Unflatten of a named dimension: named tensors are not supported');
    if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError('invalid argument type for dim parameter');
    if (!Array.isArray(unflattened_size)) throw new TypeError(`unflattened_size must be a tuple of ints, but found type ${pyTypeName(unflattened_size)}`);
    unflattened_size.forEach((e, i) => {
      if (typeof e !== 'number' || !Number.isInteger(e)) throw new TypeError(`unflattened_size must be tuple of ints, but found element of type ${pyTypeName(e)} at pos ${i}`);
    });
    this.dim = dim;
    this.unflattened_size = unflattened_size;
  }

  forward(input: Tensor): Tensor {
    const { dim, sizes } = UnflattenMethod.bind([this.dim, this.unflattened_size]) as { dim: number; sizes: readonly number[] };
    return unflattenImpl(input, dim, sizes);
  }

  override extra_repr(): string {
    return `dim=${py(this.dim)}, unflattened_size=${py(this.unflattened_size)}`;
  }
}
