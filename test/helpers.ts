import * as fs from 'fs';
import * as path from 'path';
import type { Tensor } from '@tensorflow/tfjs-core';
import { torch } from '../src';

/** Every numeric test runs on each of these. */
export const BACKENDS = ['cpu', 'wasm'] as const;

export function loadFixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as T;
}

/** Flat C-order values → nested arrays, the form `torch.tensor` takes (as a user would write). */
export function nest(values: readonly number[], shape: readonly number[]): torch.NestedNumbers {
  if (shape.length === 0) return values[0];
  const [head, ...rest] = shape;
  const stride = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: head }, (_, i) => nest(values.slice(i * stride, (i + 1) * stride), rest));
}

/** A float32 tensor holding a fixture's flat values. */
export function tensorFrom(values: readonly number[], shape: readonly number[]): Tensor {
  if (values.length === 0) return torch.zeros([...shape]);
  return torch.tensor(nest(values, shape));
}

/** The tolerance: |actual − expected| ≤ 1e-5 + 1e-4·|expected|, element by element. */
export function expectClose(actual: Tensor, expectedShape: readonly number[], expected: readonly number[]): void {
  expect(actual.shape).toEqual(expectedShape);
  const got = actual.dataSync();
  expect(got.length).toBe(expected.length);
  const bad: string[] = [];
  expected.forEach((e, i) => {
    if (!(Math.abs(got[i] - e) <= 1e-5 + 1e-4 * Math.abs(e))) bad.push(`[${i}] ${got[i]} vs ${e}`);
  });
  expect(bad.slice(0, 5)).toEqual([]);
}

/** The error `fn` throws, for matching its class name and exact message. */
export function thrown(fn: () => unknown): { type: string; message: string } {
  try {
    fn();
  } catch (e) {
    return { type: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('expected an error, none was thrown');
}

/**
 * Python prints some sets in messages in an order that depends on the process's hash seed, so
 * those are compared with the set's elements sorted on both sides.
 */
export const sortSets = (message: string): string =>
  message.replace(/\{([^{}]*)\}/g, (_, body: string) => `{${body.split(', ').sort().join(', ')}}`);

const maxRss = (): number => process.resourceUsage().maxRSS * 1024;

/**
 * Bounds the memory one case takes: call before the case, then call what it returns after.
 * `maxRSS` is the peak of the whole process, and a jest worker runs several suites, so a case
 * is held to its own share: the peak may not rise past `limit` bytes above the resident size
 * the case started from (a higher peak an earlier suite left stays allowed).
 */
export function memoryBound(limit: number): () => void {
  const start = process.memoryUsage().rss;
  const peak = maxRss();
  return () => expect(maxRss()).toBeLessThanOrEqual(Math.max(peak, start + limit));
}
