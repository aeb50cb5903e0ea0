import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';
import { nest } from './helpers';

/** gen_models_b.py's packed tensor: float32 little-endian bytes, base64. */
export interface Packed {
  shape: number[];
  b64: string;
}
/** gen_models_b.py's plain tensor: each value the exact double of the float32. */
export interface Plain {
  shape: number[];
  values: number[];
}

export const unpack = (b64: string): Float32Array => new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);

export const tensorOf = (p: Packed): Tensor => torch.tensor(nest(Array.from(unpack(p.b64)), p.shape));

export const weightsPath = (file: string): string => path.join(__dirname, 'fixtures', 'models_b', file);

/** The index of the first element whose float32 bits differ, or -1: initialisation must be bit-identical. */
export function firstBitDifference(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  const [a, e] = [new Uint32Array(actual.buffer, actual.byteOffset, actual.length), new Uint32Array(expected.buffer, expected.byteOffset, expected.length)];
  for (let i = 0; i < a.length; i++) if (a[i] !== e[i]) return i;
  return -1;
}

/** The tolerance for model outputs: every |actual − expected| ≤ `rtol` · max |expected|. */
export function expectCloseToMax(actual: Tensor, expected: Plain, rtol = 1e-4): void {
  expect(actual.shape).toEqual(expected.shape);
  const got = actual.dataSync();
  const scale = expected.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  expected.values.forEach((e, i) => (worst = Math.max(worst, Math.abs(got[i] - e))));
  expect(worst).toBeLessThanOrEqual(rtol * scale);
}

/** `[key, shape]` of every state_dict entry, in order, as the fixtures list them. */
export const keysAndShapes = (m: nn.Module): [string, number[]][] => Object.entries(m.state_dict()).map(([k, v]) => [k, v.shape]);

export const numParams = (m: nn.Module): number => [...m.parameters()].reduce((n, p) => n + p.size, 0);

/** The first (up to) `n` values of each parameter, concatenated, read without copying whole tensors back. */
export function firstValues(m: nn.Module, n = 4): Float32Array {
  const parts = [...m.parameters()].map((p) => tf.tidy(() => tf.slice(tf.reshape(p, [-1]), [0], [Math.min(n, p.size)]).dataSync() as Float32Array));
  const out = new Float32Array(parts.reduce((k, p) => k + p.length, 0));
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
  return out;
}
