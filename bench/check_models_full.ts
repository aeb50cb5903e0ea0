/**
 * The TypeScript half of test/fixtures/check_models_full.py (run by hand, not by CI): loads the
 * checkpoint PyTorch saved for one full-size torchvision model into our
 * `torchvision.models.<name>()` on the wasm backend, runs the saved input in eval mode, and prints
 * one JSON line comparing output, repr and state_dict keys with PyTorch's.
 *
 *   npx tsx bench/check_models_full.ts --list                  # our builders, one per line
 *   npx tsx bench/check_models_full.ts NAME DIR [--backend wasm]
 *
 * DIR holds what the Python side wrote: `weights.pt` (the state_dict), `io.pt` (`{"x", "y"}`: the
 * input and PyTorch's eval output) and `meta.json` (`{"repr", "keys"}`). A failure prints
 * `{"error": "<stage>: <message>"}` instead (stage: build, load or forward), and its stack on stderr.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import type { Tensor } from '@tensorflow/tfjs-core';
import { nn, torch, torchvision } from '../src';

let stage = 'build';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { list: { type: 'boolean' }, backend: { type: 'string', default: 'wasm' } }, allowPositionals: true });
  if (values.list) {
    console.log(torchvision.models.list_models().join('\n'));
    return;
  }
  const [name, dir] = positionals;
  await torch.set_backend(values.backend as torch.BackendName);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { repr: string; keys: string[] };

  let t = Date.now();
  const model = torchvision.models.get_model(name) as nn.Module;
  const buildSeconds = (Date.now() - t) / 1000;
  stage = 'load';
  t = Date.now();
  const state = torch.load(path.join(dir, 'weights.pt'));
  model.load_state_dict(state);
  Object.values(state).forEach((v) => v.dispose());
  const loadSeconds = (Date.now() - t) / 1000;

  const io = torch.load(path.join(dir, 'io.pt'));
  model.eval();
  stage = 'forward';
  t = Date.now();
  const y = model(io.x) as Tensor;
  const forwardSeconds = (Date.now() - t) / 1000;
  const ours = y.dataSync();
  const theirs = io.y.dataSync();
  let maxDiff = 0;
  let scale = 0;
  theirs.forEach((v, i) => {
    maxDiff = Math.max(maxDiff, Math.abs(ours[i] - v));
    scale = Math.max(scale, Math.abs(v));
  });
  const keys = Object.keys(model.state_dict());
  console.log(
    JSON.stringify({
      name,
      backend: torch.get_backend(),
      shape_ok: y.shape.join() === io.y.shape.join(),
      max_abs_diff: maxDiff,
      max_abs_output: scale,
      relative: maxDiff / scale,
      repr_ok: String(model) === meta.repr,
      keys_ok: keys.length === meta.keys.length && keys.every((k, i) => k === meta.keys[i]),
      build_s: buildSeconds,
      load_s: loadSeconds,
      forward_s: forwardSeconds,
    }),
  );
  model.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  console.log(JSON.stringify({ error: `${stage}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`.replace(/\s+/g, ' ') }));
  process.exitCode = 1;
});
