import { tf } from './runtime';
import { paused } from './autograd';
import { guardAllocation, guardAllocations, torchDType } from './guard';

/**
 * Rows `indices` of `t` (along dimension 0), as one new tensor, stacked (`[k, ...]`) or, for
 * one index unstacked, the row itself. Sampling data is never part of a graph.
 */
export function gatherRows(t: tf.Tensor, indices: number[], stacked: boolean): tf.Tensor {
  guardAllocations([{ shape: [indices.length, ...t.shape.slice(1)], dtype: torchDType(t.dtype) }, { shape: [indices.length], dtype: 'int32' }]);
  return paused(() =>
    tf.tidy(() => {
      const rows = tf.gather(t, tf.tensor1d(indices, 'int32'), 0);
      return stacked ? rows : tf.reshape(rows, t.shape.slice(1));
    }),
  );
}

/** `torch.stack(items)` of same-shaped tensors, outside any graph (collating samples). */
export const stackRows = (items: tf.Tensor[]): tf.Tensor => (guardAllocation([items.length, ...items[0].shape], torchDType(items[0].dtype)), paused(() => tf.stack(items)));
/** A tensor of numbers: int32 for integers (Python ints collate to int64), float32 otherwise. */
export const numbersTensor = (values: number[]): tf.Tensor => tf.tensor1d(values, values.every(Number.isInteger) ? 'int32' : 'float32');
