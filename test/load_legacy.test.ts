import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { memory, type Tensor } from '@tensorflow/tfjs-core';
import { nn, torch, torchvision } from '../src';
import { unpickle } from '../src/io/pickle';
import { serialize } from '../src/io/torch_save';
import { BACKENDS, expectClose, memoryBound, tensorFrom, thrown } from './helpers';

/** Fixtures written by test/fixtures/gen_legacy.py with PyTorch 1.13; see its docstring. */
const dir = path.join(__dirname, 'fixtures', 'legacy');
const fixture = (name: string): string => path.join(dir, name);

interface Entry {
  key: string;
  tfjs_dtype: string;
  shape: number[];
  values: (number | string)[];
}
interface ModuleCase {
  result?: string;
  error?: string;
  warnings: string[];
  repr: string;
  metadata: [string, Record<string, unknown>][];
  input_shape: number[];
  input: number[];
  output_shape: number[];
  output: number[];
  without_metadata?: string;
  without_metadata_num_batches_tracked?: number;
}
const expected = JSON.parse(fs.readFileSync(fixture('expected.json'), 'utf8')) as {
  pt: Record<string, { entries: Entry[] }>;
  modules: Record<string, ModuleCase>;
  bad: Record<string, string>;
  pickle_truncations: { cut: number; b64: string; error: string }[];
  big: { head_b64: string; tail_b64: string; hole: number; entries: Entry[] };
};

function expectEntries(stateDict: Record<string, Tensor>, entries: readonly Entry[]): void {
  expect(Object.keys(stateDict)).toEqual(entries.map((e) => e.key));
  for (const e of entries) {
    const t = stateDict[e.key];
    expect({ key: e.key, dtype: t.dtype, shape: t.shape, values: Array.from(t.dataSync()) }).toEqual({
      key: e.key,
      dtype: e.tfjs_dtype,
      shape: e.shape,
      values: e.values.map(Number),
    });
  }
}

const disposeAll = (sd: Record<string, Tensor>): void => Object.values(sd).forEach((t) => t.dispose());
const asPython = (e: { type: string; message: string }): string => `${e.type}: ${e.message}`;

/**
 * Bad files whose error differs from PyTorch's: its byte-size message has a format bug
 * (`expected %ld got %ld436432`), and its unknown-key check is a bare `assert`.
 */
const OURS: Record<string, string> = {
  'bad_count.pt': 'RuntimeError: storage has wrong byte size: storage 0 holds 432 bytes, but the file gives it 436',
  'bad_count_huge.pt': 'RuntimeError: storage has wrong byte size: storage 0 holds 432 bytes, but the file gives it 4398046511104',
  'bad_unknown_key.pt': 'RuntimeError: the file lists storage 9 for reading, but no tensor of its pickle names it',
  // PyTorch allocates the declared 4 TiB first (and fails); here the file's size refuses it unread.
  'bad_huge_storage.pt': 'RuntimeError: unexpected EOF, expected 4398046511104 more bytes. The file might be corrupted.',
};

const bnModel = (): nn.Module => new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.BatchNorm2d(4));
const mnasnet = (): nn.Module => new torchvision.models.MNASNet(0.1, { num_classes: 10 });
const MODELS: Record<string, () => nn.Module> = {
  'bn_v1.pt': bnModel,
  'bn_v1_legacy.pt': bnModel,
  'bn_v2_missing.pt': bnModel,
  'mnasnet_v1_legacy.pt': mnasnet,
};

const metadataList = (sd: nn.StateDict): [string, unknown][] => [...(nn.metadataOf(sd) ?? [])];

describe.each(BACKENDS)('legacy torch.save files on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it.each(Object.keys(expected.pt))('%s: keys in order, dtypes, shapes and values are PyTorch’s, from its path and from its bytes', (name) => {
    const before = memory().numTensors;
    for (const f of [fixture(name), new Uint8Array(fs.readFileSync(fixture(name)))]) {
      const sd = torch.load(f);
      expectEntries(sd, expected.pt[name].entries);
      disposeAll(sd);
    }
    expect(memory().numTensors).toBe(before);
  });

  it('a state_dict saved legacy carries its _metadata, not as an entry', () => {
    const sd = torch.load(fixture('conv_legacy.pt'));
    expect(metadataList(sd)).toEqual([['', { version: 1 }]]);
    expect(Object.keys(sd)).toEqual(['weight', 'bias']);
    disposeAll(sd);
  });

  it.each(Object.keys(expected.bad))('%s is refused with PyTorch’s error and leaves no tensor behind', (name) => {
    const before = memory().numTensors;
    expect(asPython(thrown(() => torch.load(fixture(name))))).toBe(OURS[name] ?? expected.bad[name]);
    expect(asPython(thrown(() => torch.load(new Uint8Array(fs.readFileSync(fixture(name))))))).toBe(OURS[name] ?? expected.bad[name]);
    expect(memory().numTensors).toBe(before);
  });

  it.each(Object.keys(MODELS))('%s loads into a fresh model as PyTorch loads it: result, warnings, repr, metadata, eval output', (name) => {
    const c = expected.modules[name];
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const model = MODELS[name]();
    const sd = torch.load(fixture(name));
    const before = memory().numTensors;
    try {
      if (c.error !== undefined) {
        expect(asPython(thrown(() => model.load_state_dict(sd)))).toBe(c.error);
        expect(memory().numTensors).toBe(before);
        return;
      }
      expect(String(model.load_state_dict(sd))).toBe(c.result);
      expect(spy.mock.calls.map(([message, type]) => `${String(type)}: ${String(message)}`)).toEqual(c.warnings);
      // What the load added (num_batches_tracked 0) is freed; replaced layers are disposed.
      expect(memory().numTensors).toBeLessThanOrEqual(before);
      expect(String(model)).toBe(c.repr);
      expect(metadataList(model.state_dict())).toEqual(c.metadata);
      model.eval();
      const x = tensorFrom(c.input, c.input_shape);
      const y = model(x) as Tensor;
      expectClose(y, c.output_shape, c.output);
      [x, y].forEach((t) => t.dispose());
    } finally {
      spy.mockRestore();
      disposeAll(sd);
      model.dispose();
    }
  });

  it('BatchNorm2d of a version-1 checkpoint gets num_batches_tracked 0, as PyTorch gives it', () => {
    const model = bnModel();
    const sd = torch.load(fixture('bn_v1_legacy.pt'));
    expect('1.num_batches_tracked' in sd).toBe(false);
    model.load_state_dict(sd);
    expect(Array.from(model.state_dict()['1.num_batches_tracked'].dataSync())).toEqual([0]);
    disposeAll(sd);
    model.dispose();
  });

  it.each(['bn_v1.pt', 'bn_v1_legacy.pt', 'bn_v2_missing.pt'])('%s without its metadata loads as PyTorch loads dict(sd): num_batches_tracked 0', (name) => {
    const c = expected.modules[name];
    const model = bnModel();
    const sd = torch.load(fixture(name));
    const before = memory().numTensors;
    expect(String(model.load_state_dict({ ...sd }))).toBe(c.without_metadata);
    expect(memory().numTensors).toBe(before);
    expect(Array.from(model.state_dict()['1.num_batches_tracked'].dataSync())).toEqual([c.without_metadata_num_batches_tracked]);
    disposeAll(sd);
    model.dispose();
  });

  it('MNASNet refuses a state_dict without metadata with torchvision’s ValueError', () => {
    const model = mnasnet();
    const sd = torch.load(fixture('mnasnet_v1_legacy.pt'));
    expect(asPython(thrown(() => model.load_state_dict({ ...sd })))).toBe(expected.modules['mnasnet_v1_legacy.pt'].without_metadata);
    disposeAll(sd);
    model.dispose();
  });

  it('an MNASNet loaded from version 1 saves as version 1, and the file loads back into a fresh MNASNet', () => {
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const [a, b] = [mnasnet(), mnasnet()];
    const sd = torch.load(fixture('mnasnet_v1_legacy.pt'));
    a.load_state_dict(sd);
    const back = torch.load(serialize(a.state_dict()));
    expect(metadataList(back)).toEqual(expected.modules['mnasnet_v1_legacy.pt'].metadata);
    expect(String(b.load_state_dict(back))).toBe('<All keys matched successfully>');
    expect(String(b)).toBe(expected.modules['mnasnet_v1_legacy.pt'].repr);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
    [sd, back].forEach(disposeAll);
    [a, b].forEach((m) => m.dispose());
  });
});

describe('a legacy file over 4 GiB, mostly a storage no tensor views', () => {
  let tmp: string;
  let big: string;
  beforeAll(() => {
    torch.set_backend('cpu');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-torch-legacy-'));
    big = path.join(tmp, 'big.pt');
    const head = Buffer.from(expected.big.head_b64, 'base64');
    const tail = Buffer.from(expected.big.tail_b64, 'base64');
    const fd = fs.openSync(big, 'w');
    fs.writeSync(fd, head, 0, head.length, 0);
    // Written past the hole, which the file system keeps sparse.
    fs.writeSync(fd, tail, 0, tail.length, head.length + expected.big.hole);
    fs.closeSync(fd);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('loads from its path, reading the tensor past 4 GiB by position and not the storage before it', () => {
    expect(fs.statSync(big).size).toBeGreaterThan(2 ** 32);
    const check = memoryBound(64 * 2 ** 20);
    const sd = torch.load(big);
    check();
    expectEntries(sd, expected.big.entries);
    disposeAll(sd);
  });
});

describe('a pickle cut short', () => {
  const none = { globals: [], persistentLoad: () => null };
  it.each(expected.pickle_truncations.map((c) => [c.cut, c] as const))('after %i bytes raises Python’s error', (_, c) => {
    expect(asPython(thrown(() => unpickle(Buffer.from(c.b64, 'base64'), none)))).toBe(c.error);
  });
});
