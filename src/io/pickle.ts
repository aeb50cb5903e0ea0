/**
 * A pickle reader that cannot run code: a small stack machine for the opcodes that plain data
 * (None, bools, ints, floats, strings, tuples, lists, dicts) needs under protocols 2 to 5.
 * Protocol 2 is what `torch.save` writes by default. The reader never imports anything. A
 * GLOBAL or STACK_GLOBAL opcode resolves only to an entry in the caller's allowlist, and
 * anything else is refused with an error that names it. REDUCE calls only allowlisted
 * callables, and BUILD only reaches objects that accept state (OrderedDict). Persistent ids go
 * to the caller's `persistentLoad`, which is how PyTorch refers to tensor storages kept outside
 * the pickle.
 *
 * @see https://docs.python.org/3/library/pickle.html (format, protocols)
 * @see https://github.com/python/cpython/blob/3.11/Lib/pickletools.py (every opcode and its argument)
 */

/** Python's `pickle.UnpicklingError`: the pickle is malformed or asks for something refused. */
export class UnpicklingError extends Error {
  override readonly name = 'UnpicklingError';
}

/** Python's `UnicodeDecodeError`, raised by a pickled string that is not UTF-8. */
export class UnicodeDecodeError extends Error {
  override readonly name = 'UnicodeDecodeError';
}

/** The values that can be dict keys here: Python's immutable scalars. */
export type PyKey = string | number | bigint | boolean | null;

/**
 * A Python value. Python ints become numbers, or bigints when they are not safe integers.
 * Tuples are frozen arrays and lists are plain arrays, so the two stay distinct.
 */
export type PyValue = PyKey | PyTuple | PyValue[] | PyObject;

declare const tupleBrand: unique symbol;
/** A frozen array, branded so that the type system tells it from a list as `isTuple` does. */
export type PyTuple = readonly PyValue[] & { readonly [tupleBrand]: true };

/** True for a Python tuple (a frozen array); lists are never frozen. */
export const isTuple = (v: PyValue): v is PyTuple => Array.isArray(v) && Object.isFrozen(v);

const tuple = (items: PyValue[]): PyTuple => Object.freeze(items) as PyTuple;

/** An object made by an allowlisted callable; `pyClass` names its Python class in errors. */
export abstract class PyObject {
  abstract readonly pyClass: string;

  /** Python's BUILD (`__setstate__`); refused unless the class accepts state. */
  setState(_state: PyValue): void {
    throw new UnpicklingError(`BUILD is not supported on ${this.pyClass} objects`);
  }
}

/** A Python dict; keys keep insertion order, as Python's do. */
export class PyDict extends PyObject {
  readonly pyClass: string = 'dict';
  readonly items = new Map<PyKey, PyValue>();
}

/**
 * `collections.OrderedDict`. Its pickle ends with BUILD of its instance attributes: a
 * state_dict's `_metadata` (per-module versions), kept here in `attributes`.
 */
export class PyOrderedDict extends PyDict {
  override readonly pyClass = 'collections.OrderedDict';
  readonly attributes = new Map<string, PyValue>();

  override setState(state: PyValue): void {
    if (!(state instanceof PyDict)) {
      throw new UnpicklingError(`OrderedDict state must be a dict of attributes, got ${typeName(state)}`);
    }
    for (const [name, value] of state.items) {
      if (typeof name !== 'string') throw new UnpicklingError(`OrderedDict attribute names must be str, got ${typeName(name)}`);
      this.attributes.set(name, value);
    }
  }
}

/**
 * An allowlisted global (`module.name`). With `call` it is a callable REDUCE may apply to an
 * argument tuple; without, it is a marker value only (a storage type, say).
 */
export class PyGlobal extends PyObject {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call?: (args: PyTuple) => PyValue,
  ) {
    super();
  }

  get qualname(): string {
    return `${this.module}.${this.name}`;
  }

  get pyClass(): string {
    return this.qualname;
  }
}

/** `collections.OrderedDict`, called with no arguments as its pickle calls it. */
export const ORDERED_DICT = new PyGlobal('collections', 'OrderedDict', (args) => {
  if (args.length !== 0) throw new UnpicklingError(`collections.OrderedDict takes no arguments here, got ${args.length}`);
  return new PyOrderedDict();
});

export interface UnpickleOptions {
  /** The only globals the pickle may name. */
  globals: readonly PyGlobal[];
  /** Resolves a persistent id (BINPERSID). */
  persistentLoad(pid: PyValue): PyValue;
}

/** Python's type name of `v`, for error messages. */
export function typeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (v instanceof PyObject) return v.pyClass;
  return isTuple(v) ? 'tuple' : 'list';
}

/** Opcodes, by their byte; the names are pickletools'. */
const enum Op {
  MARK = 0x28, // (
  EMPTY_TUPLE = 0x29, // )
  STOP = 0x2e, // .
  BINFLOAT = 0x47, // G
  BININT = 0x4a, // J
  BININT1 = 0x4b, // K
  BININT2 = 0x4d, // M
  NONE = 0x4e, // N
  BINPERSID = 0x51, // Q
  REDUCE = 0x52, // R
  BINUNICODE = 0x58, // X
  EMPTY_LIST = 0x5d, // ]
  APPEND = 0x61, // a
  BUILD = 0x62, // b
  GLOBAL = 0x63, // c
  APPENDS = 0x65, // e
  BINGET = 0x68, // h
  LONG_BINGET = 0x6a, // j
  BINPUT = 0x71, // q
  LONG_BINPUT = 0x72, // r
  SETITEM = 0x73, // s
  TUPLE = 0x74, // t
  SETITEMS = 0x75, // u
  EMPTY_DICT = 0x7d, // }
  PROTO = 0x80,
  TUPLE1 = 0x85,
  TUPLE2 = 0x86,
  TUPLE3 = 0x87,
  NEWTRUE = 0x88,
  NEWFALSE = 0x89,
  LONG1 = 0x8a,
  SHORT_BINUNICODE = 0x8c,
  STACK_GLOBAL = 0x93,
  MEMOIZE = 0x94,
  FRAME = 0x95,
}

const HIGHEST_PROTOCOL = 5;
// ignoreBOM: Python keeps a leading U+FEFF; the WHATWG decoder would drop it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * `str(data, 'utf-8', 'surrogatepass')`, as Python's unpickler decodes strings: strict UTF-8,
 * except that a surrogate encoded in three bytes decodes to that lone surrogate. Errors are
 * Python's, naming the bytes and the reason as its decoder does. A high and a low surrogate
 * decoded that way would read in JavaScript as the one character they pair to, which is another
 * string to Python (a key could collide with another), so such a pair is refused.
 */
export function decodePythonUtf8(data: Uint8Array): string {
  try {
    return utf8.decode(data);
  } catch {
    // Not strict UTF-8: decode by hand, as Python does, below.
  }
  let out = '';
  let passedHigh = false;
  for (let i = 0; i < data.length; ) {
    const lead = data[i];
    const need = lead < 0x80 ? 0 : lead < 0xc2 ? -1 : lead < 0xe0 ? 1 : lead < 0xf0 ? 2 : lead < 0xf5 ? 3 : -1;
    const fail = (length: number, reason: string): UnicodeDecodeError =>
      new UnicodeDecodeError(
        length === 1
          ? `'utf-8' codec can't decode byte 0x${lead.toString(16).padStart(2, '0')} in position ${i}: ${reason}`
          : `'utf-8' codec can't decode bytes in position ${i}-${i + length - 1}: ${reason}`,
      );
    if (need < 0) throw fail(1, 'invalid start byte');
    // The second byte's range excludes overlong forms, surrogates (ED) and code points past U+10FFFF.
    const [low, high] = lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    let valid = 1;
    while (valid <= need && i + valid < data.length) {
      const b = data[i + valid];
      if (valid === 1 ? b < low || b > high : (b & 0xc0) !== 0x80) break;
      valid++;
    }
    if (valid <= need) {
      const surrogate = lead === 0xed && i + 2 < data.length && (data[i + 1] & 0xc0) === 0x80 && (data[i + 2] & 0xc0) === 0x80;
      if (!surrogate) throw i + valid === data.length ? fail(valid, 'unexpected end of data') : fail(valid, 'invalid continuation byte');
      const unit = ((lead & 0x0f) << 12) | ((data[i + 1] & 0x3f) << 6) | (data[i + 2] & 0x3f);
      if (passedHigh && unit >= 0xdc00) {
        throw new UnpicklingError(
          `a pickled string encodes a surrogate pair as two 3-byte sequences (at byte ${i - 3}): Python keeps them as two code points, which JavaScript cannot tell from the one character they pair to`,
        );
      }
      passedHigh = unit < 0xdc00;
      out += String.fromCharCode(unit);
      i += 3;
      continue;
    }
    passedHigh = false;
    let code = need === 0 ? lead : lead & (0x3f >> need);
    for (let k = 1; k <= need; k++) code = (code << 6) | (data[i + k] & 0x3f);
    out += String.fromCodePoint(code);
    i += need + 1;
  }
  return out;
}

/** Python's `EOFError`: a pickle ended where its next opcode should be (`Ran out of input`). */
export class EOFError extends Error {
  override readonly name = 'EOFError';
}

/** Bytes read by position (a buffer, or an open file read at offsets); what the reader pulls from. */
export interface PickleSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

const arraySource = (data: Uint8Array): PickleSource => ({ size: data.length, read: (offset, length) => data.subarray(offset, offset + length) });

/** A reader pulls this much of a file at a time: a pickle costs the bytes it spans, not the file's. */
const WINDOW = 1 << 16;

/**
 * Reads a source front to back from `pos` through a window of it, pulled as needed: every read
 * is bounds-checked against the source's size before anything is read or allocated.
 */
class Reader {
  private window: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.window.buffer);
  private windowStart = 0;

  constructor(
    private readonly source: PickleSource,
    public pos: number,
  ) {}

  /** Whether the source ends at `pos`. */
  get atEnd(): boolean {
    return this.pos >= this.source.size;
  }

  /** Makes the window hold `[pos, pos + n)` and returns where `pos` is in it. */
  private need(n: number): number {
    if (n > this.source.size - this.pos) throw new UnpicklingError('pickle data was truncated');
    if (this.pos + n > this.windowStart + this.window.length) {
      const length = Math.min(Math.max(n, WINDOW), this.source.size - this.pos);
      this.window = this.source.read(this.pos, length);
      this.view = new DataView(this.window.buffer, this.window.byteOffset, this.window.byteLength);
      this.windowStart = this.pos;
    }
    const at = this.pos - this.windowStart;
    this.pos += n;
    return at;
  }

  // `need` may move the window, so it runs before the window or its view is read.
  u8 = (): number => {
    const at = this.need(1);
    return this.window[at];
  };
  private at(n: number): [DataView, number] {
    const at = this.need(n);
    return [this.view, at];
  }
  u16 = (): number => {
    const [v, at] = this.at(2);
    return v.getUint16(at, true);
  };
  u32 = (): number => {
    const [v, at] = this.at(4);
    return v.getUint32(at, true);
  };
  i32 = (): number => {
    const [v, at] = this.at(4);
    return v.getInt32(at, true);
  };
  f64be = (): number => {
    const [v, at] = this.at(8);
    return v.getFloat64(at, false);
  };
  u64 = (): bigint => {
    const [v, at] = this.at(8);
    return v.getBigUint64(at, true);
  };
  bytes = (n: number): Uint8Array => {
    const at = this.need(n);
    return this.window.subarray(at, at + n);
  };

  /** A pickled string of `n` bytes, decoded as Python decodes it. */
  utf8(n: number): string {
    return decodePythonUtf8(this.bytes(n));
  }

  /** A newline-terminated argument (GLOBAL's module and name). */
  line(): string {
    for (let length = 64; ; length *= 2) {
      const available = Math.min(length, this.source.size - this.pos);
      const start = this.pos;
      const chunk = this.bytes(available);
      const end = chunk.indexOf(0x0a);
      if (end >= 0) {
        this.pos = start + end + 1;
        return decodePythonUtf8(chunk.subarray(0, end));
      }
      this.pos = start;
      if (available < length) throw new UnpicklingError('pickle data was truncated');
    }
  }
}

/** Python's `decode_long`: a little-endian two's-complement integer of any length. */
function decodeLong(bytes: Uint8Array): number | bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  if (bytes.length > 0 && bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return Number.isSafeInteger(Number(value)) ? Number(value) : value;
}

function asKey(v: PyValue): PyKey {
  if (v === null || typeof v !== 'object') return v;
  throw new UnpicklingError(`unsupported dict key of type ${typeName(v)}`);
}

/**
 * Runs the pickle program in `data` and returns the object it builds.
 * @see https://docs.python.org/3/library/pickle.html#pickle.Unpickler
 *
 * @throws EOFError when the data ends where an opcode should start, as Python's does.
 * @throws UnpicklingError when the data is malformed or truncated, uses an opcode outside the
 * plain-data set, names a global that is not in `options.globals`, or calls or builds something
 * that does not allow it.
 */
export function unpickle(data: Uint8Array, options: UnpickleOptions): PyValue {
  return unpickleAt(arraySource(data), 0, options).value;
}

/**
 * Runs the pickle that starts at byte `offset` of `source` and returns the object it builds and
 * the offset just past its STOP, where a stream of several pickles (the legacy torch.save
 * format) continues. Only the bytes the pickle spans are read, a window at a time.
 *
 * @throws EOFError when the source ends where an opcode should start (Python's `Ran out of
 * input`), and otherwise as {@link unpickle}.
 */
export function unpickleAt(source: PickleSource, offset: number, options: UnpickleOptions): { value: PyValue; end: number } {
  const allowed = new Map(options.globals.map((g) => [g.qualname, g]));
  const r = new Reader(source, offset);
  const memo = new Map<number, PyValue>();
  const marks: PyValue[][] = [];
  let stack: PyValue[] = [];

  const pop = (): PyValue => {
    if (stack.length === 0) throw new UnpicklingError('unpickling stack underflow');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) throw new UnpicklingError('unpickling stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): PyValue[] => {
    const items = stack;
    const outer = marks.pop();
    if (outer === undefined) throw new UnpicklingError('could not find MARK');
    stack = outer;
    return items;
  };
  const resolve = (module: string, name: string): PyGlobal => {
    const g = allowed.get(`${module}.${name}`);
    if (g === undefined) {
      throw new UnpicklingError(`Unsupported global in pickle: ${module}.${name} (only allowlisted globals are resolved; nothing in the file is imported or run)`);
    }
    return g;
  };
  const memoGet = (i: number): PyValue => {
    if (!memo.has(i)) throw new UnpicklingError(`Memo value not found at index ${i}`);
    return memo.get(i) as PyValue;
  };
  const list = (v: PyValue, op: string): PyValue[] => {
    if (!Array.isArray(v) || isTuple(v)) throw new UnpicklingError(`${op} needs a list, got ${typeName(v)}`);
    return v;
  };
  const dict = (v: PyValue, op: string): PyDict => {
    if (!(v instanceof PyDict)) throw new UnpicklingError(`${op} needs a dict, got ${typeName(v)}`);
    return v;
  };

  for (;;) {
    const at = r.pos;
    // Python's unpickler: no byte where an opcode should be is EOFError, a short argument is truncation.
    if (r.atEnd) throw new EOFError('Ran out of input');
    const op = r.u8();
    switch (op) {
      case Op.PROTO: {
        const protocol = r.u8();
        if (protocol > HIGHEST_PROTOCOL) throw new UnpicklingError(`unsupported pickle protocol: ${protocol}`);
        break;
      }
      case Op.FRAME:
        r.u64(); // a length hint for buffered readers; this one pulls bytes as it needs them
        break;
      case Op.STOP:
        return { value: pop(), end: r.pos };
      case Op.MARK:
        marks.push(stack);
        stack = [];
        break;
      case Op.NONE:
        stack.push(null);
        break;
      case Op.NEWTRUE:
        stack.push(true);
        break;
      case Op.NEWFALSE:
        stack.push(false);
        break;
      case Op.BININT:
        stack.push(r.i32());
        break;
      case Op.BININT1:
        stack.push(r.u8());
        break;
      case Op.BININT2:
        stack.push(r.u16());
        break;
      case Op.LONG1:
        stack.push(decodeLong(r.bytes(r.u8())));
        break;
      case Op.BINFLOAT:
        stack.push(r.f64be());
        break;
      case Op.BINUNICODE:
        stack.push(r.utf8(r.u32()));
        break;
      case Op.SHORT_BINUNICODE:
        stack.push(r.utf8(r.u8()));
        break;
      case Op.EMPTY_TUPLE:
        stack.push(tuple([]));
        break;
      case Op.TUPLE: {
        const items = popMark(); // before naming `stack`, which popMark reassigns
        stack.push(tuple(items));
        break;
      }
      case Op.TUPLE1:
      case Op.TUPLE2:
      case Op.TUPLE3: {
        const n = op - Op.TUPLE1 + 1;
        if (stack.length < n) throw new UnpicklingError('unpickling stack underflow');
        stack.push(tuple(stack.splice(stack.length - n, n)));
        break;
      }
      case Op.EMPTY_LIST:
        stack.push([]);
        break;
      case Op.APPEND: {
        const item = pop();
        list(top(), 'APPEND').push(item);
        break;
      }
      case Op.APPENDS: {
        const items = popMark();
        list(top(), 'APPENDS').push(...items);
        break;
      }
      case Op.EMPTY_DICT:
        stack.push(new PyDict());
        break;
      case Op.SETITEM: {
        const value = pop();
        const key = asKey(pop());
        dict(top(), 'SETITEM').items.set(key, value);
        break;
      }
      case Op.SETITEMS: {
        const items = popMark();
        if (items.length % 2 !== 0) throw new UnpicklingError('odd number of items for SETITEMS');
        const d = dict(top(), 'SETITEMS');
        for (let i = 0; i < items.length; i += 2) d.items.set(asKey(items[i]), items[i + 1]);
        break;
      }
      case Op.BINPUT:
        memo.set(r.u8(), top());
        break;
      case Op.LONG_BINPUT:
        memo.set(r.u32(), top());
        break;
      case Op.MEMOIZE:
        memo.set(memo.size, top());
        break;
      case Op.BINGET:
        stack.push(memoGet(r.u8()));
        break;
      case Op.LONG_BINGET:
        stack.push(memoGet(r.u32()));
        break;
      case Op.GLOBAL: {
        const module = r.line();
        stack.push(resolve(module, r.line()));
        break;
      }
      case Op.STACK_GLOBAL: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new UnpicklingError('STACK_GLOBAL requires str');
        stack.push(resolve(module, name));
        break;
      }
      case Op.REDUCE: {
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyGlobal) || fn.call === undefined) throw new UnpicklingError(`${typeName(fn)} is not an allowed callable`);
        if (!isTuple(args)) throw new UnpicklingError(`REDUCE arguments must be a tuple, got ${typeName(args)}`);
        stack.push(fn.call(args));
        break;
      }
      case Op.BUILD: {
        const state = pop();
        const target = top();
        if (!(target instanceof PyObject)) throw new UnpicklingError(`BUILD is not supported on ${typeName(target)} objects`);
        target.setState(state);
        break;
      }
      case Op.BINPERSID:
        stack.push(options.persistentLoad(pop()));
        break;
      default:
        throw new UnpicklingError(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at}`);
    }
  }
}
