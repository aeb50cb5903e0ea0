import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { memory, tensor as tfTensor, type Tensor } from '@tensorflow/tfjs-core';
import { nn, safetensors, torch, UnpicklingError } from '../src';
import { isTuple, PyDict, unpickle, type PyValue } from '../src/io/pickle';
import { BACKENDS, expectClose, tensorFrom, thrown } from './helpers';

/** Fixtures written by test/fixtures/gen_weights.py with PyTorch 1.13; see its docstring. */
const dir = path.join(__dirname, 'fixtures', 'weights');
const fixture = (name: string): string => path.join(dir, name);

interface Entry {
  key: string;
  dtype: string;
  tfjs_dtype: string;
  shape: number[];
  /** Floats as float32 numbers, non-finite ones as "NaN" / "Infinity" / "-Infinity"; ints exact. */
  values: (number | string)[];
}
interface ModuleCase {
  class: string;
  repr: string;
  input_shape: number[];
  input: number[];
  output_shape: number[];
  output: number[];
}
const expected = JSON.parse(fs.readFileSync(fixture('expected.json'), 'utf8')) as {
  pt: Record<string, { entries: Entry[] }>;
  modules: Record<string, ModuleCase>;
  safetensors: Record<string, { metadata: Record<string, string> | null; entries: Entry[] }>;
  pickles: { value: unknown; b64: Record<string, string> };
  refused_pickles: { id: string; b64: string }[];
};

const values = (e: Entry): number[] => e.values.map(Number);

/** Keys in order, then each tensor's dtype, shape and every value, exactly. */
function expectEntries(stateDict: Record<string, Tensor>, entries: readonly Entry[]): void {
  expect(Object.keys(stateDict)).toEqual(entries.map((e) => e.key));
  for (const e of entries) {
    const t = stateDict[e.key];
    expect({ key: e.key, dtype: t.dtype, shape: t.shape }).toEqual({ key: e.key, dtype: e.tfjs_dtype, shape: e.shape });
    expect({ key: e.key, values: Array.from(t.dataSync()) }).toEqual({ key: e.key, values: values(e) });
  }
}

const disposeAll = (sd: Record<string, Tensor>): void => Object.values(sd).forEach((t) => t.dispose());

/** Rust's (and so Python safetensors') `keys()` order: by UTF-8 bytes. */
const byUtf8 = (a: Entry, b: Entry): number => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));

/** Every bad file, the error class and our exact message. */
const BAD_PT: [string, string, string][] = [
  ['bad_os_system.pt', 'UnpicklingError', 'Unsupported global in pickle: os.system (only allowlisted globals are resolved; nothing in the file is imported or run)'],
  ['bad_stack_global.pt', 'UnpicklingError', 'Unsupported global in pickle: builtins.eval (only allowlisted globals are resolved; nothing in the file is imported or run)'],
  ['bad_call_storage.pt', 'UnpicklingError', 'torch.FloatStorage is not an allowed callable'],
  ['bad_truncated.pt', 'RuntimeError', 'PytorchStreamReader failed reading zip archive: invalid zip data (the file is truncated or corrupt)'],
  ['bad_not_zip.pt', 'RuntimeError', 'PytorchStreamReader failed reading zip archive: not a zip archive (torch.save has written zip archives since PyTorch 1.6)'],
  ['bad_no_data_pkl.pt', 'RuntimeError', 'PytorchStreamReader failed locating file data.pkl: file not found'],
  ['bad_missing_storage.pt', 'RuntimeError', 'PytorchStreamReader failed locating file data/1: file not found'],
  ['bad_storage_size.pt', 'RuntimeError', 'storage data/0 holds 428 bytes, but 108 float32 elements need 432'],
  ['bad_big_endian.pt', 'RuntimeError', 'this checkpoint was saved big-endian; only little-endian checkpoints are supported'],
  [
    'bad_complex.pt',
    'RuntimeError',
    'unsupported storage dtype torch.ComplexFloatStorage (storage 0): tfjs-torch loads float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8, bool tensors',
  ],
  ['bad_storage_type.pt', 'RuntimeError', 'unknown storage dtype: storage 0 names collections.OrderedDict, which is not a storage type'],
  ['bad_int64_range.pt', 'RuntimeError', "tensor 'big': int64 value 1099511627776 (element 1) does not fit in int32, the widest integer type tfjs has"],
  [
    'bad_view_bounds.pt',
    'RuntimeError',
    'setStorage: sizes [3], strides [1], storage offset 2, and itemsize 4 requiring a storage size of 20 are out of bounds for storage of size 16',
  ],
  ['bad_root_list.pt', 'RuntimeError', 'expected a state_dict (a dict of tensors), but the file holds a list'],
  ['bad_int_key.pt', 'RuntimeError', 'state_dict keys must be str, got int'],
  ['bad_size_arg.pt', 'UnpicklingError', 'size must be a tuple of non-negative ints, got (-1,)'],
  ['bad_pid.pt', 'UnpicklingError', "persistent id must be ('storage', storage_type, key, location, numel), got a tuple of 4"],
  [
    'bad_nested.pt',
    'RuntimeError',
    "entry 'model' is a collections.OrderedDict, not a tensor: torch.load reads files holding one state_dict, as torch.save(model.state_dict(), path) writes them",
  ],
];

const HEADER = 'Error while deserializing header: ';
const BAD_SAFETENSORS: [string, string, string][] = [
  ['bad_too_small.safetensors', 'SafetensorError', `${HEADER}HeaderTooSmall: the file has 3 bytes, fewer than the 8-byte header length`],
  ['bad_header_length.safetensors', 'SafetensorError', `${HEADER}InvalidHeaderLength: the header length 1000 runs past the end of the file (66 bytes)`],
  ['bad_header_too_large.safetensors', 'SafetensorError', `${HEADER}HeaderTooLarge: the header length 1099511627776 exceeds 100000000 bytes`],
  ['bad_utf8.safetensors', 'SafetensorError', `${HEADER}InvalidHeader: the header is not valid UTF-8`],
  [
    'bad_json.safetensors',
    'SafetensorError',
    `${HEADER}InvalidHeaderDeserialization: the header is not valid JSON (Expected ':' after property name in JSON at position 16)`,
  ],
  ['bad_not_object.safetensors', 'SafetensorError', `${HEADER}InvalidHeaderDeserialization: the header is not a JSON object`],
  [
    'bad_dtype.safetensors',
    'SafetensorError',
    `${HEADER}InvalidHeaderDeserialization: tensor 'a' has unsupported dtype 'Q4' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)`,
  ],
  ['bad_shape.safetensors', 'SafetensorError', `${HEADER}InvalidHeaderDeserialization: tensor 'a' needs a shape of non-negative integers`],
  ['bad_metadata.safetensors', 'SafetensorError', `${HEADER}InvalidHeaderDeserialization: __metadata__ must map strings to strings`],
  [
    'bad_offsets_overlap.safetensors',
    'SafetensorError',
    `${HEADER}InvalidOffset: tensor 'b' has data_offsets [4, 12], but its data must start at byte 8 of the data section`,
  ],
  [
    'bad_offsets_gap.safetensors',
    'SafetensorError',
    `${HEADER}InvalidOffset: tensor 'b' has data_offsets [12, 20], but its data must start at byte 8 of the data section`,
  ],
  [
    'bad_offsets_range.safetensors',
    'SafetensorError',
    `${HEADER}MetadataIncompleteBuffer: the tensors cover 400 bytes of data, but the file has 8 after the header`,
  ],
  [
    'bad_size.safetensors',
    'SafetensorError',
    `${HEADER}TensorInvalidInfo: tensor 'a' of shape [2, 3] needs 24 bytes of float32, but data_offsets [0, 20] hold 20`,
  ],
  ['bad_trailing.safetensors', 'SafetensorError', `${HEADER}MetadataIncompleteBuffer: the tensors cover 4 bytes of data, but the file has 8 after the header`],
  ['bad_int64_range.safetensors', 'RuntimeError', "tensor 'big': int64 value 1099511627776 (element 0) does not fit in int32, the widest integer type tfjs has"],
];

describe.each(BACKENDS)('torch.load on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(Object.keys(expected.pt))('%s: keys in order, dtypes, shapes and values are PyTorch’s', (name) => {
    const before = memory().numTensors;
    const sd = torch.load(fixture(name));
    expectEntries(sd, expected.pt[name].entries);
    disposeAll(sd);
    expect(memory().numTensors).toBe(before);
  });

  it('reads the same file from its bytes, even at an offset inside a larger buffer', () => {
    const file = fs.readFileSync(fixture('views.pt'));
    const padded = new Uint8Array(file.length + 5);
    padded.set(file, 5);
    const sd = torch.load(padded.subarray(5));
    expectEntries(sd, expected.pt['views.pt'].entries);
    disposeAll(sd);
  });

  it('a Conv2d state_dict loads into nn.Conv2d and its forward matches PyTorch', () => {
    const c = expected.modules['conv2d.pt'];
    const m = new nn.Conv2d(3, 4, 3, { padding: 1 });
    const sd = torch.load(fixture('conv2d.pt'));
    expect(String(m.load_state_dict(sd))).toBe('<All keys matched successfully>');
    disposeAll(sd);
    expect(String(m)).toBe(c.repr);
    const x = tensorFrom(c.input, c.input_shape);
    const y = m(x);
    expectClose(y, c.output_shape, c.output);
    [x, y].forEach((t) => t.dispose());
    m.dispose();
  });

  it.each(BAD_PT)('%s is refused with %s and leaves no tensor behind', (name, type, message) => {
    const before = memory().numTensors;
    expect(thrown(() => torch.load(fixture(name)))).toEqual({ type, message });
    expect(memory().numTensors).toBe(before);
  });

  it('the refusals are the exported error classes', () => {
    expect(() => torch.load(fixture('bad_os_system.pt'))).toThrow(UnpicklingError);
  });
});

describe.each(BACKENDS)('safetensors on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-torch-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(Object.keys(expected.safetensors))('%s: keys sorted as Python lists them, dtypes, shapes, values and metadata', (name) => {
    const e = expected.safetensors[name];
    const before = memory().numTensors;
    const sd = safetensors.load_file(fixture(name));
    expectEntries(sd, [...e.entries].sort(byUtf8));
    disposeAll(sd);
    expect(memory().numTensors).toBe(before);
    const f = safetensors.safe_open(fixture(name));
    expect(f.metadata()).toEqual(e.metadata);
    expect(f.keys()).toEqual([...e.entries].sort(byUtf8).map((x) => x.key));
  });

  it('a Conv2d state_dict written to the specification from Python loads into nn.Conv2d and its forward matches PyTorch', () => {
    const c = expected.modules['conv2d.pt'];
    const m = new nn.Conv2d(3, 4, 3, { padding: 1 });
    const sd = safetensors.load_file(fixture('conv2d.safetensors'));
    expect(String(m.load_state_dict(sd))).toBe('<All keys matched successfully>');
    disposeAll(sd);
    const x = tensorFrom(c.input, c.input_shape);
    const y = m(x);
    expectClose(y, c.output_shape, c.output);
    [x, y].forEach((t) => t.dispose());
    m.dispose();
  });

  it('reads bytes that sit at an offset inside a larger buffer', () => {
    const file = fs.readFileSync(fixture('all_dtypes.safetensors'));
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    const sd = safetensors.load(padded.subarray(3));
    expectEntries(sd, [...expected.safetensors['all_dtypes.safetensors'].entries].sort(byUtf8));
    disposeAll(sd);
  });

  it('get_tensor reads one tensor and names a missing one', () => {
    const f = safetensors.safe_open(fixture('all_dtypes.safetensors'));
    const t = f.get_tensor('bf16');
    expect(Array.from(t.dataSync())).toEqual(values(expected.safetensors['all_dtypes.safetensors'].entries.find((x) => x.key === 'bf16') as Entry));
    t.dispose();
    expect(thrown(() => f.get_tensor('nope'))).toEqual({ type: 'SafetensorError', message: 'File does not contain tensor nope' });
  });

  it.each(['conv2d.safetensors', 'mixed.safetensors'])('save writes %s byte for byte as the specification lays it out', (name) => {
    const file = fs.readFileSync(fixture(name));
    const sd = safetensors.load_file(fixture(name));
    const metadata = expected.safetensors[name].metadata ?? undefined;
    // Insertion order must not matter: the writer sorts by dtype alignment, then name.
    const reversed = Object.fromEntries(Object.entries(sd).reverse());
    expect(Buffer.from(safetensors.save(reversed, metadata)).equals(file)).toBe(true);
    disposeAll(sd);
  });

  it('save_file then load_file round-trips every tensor and the metadata exactly', () => {
    const file = path.join(tmp, 'roundtrip.safetensors');
    const sd = safetensors.load_file(fixture('all_dtypes.safetensors'));
    const metadata = { format: 'pt', 'ünï': 'line\nbreak "q"', '0': 'zero' };
    safetensors.save_file(sd, file, metadata);
    const back = safetensors.load_file(file);
    expect(Object.keys(back)).toEqual(Object.keys(sd));
    for (const [k, t] of Object.entries(sd)) {
      expect({ k, dtype: back[k].dtype, shape: back[k].shape, values: Array.from(back[k].dataSync()) }).toEqual({
        k,
        dtype: t.dtype,
        shape: t.shape,
        values: Array.from(t.dataSync()),
      });
    }
    expect(safetensors.safe_open(file).metadata()).toEqual(metadata);
    [sd, back].forEach(disposeAll);
  });

  it('a module state_dict saved with save_file loads back into the module', () => {
    const file = path.join(tmp, 'conv.safetensors');
    const sd = torch.load(fixture('conv2d.pt'));
    const a = new nn.Conv2d(3, 4, 3, { padding: 1 });
    a.load_state_dict(sd);
    safetensors.save_file(a.state_dict(), file);
    const b = new nn.Conv2d(3, 4, 3, { padding: 1 });
    const back = safetensors.load_file(file);
    b.load_state_dict(back);
    expect(Array.from(b.weight.dataSync())).toEqual(Array.from(sd.weight.dataSync()));
    [sd, back].forEach(disposeAll);
    [a, b].forEach((m) => m.dispose());
  });

  it.each(BAD_SAFETENSORS)('%s is refused with %s and leaves no tensor behind', (name, type, message) => {
    const before = memory().numTensors;
    expect(thrown(() => safetensors.load_file(fixture(name)))).toEqual({ type, message });
    expect(memory().numTensors).toBe(before);
  });

  it('save refuses what the format cannot hold', () => {
    const x = torch.ones(2);
    const s = tfTensor(['a']);
    expect(thrown(() => safetensors.save({ __metadata__: x }))).toEqual({ type: 'ValueError', message: "'__metadata__' is reserved for the metadata and cannot name a tensor" });
    expect(thrown(() => safetensors.save({ s }))).toEqual({ type: 'ValueError', message: "cannot save tensor 's' of dtype string: safetensors files here hold float32, int32 and bool" });
    expect(thrown(() => safetensors.save({ x }, { n: 1 as unknown as string }))).toEqual({ type: 'TypeError', message: "metadata values must be strings, but 'n' is number" });
    [x, s].forEach((t) => t.dispose());
  });
});

/** A PyValue in the generator's tagged JSON form, so tuples, lists, ints and dicts stay distinct. */
function tagged(v: PyValue): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return { int: String(v) };
  if (typeof v === 'number') return v;
  if (v instanceof PyDict) return { dict: [...v.items].map(([k, x]) => [tagged(k), tagged(x)]) };
  if (isTuple(v)) return { tuple: v.map(tagged) };
  if (Array.isArray(v)) return { list: v.map(tagged) };
  throw new Error(`unexpected ${String(v)}`);
}

const noPersistentIds = { globals: [], persistentLoad: () => { throw new Error('no persistent ids here'); } };

describe('unpickle', () => {
  it.each(Object.keys(expected.pickles.b64))('reads Python’s %s pickle of plain data as Python does', (protocol) => {
    const value = unpickle(Buffer.from(expected.pickles.b64[protocol], 'base64'), noPersistentIds);
    expect(tagged(value)).toEqual(expected.pickles.value);
  });

  it('keeps shared objects shared, as the memo does', () => {
    const value = unpickle(Buffer.from(expected.pickles.b64.protocol2, 'base64'), noPersistentIds) as PyDict;
    const [a, b] = value.items.get('shared') as PyValue[];
    expect(a).toBe(b);
  });

  const REFUSED: Record<string, [string, string]> = {
    bytes_protocol2: ['UnpicklingError', 'Unsupported global in pickle: _codecs.encode (only allowlisted globals are resolved; nothing in the file is imported or run)'],
    bytes_protocol3: ['UnpicklingError', 'unsupported pickle opcode 0x43 at byte 2'],
    set_protocol4: ['UnpicklingError', 'unsupported pickle opcode 0x8f at byte 11'],
    // Cut where an opcode should start: Python's EOFError (test/load_legacy.test.ts checks every cut).
    truncated: ['EOFError', 'Ran out of input'],
    tuple_key: ['UnpicklingError', 'unsupported dict key of type tuple'],
  };
  it.each(expected.refused_pickles.map((p) => [p.id, p.b64]))('refuses %s', (id, b64) => {
    const [type, message] = REFUSED[id];
    expect(thrown(() => unpickle(Buffer.from(b64, 'base64'), noPersistentIds))).toEqual({ type, message });
  });
});
