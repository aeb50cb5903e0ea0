/**
 * torch.* tensor functions, Tensor methods and F.softmax against PyTorch 1.13: every case of
 * test/fixtures/tensor_ops.json (written by gen_tensor_ops.py, see its docstring) is replayed as
 * a user writes the call, on each backend, and must give PyTorch's result (shape, dtype, values
 * to float32 rounding) or PyTorch's error (class and exact message), and free what it made.
 */
import * as tf from '@tensorflow/tfjs-core';
import { F, torch, type Tensor } from '../src';
import { BACKENDS, loadFixture, nest, thrown } from './helpers';

interface Encoded {
  shape: number[];
  dtype: 'float32' | 'int64' | 'int32' | 'bool';
  /** null for torch.empty, whose values PyTorch leaves unset. */
  values: unknown[] | null;
}
type Named = { named: string; fields: { values: Result; indices: Result }; str: string };
type Result = { tensor: Encoded } | { list: Result[] } | Named | { py: unknown };
type Case = { id: string; fn: string; args: unknown[]; kwargs: Record<string, unknown>; seed?: number; error?: { type: string; message: string } } & Partial<
  { tensor: Encoded } & { list: Result[] } & Named & { py: unknown }
>;

const fixture = loadFixture<{ torch_version: string; cases: Case[] }>('tensor_ops.json');

/** PyTorch's dtype as tfjs holds it: int64 (and int32) tensors are int32 ones. */
const tfjsDtype = (d: string): torch.LoadedDType => (d === 'float32' ? 'float32' : d === 'bool' ? 'bool' : 'int32');
const number = (v: unknown): unknown => {
  if (typeof v !== 'object' || v === null || !('$f' in v)) return v;
  return { nan: NaN, inf: Infinity, '-inf': -Infinity }[(v as { $f: string }).$f];
};

/** A fixture value as the user's argument: `$t` is a tensor made with torch.tensor / torch.zeros. */
function decode(value: unknown, made: Tensor[]): unknown {
  if (Array.isArray(value)) return value.map((v) => decode(v, made));
  if (typeof value !== 'object' || value === null) return value;
  const v = value as Record<string, unknown>;
  if ('$f' in v) return number(v);
  if ('$dtype' in v) return (torch as unknown as Record<string, string>)[v.$dtype as string];
  if ('$generator' in v) return new torch.Generator().manualSeed(v.$generator as number);
  if ('$t' in v) {
    const { shape, dtype, values } = v.$t as Encoded;
    const t = values!.length === 0 ? torch.zeros(shape, { dtype: tfjsDtype(dtype) }) : torch.tensor(nest(values!.map(number) as number[], shape), { dtype: tfjsDtype(dtype) });
    made.push(t);
    return t;
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x, made)]));
}

/** The call as a user writes it: `torch.cat([a, b], { dim: 1 })`, `x.view(2, -1)`. */
function call(c: Case, made: Tensor[]): unknown {
  const args = decode(c.args, made) as unknown[];
  const kwargs = decode(c.kwargs, made) as Record<string, unknown>;
  const all = Object.keys(kwargs).length > 0 ? [...args, kwargs] : args;
  if (c.seed !== undefined) torch.manual_seed(c.seed);
  const [owner, name] = c.fn.split('.');
  if (owner === 'torch') return (torch as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...all);
  if (owner === 'F') return (F as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...all);
  const [self, ...rest] = all as [Record<string, (...a: unknown[]) => unknown>, ...unknown[]];
  return self[name](...rest);
}

function expectTensor(actual: unknown, expected: Encoded): void {
  expect(actual).toBeInstanceOf(torch.Tensor);
  const t = actual as Tensor;
  expect({ shape: t.shape, dtype: t.dtype }).toEqual({ shape: expected.shape, dtype: tfjsDtype(expected.dtype) });
  if (expected.values === null) return;
  const got = Array.from(t.dataSync());
  const want = expected.values.map(number) as (number | boolean)[];
  const bad = want.flatMap((w, i) => {
    const g = got[i];
    if (typeof w === 'boolean') return g === (w ? 1 : 0) ? [] : [`[${i}] ${g} vs ${w}`];
    if (Number.isNaN(w)) return Number.isNaN(g) ? [] : [`[${i}] ${g} vs NaN`];
    const ok = expected.dtype === 'float32' ? g === w || Math.abs(g - w) <= 1e-5 + 1e-4 * Math.abs(w) : g === w;
    return ok ? [] : [`[${i}] ${g} vs ${w}`];
  });
  expect(bad.slice(0, 5)).toEqual([]);
}

function expectResult(actual: unknown, c: Case | Result): void {
  if ('tensor' in c && c.tensor) return expectTensor(actual, c.tensor);
  if ('list' in c && c.list) {
    const list = actual as unknown[];
    expect(list.length).toBe(c.list.length);
    return c.list.forEach((r, i) => expectResult(list[i], r));
  }
  if ('named' in c && c.named) {
    expect(actual).toBeInstanceOf(torch.ReturnTypes);
    const r = actual as torch.ReturnTypes;
    const [values, indices] = r;
    expect([values, indices]).toEqual([r.values, r.indices]);
    expect(String(r)).toBe(c.str);
    expectResult(r.values, c.fields!.values);
    return expectResult(r.indices, c.fields!.indices);
  }
  const py = (c as { py: unknown }).py;
  if (typeof py === 'number' && !Number.isInteger(py)) return expect(actual as number).toBeCloseTo(py, 5);
  expect(actual).toEqual(py);
}

/** Every tensor a result holds, to free it. */
const tensorsOf = (r: unknown): Tensor[] =>
  r instanceof torch.Tensor ? [r] : r instanceof torch.ReturnTypes ? [r.values, r.indices] : Array.isArray(r) ? r.flatMap(tensorsOf) : [];

it('fixture was generated by PyTorch 1.13', () => {
  expect(fixture.torch_version).toMatch(/^1\.13\./);
});

const successes = fixture.cases.filter((c) => c.error === undefined);
const failures = fixture.cases.filter((c) => c.error !== undefined);

describe.each(BACKENDS)('on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  describe("PyTorch's result", () => {
    it.each(successes)('$id', (c) => {
      const made: Tensor[] = [];
      const before = tf.memory().numTensors;
      const result = call(c, made);
      try {
        expectResult(result, c);
      } finally {
        tensorsOf(result).forEach((t) => t.dispose());
        made.forEach((t) => t.dispose());
      }
      // What the call made is all in its result: nothing leaked.
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe("PyTorch's error", () => {
    it.each(failures)('$id', (c) => {
      const made: Tensor[] = [];
      const before = tf.memory().numTensors;
      expect(thrown(() => call(c, made))).toEqual(c.error);
      made.forEach((t) => t.dispose());
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

type T = Tensor;
/**
 * Fixture cases written as a port writes them, so the call forms also type-check (`npm run
 * typecheck`): keywords in a trailing object, tuples as arrays, `x.view(2, -1)`, destructured
 * named tuples. Each is checked against the same PyTorch result as its data-driven twin.
 */
const typed: [string, (args: never) => unknown][] = [
  ['torch.cat #1', ([[a, b]]: [[T, T]]) => torch.cat([a, b], { dim: -1 })],
  ['torch.cat #13', ([[a, b], d]: [[T, T], number]) => torch.cat([a, b], d)],
  ['torch.stack #2', ([[a, b], d]: [[T, T], number]) => torch.stack([a, b], d)],
  ['torch.flatten #1', ([x, d]: [T, number]) => torch.flatten(x, d)],
  ['torch.flatten #4', ([x]: [T]) => torch.flatten(x, { start_dim: 1, end_dim: -1 })],
  ['torch.split #3', ([x, sizes]: [T, number[]]) => torch.split(x, sizes, { dim: 1 })],
  ['torch.max #2', ([x, d, keep]: [T, number, boolean]) => torch.max(x, d, keep)],
  ['torch.std #5', ([x, d]: [T, number]) => torch.std(x, d, { correction: 0 })],
  ['torch.var #1', ([x, d, unbiased, keep]: [T, number, boolean, boolean]) => torch.var(x, d, unbiased, keep)],
  ['torch.sort #6', ([x]: [T]) => torch.sort(x, { descending: true, stable: true })],
  ['torch.topk #1', ([x, k, d]: [T, number, number]) => torch.topk(x, k, d)],
  ['torch.where #2', ([c, a, b]: [T, number, T]) => torch.where(c, a, b)],
  ['torch.div #3', ([x, y]: [T, number]) => torch.div(x, y, { rounding_mode: 'floor' })],
  ['torch.matmul #5', ([a, b]: [T, T]) => torch.matmul(a, b)],
  ['torch.softmax #2', ([x]: [T]) => torch.softmax(x, { dim: 0 })],
  ['torch.arange #6', () => torch.arange({ start: 2, end: 7, step: 2 })],
  ['torch.full #3', ([size, v]: [number[], number]) => torch.full(size, v, { dtype: torch.float32 })],
  ['torch.zeros #0', ([a, b]: [number, number]) => torch.zeros(a, b, { dtype: torch.int64 })],
  ['torch.eye #1', ([n, m]: [number, number]) => torch.eye(n, m)],
  ['torch.tensor #0', ([data]: [number[][]]) => torch.tensor(data, { dtype: torch.int64 })],
  ['Tensor.view #0', ([x, a, b]: [T, number, number]) => x.view(a, b)],
  ['Tensor.view #2', ([x, shape]: [T, number[]]) => x.view(shape)],
  ['Tensor.permute #0', ([x, a, b, c]: [T, number, number, number]) => x.permute(a, b, c)],
  ['Tensor.chunk #1', ([x, n]: [T, number]) => x.chunk(n, { dim: -1 })],
  ['Tensor.transpose #0', ([x, a, b]: [T, number, number]) => x.transpose(a, b).contiguous()],
  ['Tensor.mean #1', ([x, dims]: [T, number[]]) => x.mean(dims, { keepdim: true })],
  ['Tensor.sum #3', ([x, dims]: [T, number[]]) => x.sum(dims, { keepdim: true })],
  ['Tensor.add #1', ([x, y]: [T, T]) => x.add(y, { alpha: -1 })],
  ['Tensor.sub #0', ([x, y]: [T, T]) => x.sub(y, { alpha: 2 })],
  ['Tensor.reshape #0', ([x, a, b]: [T, number, number]) => x.reshape(a, b)],
  ['Tensor.flatten #1', ([x, d]: [T, number]) => x.flatten(d)],
  ['Tensor.unflatten #1', ([x, d, sizes]: [T, number, number[]]) => x.unflatten(d, sizes)],
  ['Tensor.sort #1', ([x]: [T]) => x.sort({ descending: true })],
  ['Tensor.item #0', ([x]: [T]) => x.item()],
  ['Tensor.tolist #1', ([x]: [T]) => x.tolist()],
  ['Tensor.float #0', ([x]: [T]) => x.float()],
];

const byId = new Map(fixture.cases.map((c) => [c.id, c]));

describe.each(BACKENDS)('written as a port writes it, on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(typed)('%s', (id, run) => {
    const c = byId.get(id)!;
    const made: Tensor[] = [];
    const args = decode([...c.args, ...Object.values(c.kwargs)], made) as never;
    if (c.seed !== undefined) torch.manual_seed(c.seed);
    const result = run(args);
    expectResult(result, c);
    tensorsOf(result).forEach((t) => t.dispose());
    made.forEach((t) => t.dispose());
  });
});

/**
 * The methods whose names tfjs's own chained ops also use keep tfjs's meaning for every call
 * tfjs accepts (README's porting table names the torch.* function with PyTorch's): compared with
 * tfjs's own op on the same input.
 */
describe.each(BACKENDS)("tfjs's meaning of its own method names, on %s", (backend) => {
  beforeAll(() => torch.set_backend(backend));
  const input = () => tf.tensor3d([0.5, -1, 2, 3, -0.25, 1.5, 4, -2, 0, 1, 2.5, -3, 0.75, 1.25, -1.5, 2, 3.5, -0.5, 1, 0, -2.5, 3, 0.25, -1], [2, 3, 4]);
  const ints = () => tf.tensor1d([7, -7, 6, 5], 'int32');
  const cases: [string, (x: Tensor) => Tensor | Tensor[] | { values: Tensor; indices: Tensor }, (x: Tensor) => Tensor | Tensor[] | { values: Tensor; indices: Tensor }][] = [
    ['x.split(2, 2): two pieces', (x) => x.split(2, 2), (x) => tf.split(x, 2, 2)],
    ['x.split([1, 2], 1): sizes', (x) => x.split([1, 2], 1), (x) => tf.split(x, [1, 2], 1)],
    ['x.max(1): values only', (x) => x.max(1), (x) => tf.max(x, 1)],
    ['x.max([0, 2], true)', (x) => x.max([0, 2], true), (x) => tf.max(x, [0, 2], true)],
    ['x.min(-1)', (x) => x.min(-1), (x) => tf.min(x, -1)],
    ['x.equal(y): elementwise', (x) => x.equal(tf.reverse(x, 2)), (x) => tf.equal(x, tf.reverse(x, 2))],
    ['x.softmax(): the last dim', (x) => x.softmax(), (x) => tf.softmax(x)],
    ['x.topk(): k = 1', (x) => x.topk(), (x) => tf.topk(x)],
    ['x.topk(2, true)', (x) => x.topk(2, true), (x) => tf.topk(x, 2, true)],
    ['x.squeeze([0]) on [1, ...]', (x) => x.reshape([1, 24]).squeeze([0]), (x) => tf.squeeze(tf.reshape(x, [1, 24]), [0])],
    ['x.transpose(): dims reversed', (x) => x.transpose(), (x) => tf.transpose(x)],
    ['x.transpose([1, 0, 2])', (x) => x.transpose([1, 0, 2]), (x) => tf.transpose(x, [1, 0, 2])],
    ["x.norm('euclidean')", (x) => x.norm('euclidean'), (x) => tf.norm(x, 'euclidean')],
    ['x.norm(1, [0, 1]): a matrix norm', (x) => x.norm(1, [0, 1]), (x) => tf.norm(x, 1, [0, 1])],
    ['x.norm(Infinity, [1, 2], true)', (x) => x.norm(Infinity, [1, 2], true), (x) => tf.norm(x, Infinity, [1, 2], true)],
    ['x.where(condition, 0)', (x) => x.where(tf.greater(x, 0), 0), (x) => tf.where(tf.greater(x, 0), x, tf.zerosLike(x))],
    ['x.add(nested array)', (x) => x.add([1, 2, 3, 4]), (x) => tf.add(x, [1, 2, 3, 4])],
    ['x.mul(nested array)', (x) => x.mul([[1], [2], [3]]), (x) => tf.mul(x, [[1], [2], [3]])],
    ['int x.div(int y): floor division', () => ints().div(tf.tensor1d([2, 2, -4, 3], 'int32')), () => tf.div(ints(), tf.tensor1d([2, 2, -4, 3], 'int32'))],
    ['x.reshape([4, -1])', (x) => x.reshape([4, -1]), (x) => tf.reshape(x, [4, -1])],
    ['x.flatten()', (x) => x.flatten(), (x) => tf.reshape(x, [-1])],
    ['x.tile([1, 2, 1])', (x) => x.tile([1, 2, 1]), (x) => tf.tile(x, [1, 2, 1])],
    ['x.sum(1, true)', (x) => x.sum(1, true), (x) => tf.sum(x, 1, true)],
    ['x.mean([0, 2])', (x) => x.mean([0, 2]), (x) => tf.mean(x, [0, 2])],
    ['x.prod([1, 2])', (x) => x.prod([1, 2]), (x) => tf.prod(x, [1, 2])],
    ['x.all([0, 1]) on bools', (x) => tf.greater(x, -3).all([0, 1]), (x) => tf.all(tf.greater(x, -3), [0, 1])],
    ['x.any(2, true) on bools', (x) => tf.greater(x, 3).any(2, true), (x) => tf.any(tf.greater(x, 3), 2, true)],
  ];

  const flat = (r: Tensor | Tensor[] | { values: Tensor; indices: Tensor }): Tensor[] => (r instanceof torch.Tensor ? [r] : Array.isArray(r) ? r : [r.values, r.indices]);

  it.each(cases)('%s', (_, ours, theirs) =>
    tf.tidy(() => {
      const x = input();
      const [got, want] = [flat(ours(x)), flat(theirs(x))];
      expect(got.map((t) => [t.dtype, t.shape])).toEqual(want.map((t) => [t.dtype, t.shape]));
      got.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(want[i].dataSync())));
    }),
  );
});
