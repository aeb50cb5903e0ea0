import type { Tensor } from '@tensorflow/tfjs-core';
import { guardAllocation, torchDType } from '../backend/guard';
import * as ops from '../backend/ops';
import { fromFlat, tidy, values, type DType, type LoadedDType } from '../backend/tensor';
import { check, NotImplementedError, RuntimeError, ValueError } from '../errors';
import { scalarTypeName, sizeStr } from '../functional/tensor/util';
import { named, overloads, type OverloadArgs } from '../python/overloads';
import { kwonly, opt, req, signature, type ArgsOf } from '../python/signature';
import { any, bool, device, dimnameList, dtype, generator, int, intList, layout, memoryFormat, orNone, out, scalar, symIntList, tensor as tensorType } from '../python/types';
import { formatTensor } from './format';
import { defaultGenerator, normal, uniform, type Generator } from './random';
import { Size } from './size';

export type { DType, LoadedDType };

/** Nested numbers, as PyTorch's `torch.tensor` takes nested lists. */
export type NestedNumbers = number | boolean | readonly NestedNumbers[];

const native = { dialect: 'native' } as const;

/**
 * The keyword-only options of PyTorch's factory functions. There is one layout, one device (the
 * tfjs backend) and no autograd here, so only their defaults run; anything else is refused.
 */
const FACTORY = [
  kwonly('dtype', orNone(dtype), null),
  kwonly('layout', orNone(layout), null),
  kwonly('device', orNone(device), null),
  kwonly('pin_memory', orNone(bool), false),
  kwonly('requires_grad', bool, false),
] as const;
const LIKE = [kwonly('memory_format', orNone(memoryFormat), null), ...FACTORY] as const;
const names = kwonly('names', orNone(dimnameList));

interface FactoryOptions {
  dtype: LoadedDType | null;
  device: 'cpu' | number | null;
  pin_memory: boolean | null;
  requires_grad: boolean;
}
function factory<B extends FactoryOptions>(fn: string, b: B, fallback: LoadedDType): LoadedDType {
  if (b.device !== null && b.device !== 'cpu') throw new NotImplementedError(`${fn}(): device=${b.device}: tensors live on the tfjs backend (torch.set_backend)`);
  if (b.requires_grad) throw new NotImplementedError(`${fn}(): requires_grad=True: tfjs-torch has no autograd`);
  if (b.pin_memory) throw new NotImplementedError(`${fn}(): pin_memory=True needs CUDA`);
  return b.dtype ?? fallback;
}

/**
 * `at::empty`'s checks of a size, then the allocation guard for a result of `dtype`: what
 * generates values (random draws, ranges) calls this before making any.
 */
function checkSize(size: readonly number[], dtype: LoadedDType): number[] {
  const negative = size.find((d) => d < 0);
  check(negative === undefined, () => `Trying to create tensor with negative dimension ${negative}: ${sizeStr(size)}`);
  guardAllocation(size, torchDType(dtype));
  return [...size];
}
const count = (size: readonly number[]) => size.reduce((a, b) => a * b, 1);

/** Flat values as a tensor of `dtype` (bools are nonzero, ints truncated, as PyTorch casts). */
function fromValues(flat: ArrayLike<number>, shape: readonly number[], dt: LoadedDType): Tensor {
  if (dt === 'float32') return fromFlat(Float32Array.from(flat), shape, dt);
  if (dt === 'int32') return fromFlat(Int32Array.from(flat, Math.trunc), shape, dt);
  return fromFlat(Uint8Array.from(flat, (v) => (v !== 0 ? 1 : 0)), shape, dt);
}

// ---- tensor ----

export const TensorSig = signature(
  'tensor',
  [req('data', any<NestedNumbers>('object')), kwonly('dtype', orNone(dtype), null), kwonly('device', orNone(device), null), kwonly('pin_memory', bool, false), kwonly('requires_grad', bool, false), kwonly('names', orNone(dimnameList), null)],
  native,
);

/**
 * `torch.tensor(data, *, dtype=None)`: a tensor from nested arrays. Without a dtype, all-boolean
 * data is bool and anything else float32: JavaScript has no separate int, so `torch.tensor([1, 2])`
 * (int64 in PyTorch) needs `{ dtype: torch.int64 }`. A ragged nesting raises PyTorch's ValueError.
 * @see https://pytorch.org/docs/1.13/generated/torch.tensor.html
 */
export function tensor(...args: ArgsOf<typeof TensorSig>): Tensor {
  const b = TensorSig.bind(args);
  const data = b.data;
  const shape: number[] = [];
  for (let level: NestedNumbers = data; Array.isArray(level); level = (level as readonly NestedNumbers[])[0]) {
    shape.push((level as readonly NestedNumbers[]).length);
    if ((level as readonly NestedNumbers[]).length === 0) break;
  }
  const flat: (number | boolean)[] = [];
  const walk = (node: NestedNumbers, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(node)) throw new ValueError(`expected sequence of length ${shape[dim - 1]} at dim ${dim - 1} (got ${node.length})`);
      flat.push(node as number | boolean);
      return;
    }
    if (!Array.isArray(node)) throw new TypeError(`not a sequence at dim ${dim}`);
    if (node.length !== shape[dim]) throw new ValueError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${node.length})`);
    node.forEach((child: NestedNumbers) => walk(child, dim + 1));
  };
  walk(data, 0);
  if (b.names !== null) throw new NotImplementedError('tensor(): named tensors (dimension names) are not supported');
  const inferred = flat.length > 0 && flat.every((v) => typeof v === 'boolean') ? 'bool' : 'float32';
  const dt = factory('tensor', b, inferred);
  return fromValues(flat.map(Number), shape, dt);
}

// ---- zeros, ones, empty, full ----

const sizedEntries = {
  names: named([req('size', intList), names, ...FACTORY]),
  size: [req('size', symIntList), out, ...FACTORY],
} as const;
export const ZerosSig = overloads('zeros', sizedEntries);
export const OnesSig = overloads('ones', sizedEntries);
export const EmptySig = overloads('empty', {
  names: named([req('size', intList), names, kwonly('memory_format', orNone(memoryFormat), null), ...FACTORY]),
  size: [req('size', symIntList), kwonly('memory_format', orNone(memoryFormat), null), out, ...FACTORY],
});

const filled = (fn: string, b: FactoryOptions & { size: readonly number[] }, value: number, fallback: LoadedDType = 'float32') => {
  const dt = factory(fn, b, fallback);
  return tidy(() => ops.fill(checkSize(b.size, dt), value, dt));
};

/**
 * `torch.zeros(*size, dtype=None)`: `zeros(2, 3)`, `zeros([2, 3])`, `zeros({ size: [2, 3] })`.
 * @see https://pytorch.org/docs/1.13/generated/torch.zeros.html
 */
export function zeros(...args: OverloadArgs<typeof ZerosSig>): Tensor {
  return filled('zeros', ZerosSig.bind(args), 0);
}

/** `torch.ones(*size, dtype=None)`. @see https://pytorch.org/docs/1.13/generated/torch.ones.html */
export function ones(...args: OverloadArgs<typeof OnesSig>): Tensor {
  return filled('ones', OnesSig.bind(args), 1);
}

/**
 * `torch.empty(*size, dtype=None)`: PyTorch leaves the values unset; tfjs has no uninitialised
 * memory, so they are zeros.
 * @see https://pytorch.org/docs/1.13/generated/torch.empty.html
 */
export function empty(...args: OverloadArgs<typeof EmptySig>): Tensor {
  return filled('empty', EmptySig.bind(args), 0);
}

export const FullSig = overloads('full', {
  names: named([req('size', intList), req('fill_value', scalar), names, ...FACTORY]),
  size: [req('size', symIntList), req('fill_value', scalar), out, ...FACTORY],
});

/** The dtype PyTorch infers from a Python number: bool, int64 or the default float32. */
const scalarDtype = (v: number | boolean): LoadedDType => (typeof v === 'boolean' ? 'bool' : Number.isInteger(v) ? 'int32' : 'float32');

/**
 * `torch.full(size, fill_value, dtype=None)`: the dtype follows `fill_value` (a whole number is
 * an int, as JavaScript cannot tell `2.0` from `2`).
 * @see https://pytorch.org/docs/1.13/generated/torch.full.html
 */
export function full(...args: OverloadArgs<typeof FullSig>): Tensor {
  const b = FullSig.bind(args);
  return filled('full', b, Number(b.fill_value), scalarDtype(b.fill_value));
}

// ---- *_like ----

const likeSig = <N extends string>(name: N) => signature(name, [req('input', tensorType), ...LIKE], native);
export const ZerosLikeSig = likeSig('zeros_like');
export const OnesLikeSig = likeSig('ones_like');
export const RandLikeSig = likeSig('rand_like');
export const RandnLikeSig = likeSig('randn_like');
export const FullLikeSig = signature('full_like', [req('input', tensorType), req('fill_value', scalar), ...LIKE], native);

const like = (fn: string, b: FactoryOptions & { input: Tensor }, value: number) =>
  filled(fn, { ...b, size: b.input.shape }, value, b.input.dtype as LoadedDType);

/** `torch.zeros_like(input, dtype=None)`. @see https://pytorch.org/docs/1.13/generated/torch.zeros_like.html */
export function zeros_like(...args: ArgsOf<typeof ZerosLikeSig>): Tensor {
  return like('zeros_like', ZerosLikeSig.bind(args), 0);
}

/** `torch.ones_like(input, dtype=None)`. @see https://pytorch.org/docs/1.13/generated/torch.ones_like.html */
export function ones_like(...args: ArgsOf<typeof OnesLikeSig>): Tensor {
  return like('ones_like', OnesLikeSig.bind(args), 1);
}

/** `torch.full_like(input, fill_value, dtype=None)`: `input`'s dtype unless one is given. @see https://pytorch.org/docs/1.13/generated/torch.full_like.html */
export function full_like(...args: ArgsOf<typeof FullLikeSig>): Tensor {
  const b = FullLikeSig.bind(args);
  return like('full_like', b, Number(b.fill_value));
}

function randomLike(fn: string, kernel: string, b: FactoryOptions & { input: Tensor }, draw: (n: number) => Float32Array): Tensor {
  const dt = factory(fn, b, b.input.dtype as LoadedDType);
  checkSize(b.input.shape, dt);
  check(dt === 'float32', () => `"${kernel}" not implemented for '${scalarTypeName(dt)}'`);
  return fromFlat(draw(b.input.size), b.input.shape);
}

/** `torch.rand_like(input)`: `torch.rand(input.shape)`. @see https://pytorch.org/docs/1.13/generated/torch.rand_like.html */
export function rand_like(...args: ArgsOf<typeof RandLikeSig>): Tensor {
  return randomLike('rand_like', 'check_uniform_bounds', RandLikeSig.bind(args), (n) => uniform(n, 0, 1));
}

/** `torch.randn_like(input)`: `torch.randn(input.shape)`. @see https://pytorch.org/docs/1.13/generated/torch.randn_like.html */
export function randn_like(...args: ArgsOf<typeof RandnLikeSig>): Tensor {
  return randomLike('randn_like', 'normal_kernel_cpu', RandnLikeSig.bind(args), (n) => normal(n, 0, 1));
}

// ---- random ----

const randEntries = {
  gen_names: named([req('size', intList), kwonly('generator', orNone(generator)), names, ...FACTORY]),
  gen: [req('size', intList), kwonly('generator', orNone(generator)), out, ...FACTORY],
  size: [req('size', intList), out, ...FACTORY],
  names: named([req('size', intList), names, ...FACTORY]),
} as const;
export const RandSig = overloads('rand', randEntries);
export const RandnSig = overloads('randn', randEntries);

type RandBound = ReturnType<typeof RandSig.bind>;
const generatorOf = (b: object): Generator => (('generator' in b && b.generator) || defaultGenerator) as Generator;

function random(fn: string, b: RandBound, draw: (n: number, gen: Generator) => Float32Array): Tensor {
  const dt = factory(fn, b, 'float32');
  const size = checkSize(b.size, dt);
  check(dt === 'float32', () => `"${fn === 'rand' ? 'check_uniform_bounds' : 'normal_kernel_cpu'}" not implemented for '${scalarTypeName(dt)}'`);
  return fromFlat(draw(count(size), generatorOf(b)), size);
}

/**
 * `torch.rand(*size, generator=None)`: uniform on [0, 1), the same float32 values PyTorch draws
 * after the same seed.
 * @see https://pytorch.org/docs/1.13/generated/torch.rand.html
 */
export function rand(...args: OverloadArgs<typeof RandSig>): Tensor {
  return random('rand', RandSig.bind(args), (n, gen) => uniform(n, 0, 1, gen));
}

/**
 * `torch.randn(*size, generator=None)`: standard normal, the same float32 values PyTorch draws
 * after the same seed.
 * @see https://pytorch.org/docs/1.13/generated/torch.randn.html
 */
export function randn(...args: OverloadArgs<typeof RandnSig>): Tensor {
  return random('randn', RandnSig.bind(args), (n, gen) => normal(n, 0, 1, gen));
}

export const RandintSig = overloads('randint', {
  high_gen: [req('high', int), req('size', intList), kwonly('generator', orNone(generator)), out, ...FACTORY],
  high: [req('high', int), req('size', intList), out, ...FACTORY],
  low_gen: [req('low', int), req('high', int), req('size', intList), kwonly('generator', orNone(generator)), out, ...FACTORY],
  low: [req('low', int), req('high', int), req('size', intList), out, ...FACTORY],
});

const INT32_MAX = 2 ** 31 - 1;

/**
 * ATen's `random_from_to`: `(bits % range) + low` per element, from one 32-bit draw, or a 64-bit
 * one (high word first) when the range is 2**32 or more.
 */
function randomFromTo(n: number, low: number, high: number, gen: Generator): number[] {
  const range = BigInt(high) - BigInt(low);
  return Array.from({ length: n }, () => {
    const bits = range >= 1n << 32n ? (BigInt(gen.nextUint32()) << 32n) | BigInt(gen.nextUint32()) : BigInt(gen.nextUint32());
    return Number((bits % range) + BigInt(low));
  });
}

/**
 * `torch.randint(low=0, high, size, generator=None, dtype=torch.int64)`: the same integers
 * PyTorch draws after the same seed (int64 is held as int32, so `high` must fit it).
 * @see https://pytorch.org/docs/1.13/generated/torch.randint.html
 */
export function randint(...args: OverloadArgs<typeof RandintSig>): Tensor {
  const b = RandintSig.bind(args);
  let [low, high] = ['low' in b ? b.low : 0, b.high];
  const dt = factory('randint', b, 'int32');
  const size = checkSize(b.size, dt);
  check(low < high, () => `random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  if (dt === 'float32') {
    // ATen's update_from / update_to: bounds whose neighbours round past them move inwards.
    if (Math.fround(high - 1) >= high) high = nextFloat32(Math.fround(high - 1), -1);
    if (Math.fround(low + 1) < low) low = nextFloat32(Math.fround(low + 1), 1);
    check(low < high, () => `random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=${low} >= to=${high}`);
  }
  if (dt === 'int32' && (high - 1 > INT32_MAX || low < -INT32_MAX - 1)) {
    throw new RuntimeError(`randint(): [${low}, ${high}) does not fit int32, which holds int64 here; pass dtype=torch.float32`);
  }
  return fromValues(randomFromTo(count(size), low, high, generatorOf(b)), size, dt);
}

/** The float32 next to `x` (a float32) towards +inf (`dir` 1) or -inf (-1): C's `nextafter`. */
function nextFloat32(x: number, dir: 1 | -1): number {
  if (x === 0) return dir * 2 ** -149;
  const bits = new Int32Array(Float32Array.of(x).buffer);
  bits[0] += (x > 0) === (dir > 0) ? 1 : -1;
  return new Float32Array(bits.buffer)[0];
}

export const RandpermSig = overloads('randperm', {
  gen: [req('n', int), kwonly('generator', orNone(generator)), out, ...FACTORY],
  n: [req('n', int), out, ...FACTORY],
});

/**
 * `torch.randperm(n, generator=None)`: ATen's CPU shuffle (swap element i with one of i..n-1,
 * chosen by `random() % (n - i)`), so the permutation is PyTorch's after the same seed.
 * @see https://pytorch.org/docs/1.13/generated/torch.randperm.html
 */
export function randperm(...args: OverloadArgs<typeof RandpermSig>): Tensor {
  const b = RandpermSig.bind(args);
  const dt = factory('randperm', b, 'int32');
  const n = checkSize([b.n], dt)[0];
  const gen = generatorOf(b);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n - 1; i++) {
    const z = gen.nextUint32() % (n - i);
    [perm[i], perm[z + i]] = [perm[z + i], perm[i]];
  }
  return fromValues(perm, [n], dt);
}

// ---- ranges ----

export const ArangeSig = overloads('arange', {
  end: [req('end', scalar), out, ...FACTORY],
  start_end: [req('start', scalar), req('end', scalar), ...FACTORY],
  start_end_step: [req('start', scalar), req('end', scalar), opt('step', scalar, 1), out, ...FACTORY],
});

/**
 * `torch.arange(start=0, end, step=1, dtype=None)`: int64 when every bound is an int, else
 * float32 (a whole JavaScript number is an int: write `{ dtype: torch.float32 }` for floats).
 * @see https://pytorch.org/docs/1.13/generated/torch.arange.html
 */
export function arange(...args: OverloadArgs<typeof ArangeSig>): Tensor {
  const b = ArangeSig.bind(args);
  const [start, end, step] = [Number('start' in b ? b.start : 0), Number(b.end), Number('step' in b ? b.step : 1)];
  const integral = [start, end, step].every(Number.isInteger);
  const dt = factory('arange', b, integral ? 'int32' : 'float32');
  const repr = (v: number) => (Number.isNaN(v) ? 'nan' : Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : '-inf');
  check(Number.isFinite(start) && Number.isFinite(end), () => `unsupported range: ${repr(start)} -> ${repr(end)}`);
  check(step !== 0, () => 'step must be nonzero');
  check((step > 0 && end >= start) || (step < 0 && end <= start), () => 'upper bound and larger bound inconsistent with step sign');
  const n = dt !== 'float32' && integral ? Math.trunc((end - start + step - Math.sign(step)) / step) : Math.ceil((end - start) / step);
  check(n <= 2 ** 63, () => 'invalid size, possible overflow?');
  checkSize([n], dt);
  return fromValues(Array.from({ length: n }, (_, i) => start + step * i), [n], dt);
}

export const LinspaceSig = signature('linspace', [req('start', scalar), req('end', scalar), req('steps', int), out, ...FACTORY], native);

/**
 * `torch.linspace(start, end, steps, dtype=None)`: ATen's CPU recipe, stepping from `start` for
 * the first half and back from `end` for the second.
 * @see https://pytorch.org/docs/1.13/generated/torch.linspace.html
 */
export function linspace(...args: ArgsOf<typeof LinspaceSig>): Tensor {
  const b = LinspaceSig.bind(args);
  const dt = factory('linspace', b, 'float32');
  check(b.steps >= 0, () => 'number of steps must be non-negative');
  checkSize([b.steps], dt);
  const f = dt === 'float32' ? Math.fround : (x: number) => x;
  const [start, end] = [f(Number(b.start)), f(Number(b.end))];
  const step = f((end - start) / (b.steps - 1));
  const half = Math.floor(b.steps / 2);
  const at = (i: number) => (b.steps === 1 ? start : i < half ? f(start + f(step * i)) : f(end - f(step * (b.steps - i - 1))));
  return fromValues(Array.from({ length: b.steps }, (_, i) => at(i)), [b.steps], dt);
}

export const EyeSig = overloads('eye', {
  n: [req('n', int), out, ...FACTORY],
  n_m: [req('n', int), req('m', int), out, ...FACTORY],
});

/** `torch.eye(n, m=n, dtype=None)`: ones on the diagonal. @see https://pytorch.org/docs/1.13/generated/torch.eye.html */
export function eye(...args: OverloadArgs<typeof EyeSig>): Tensor {
  const b = EyeSig.bind(args);
  const m = 'm' in b ? b.m : b.n;
  check(b.n >= 0, () => `n must be greater or equal to 0, got ${b.n}`);
  check(m >= 0, () => `m must be greater or equal to 0, got ${m}`);
  const dt = factory('eye', b, 'float32');
  checkSize([b.n, m], dt);
  return fromValues(Array.from({ length: b.n * m }, (_, i) => (Math.floor(i / m) === i % m ? 1 : 0)), [b.n, m], dt);
}

// ---- seeding and inspection ----

/** `torch.manual_seed(seed)`: reseeds the generator behind `rand`, `randn` and module initialisation. */
export function manual_seed(seed: number | bigint) {
  return defaultGenerator.manualSeed(seed);
}

/** `torch.initial_seed()`: the seed the default generator was last seeded with. */
export function initial_seed() {
  return defaultGenerator.initialSeed();
}

/** The size of a tensor as PyTorch prints it: `torch.Size([1, 256, 8, 8])` (Python's `x.shape`). */
export function size(x: Tensor): Size {
  return new Size(x.shape);
}

/**
 * Python's `str(tensor)` (what `print(x)` shows), in PyTorch's default print options. There is
 * no autograd here, so no `grad_fn=` suffix.
 */
export function str(x: Tensor): string {
  return formatTensor(values(x), x.shape, x.dtype === 'int32' || x.dtype === 'bool' ? x.dtype : 'float32');
}
