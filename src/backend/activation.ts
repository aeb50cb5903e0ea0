import { tf } from './runtime';

export const relu = (x: tf.Tensor): tf.Tensor => tf.relu(x);
