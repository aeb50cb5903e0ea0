import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { memory, ones, type Tensor } from '@tensorflow/tfjs-core';
import { F, safetensors, torch } from '../src';
import { decodePythonUtf8 } from '../src/io/pickle';
import { BACKENDS, loadFixture, thrown, memoryBound } from './helpers';

/** What test/fixtures/gen_hostile.py recorded from PyTorch 1.13; see its docstring. */
interface Described {
  key: string;
  dtype: string;
  shape: number[];
  sha256?: string;
  values?: number[];
}
interface Loaded {
  error?: { type: string; message: string };
  entries?: Described[];
  count?: number;
  keys?: string[];
  first?: Described;
  last?: Described;
  python_type?: string;
}
const H = loadFixture<{
  load: Record<string, Loaded>;
  sparse: Loaded & { prefix_b64: string; hole: number; suffix_b64: string };
  declared_sizes: Record<string, number>;
  safetensors: Record<string, { reference: string; values?: number[] }>;
  alloc: { bytes: number; type: string; message: string };
  sizes: { size: number[]; dtype: string; error?: { type: string; message: string } }[];
  utf8: { b64: string; result?: string; error?: { type: string; message: string } }[];
}>('hostile.json');

const file = (name: string): string => path.join(__dirname, 'fixtures', 'hostile', name);
const TFJS_DTYPE: Record<string, string> = { float32: 'float32', float64: 'float32', int64: 'int32', int32: 'int32', bool: 'bool' };

/** The sha256 of a tensor's values as little-endian bytes, as the generator hashed PyTorch's. */
const sha256 = (t: Tensor): string => {
  const v = t.dataSync();
  return createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex');
};

function expectDescribed(t: Tensor, e: Described): void {
  expect({ key: e.key, dtype: t.dtype, shape: t.shape }).toEqual({ key: e.key, dtype: TFJS_DTYPE[e.dtype], shape: e.shape });
  if (e.sha256 !== undefined) expect({ key: e.key, sha256: sha256(t) }).toEqual({ key: e.key, sha256: e.sha256 });
  if (e.values !== undefined) expect({ key: e.key, values: Array.from(t.dataSync()) }).toEqual({ key: e.key, values: e.values });
}

/** The state_dict is PyTorch's: every key in order, and each tensor as the generator described it. */
function expectPyTorchResult(sd: Record<string, Tensor>, expected: Loaded): void {
  if (expected.entries !== undefined) {
    expect(Object.keys(sd)).toEqual(expected.entries.map((e) => e.key));
    expected.entries.forEach((e) => expectDescribed(sd[e.key], e));
  } else {
    expect(Object.keys(sd)).toEqual(expected.keys);
    [expected.first!, expected.last!].forEach((e) => expectDescribed(sd[e.key], e));
  }
}

const disposeAll = (sd: Record<string, Tensor>): void => Object.values(sd).forEach((t) => t.dispose());

/** A small convolution's values: the same after a case as before any, or the backend broke. */
function smallConv(): number[] {
  const x = ones([1, 2, 4, 4]);
  const w = ones([3, 2, 3, 3]);
  const y = F.conv2d(x, w);
  const values = Array.from(y.dataSync());
  [x, w, y].forEach((t) => t.dispose());
  return values;
}

const MAX_RSS = 1.5e9;
const CASE_TIMEOUT = 30_000;

/** Time and memory bounds, a tensor count that does not grow on failure, and a working backend afterwards. */
function bounded(run: () => void, reference: () => number[]): void {
  const before = memory().numTensors;
  const withinMemory = memoryBound(MAX_RSS);
  const start = Date.now();
  run();
  expect(Date.now() - start).toBeLessThan(CASE_TIMEOUT);
  expect(memory().numTensors).toBe(before);
  withinMemory();
  expect(smallConv()).toEqual(reference());
}

const refused = (name: string, options?: torch.LoadOptions) => thrown(() => torch.load(file(name), options));

/**
 * Files PyTorch loads, and so do we, with the same keys and values. Beside each, why it is hostile.
 */
const SAME_AS_PYTORCH: [string, string][] = [
  ['memo_1000.pt', '1000 keys memo-referencing one 4 MiB storage: one tensor, shared'],
  ['whole_views.pt', 'whole-storage views of one storage in several shapes, and a part of it'],
  ['shared_views.pt', 'a storage viewed transposed, reshaped and strided'],
  ['unreferenced_3gib.pt', 'an unreferenced record whose header declares 3 GiB: never read'],
  ['deflate_longer.pt', 'a deflated storage whose stream runs past its declared 8 bytes: read to 8, as PyTorch reads'],
  ['deflated_all.pt', 'every record deflated'],
  ['zip64.pt', 'zip64 headers on every record'],
  ['bom_key.pt', "keys '\\ufeffw' and 'w': two keys, as in Python"],
  ['surrogate_key.pt', "a key with a lone surrogate (Python's surrogatepass)"],
];

/** Files PyTorch refuses; we raise its exact error. */
const PYTORCH_ERRORS: [string, string][] = [
  ['bad_utf8_key.pt', 'a key that is not UTF-8'],
  ['truncated_utf8_key.pt', 'a key ending inside a UTF-8 sequence'],
  ['truncated_string.pt', 'a string whose length runs 4 GiB past the pickle (was "at byte -4294967288")'],
  ['outside_folder.pt', 'a record outside the archive folder'],
  ['first_outside_folder.pt', 'a first record that is in no folder'],
  ['stored_size_mismatch.pt', 'a stored record whose header sizes disagree'],
  ['unsupported_method.pt', 'a storage compressed with a method zip readers here lack'],
  ['deflate_shorter.pt', 'a deflated storage whose stream ends before its declared size'],
];

/** Files PyTorch loads and we refuse, each with our message; the JSON holds what PyTorch made of it. */
const OUR_REFUSALS: [string, string, (e: Loaded) => string][] = [
  [
    'stride0_1e9.pt',
    'a 4-byte storage viewed as size [1e9] with stride [0]: 4 GB of copies',
    (e) => expansion(e.entries![0].shape[0], 1, 'x', e.entries![0].shape, [0], 1),
  ],
  ['views_1000.pt', '1000 distinct views of one 4 MiB storage, each nearly all of it: 4 GB of copies', (e) => {
    const n = e.first!.shape[0];
    return expansion(n * e.count!, 2 ** 20, e.first!.key, [n], [1], 2 ** 20);
  }],
  ['overlap_shared.pt', '100 central entries sharing one deflated record', () => overlap('archive/data/0', 'archive/data/1')],
  ['overlap_inside.pt', "a storage's record inside another record's data", () => overlap('archive/junk', 'archive/data/1')],
  ['dup_data_pkl.pt', 'two data.pkl records (PyTorch 1.13 reads the second here, and the first in other archives)', () => duplicate('archive/data.pkl')],
  ['dup_storage.pt', 'two data/0 records', () => duplicate('archive/data/0')],
  [
    'cesu_pair_key.pt',
    'keys w+U+1F600 written as a surrogate pair in two 3-byte sequences, and as one 4-byte character: two keys in Python, one in JavaScript',
    () => 'a pickled string encodes a surrogate pair as two 3-byte sequences (at byte 1): Python keeps them as two code points, which JavaScript cannot tell from the one character they pair to',
  ],
  [
    'torchscript.pt',
    'torch.jit.save of a scripted Conv2d',
    () => "this is a TorchScript archive (torch.jit.save), which PyTorch's torch.load hands to torch.jit.load; tfjs-torch reads state_dicts only: in Python, save its weights with torch.save(torch.jit.load(path).state_dict(), path)",
  ],
];

/** Files PyTorch refuses too, but later, after allocating what the header claims; ours is the earlier check. */
const EARLIER_REFUSALS: [string, string, string][] = [
  ['storage_size_lie.pt', 'a storage record declaring 3 GiB, inflated to 8 bytes', `storage data/0 holds ${H.declared_sizes['storage_size_lie.pt']} bytes, but 2 float32 elements need 8`],
];

function expansion(total: number, stored: number, key: string, size: number[], stride: number[], storage: number): string {
  return (
    `the tensors in this file would hold ${total} elements, more than max_expansion=2 times the ${stored} elements of the storages they view ` +
    `(tfjs tensors cannot alias a storage, so views are copied; tensor '${key}' has size [${size.join(', ')}] and stride [${stride.join(', ')}] ` +
    `over a storage of ${storage}): pass { max_expansion: Infinity } to torch.load to load it anyway`
  );
}
const overlap = (a: string, b: string): string =>
  `PytorchStreamReader failed reading zip archive: record ${a} overlaps ${b}; no zip writer produces overlapping records, but a zip bomb uses them to inflate the same bytes many times`;
const duplicate = (name: string): string =>
  `PytorchStreamReader failed reading zip archive: two records are named ${name}, and readers differ in which one they use (PyTorch's picks one by its own sort order), so the file is refused`;

describe.each(BACKENDS)('hostile torch.load files on %s', (backend) => {
  let reference: number[];
  beforeAll(async () => {
    await torch.set_backend(backend);
    reference = smallConv();
  });

  it.each(SAME_AS_PYTORCH)('%s (%s) loads as PyTorch loads it', (name) => {
    bounded(() => {
      const sd = torch.load(file(name));
      expectPyTorchResult(sd, H.load[name]);
      disposeAll(sd);
    }, () => reference);
  }, CASE_TIMEOUT);

  it('memo_1000.pt holds one storage’s bytes, not a thousand', () => {
    const before = memory().numBytes;
    const sd = torch.load(file('memo_1000.pt'));
    const first = H.load['memo_1000.pt'].first!;
    expect(memory().numBytes - before).toBeLessThanOrEqual(first.shape[0] * 4 * H.load['memo_1000.pt'].count!);
    // Every key its own tensor object on the same data: disposing one leaves the others usable.
    sd.k0.dispose();
    expect(sha256(sd.k999)).toBe(H.load['memo_1000.pt'].last!.sha256);
    disposeAll(sd);
  });

  it.each(PYTORCH_ERRORS)('%s (%s) raises PyTorch’s error', (name) => {
    bounded(() => expect(refused(name)).toEqual(H.load[name].error), () => reference);
  }, CASE_TIMEOUT);

  it.each(OUR_REFUSALS)('%s (%s) is refused, where PyTorch loads it', (name, _why, message) => {
    const pytorch = H.load[name];
    expect(pytorch.error).toBeUndefined();
    const type = name === 'cesu_pair_key.pt' ? 'UnpicklingError' : 'RuntimeError';
    bounded(() => expect(refused(name)).toEqual({ type, message: message(pytorch) }), () => reference);
  }, CASE_TIMEOUT);

  it.each(EARLIER_REFUSALS)('%s (%s) is refused before anything is read', (name, _why, message) => {
    expect(H.load[name].error).toBeDefined();
    bounded(() => expect(refused(name)).toEqual({ type: 'RuntimeError', message }), () => reference);
  }, CASE_TIMEOUT);

  it('stride0_300k.pt: the default limit refuses 300000 copies of one element; max_expansion: Infinity loads PyTorch’s values', () => {
    const e = H.load['stride0_300k.pt'].entries![0];
    bounded(() => expect(refused('stride0_300k.pt')).toEqual({ type: 'RuntimeError', message: expansion(e.shape[0], 1, 'x', e.shape, [0], 1) }), () => reference);
    bounded(() => {
      const sd = torch.load(file('stride0_300k.pt'), { max_expansion: Infinity });
      expectPyTorchResult(sd, H.load['stride0_300k.pt']);
      disposeAll(sd);
    }, () => reference);
  }, CASE_TIMEOUT);

  it('stride0_2e33.pt with max_expansion: Infinity meets the allocation guard, with PyTorch’s message for that allocation', () => {
    const alloc = H.sizes.find((s) => s.dtype === 'float32' && s.size.length === 1 && s.size[0] === H.load['stride0_2e33.pt'].entries![0].shape[0]);
    bounded(() => expect(refused('stride0_2e33.pt', { max_expansion: Infinity })).toEqual(alloc!.error), () => reference);
  }, CASE_TIMEOUT);

  describe('a 4.5 GiB zip64 file, mostly a hole before the state_dict', () => {
    let tmp: string;
    let big: string;
    beforeAll(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-torch-hostile-'));
      big = path.join(tmp, 'sparse.pt');
      const prefix = Buffer.from(H.sparse.prefix_b64, 'base64');
      const suffix = Buffer.from(H.sparse.suffix_b64, 'base64');
      const fd = fs.openSync(big, 'w');
      fs.writeSync(fd, prefix, 0, prefix.length, 0);
      // Written past the hole, which the file system keeps sparse.
      fs.writeSync(fd, suffix, 0, suffix.length, prefix.length + H.sparse.hole);
      fs.closeSync(fd);
    });
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('loads from its path, reading only the records it needs, as PyTorch does', () => {
      expect(fs.statSync(big).size).toBeGreaterThan(2 ** 32);
      bounded(() => {
        const sd = torch.load(big);
        expectPyTorchResult(sd, H.sparse);
        disposeAll(sd);
      }, () => reference);
    }, CASE_TIMEOUT);
  });
});

describe.each(BACKENDS)('hostile safetensors headers on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));
  const HEADER = 'Error while deserializing header: ';
  const DETAIL: Record<string, string> = {
    'bom_header.safetensors': `the header is not valid JSON (${jsonError('\ufeff{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}')})`,
    'float_shape.safetensors': "tensor 'a' needs a shape of non-negative integers",
    'exponent_shape.safetensors': "tensor 'a' needs a shape of non-negative integers",
    'float_offset.safetensors': "tensor 'a' needs data_offsets [begin, end]",
  };

  it.each(Object.keys(DETAIL))('%s is refused with the reference library’s variant', (name) => {
    const before = memory().numTensors;
    const variant = H.safetensors[name].reference;
    expect(thrown(() => safetensors.load_file(file(name)))).toEqual({ type: 'SafetensorError', message: `${HEADER}${variant}: ${DETAIL[name]}` });
    expect(memory().numTensors).toBe(before);
  });

  it('a float in a field TensorInfo does not declare is ignored, as serde ignores it', () => {
    const sd = safetensors.load_file(file('float_ignored_field.safetensors'));
    expect(H.safetensors['float_ignored_field.safetensors'].reference).toBe('ok');
    expect(Array.from(sd.a.dataSync())).toEqual(H.safetensors['float_ignored_field.safetensors'].values);
    disposeAll(sd);
  });
});

describe.each(BACKENDS)('a safetensors file over 4 GiB, one small tensor and then a hole, on %s', (backend) => {
  let tmp: string;
  let big: string;
  let reference: number[];
  const small = [1.5, -2, 3.25, 4];
  // U8, which loads as int32: 4·(2^32 + 16) bytes, more elements than either backend holds in one tensor.
  const holeLength = 2 ** 32 + 16;
  beforeAll(async () => {
    await torch.set_backend(backend);
    reference = smallConv();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-torch-safetensors-'));
    big = path.join(tmp, 'sparse.safetensors');
    const header = JSON.stringify({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, hole: { dtype: 'U8', shape: [holeLength], data_offsets: [16, 16 + holeLength] } });
    const text = Buffer.from(header.padEnd(Math.ceil(header.length / 8) * 8, ' '));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(text.length));
    const fd = fs.openSync(big, 'w');
    fs.writeSync(fd, Buffer.concat([length, text, Buffer.from(Float32Array.from(small).buffer)]));
    // Extended past the hole, which the file system keeps sparse.
    fs.ftruncateSync(fd, 8 + text.length + 16 + holeLength);
    fs.closeSync(fd);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('safe_open reads the header and only the tensor asked for', () => {
    expect(fs.statSync(big).size).toBeGreaterThan(2 ** 32);
    bounded(() => {
      const f = safetensors.safe_open(big);
      expect(f.keys()).toEqual(['a', 'hole']);
      const a = f.get_tensor('a');
      expect(Array.from(a.dataSync())).toEqual(small);
      a.dispose();
    }, () => reference);
  }, CASE_TIMEOUT);

  it('load_file refuses what the backend cannot hold before reading any tensor, with PyTorch’s message for that allocation', () => {
    const message = H.alloc.message.replace(String(H.alloc.bytes), String(4 * holeLength));
    bounded(() => expect(thrown(() => safetensors.load_file(big))).toEqual({ type: 'RuntimeError', message }), () => reference);
    bounded(() => expect(thrown(() => safetensors.safe_open(big).get_tensor('hole'))).toEqual({ type: 'RuntimeError', message }), () => reference);
  }, CASE_TIMEOUT);
});

/** V8's own message for the text, which the loader quotes. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected invalid JSON');
}

describe('pickled strings decode as Python decodes them', () => {
  it.each(H.utf8.map((c) => [Buffer.from(c.b64, 'base64').toString('hex'), c] as const))('%s', (_hex, c) => {
    const bytes = Buffer.from(c.b64, 'base64');
    if (c.error !== undefined) expect(thrown(() => decodePythonUtf8(bytes))).toEqual(c.error);
    else expect(decodePythonUtf8(bytes)).toBe(c.result);
  });
});
