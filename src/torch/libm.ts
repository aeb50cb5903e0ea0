/**
 * The scalar math functions whose exact results PyTorch's initialisation depends on, computed
 * as Debian's PyTorch 1.13 CPU build computes them, so the float32 bits agree:
 *
 * - `erf`: glibc's double `erf` (fdlibm's algorithm, with Shimizu's pipelined polynomials), which
 *   Python's `math.erf` calls; `trunc_normal_` turns its bounds into uniform bounds with it.
 * - `erfinvf`: ATen's float `calc_erfinv` (a rational first guess and two Newton steps), scalar
 *   on CPU, with the multiply-adds GCC fuses in the AVX2 kernel, and the glibc float functions it
 *   calls: `erff` (fdlibm's float version, including its underflow-avoiding branch for tiny
 *   inputs), `logf` (glibc's table-driven one, FMA variant, which is not correctly rounded: a
 *   plain `Math.log` differs on about 1 in 7000 inputs of that branch) and `expf` (glibc's
 *   table-driven one, not correctly rounded either: `Math.exp` rounded to float32 differs on about
 *   1 in 13,000 inputs, which made `erfinvf(-0.927284)` 2 ulp off through `erff`).
 *
 * Checked against `torch.erfinv` on every float32 in (-1, 1), all 2,130,706,432 of them (SHA-256
 * per block of 2**22 inputs): no bit differs. test/fixtures/gen_erfinv.py keeps a sweep of every
 * 4096th one for the tests.
 */
import { fmaf } from './random';

const f = Math.fround;
const f64 = new Float64Array(1);
const u64 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The high 32 bits of a double, as fdlibm's GET_HIGH_WORD. */
function highWord(x: number): number {
  f64[0] = x;
  return u64[1] | 0;
}

/** `x` with its low 32 bits cleared, as fdlibm's SET_LOW_WORD(z, 0). */
function clearLowWord(x: number): number {
  f64[0] = x;
  u64[0] = 0;
  return f64[0];
}

const floatBits = (x: number): number => {
  f32[0] = x;
  return u32[0] | 0;
};

const fromFloatBits = (bits: number): number => {
  u32[0] = bits;
  return f32[0];
};

// ---- double erf (glibc sysdeps/ieee754/dbl-64/s_erf.c) ----

const ERX = 8.45062911510467529297e-1;
const EFX = 1.28379167095512586316e-1;
const PP = [1.28379167095512558561e-1, -3.25042107247001499370e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3, -2.37630166566501626084e-5];
const QQ = [0, 3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4, -3.96022827877536812320e-6];
const PA = [-2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1, -1.10894694282396677476e-1, 3.54783043256182359371e-2, -2.16637559486879084300e-3];
const QA = [0, 1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1, 1.36370839120290507362e-2, 1.19844998467991074170e-2];
const RA = [-9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1, -1.62396669462573470355e2, -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592];
const SA = [0, 1.96512716674392571292e1, 1.37657754143519042600e2, 4.34565877475229228821e2, 6.45387271733267880336e2, 4.29008140027567833386e2, 1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2];
const RB = [-9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2, -6.37566443368389627722e2, -1.02509513161107724954e3, -4.83519191608651397019e2];
const SB = [0, 3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3, 2.55305040643316442583e3, 4.74528541206955367215e2, -2.24409524465858183362e1];

/** Python's `math.erf` (glibc's `erf`). */
export function erf(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7ff00000) return Number.isNaN(x) ? NaN : Math.sign(x);
  if (ix < 0x3feb0000) {
    if (ix < 0x3e300000) return x + EFX * x;
    const z = x * x;
    const r1 = PP[0] + z * PP[1];
    const z2 = z * z;
    const r2 = PP[2] + z * PP[3];
    const z4 = z2 * z2;
    const s1 = 1 + z * QQ[1];
    const s2 = QQ[2] + z * QQ[3];
    const s3 = QQ[4] + z * QQ[5];
    const r = r1 + z2 * r2 + z4 * PP[4];
    const s = s1 + z2 * s2 + z4 * s3;
    return x + x * (r / s);
  }
  if (ix < 0x3ff40000) {
    const s = Math.abs(x) - 1;
    const s2 = s * s;
    const s4 = s2 * s2;
    const s6 = s4 * s2;
    const P = PA[0] + s * PA[1] + s2 * (PA[2] + s * PA[3]) + s4 * (PA[4] + s * PA[5]) + s6 * PA[6];
    const Q = 1 + s * QA[1] + s2 * (QA[2] + s * QA[3]) + s4 * (QA[4] + s * QA[5]) + s6 * QA[6];
    return hx >= 0 ? ERX + P / Q : -ERX - P / Q;
  }
  if (ix >= 0x40180000) return hx >= 0 ? 1 - 1e-300 : 1e-300 - 1;
  const ax = Math.abs(x);
  const s = 1 / (ax * ax);
  const s2 = s * s;
  const s4 = s2 * s2;
  const s6 = s4 * s2;
  let R: number;
  let S: number;
  if (ix < 0x4006db6e) {
    const s8 = s4 * s4;
    R = RA[0] + s * RA[1] + s2 * (RA[2] + s * RA[3]) + s4 * (RA[4] + s * RA[5]) + s6 * (RA[6] + s * RA[7]);
    S = 1 + s * SA[1] + s2 * (SA[2] + s * SA[3]) + s4 * (SA[4] + s * SA[5]) + s6 * (SA[6] + s * SA[7]) + s8 * SA[8];
  } else {
    R = RB[0] + s * RB[1] + s2 * (RB[2] + s * RB[3]) + s4 * (RB[4] + s * RB[5]) + s6 * RB[6];
    S = 1 + s * SB[1] + s2 * (SB[2] + s * SB[3]) + s4 * (SB[4] + s * SB[5]) + s6 * (SB[6] + s * SB[7]);
  }
  const z = clearLowWord(ax);
  const r = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + R / S);
  return hx >= 0 ? 1 - r / ax : r / ax - 1;
}

// ---- float erff (glibc sysdeps/ieee754/flt-32/s_erff.c), every step rounded to float32 ----

const F_ERX = f(8.4506291151e-1);
const F_EFX = f(1.2837916613e-1);
const F_EFX16 = 16 * F_EFX;
const F_PP = Float64Array.from([1.2837916613e-1, -3.2504209876e-1, -2.8481749818e-2, -5.7702702470e-3, -2.3763017452e-5], f);
const F_QQ = Float64Array.from([1, 3.9791721106e-1, 6.5022252500e-2, 5.0813062117e-3, 1.3249473704e-4, -3.9602282413e-6], f);
const F_PA = Float64Array.from([-2.3621185683e-3, 4.1485610604e-1, -3.7220788002e-1, 3.1834661961e-1, -1.1089469492e-1, 3.5478305072e-2, -2.1663755178e-3], f);
const F_QA = Float64Array.from([1, 1.0642088205e-1, 5.4039794207e-1, 7.1828655899e-2, 1.2617121637e-1, 1.3637083583e-2, 1.1984500103e-2], f);
const F_RA = Float64Array.from([-9.8649440333e-3, -6.9385856390e-1, -1.0558626175e1, -6.2375331879e1, -1.6239666748e2, -1.8460508728e2, -8.1287437439e1, -9.8143291473], f);
const F_SA = Float64Array.from([1, 1.9651271820e1, 1.3765776062e2, 4.3456588745e2, 6.4538726807e2, 4.2900814819e2, 1.0863500214e2, 6.5702495575, -6.0424413532e-2], f);
const F_RB = Float64Array.from([-9.8649431020e-3, -7.9928326607e-1, -1.7757955551e1, -1.6063638306e2, -6.3756646729e2, -1.0250950928e3, -4.8351919556e2], f);
const F_SB = Float64Array.from([1, 3.0338060379e1, 3.2579251099e2, 1.5367296143e3, 3.1998581543e3, 2.5530502930e3, 4.7452853394e2, -2.2440952301e1], f);

/** `c[0] + s*(c[1] + s*(c[2] + ...))` in float32, as the C source nests it. */
function hornerf(c: Float64Array, s: number): number {
  let acc = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) acc = f(c[i] + f(s * acc));
  return acc;
}

// ---- float expf (glibc sysdeps/ieee754/flt-32/e_expf.c) ----

/**
 * `2**(i/32)` for i in [0, 32) (glibc's `__exp2f_data.tab`, whose entries store `i << 47` less,
 * which {@link expf} adds back as a power-of-two scale).
 */
const EXP2F_TABLE = Float64Array.from(
  [
    0x3ff0000000000000n, 0x3fefd9b0d3158574n, 0x3fefb5586cf9890fn, 0x3fef9301d0125b51n, 0x3fef72b83c7d517bn, 0x3fef54873168b9aan, 0x3fef387a6e756238n, 0x3fef1e9df51fdee1n,
    0x3fef06fe0a31b715n, 0x3feef1a7373aa9cbn, 0x3feedea64c123422n, 0x3feece086061892dn, 0x3feebfdad5362a27n, 0x3feeb42b569d4f82n, 0x3feeab07dd485429n, 0x3feea47eb03a5585n,
    0x3feea09e667f3bcdn, 0x3fee9f75e8ec5f74n, 0x3feea11473eb0187n, 0x3feea589994cce13n, 0x3feeace5422aa0dbn, 0x3feeb737b0cdc5e5n, 0x3feec49182a3f090n, 0x3feed503b23e255dn,
    0x3feee89f995ad3adn, 0x3feeff76f2fb5e47n, 0x3fef199bdd85529cn, 0x3fef3720dcef9069n, 0x3fef5818dcfba487n, 0x3fef7c97337b9b5fn, 0x3fefa4afa2a490dan, 0x3fefd0765b6e4540n,
  ].map((bits, i) => {
    f64[0] = 0;
    new BigUint64Array(f64.buffer)[0] = bits + (BigInt(i) << 47n);
    return f64[0];
  }),
);
const POW2_MIN = -160;
/** `POW2[i] = 2**(i + POW2_MIN)`, the scales `expf` needs (|x| < 104 keeps k/32 in [-150, 128]). */
const POW2 = Float64Array.from({ length: 300 }, (_, i) => 2 ** (i + POW2_MIN));
const EXPF_INV_LN2_N = 1.4426950408889634 * 32;
const EXPF_SHIFT = 6755399441055744; // 0x1.8p52: adding it rounds to an integer
const EXPF_C0 = 0.05550361559341535 / 32 / 32 / 32;
const EXPF_C1 = 0.2402284522445722 / 32 / 32;
const EXPF_C2 = 0.6931471806916203 / 32;

/**
 * glibc's `expf` for a float32 `x` with |x| < 88 (all that `erff` and `erfinvf` pass it): a
 * 32-entry table and a cubic in double, then one rounding to float32. Not correctly rounded: it
 * differs from `Math.fround(Math.exp(x))` on about 1 input in 13,000.
 */
function expf(x: number): number {
  const z = EXPF_INV_LN2_N * x;
  const k = z + EXPF_SHIFT - EXPF_SHIFT; // z rounded to an integer, ties to even
  const r = z - k;
  const j = k & 31;
  const s = EXP2F_TABLE[j] * POW2[(k - j) / 32 - POW2_MIN];
  const y = (EXPF_C0 * r + EXPF_C1) * (r * r) + (EXPF_C2 * r + 1);
  return f(y * s);
}

/** glibc's `erff`. */
export function erff(x: number): number {
  const hx = floatBits(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7f800000) return Number.isNaN(x) ? NaN : Math.sign(x);
  if (ix < 0x3f580000) {
    if (ix < 0x04000000) return f(0.0625 * f(f(16 * x) + f(F_EFX16 * x))); // scaled so as not to underflow
    if (ix < 0x31800000) return f(x + f(F_EFX * x));
    const z = f(x * x);
    const y = f(hornerf(F_PP, z) / hornerf(F_QQ, z));
    return f(x + f(x * y));
  }
  if (ix < 0x3fa00000) {
    const s = f(Math.abs(x) - 1);
    const pq = f(hornerf(F_PA, s) / hornerf(F_QA, s));
    return hx >= 0 ? f(F_ERX + pq) : f(-F_ERX - pq);
  }
  if (ix >= 0x40c00000) return hx >= 0 ? f(1 - 1e-30) : f(1e-30 - 1);
  const ax = Math.abs(x);
  const s = f(1 / f(ax * ax));
  const near = ix < 0x4036db6e;
  const R = hornerf(near ? F_RA : F_RB, s);
  const S = hornerf(near ? F_SA : F_SB, s);
  const z = fromFloatBits(floatBits(ax) & 0xfffff000);
  const r = f(expf(f(f(-z * z) - 0.5625)) * expf(f(f(f(z - ax) * f(z + ax)) + f(R / S))));
  return hx >= 0 ? f(1 - f(r / ax)) : f(f(r / ax) - 1);
}

// ---- float logf (glibc sysdeps/ieee754/flt-32/e_logf.c, the FMA build x86-64 selects) ----

/** `1/c` and `log(c)` for the 16 subintervals of [0x3f330000, 2·0x3f330000) (glibc's __logf_data). */
const LOGF_INVC = Float64Array.from([
  1.398907162146528, 1.3403141896637998, 1.286432210124115, 1.2367150214269895, 1.1906977166711752, 1.1479821020556429, 1.1082251448272158, 1.0711297413057381,
  1.036437278977283, 1, 0.9492859795739057, 0.8951049428609004, 0.8476821620351103, 0.8050314851692001, 0.7664671008843108, 0.731428603316328,
]);
const LOGF_LOGC = Float64Array.from([
  -0.33569133332882284, -0.2929040563774074, -0.2518726580937369, -0.21245868807117255, -0.17453945183745634, -0.1380057072319758, -0.10275976698545139, -0.06871392447020525,
  -0.0357891387398228, 0, 0.05204517742929496, 0.11081431298787942, 0.1652495223695143, 0.21687389031699977, 0.2659635028121397, 0.3127556664073557,
]);
const LOGF_LN2 = 0.6931471805599453;
const LOGF_A0 = -0.25089342214237154;
const LOGF_A1 = 0.333456765744066;
const LOGF_A2 = -0.4999997485802103;
const SPLIT = 134217729; // 2**27 + 1

/** `a*b + c` with one rounding, exactly enough for logf's double steps (Dekker's product). */
function fma(a: number, b: number, c: number): number {
  const p = a * b;
  const ta = SPLIT * a;
  const ah = ta - (ta - a);
  const al = a - ah;
  const tb = SPLIT * b;
  const bh = tb - (tb - b);
  const bl = b - bh;
  const e = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = p + c;
  const v = s - p;
  return s + (p - (s - v) + (c - v) + e);
}

/** glibc's `logf` for the positive normal float32 inputs `erfinvf` gives it. */
function logf(x: number): number {
  const ix = floatBits(x) >>> 0;
  if (ix === 0x3f800000) return 0;
  if (x === 0) return -Infinity;
  const tmp = (ix - 0x3f330000) >>> 0;
  const i = (tmp >>> 19) % 16;
  const k = (tmp | 0) >> 23;
  const z = fromFloatBits((ix - (tmp & (0x1ff << 23))) | 0);
  const r = fma(z, LOGF_INVC[i], -1);
  const y0 = LOGF_LOGC[i] + k * LOGF_LN2;
  const r2 = r * r;
  let y = fma(LOGF_A1, r, LOGF_A2);
  y = fma(LOGF_A0, r2, y);
  return f(fma(y, r2, y0 + r));
}

// ---- ATen's calc_erfinv<float> (aten/src/ATen/native/Math.h) ----

const EI_A = Float64Array.from([0.886226899, -1.645349621, 0.914624893, -0.140543331], f);
const EI_B = Float64Array.from([-2.118377725, 1.442710462, -0.329097515, 0.012229801], f);
const EI_C = Float64Array.from([-1.970840454, -1.624906493, 3.429567803, 1.641345311], f);
const EI_D = Float64Array.from([3.5438892, 1.6370678], f);
const CENTRAL_RANGE = f(0.7);
const TWO_OVER_SQRT_PI = f(2 / f(Math.sqrt(Math.PI)));

/** `torch.erfinv` of a float32 value, as ATen's CPU kernel computes it. */
export function erfinvf(y: number): number {
  const ya = Math.abs(y);
  if (ya > 1) return NaN;
  if (ya === 1) return y > 0 ? Infinity : -Infinity;
  let x: number;
  if (ya <= CENTRAL_RANGE) {
    const z = f(y * y);
    const num = fmaf(fmaf(fmaf(EI_A[3], z, EI_A[2]), z, EI_A[1]), z, EI_A[0]);
    const dem = fmaf(fmaf(fmaf(fmaf(EI_B[3], z, EI_B[2]), z, EI_B[1]), z, EI_B[0]), z, 1);
    x = f(f(y * num) / dem);
  } else {
    const z = f(Math.sqrt(-logf(f(f(1 - ya) / 2))));
    const num = fmaf(fmaf(fmaf(EI_C[3], z, EI_C[2]), z, EI_C[1]), z, EI_C[0]);
    const dem = fmaf(fmaf(EI_D[1], z, EI_D[0]), z, 1);
    x = f((y < 0 ? -Math.abs(num) : Math.abs(num)) / dem);
  }
  for (let step = 0; step < 2; step++) x = f(x - f(f(erff(x) - y) / f(TWO_OVER_SQRT_PI * expf(f(-x * x)))));
  return x;
}
