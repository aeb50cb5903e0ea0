import { execFileSync } from 'child_process';
import * as path from 'path';
import { loadFixture } from './helpers';

const fixture = loadFixture<{ article: { seed: number; stdout: string; stdout_seed_1: string } }>('article.json');

/** A printed line's numbers, and the line with each number replaced by `#`. */
const numbers = (line: string) => (line.match(/-?\d+\.\d*(?:e[+-]\d+)?/g) ?? []).map(Number);
const skeleton = (line: string) => line.replace(/-?\d+\.\d*(?:e[+-]\d+)?/g, '#');

/**
 * The article's Python, run by PyTorch after `torch.manual_seed(seed)`, against `npm start --
 * --seed seed`: with PyTorch's generator the tour draws the same inputs and weights, so every
 * line the Python printed must appear in the tour's output, in order. Shapes must match exactly;
 * printed tensor values to the tests' tolerance, since float32 sums in another order can move a
 * fifth significant digit. PyTorch's `grad_fn=<ReluBackward0>` suffix is dropped: no autograd here.
 */
describe.each([
  ['0', fixture.article.stdout],
  ['1', fixture.article.stdout_seed_1],
])('npm start -- --seed %s', (seed, pythonStdout) => {
  let tour: string[];
  beforeAll(() => {
    const out = execFileSync('npm', ['start', '--silent', '--', '--seed', seed], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    tour = out.split('\n');
  });

  it('prints every line the article prints, in order', () => {
    const expected = pythonStdout.replace(/,\s*grad_fn=<\w+>\)/g, ')').trimEnd().split('\n');
    let at = 0;
    const matched = expected.map((line) => {
      while (at < tour.length && skeleton(tour[at]) !== skeleton(line)) at++;
      return at < tour.length ? tour[at++] : undefined;
    });
    expect(matched.map((l) => (l === undefined ? undefined : skeleton(l)))).toEqual(expected.map(skeleton));
    const far = expected.flatMap((line, i) =>
      numbers(line).flatMap((e, j) => {
        const got = numbers(matched[i]!)[j];
        return Math.abs(got - e) <= 1e-5 + 1e-4 * Math.abs(e) ? [] : [`line ${i}: ${got} vs ${e}`];
      }),
    );
    expect(far).toEqual([]);
    expect(expected.filter((l) => l.startsWith('torch.Size'))).toEqual(matched.filter((l) => l?.startsWith('torch.Size')));
  });

  it('ends with the cost table, the backend and the time', () => {
    const text = tour.join('\n');
    expect(text).toMatch(/# What depthwise-separable convolution costs/);
    expect(text).toMatch(/\nbackend: (tensorflow|wasm|cpu)\n/);
    expect(text).toMatch(/\ntour took \d+ ms\n/);
  });
});
