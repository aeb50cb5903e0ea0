import { check } from '../errors';
import { float64Parts, pyTuple } from './python';

/**
 * PyTorch's default print options (`torch/_tensor_str.py`, `__PrinterOptions`), as
 * `torch.set_printoptions(profile='default')` sets them. `sci_mode` is `None`: the formatter picks
 * scientific notation itself.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.set_printoptions.html
 */
export const PRINT_OPTS = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 } as const;

/**
 * `str(t)` of the PyTorch tensor with these values, exactly as PyTorch 1.13 prints it with its
 * default print options ({@link PRINT_OPTS}): `tensor([[0.4963, 0.7682], ...])`.
 *
 * This mirrors `torch/_tensor_str.py`:
 * - one `_Formatter` per tensor picks, from the nonzero finite values (of the summarised data when
 *   `numel > threshold`), between integer mode (`1.`), fixed point (`0.1235`) and scientific
 *   (`1.2346e-05`, chosen when max/min > 1000, max > 1e8, or — for non-integers — min < 1e-4), and
 *   right-aligns every element to the widest;
 * - tensors of more than `threshold` elements show `edgeitems` entries at each end of every
 *   dimension with `...` between; 1-D rows wrap to fit `linewidth`;
 * - empty tensors print `tensor([])`, adding `size=(…)` unless 1-D and `dtype=torch.int64` for ints.
 *
 * Numbers are formatted as Python's `'{:.4f}'`/`'{:.4e}'`/`'{:.0f}'` format the double value of
 * each float32: correctly rounded from the exact binary value with ties to even (JavaScript's
 * `toFixed`/`toExponential` round ties up: `0.03125` is `0.0312` here, `0.0313` there), keeping the
 * sign of negative zero (`-0.`), and writing `nan`, `inf`, `-inf`.
 *
 * `int32` tensors stand for PyTorch's default `int64`, so they print without a dtype suffix (except
 * when empty, where PyTorch always names a non-float dtype). No `grad_fn`/`requires_grad` suffix
 * is ever printed: there is no autograd here.
 *
 * @param values flat C-order values (`float32` values are rounded to float32 first)
 * @param shape the tensor's shape; `[]` for a scalar
 * @see https://pytorch.org/docs/1.13/generated/torch.set_printoptions.html
 */
export function formatTensor(values: ArrayLike<number>, shape: readonly number[], dtype: 'float32' | 'int32' | 'bool'): string {
  const numel = shape.reduce((a, b) => a * b, 1);
  check(values.length === numel, () => `formatTensor: shape [${shape.join(', ')}] needs ${numel} values, got ${values.length}`);
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  if (numel === 0) {
    // An empty tensor shows its size unless it is 1-D, and its dtype unless it is the default float.
    if (shape.length !== 1) suffixes.push(`size=${pyTuple(shape)}`);
    if (dtype !== 'float32') suffixes.push(dtype === 'int32' ? 'dtype=torch.int64' : 'dtype=torch.bool');
    body = '[]';
  } else {
    const summarize = numel > PRINT_OPTS.threshold;
    // Values are read (and rounded to float32) only where shown, so a huge tensor costs little.
    const at = dtype === 'float32' ? (i: number) => Math.fround(values[i]) : (i: number) => values[i];
    const t: View = { at, shape, strides: stridesOf(shape), summarize };
    const shown = summarize ? summarizedData(t, 0, 0, []) : Array.from({ length: numel }, (_, i) => at(i));
    const formatter = dtype === 'float32' ? floatFormatter(shown) : dtype === 'int32' ? intFormatter(shown) : boolFormatter(shown);
    body = tensorStr(t, 0, 0, indent, formatter);
  }
  return addSuffixes(prefix + body, suffixes, indent);
}

/** A tensor being printed: its value at a flat index, C-order strides, and whether it is summarised. */
interface View {
  at(index: number): number;
  shape: readonly number[];
  strides: number[];
  summarize: boolean;
}

/** PyTorch's `_Formatter`: every element is padded on the left to `width`. */
interface Formatter {
  width: number;
  format(value: number): string;
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; s *= shape[d], d--) strides[d] = s;
  return strides;
}

/** The indices shown along a dimension of size `n`: all of them, or `edgeitems` at each end. */
function shownIndices(n: number, summarize: boolean): { head: number[]; tail: number[] } {
  const e = PRINT_OPTS.edgeitems;
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  return summarize && n > 2 * e ? { head: range(0, e), tail: range(n - e, n) } : { head: range(0, n), tail: [] };
}

/** `get_summarized_data`: the values a summarised printout shows (what its formatter sees). */
function summarizedData(t: View, d: number, offset: number, out: number[]): number[] {
  if (d === t.shape.length) {
    out.push(t.at(offset));
    return out;
  }
  const { head, tail } = shownIndices(t.shape[d], true);
  for (const i of [...head, ...tail]) summarizedData(t, d + 1, offset + i * t.strides[d], out);
  return out;
}

/** `_tensor_str_with_formatter`: the nested `[...]` of the sub-tensor at dimension `d`, `offset`. */
function tensorStr(t: View, d: number, offset: number, indent: number, fmt: Formatter): string {
  const dim = t.shape.length - d;
  if (dim === 0) return fmt.format(t.at(offset));
  const { head, tail } = shownIndices(t.shape[d], t.summarize);
  const stride = t.strides[d];
  if (dim === 1) return vectorStr(t, head, tail, offset, stride, indent, fmt);
  const sub = (i: number) => tensorStr(t, d + 1, offset + i * stride, indent + 1, fmt);
  const slices = [...head.map(sub), ...(tail.length > 0 ? ['...', ...tail.map(sub)] : [])];
  return '[' + slices.join(',' + '\n'.repeat(dim - 1) + ' '.repeat(indent + 1)) + ']';
}

/** `_vector_str`: a row, wrapped so each line holds as many `width + 2`-wide elements as fit. */
function vectorStr(t: View, head: number[], tail: number[], offset: number, stride: number, indent: number, fmt: Formatter): string {
  const perLine = Math.max(1, Math.floor((PRINT_OPTS.linewidth - indent) / (fmt.width + 2)));
  const el = (i: number) => fmt.format(t.at(offset + i * stride));
  // The ellipsis is an element of its own (' ...'), so it takes a slot on the line.
  const data = [...head.map(el), ...(tail.length > 0 ? [' ...', ...tail.map(el)] : [])];
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

const padLeft = (s: string, width: number) => s.padStart(width, ' ');

/** `_Formatter` for an integer dtype: `'{}'.format(v)`, right-aligned. */
function intFormatter(shown: readonly number[]): Formatter {
  const width = shown.reduce((w, v) => Math.max(w, String(v).length), 1);
  return { width, format: (v) => padLeft(String(v), width) };
}

/** `_Formatter` for bool: Python's `True`/`False`, right-aligned. */
function boolFormatter(shown: readonly number[]): Formatter {
  const word = (v: number) => (v ? 'True' : 'False');
  const width = shown.reduce((w, v) => Math.max(w, word(v).length), 1);
  return { width, format: (v) => padLeft(word(v), width) };
}

/** `_Formatter` for a floating dtype: integer, fixed or scientific mode, from the nonzero finite values. */
function floatFormatter(shown: readonly number[]): Formatter {
  const p = PRINT_OPTS.precision;
  const nonzero = shown.filter((v) => Number.isFinite(v) && v !== 0);
  let mode: 'int' | 'fixed' | 'sci' = 'int';
  let width = 1;
  if (nonzero.length > 0) {
    const abs = nonzero.map(Math.abs);
    const min = abs.reduce((a, b) => Math.min(a, b));
    const max = abs.reduce((a, b) => Math.max(a, b));
    const wide = max / min > 1000 || max > 1e8;
    if (nonzero.every((v) => v === Math.ceil(v))) {
      mode = wide ? 'sci' : 'int';
    } else {
      mode = wide || min < 1e-4 ? 'sci' : 'fixed';
    }
    const len = (v: number) =>
      mode === 'sci' ? pyFormatExp(v, p).length : mode === 'int' ? pyFormatFixed(v, 0).length + 1 : pyFormatFixed(v, p).length;
    width = nonzero.reduce((w, v) => Math.max(w, len(v)), width);
  }
  const format = (v: number): string => {
    if (mode === 'sci') return padLeft(pyFormatExp(v, p), width);
    if (mode === 'fixed') return padLeft(pyFormatFixed(v, p), width);
    // Integer mode marks floats with a trailing '.', except nan and inf.
    return padLeft(pyFormatFixed(v, 0) + (Number.isFinite(v) ? '.' : ''), width);
  };
  return { width, format };
}

/** `_add_suffixes`: `, size=(0, 3)` etc., moved to a new line if they would pass `linewidth`. */
function addSuffixes(tensorStr: string, suffixes: readonly string[], indent: number): string {
  let out = tensorStr;
  let lastLineLen = tensorStr.length - tensorStr.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > PRINT_OPTS.linewidth) {
      out += ',\n' + ' '.repeat(indent) + suffix;
      lastLineLen = indent + suffix.length;
    } else {
      out += ', ' + suffix;
      lastLineLen += suffix.length + 2;
    }
  }
  return out + ')';
}

/** Python's `'{:.<p>f}'.format(x)` for a double `x`: exact value, rounded half to even. */
export function pyFormatFixed(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const digits = roundScaled(x, p).toString().padStart(p + 1, '0');
  const int = digits.slice(0, digits.length - p);
  return sign(x) + int + (p > 0 ? '.' + digits.slice(digits.length - p) : '');
}

/** Python's `'{:.<p>e}'.format(x)` for a double `x`: `1.2346e-05`, at least two exponent digits. */
export function pyFormatExp(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  let e = 0;
  let n = 0n;
  if (x !== 0) {
    // Find e with 10^p <= round(|x| * 10^(p-e)) < 10^(p+1); log10 gives it to within one.
    const lo = 10n ** BigInt(p);
    e = Math.floor(Math.log10(Math.abs(x)));
    for (;;) {
      n = roundScaled(x, p - e);
      if (n >= lo * 10n) e++;
      else if (n < lo) e--;
      else break;
    }
  }
  const digits = n.toString().padStart(p + 1, '0');
  const mantissa = digits[0] + (p > 0 ? '.' + digits.slice(1) : '');
  return `${sign(x)}${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

/** Python keeps the sign of negative zero and of negatives that round to zero. */
function sign(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/** round(|x| · 10^k) computed exactly on the binary value of the double `x`, ties to even. */
function roundScaled(x: number, k: number): bigint {
  const [signed, exp] = float64Parts(x);
  let num = signed < 0n ? -signed : signed;
  let den = 1n;
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  const q = num / den;
  const twice = 2n * (num % den);
  return twice > den || (twice === den && (q & 1n) === 1n) ? q + 1n : q;
}

