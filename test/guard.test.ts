import * as tf from '@tensorflow/tfjs-core';
import { F, RuntimeError, torch } from '../src';
import { guardAllocation } from '../src/backend/guard';
import { compute } from '../src/backend/runtime';
import { fill, type LoadedDType } from '../src/backend/tensor';
import { BACKENDS, expectClose, loadFixture, tensorFrom, thrown, memoryBound } from './helpers';

/** What test/fixtures/gen_hostile.py recorded from PyTorch 1.13; see its docstring. */
interface GuardCase {
  id: string;
  op: 'conv2d' | 'pad' | 'batch_norm';
  input: number[];
  weight?: number[];
  padding?: number[];
  pad?: number[];
  mode?: 'constant' | 'replicate';
  result_shape: number[];
  out_nbytes: number;
  error?: { type: string; message: string };
  alloc_message: string;
}
const H = loadFixture<{
  alloc: { bytes: number; type: string; message: string };
  sizes: { size: number[]; dtype: LoadedDType; nbytes?: number; error?: { type: string; message: string }; result?: number[] }[];
  guard: GuardCase[];
  guard_ops: OpCase[];
}>('hostile.json');
const guardCase = (id: string): GuardCase => H.guard.find((c) => c.id === id)!;

/** What the generator recorded for one allocating operation: PyTorch's error, or its result's shape and dtype. */
interface OpCase {
  id: string;
  op: keyof typeof OPS;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  args: Record<string, any>;
  error?: { type: string; message: string };
  result?: { shape: number[]; dtype: string };
}

const DTYPES = { float32: torch.float32, int64: torch.int64, bool: torch.bool } as const;
type Args = OpCase['args'];

/**
 * Each operation called as a user would, on `ones` of the recorded shapes; `made` registers an
 * input so that it is freed after the case (inputs are made before the guard is reached).
 */
const OPS = {
  zeros: (a: Args) => torch.zeros(a.size, a.dtype ? { dtype: DTYPES[a.dtype as keyof typeof DTYPES] } : {}),
  ones: (a: Args) => torch.ones(a.size, a.dtype ? { dtype: DTYPES[a.dtype as keyof typeof DTYPES] } : {}),
  empty: (a: Args) => torch.empty(a.size, a.dtype ? { dtype: DTYPES[a.dtype as keyof typeof DTYPES] } : {}),
  full: (a: Args) => torch.full(a.size, a.fill_value),
  rand: (a: Args) => torch.rand(a.size),
  randn: (a: Args) => torch.randn(a.size),
  randint: (a: Args) => torch.randint(a.low, a.high, a.size),
  randperm: (a: Args) => torch.randperm(a.n),
  arange: (a: Args) => torch.arange(a.start, a.end, a.step, a.dtype ? { dtype: DTYPES[a.dtype as keyof typeof DTYPES] } : {}),
  linspace: (a: Args) => torch.linspace(a.start, a.end, a.steps),
  eye: (a: Args) => torch.eye(a.n, a.m),
  cat: (a: Args, made: Made) => torch.cat(Array(a.count).fill(made(a.part)), a.dim),
  stack: (a: Args, made: Made) => torch.stack(Array(a.count).fill(made(a.part)), a.dim),
  repeat: (a: Args, made: Made) => made(a.input).repeat(...(a.repeats as number[])),
  tile: (a: Args, made: Made) => torch.tile(made(a.input), a.dims),
  expand: (a: Args, made: Made) => made(a.input).expand(...(a.size as number[])),
  add: (a: Args, made: Made) => torch.add(made(a.a, a.dtype), made(a.b, a.dtype)),
  eq: (a: Args, made: Made) => torch.eq(made(a.a), made(a.b)),
  where: (a: Args, made: Made) => torch.where(made(a.condition, 'bool'), made(a.a), made(a.b)),
  matmul: (a: Args, made: Made) => torch.matmul(made(a.a), made(a.b)),
  linear: (a: Args, made: Made) => F.linear(made(a.input), made(a.weight)),
  adaptive_avg_pool2d: (a: Args, made: Made) => F.adaptive_avg_pool2d(made(a.input), a.output_size),
  adaptive_max_pool2d: (a: Args, made: Made): tf.Tensor => {
    const x = made(a.input);
    return a.return_indices ? F.adaptive_max_pool2d(x, a.output_size, { return_indices: true })[0] : F.adaptive_max_pool2d(x, a.output_size);
  },
  max_pool2d: (a: Args, made: Made) => F.max_pool2d(made(a.input), a.kernel_size, a.stride, a.padding),
  local_response_norm: (a: Args, made: Made) => F.local_response_norm(made(a.input), a.size),
  mse_loss: (a: Args, made: Made) => F.mse_loss(made(a.input), made(a.target), { reduction: 'none' }),
};
type Made = (shape: number[], dtype?: keyof typeof DTYPES) => tf.Tensor;

/** Runs a case: what it raised, or its result's shape and dtype (its inputs and result freed). */
function runOp(c: OpCase): { type: string; message: string } | { shape: number[]; dtype: string } {
  const inputs: tf.Tensor[] = [];
  const made: Made = (shape, dtype = 'float32') => {
    const x = torch.ones(shape, { dtype: DTYPES[dtype] });
    inputs.push(x);
    return x;
  };
  try {
    const y = OPS[c.op](c.args, made);
    const result = { shape: y.shape, dtype: y.dtype };
    y.dispose();
    return result;
  } catch (e) {
    return { type: (e as Error).name, message: (e as Error).message };
  } finally {
    inputs.forEach((x) => x.dispose());
  }
}

/** A conv2d case PyTorch computed (test/fixtures/gen_conv2d.py), to show a backend computes correctly. */
const conv = loadFixture<{ functional: { input_shape: number[]; input: number[]; weight_shape: number[]; weight: number[]; output_shape: number[]; output: number[] }[] }>(
  'conv2d.json',
).functional.find((c) => c.output.length > 0)!;

function expectConvWorks(): void {
  const x = tensorFrom(conv.input, conv.input_shape);
  const w = tensorFrom(conv.weight, conv.weight_shape);
  const y = F.conv2d(x, w);
  expectClose(y, conv.output_shape, conv.output);
  [x, w, y].forEach((t) => t.dispose());
}

/** Runs a case's operation on zeros of its input's shape (inputs are made before the guard is reached). */
function run(c: GuardCase): tf.Tensor {
  const x = tf.zeros(c.input);
  try {
    if (c.op === 'conv2d') {
      const w = tf.zeros(c.weight!);
      try {
        return F.conv2d(x, w, null, 1, c.padding);
      } finally {
        w.dispose();
      }
    }
    if (c.op === 'pad') return F.pad(x, c.pad!, c.mode);
    const [mean, variance] = [tf.zeros([c.input[1]]), tf.ones([c.input[1]])];
    try {
      return F.batch_norm(x, mean, variance);
    } finally {
      [mean, variance].forEach((t) => t.dispose());
    }
  } finally {
    x.dispose();
  }
}

const MAX_RSS = 1.5e9;
const CASE_TIMEOUT = 30_000;

/** Each case ends in time and memory, leaks no tensor, and leaves the backend computing correctly. */
function bounded(body: () => void): void {
  const before = tf.memory().numTensors;
  const withinMemory = memoryBound(MAX_RSS);
  const start = Date.now();
  body();
  expect(Date.now() - start).toBeLessThan(CASE_TIMEOUT);
  expect(tf.memory().numTensors).toBe(before);
  withinMemory();
  expectConvWorks();
}

/**
 * What each huge output does per backend: `refuse` with PyTorch's message for allocating it,
 * `compute` it as PyTorch does, or `skip` where computing it, as PyTorch would, needs more memory
 * or time than a test may take.
 */
const PLAN: Record<string, Record<(typeof BACKENDS)[number], 'refuse' | 'compute' | 'skip'>> = {
  conv_pad_2p31: { cpu: 'refuse', wasm: 'refuse' }, // PyTorch names its 3.7 TB im2col buffer; we name the 412 GB output
  conv_pad_16381: { cpu: 'skip', wasm: 'refuse' }, // 17 GB: wasm cannot hold it, cpu could (as PyTorch, for minutes)
  conv_image_4096_to_384: { cpu: 'refuse', wasm: 'refuse' }, // 25.8 GB: PyTorch refuses it too, with the same message
  conv_image_4096_to_33: { cpu: 'skip', wasm: 'refuse' }, // 2.2 GB: past wasm's 2 GiB per tensor
  pad_constant_600mb: { cpu: 'compute', wasm: 'compute' },
  conv_pad_300mb: { cpu: 'skip', wasm: 'skip' }, // computed here only as the heap-exhaustion case below
  batch_norm_150mb: { cpu: 'skip', wasm: 'compute' }, // cpu: tfjs's broadcasting mul and add over 37.7M elements took 77 s
  pad_constant_2p30: { cpu: 'refuse', wasm: 'refuse' }, // 34 GB: PyTorch's own message
  pad_replicate_2p30: { cpu: 'refuse', wasm: 'refuse' },
  pad_constant_4gib: { cpu: 'skip', wasm: 'refuse' }, // 4 GiB: wraps around wasm's 32-bit malloc size without the guard
};

describe.each(BACKENDS)('the allocation guard on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it('covers every generated case', () => expect(Object.keys(PLAN).sort()).toEqual(H.guard.map((c) => c.id).sort()));

  const cases = H.guard.filter((c) => PLAN[c.id][backend] !== 'skip').map((c) => [c.id, PLAN[c.id][backend], c] as const);
  it.each(cases)('%s: %s', (_id, plan, c) => {
    if (plan === 'refuse') {
      bounded(() => expect(thrown(() => run(c))).toEqual({ type: 'RuntimeError', message: c.alloc_message }));
      if (c.error !== undefined) expect(c.error.message.startsWith('[enforce fail at alloc_cpu.cpp:75]')).toBe(true);
    } else {
      bounded(() => {
        const y = run(c);
        expect(y.shape).toEqual(c.result_shape);
        y.dispose();
      });
    }
  }, CASE_TIMEOUT);

  it.each(H.sizes.map((s) => [`[${s.size.join(', ')}] ${s.dtype}`, s] as const))('allocating %s', (_name, s) => {
    bounded(() => {
      if (s.error !== undefined) {
        expect(thrown(() => guardAllocation(s.size, s.dtype))).toEqual(s.error);
        expect(thrown(() => fill(s.size, 0, s.dtype))).toEqual(s.error);
      } else if (s.nbytes === 0) {
        guardAllocation(s.size, s.dtype);
      } else {
        // PyTorch reserves it; neither backend can hold so many elements in one tensor.
        const message = H.alloc.message.replace(String(H.alloc.bytes), String(s.nbytes));
        expect(thrown(() => fill(s.size, 0, s.dtype))).toEqual({ type: 'RuntimeError', message });
      }
    });
  });
});

describe.each(BACKENDS)('allocating operations on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(H.guard_ops.map((c) => [c.id, c] as const))('%s: as PyTorch, at once, nothing leaked, the backend computes after', (_id, c) => {
    bounded(() => expect(runOp(c)).toEqual(c.error ?? c.result));
  }, CASE_TIMEOUT);
});

describe('the wasm backend', () => {
  beforeAll(() => torch.set_backend('wasm'));
  const wasm = () => (tf.backend() as unknown as { wasm: { _malloc(n: number): number; _free(p: number): void; HEAPU8: Uint8Array } }).wasm;

  it('refuses what its remaining heap cannot hold, and computes again once there is room', () => {
    const bn = guardCase('batch_norm_150mb');
    const x = tf.zeros(bn.input);
    // Another part of the program holds all of the heap but pieces under 16 MiB.
    const ballast: number[] = [];
    for (let size = 2 ** 31; size >= 2 ** 24; ) {
      const pointer = wasm()._malloc(size) >>> 0;
      if (pointer === 0) size /= 2;
      else ballast.push(pointer);
    }
    try {
      for (const id of ['pad_constant_600mb', 'conv_pad_300mb']) {
        const c = guardCase(id);
        bounded(() => expect(thrown(() => run(c))).toEqual({ type: 'RuntimeError', message: c.alloc_message }));
      }
      const [mean, variance] = [tf.zeros([bn.input[1]]), tf.ones([bn.input[1]])];
      expect(thrown(() => F.batch_norm(x, mean, variance))).toEqual({ type: 'RuntimeError', message: bn.alloc_message });
      [mean, variance].forEach((t) => t.dispose());
    } finally {
      ballast.forEach((pointer) => wasm()._free(pointer));
    }
    bounded(() => {
      const y = run(bn);
      expect(y.shape).toEqual(bn.result_shape);
      y.dispose();
    });
    x.dispose();
  }, CASE_TIMEOUT);

  it("refuses a tfjs kernel's output that the filled heap cannot hold before writing it, and computes after", () => {
    const before = tf.memory().numTensors;
    // The 4 MiB input first: the ballast may leave less than that free.
    const x = tf.ones([2 ** 20]);
    const ballast: number[] = [];
    for (let size = 2 ** 31; size >= 2 ** 24; ) {
      const pointer = wasm()._malloc(size) >>> 0;
      if (pointer === 0) size /= 2;
      else ballast.push(pointer);
    }
    try {
      // tfjs's own ops, which the library's guards never see: 32 MiB outputs.
      expect(thrown(() => tf.tidy(() => tf.tile(x, [8])))).toEqual({ type: 'RuntimeError', message: H.alloc.message.replace(String(H.alloc.bytes), String(2 ** 25)) });
      expect(thrown(() => tf.zeros([2 ** 23]))).toEqual({ type: 'RuntimeError', message: H.alloc.message.replace(String(H.alloc.bytes), String(2 ** 25)) });
    } finally {
      ballast.forEach((pointer) => wasm()._free(pointer));
    }
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    bounded(() => tf.tidy(() => tf.tile(tf.ones([2 ** 20]), [8])).dispose());
  }, CASE_TIMEOUT);

  it('restarts after a kernel traps: the error says what was lost, later calls compute correctly, nothing leaks', () => {
    const listeners = process.listeners('uncaughtException').length;
    const before = tf.memory().numTensors;
    const x = tensorFrom(conv.input, conv.input_shape);
    const w = tensorFrom(conv.weight, conv.weight_shape);
    // What a kernel that wrote past its output does: the module's own data at the bottom of the heap is gone.
    wasm().HEAPU8.fill(0xff, 0, 1 << 16);
    let trap: unknown;
    try {
      F.conv2d(x, w);
    } catch (e) {
      trap = e;
    }
    expect(trap).toBeInstanceOf(RuntimeError);
    const cause = (trap as Error).cause as Error;
    expect(cause.constructor.name).toBe('RuntimeError');
    expect((trap as Error).message).toBe(
      `the wasm backend failed inside a kernel (RuntimeError: ${cause.message}) and was restarted with a new heap: ` +
        'tensors made before this call are lost, so create them again (for a model, reload its weights); later calls run normally',
    );
    const lost = "this tensor was on the wasm backend when a kernel trapped; the backend was restarted with a new heap and the tensor's data is lost: create it again";
    expect(thrown(() => x.dataSync())).toEqual({ type: 'RuntimeError', message: lost });
    expect(thrown(() => F.conv2d(x, w))).toEqual({ type: 'RuntimeError', message: lost });
    expect(tf.memory().numTensors).toBe(before + 2);
    [x, w].forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
    expectConvWorks();
    expect(torch.get_backend()).toBe('wasm');
    expect(process.listeners('uncaughtException').length).toBe(listeners);
  }, CASE_TIMEOUT);
});

describe('the cpu backend', () => {
  beforeAll(() => torch.set_backend('cpu'));

  it('reports a JavaScript allocation failure as RuntimeError and keeps computing', () => {
    expect(thrown(() => compute(() => { throw new RangeError('Array buffer allocation failed'); }))).toEqual({
      type: 'RuntimeError',
      message: 'the cpu backend could not allocate memory (RangeError: Array buffer allocation failed)',
    });
    expectConvWorks();
  });
});
