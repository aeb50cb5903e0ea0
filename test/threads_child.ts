/**
 * Run by test/threads.test.ts in a child process: starts the wasm backend on the thread count
 * given as argv[2], then prints one JSON line with the count in effect and the outputs of a
 * dense and a grouped convolution of seeded inputs. It must then exit by itself.
 */
import { F, torch } from '../src';

(async () => {
  torch.set_num_threads(Number(process.argv[2]));
  const backend = await torch.ready();
  console.log(JSON.stringify({ backend, threads: torch.get_num_threads(), outputs: convolutions() }));
})();

/** A dense and a grouped convolution of seeded inputs. */
function convolutions(): number[][] {
  torch.manual_seed(0);
  const x = torch.rand(2, 32, 12, 12);
  const dense = torch.rand(48, 32, 3, 3);
  const grouped = torch.rand(64, 4, 3, 3);
  return [F.conv2d(x, dense, null, { padding: 1 }), F.conv2d(x, grouped, null, { stride: 2, groups: 8 })].map((y) => Array.from(y.dataSync()));
}
