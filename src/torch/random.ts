/**
 * PyTorch-compatible CPU random number generation.
 *
 * This module reproduces, bit for bit, the numbers that PyTorch 1.13's CPU
 * generator produces: a 32-bit Mersenne Twister (MT19937) seeded from the low
 * 32 bits of a 64-bit seed, plus ATen's exact recipes for turning its output
 * into `uniform_` / `rand` and `normal_` / `randn` float32 values, including
 * the cached second Box–Muller sample and the float32 arithmetic (with fused
 * multiply-adds) of the vectorised kernels.
 *
 * Why it matters: after `manualSeed(s)` the same sequence of calls yields the
 * same float32 values as `torch.manual_seed(s)` in Python, so weights
 * initialised here match a PyTorch model initialised with the same seed.
 *
 * The float arithmetic follows ATen's AVX2 kernels (x86-64 PyTorch on an AVX2
 * or AVX512 CPU gives the same values). PyTorch running its DEFAULT (pre-AVX2)
 * kernels rounds differently: `uniform_` with bounds other than [0, 1) and
 * `normal_` of 16 or more elements then differ in the last bit for many values.
 *
 * @module
 */

import { RuntimeError } from '../errors';
import { float64Parts } from './python';

/** PyTorch's `default_rng_seed_val`: the seed of a freshly built `torch.Generator()`. */
export const DEFAULT_RNG_SEED = 67280421310721n;

const STATE_SIZE = 624;
const SHIFT_SIZE = 397;
// The masks as int32 values, so the twist and tempering stay in 32-bit integer arithmetic.
const MATRIX_A = 0x9908b0df | 0;
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;
const TEMPER_C = 0xefc60000 | 0;

const UINT64_LIMIT = 1n << 64n;
const INT64_MIN = -(1n << 63n);

/** Random 64-bit value from the platform's CSPRNG (PyTorch reads /dev/urandom). */
function nondeterministicSeed(): bigint {
  const words = new Uint32Array(2);
  const webCrypto = (globalThis as { crypto?: { getRandomValues(a: Uint32Array): Uint32Array } }).crypto;
  if (webCrypto !== undefined) {
    webCrypto.getRandomValues(words);
  } else {
    words[0] = Math.floor(Math.random() * 0x100000000);
    words[1] = Math.floor(Math.random() * 0x100000000);
  }
  return (BigInt(words[0]!) << 32n) | BigInt(words[1]!);
}

/** Maps a seed to uint64 the way `Generator.manual_seed` does (negatives wrap modulo 2**64). */
function toUint64Seed(seed: number | bigint): bigint {
  if (typeof seed === 'number' && !Number.isInteger(seed)) {
    throw new RuntimeError('manual_seed expected a long, but got float');
  }
  const value = BigInt(seed);
  if (value < INT64_MIN || value >= UINT64_LIMIT) throw new RuntimeError('Overflow when unpacking long');
  return BigInt.asUintN(64, value);
}

/**
 * A CPU random number generator with PyTorch's semantics (`torch.Generator`).
 *
 * `new Generator()` is seeded with {@link DEFAULT_RNG_SEED}, like
 * `torch.Generator()`.
 */
export class Generator {
  /** MT19937 state words, as int32 (the bit patterns are what matter; int32 keeps V8 on integer ops). */
  private readonly state = new Int32Array(STATE_SIZE);
  /** Index of the next state word to temper; `STATE_SIZE` means "twist first". */
  private index = STATE_SIZE;
  private seedValue = 0n;
  /**
   * ATen's `next_double_normal_sample`: the unused sine half of the last
   * Box–Muller pair drawn by the scalar (fewer than 16 elements) normal path,
   * stored as a standard-normal double before mean/std are applied.
   */
  private nextDoubleNormal: number | undefined = undefined;

  constructor(seed: number | bigint = DEFAULT_RNG_SEED) {
    this.manualSeed(seed);
  }

  /**
   * Reseeds the generator (`Generator.manual_seed`). Integer seeds in
   * [-2**63, 2**64) are accepted; negative ones wrap modulo 2**64. Also
   * clears the cached normal sample.
   */
  manualSeed(seed: number | bigint): this {
    this.seedValue = toUint64Seed(seed);
    this.nextDoubleNormal = undefined;
    const state = this.state;
    let prev = Number(this.seedValue & 0xffffffffn);
    state[0] = prev;
    for (let i = 1; i < STATE_SIZE; i++) {
      prev = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) | 0;
      state[i] = prev;
    }
    this.index = STATE_SIZE;
    return this;
  }

  /** Reseeds from a nondeterministic 64-bit value and returns it (`Generator.seed`). */
  seed(): bigint {
    const value = nondeterministicSeed();
    this.manualSeed(value);
    return value;
  }

  /** The seed last set (`Generator.initial_seed`), as an unsigned 64-bit bigint. */
  initialSeed(): bigint {
    return this.seedValue;
  }

  /** Next raw 32-bit output (ATen's `CPUGeneratorImpl::random`). */
  nextUint32(): number {
    if (this.index >= STATE_SIZE) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & TEMPER_C;
    return (y ^ (y >>> 18)) >>> 0;
  }

  /**
   * Fills `out[start..end)` with the next 24-bit values (the low 24 bits of each 32-bit output,
   * which ATen's float `uniform_real` keeps), one output per element, in order.
   */
  fillUint24(out: Int32Array, start = 0, end = out.length): void {
    const state = this.state;
    let i = start;
    while (i < end) {
      if (this.index >= STATE_SIZE) this.twist();
      const stop = Math.min(end, i + STATE_SIZE - this.index);
      let k = this.index;
      for (; i < stop; i++) {
        let y = state[k++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & TEMPER_C;
        out[i] = (y ^ (y >>> 18)) & 0xffffff;
      }
      this.index = k;
    }
  }

  /** @internal Cached standard-normal double of the scalar normal path. */
  takeCachedNormal(): number | undefined {
    const value = this.nextDoubleNormal;
    this.nextDoubleNormal = undefined;
    return value;
  }

  /** @internal */
  cacheNormal(value: number): void {
    this.nextDoubleNormal = value;
  }

  /** Regenerates all 624 state words (the MT19937 "twist"). */
  private twist(): void {
    const state = this.state;
    let k = 0;
    for (; k < STATE_SIZE - SHIFT_SIZE; k++) {
      const y = (state[k] & UPPER_MASK) | (state[k + 1] & LOWER_MASK);
      state[k] = state[k + SHIFT_SIZE] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; k < STATE_SIZE - 1; k++) {
      const y = (state[k] & UPPER_MASK) | (state[k + 1] & LOWER_MASK);
      state[k] = state[k + SHIFT_SIZE - STATE_SIZE] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    const y = (state[STATE_SIZE - 1] & UPPER_MASK) | (state[0] & LOWER_MASK);
    state[STATE_SIZE - 1] = state[SHIFT_SIZE - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    this.index = 0;
  }
}

/**
 * The process-wide generator used when none is passed, like
 * `torch.default_generator`. As in PyTorch, it starts from a nondeterministic
 * 64-bit seed; call `defaultGenerator.manualSeed(s)` for reproducible numbers.
 */
export const defaultGenerator: Generator = new Generator(nondeterministicSeed());

// ---------------------------------------------------------------------------
// float32 arithmetic helpers

const fround = Math.fround;

/**
 * Single-rounding float32 fused multiply-add `a * b + c` for float32 inputs
 * (what `vfmadd...ps` computes, and what GCC contracts `a * b + c` to in ATen's AVX2 kernels). The product is exact in double, so rounding
 * the double sum to float32 is already correct unless that sum sits exactly
 * halfway between two floats; then the sign of the sum's rounding error
 * decides.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = fround(s);
  // Veltkamp split: `high === s` iff s fits in 25 significant bits, which a
  // double that is not itself a float only does when it is a float midpoint.
  const t = s * 268435457; // 2**28 + 1
  const high = t - (t - s);
  if (high !== s || r === s) return r;
  return fround(fmafNearMidpoint(p, c, s, r));
}

/** The rare case of {@link fmaf}: `s = p + c` (rounded) fits in 25 bits. */
function fmafNearMidpoint(p: number, c: number, s: number, r: number): number {
  const other = s + (s - r); // the float on the other side, if s is a midpoint
  if (fround(other) !== other) return r;
  const bv = s - p;
  const err = p - (s - bv) + (c - bv); // exact (p + c) - s
  if (err === 0) return r; // a true tie: fround already rounded it to even
  return err > 0 ? (r > other ? r : other) : r < other ? r : other;
}

const TWO_POW_M24 = 1 / 16777216;
const FLOAT_MAX = 3.4028234663852886e38;

/** Formats a double like a C++ ostream (6 significant digits). */
function formatDouble(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x).toLowerCase();
}

// ---------------------------------------------------------------------------
// uniform

/**
 * `torch.empty(n).uniform_(from, to)` for float32: `n` samples in [from, to).
 * `uniform(n, 0, 1)` is `torch.rand(n)`. Consumes one 32-bit output per value.
 */
export function uniform(n: number, from: number, to: number, gen: Generator = defaultGenerator): Float32Array {
  if (!(from >= -FLOAT_MAX && from <= FLOAT_MAX)) throw new RuntimeError('from is out of bounds for float');
  if (!(to >= -FLOAT_MAX && to <= FLOAT_MAX)) throw new RuntimeError('to is out of bounds for float');
  if (!(from <= to)) {
    throw new RuntimeError(
      `uniform_ expects to return a [from, to) range, but found from=${formatDouble(from)} > to=${formatDouble(to)}`,
    );
  }
  if (!(to - from <= FLOAT_MAX)) {
    throw new RuntimeError(
      `uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to=${formatDouble(to)} ` +
        `and from=${formatDouble(from)} which result in to-from to exceed the limit`,
    );
  }
  const out = new Float32Array(n);
  // The 24-bit integers go into the output's own bytes and become floats in place.
  const bits = new Int32Array(out.buffer);
  gen.fillUint24(bits);
  scaleUniform(out, bits, fround(from), fround(fround(to) - fround(from)));
  return out;
}

/**
 * `out[i] = bits[i]·2**-24·range + lo` in float32 with one rounding (ATen's fused multiply-add),
 * in place (`out` and `bits` view the same bytes). Its own small function so that V8 inlines
 * {@link fmaf} into the loop.
 */
function scaleUniform(out: Float32Array, bits: Int32Array, lo: number, range: number): void {
  const n = out.length;
  if (lo === 0 && range === 1) {
    for (let i = 0; i < n; i++) out[i] = bits[i] * TWO_POW_M24;
  } else {
    for (let i = 0; i < n; i++) out[i] = fmaf(bits[i] * TWO_POW_M24, range, lo);
  }
}

// ---------------------------------------------------------------------------
// normal: vectorised path (n >= 16), float32 Box–Muller on blocks of 16

const F_ONE_HALF = 0.5;
const F_SQRT_HALF = fround(0.707106781186547524);
const LOG_P0 = fround(7.0376836292e-2);
const LOG_P1 = fround(-1.151461031e-1);
const LOG_P2 = fround(1.167699874e-1);
const LOG_P3 = fround(-1.2420140846e-1);
const LOG_P4 = fround(1.4249322787e-1);
const LOG_P5 = fround(-1.6668057665e-1);
const LOG_P6 = fround(2.0000714765e-1);
const LOG_P7 = fround(-2.4999993993e-1);
const LOG_P8 = fround(3.3333331174e-1);
const LOG_Q1 = fround(-2.1219444e-4);
const LOG_Q2 = fround(0.693359375);
const MINUS_DP1 = fround(-0.78515625);
const MINUS_DP2 = fround(-2.4187564849853515625e-4);
const MINUS_DP3 = fround(-3.77489497744594108e-8);
const SIN_P0 = fround(-1.9515295891e-4);
const SIN_P1 = fround(8.3321608736e-3);
const SIN_P2 = fround(-1.6666654611e-1);
const COS_P0 = fround(2.443315711809948e-5);
const COS_P1 = fround(-1.388731625493765e-3);
const COS_P2 = fround(4.166664568298827e-2);
const FOUR_OVER_PI = fround(1.27323954473516);
const TWO_PI_F = fround(2 * Math.PI);

/** INV_POW2[i] = 2**-(i + 1). */
const INV_POW2 = Float64Array.from({ length: 25 }, (_, i) => 2 ** -(i + 1));

/** Blocks of 16 transformed per pass of {@link normalBlocks} (the radii of one pass fit in cache). */
const PASS_BLOCKS = 512;
const radii = new Float64Array(PASS_BLOCKS * 8);

/**
 * Transforms the blocks of 16 uniforms in `[start, end)` into normals, in place (`data` and
 * `bits` view the same bytes). In each block, lanes j and j+8 take u1 = 1 - u[j] and u2 = u[j+8]:
 * `data[j] = r·cos θ·std + mean`, `data[j+8] = r·sin θ·std + mean` with r = √(−2 log u1),
 * θ = 2π·u2. Done in two passes over up to {@link PASS_BLOCKS} blocks (all radii, then all
 * angles), each a loop small enough for V8 to inline its float32 multiply-adds.
 */
function normalBlocks(data: Float32Array, bits: Int32Array, start: number, end: number, mean: number, std: number): void {
  for (let from = start; from < end; from += PASS_BLOCKS * 16) {
    const to = Math.min(end, from + PASS_BLOCKS * 16);
    radiiPass(bits, from, to);
    rotationPass(data, bits, from, to, mean, std);
  }
}

/**
 * `radii[...] = float32 √(−2·log(1 − u))` for the first half of each block in `[from, to)`, with
 * 1 − u = k·2**-24 (1 <= k <= 2**24). The log is the Cephes-style float32 polynomial ATen
 * vectorises, its multiply-adds fused as the compiled kernel fuses them.
 */
function radiiPass(bits: Int32Array, from: number, to: number): void {
  let r = 0;
  for (let base = from; base < to; base += 16) {
    for (let j = 0; j < 8; j++) {
      const k = 16777216 - bits[base + j];
      const msb = 31 - Math.clz32(k); // floor(log2(k))
      let e = msb - 23; // exponent + 1, as the kernel counts it
      let x = k * INV_POW2[msb]; // mantissa in [0.5, 1)
      if (x < F_SQRT_HALF) {
        e -= 1;
        x = x + x - 1; // exact
      } else {
        x = x - 1; // exact
      }
      const z = fround(x * x);
      let y = fmaf(LOG_P0, x, LOG_P1);
      y = fmaf(y, x, LOG_P2);
      y = fmaf(y, x, LOG_P3);
      y = fmaf(y, x, LOG_P4);
      y = fmaf(y, x, LOG_P5);
      y = fmaf(y, x, LOG_P6);
      y = fmaf(y, x, LOG_P7);
      y = fmaf(y, x, LOG_P8);
      y = fround(y * x);
      y = fmaf(y, z, fround(e * LOG_Q1));
      // The kernel fuses the next step too, but z * 0.5 and e * LOG_Q2 are exact floats, so
      // these are plain float32 additions (correctly rounded via double).
      y = fround(y - z * F_ONE_HALF);
      x = fround(x + y);
      radii[r++] = fround(Math.sqrt(-2 * fround(x + e * LOG_Q2)));
    }
  }
}

/** sincos of θ = 2π·u (u the second half of each block) and the outputs, Cephes' float sincos. */
function rotationPass(data: Float32Array, bits: Int32Array, from: number, to: number, mean: number, std: number): void {
  let r = 0;
  for (let base = from; base < to; base += 16) {
    for (let j = 0; j < 8; j++) {
      const i1 = base + j;
      const i2 = i1 + 8;
      const radius = radii[r++];
      const theta = fround(TWO_PI_F * (bits[i2] * TWO_POW_M24));
      let q = fround(theta * FOUR_OVER_PI) | 0; // truncation; 0 <= q <= 8
      q = (q + 1) & ~1;
      let x = fmaf(q, MINUS_DP1, theta);
      x = fmaf(q, MINUS_DP2, x);
      x = fmaf(q, MINUS_DP3, x);
      const z = fround(x * x);
      let yc = fmaf(COS_P0, z, COS_P1);
      yc = fmaf(yc, z, COS_P2);
      yc = fround(yc * z);
      yc = fmaf(yc, z, -fround(z * F_ONE_HALF));
      yc = fround(yc + 1);
      let ys = fmaf(SIN_P0, z, SIN_P1);
      ys = fmaf(ys, z, SIN_P2);
      ys = fmaf(x, fround(ys * z), x);
      const cosPoly = (q & 2) === 0;
      let sin = cosPoly ? ys : yc;
      let cos = cosPoly ? yc : ys;
      if (q & 4) sin = -sin;
      if (~(q - 2) & 4) cos = -cos;
      data[i1] = fmaf(fround(radius * cos), std, mean);
      data[i2] = fmaf(fround(radius * sin), std, mean);
    }
  }
}

// ---------------------------------------------------------------------------
// normal: scalar path (n < 16), double Box–Muller with a cached second sample

const TWO_POW_M53 = 2 ** -53;
/** x * 2**n, scaling in steps so intermediate powers of two stay representable. */
function scaleByPowerOfTwo(x: number, n: number): number {
  while (n > 1000) {
    x *= 2 ** 1000;
    n -= 1000;
  }
  while (n < -1000) {
    x *= 2 ** -1000;
    n += 1000;
  }
  return x * 2 ** n;
}

/**
 * Double-precision fused multiply-add `a * b + c` with a single rounding, as
 * the AVX2 build of ATen computes `val * std + mean` for normal samples.
 * Evaluated exactly with bigint arithmetic; only used for fewer than 16 values.
 */
function fmaDouble(a: number, b: number, c: number): number {
  const p = a * b;
  if (p === 0 || c === 0 || !Number.isFinite(p) || !Number.isFinite(c)) return p + c;
  const [ma, ea] = float64Parts(a);
  const [mb, eb] = float64Parts(b);
  const [mc, ec] = float64Parts(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (sum === 0n) return 0;
  let magnitude = sum < 0n ? -sum : sum;
  // Keep 64 significant bits plus a sticky bit so Number() rounds once, correctly.
  const excess = magnitude.toString(2).length - 64;
  let shift = 0;
  if (excess > 0) {
    const dropped = magnitude & ((1n << BigInt(excess)) - 1n);
    magnitude = (magnitude >> BigInt(excess)) | (dropped === 0n ? 0n : 1n);
    shift = excess;
  }
  const value = scaleByPowerOfTwo(Number(magnitude), e + shift);
  return sum < 0n ? -value : value;
}

/** Next double in [0, 1) from 53 bits of two 32-bit outputs (ATen's `random64`). */
function uniformDouble(gen: Generator): number {
  const hi = gen.nextUint32() & 0x1fffff;
  const lo = gen.nextUint32();
  return (hi * 4294967296 + lo) * TWO_POW_M53;
}

/** Next standard normal double, using and refilling the generator's cache. */
function standardNormalDouble(gen: Generator): number {
  const cached = gen.takeCachedNormal();
  if (cached !== undefined) return cached;
  const u1 = uniformDouble(gen);
  const u2 = uniformDouble(gen);
  const r = Math.sqrt(-2 * Math.log(1 - u2));
  const theta = 2 * Math.PI * u1;
  gen.cacheNormal(r * Math.sin(theta));
  return r * Math.cos(theta);
}

/**
 * `torch.empty(n).normal_(mean, std)` for float32. `normal(n, 0, 1)` is
 * `torch.randn(n)`.
 *
 * Like ATen, 16 or more values are drawn as n float32 uniforms (plus 16 more
 * when n is not a multiple of 16, to redo the last block) and transformed in
 * float32; fewer than 16 use double-precision Box–Muller pairs, two 64-bit
 * uniforms per pair, caching the second value for the next call.
 */
export function normal(n: number, mean: number, std: number, gen: Generator = defaultGenerator): Float32Array {
  if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${formatDouble(std)}`);
  const out = new Float32Array(n);
  if (n >= 16) {
    const meanF = fround(mean);
    const stdF = fround(std);
    const bits = new Int32Array(out.buffer);
    gen.fillUint24(bits);
    const whole = n - (n % 16);
    normalBlocks(out, bits, 0, whole, meanF, stdF);
    if (whole !== n) {
      // ATen redraws the last 16 values (overwriting normals already made) and transforms them.
      gen.fillUint24(bits, n - 16, n);
      normalBlocks(out, bits, n - 16, n, meanF, stdF);
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = fmaDouble(standardNormalDouble(gen), std, mean);
  }
  return out;
}

// ---------------------------------------------------------------------------
// bernoulli

/**
 * `torch.empty(n).bernoulli_(p)` as a 0/1 mask: ATen's CPU kernel for a scalar `p` (the
 * default build, without MKL's vectorised path) draws one 53-bit double uniform per element,
 * in order, and keeps the element when `u < p`. This is what dropout's noise draws.
 */
export function bernoulli(n: number, p: number, gen: Generator = defaultGenerator): Uint8Array {
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = uniformDouble(gen) < p ? 1 : 0;
  return mask;
}
