import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { unzipSync } from 'fflate';
import { nn, torch } from '../src';

const entries = (file: string) => Object.keys(unzipSync(fs.readFileSync(file)));

describe('torch.save writes PyTorch 1.13\'s zip format', () => {
  beforeAll(() => torch.set_backend('cpu'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-save-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lays out the archive as torch.save does: records under the file stem, the same names as a PyTorch file', () => {
    torch.manual_seed(0);
    const conv = new nn.Conv2d(3, 4, 3);
    const file = path.join(dir, 'conv2d.pt');
    torch.save(conv.state_dict(), file);
    // test/fixtures/weights/conv2d.pt is torch.save(nn.Conv2d(...).state_dict(), 'conv2d.pt') from PyTorch 1.13.
    expect(entries(file)).toEqual(entries(path.join(__dirname, 'fixtures', 'weights', 'conv2d.pt')));
  });

  it('puts every record\'s data on a 64-byte boundary, as PyTorch\'s writer does', () => {
    const file = path.join(dir, 'aligned.pt');
    torch.save({ a: torch.ones(3), b: torch.zeros(2, 2) }, file);
    const bytes = fs.readFileSync(file);
    for (let at = 0; bytes.readUInt32LE(at) === 0x04034b50;) {
      const size = bytes.readUInt32LE(at + 18);
      const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
      expect(start % 64).toBe(0);
      at = start + size;
    }
  });

  it('a model\'s state_dict round-trips through torch.load', () => {
    torch.manual_seed(0);
    const model = new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.BatchNorm2d(3));
    const file = path.join(dir, 'model.pt');
    torch.save(model.state_dict(), file);
    const loaded = torch.load(file);
    const sd = model.state_dict();
    expect(Object.keys(loaded)).toEqual(Object.keys(sd));
    for (const [k, v] of Object.entries(sd)) {
      expect(loaded[k].dtype).toBe(v.dtype);
      expect(Array.from(loaded[k].dataSync())).toEqual(Array.from(v.dataSync()));
    }
  });
});
