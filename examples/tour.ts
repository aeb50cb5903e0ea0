/**
 * `npm start`: the article end to end. Every section's snippet in order, printing what the
 * Python prints, then what depthwise-separable convolution saves, then the backend and the time.
 *
 *   npm start                     # as the article: unseeded
 *   npm start -- --seed 0         # torch.manual_seed(0) first: the same numbers as PyTorch's run
 *   npm start -- --backend cpu    # tensorflow | wasm | cpu (default: the fastest available)
 */
import { parseArgs } from 'util';
import { nn, summary, torch, type ModelStatistics } from '../src';
import * as standard from './01-standard';
import * as group from './02-group';
import * as pointwise from './03-pointwise';
import * as depthwise from './04-depthwise';
import * as separable from './05-separable';
import * as block from './06-block';

const sections: [string, () => void][] = [
  ['1. Standard convolution', standard.run],
  ['2. Group convolution', group.run],
  ['3. Pointwise convolution', pointwise.run],
  ['4. Depthwise convolution', depthwise.run],
  ['5. Depthwise-separable convolution', separable.run],
  ['5.4 The Depth_Wise_Conv block', block.run],
];

/**
 * The article's comparison: a standard k×k convolution against depthwise k×k + pointwise 1×1,
 * counted by `summary()`. Its multiply-adds add a bias term per output element; the article
 * counts the weights' multiply-adds only, so the table takes each layer's weight term.
 */
function costTable(): string[] {
  const weightMultAddsPerSample = (s: ModelStatistics) =>
    s.summary_list.reduce((n, layer) => n + (layer.is_leaf_layer ? (layer.macs_by_param.weight ?? 0) : 0), 0) / s.input_size[0][0];
  const rows = [5, 3].map((k) => {
    const make = (layers: nn.Module[]) => new nn.Sequential(...layers);
    const std = make([new nn.Conv2d({ in_channels: 3, out_channels: 256, kernel_size: [k, k] })]);
    const sep = make([
      new nn.Conv2d({ in_channels: 3, out_channels: 3, kernel_size: [k, k], groups: 3 }),
      new nn.Conv2d({ in_channels: 3, out_channels: 256, kernel_size: [1, 1] }),
    ]);
    const [a, b] = [summary(std, [1, 3, 12, 12]), summary(sep, [1, 3, 12, 12])];
    std.dispose();
    sep.dispose();
    const [macsA, macsB] = [weightMultAddsPerSample(a), weightMultAddsPerSample(b)];
    return [`${k}×${k}, 3→256 on 12×12`, a.total_params, b.total_params, macsA, macsB, macsB / macsA, 1 / 256 + 1 / (k * k)];
  });
  const header = ['', 'params std', 'params sep', 'mult-adds std', 'mult-adds sep', 'ratio', '1/N + 1/K²'];
  const cells = [header, ...rows.map((r) => r.map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, backend: { type: 'string' } } });
  const started = performance.now();
  if (values.backend) await torch.set_backend(values.backend as torch.BackendName);
  else await torch.ready();
  if (values.seed !== undefined) torch.manual_seed(BigInt(values.seed));

  for (const [title, run] of sections) {
    console.log(`\n# ${title}`);
    run();
  }
  console.log('\n# What depthwise-separable convolution costs (multiply-adds per sample)');
  costTable().forEach((line) => console.log(line));
  console.log(`\nbackend: ${torch.get_backend()}`);
  console.log(`tour took ${(performance.now() - started).toFixed(0)} ms`);
}

main();
