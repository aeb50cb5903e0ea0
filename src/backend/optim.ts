/**
 * ATen's in-place tensor arithmetic as optimizers use it, in the order ATen's CPU kernels
 * evaluate it (`add(b, alpha)` is `a + alpha·b`, `addcmul` is `self + value·t1·t2`, `addcdiv`
 * is `self + value·t1/t2`), each step rounded to float32 and Python scalars rounded to
 * float32 first, as ATen casts them. ATen's vectorised kernels fuse `a + alpha·b` into one
 * multiply-add; here it is two roundings, so results may differ from PyTorch's in the last bit.
 * Everything runs outside the autograd graph; a state tensor is a Variable updated in place.
 */
import { paused } from './autograd';
import { tf } from './runtime';

type T = tf.Tensor;
type V = tf.Variable;

const run = (fn: () => void): void => paused(() => tf.tidy(fn));

export const add = (a: T, b: T, alpha = 1): T => (alpha === 1 ? tf.add(a, b) : tf.add(a, tf.mul(b, alpha)));
export const addcmul = (self: T, t1: T, t2: T, value = 1): T => tf.add(self, value === 1 ? tf.mul(t1, t2) : tf.mul(tf.mul(t1, value), t2));
export const addcdiv = (self: T, t1: T, t2: T, value = 1): T => tf.add(self, value === 1 ? tf.div(t1, t2) : tf.div(tf.mul(t1, value), t2));
export const mul = (a: T, s: number | T): T => tf.mul(a, s);
export const div = (a: T, s: number | T): T => tf.div(a, s);
export const addScalar = (a: T, s: number): T => tf.add(a, s);
export const sqrt = (a: T): T => tf.sqrt(a);
export const neg = (a: T): T => tf.neg(a);
export const maximum = (a: T, b: T): T => tf.maximum(a, b);

/** `fn` with nothing recorded and its intermediates freed; assignments inside persist. */
export const update = (fn: () => void): void => run(fn);
/** `target.copy_(value)`. */
export const assign = (target: V, value: T): void => void target.assign(value);
/** A state tensor: `value`'s values (or a fill of `like`'s shape) as a non-trainable Variable. */
export const stateOf = (value: T): V => paused(() => tf.variable(tf.clone(value), false));
export const stateFull = (like: T, fill: number): V => paused(() => tf.tidy(() => tf.variable(tf.fill(like.shape, fill, 'float32'), false)));
export const scalarState = (value: number): V => paused(() => tf.tidy(() => tf.variable(tf.scalar(value, 'float32'), false)));
export const readScalar = (t: T): number => t.dataSync()[0];
