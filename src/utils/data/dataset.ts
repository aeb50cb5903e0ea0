import type { Tensor } from '@tensorflow/tfjs-core';
import { gatherRows } from '../../backend/data';
import { ValueError } from '../../errors';

/**
 * `torch.utils.data.Dataset`: a map-style dataset; a subclass implements `getitem(index)`
 * (Python's `__getitem__`) and `length` (`__len__`).
 *
 * @see https://pytorch.org/docs/1.13/data.html#torch.utils.data.Dataset
 */
export abstract class Dataset<T = unknown> {
  abstract getitem(index: number): T;
  abstract get length(): number;
}

/**
 * `TensorDataset(*tensors)`: sample `i` is `[t[i] for t in tensors]`; every tensor has the
 * same first dimension. The dataset holds the tensors given (it does not own them).
 *
 * @see https://pytorch.org/docs/1.13/data.html#torch.utils.data.TensorDataset
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (!tensors.every((t) => t.shape[0] === tensors[0].shape[0])) throw new ValueError('Size mismatch between tensors');
    this.tensors = tensors;
  }

  getitem(index: number): Tensor[] {
    return this.tensors.map((t) => gatherRows(t, [index], false));
  }

  /** The rows `indices` of every tensor at once: what the DataLoader's default collate would stack. */
  getitems(indices: number[]): Tensor[] {
    return this.tensors.map((t) => gatherRows(t, indices, true));
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }
}
