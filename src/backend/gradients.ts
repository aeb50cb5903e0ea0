/**
 * The gradient of each tfjs kernel, as ATen's derivatives.yaml defines it for the PyTorch
 * operation the kernel implements, written with kernels every backend has. (tfjs-core's
 * CommonJS build registers none of its own; several of tfjs's call kernels wasm lacks.)
 * Where PyTorch picks a subgradient, so do these: `abs` has 0 at 0, `maximum` splits a tie in
 * half, `amax` shares a gradient evenly among equal maxima, `relu6` is flat at its corners.
 */
import { setGradientTable, type Attrs, type KernelGradient, type NodeInfo } from './autograd';
import { CONCAT_AXIS, SLICE_AXIS } from './kernels/axis';
import { conv2dGradients, depthwiseGradients, type NhwcGeometry } from './conv2d_grad';
import { tf } from './runtime';

type T = tf.Tensor;

const float = (node: NodeInfo, name: string): boolean => node.inputs[name]?.dtype === 'float32';
const shapeOf = (node: NodeInfo, name: string): number[] => node.inputs[name].shape;

/** Sums `g` over the dimensions broadcasting added or stretched, back to `shape`. */
export function unbroadcast(g: T, shape: readonly number[]): T {
  const axes = tf.backend_util.getReductionAxes([...shape], g.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, [...shape]);
}

/**
 * The adjoint of taking `indices` along `axis`: a tensor of length `length` there, each
 * gradient added at the position it was taken from (repeats summed).
 */
export function scatterAxis(g: T, axis: number, indices: T, length: number): T {
  const perm = [...Array(g.rank).keys()];
  [perm[0], perm[axis]] = [perm[axis], perm[0]];
  const front = axis === 0 ? g : tf.transpose(g, perm);
  const out = tf.scatterND(tf.reshape(indices, [-1, 1]), front, [length, ...front.shape.slice(1)]);
  return axis === 0 ? out : tf.transpose(out, perm);
}

const int32 = (values: number[]): T => tf.tensor1d(values, 'int32');
const range = (begin: number, count: number, step = 1): number[] => Array.from({ length: count }, (_, k) => begin + k * step);

/** The axes a reduction kernel reduced (Max and Min name them `reductionIndices`, the others `axis`). */
const reduced = (shape: number[], attrs: Attrs): number[] => tf.util.parseAxisParam(attrs?.axis ?? attrs?.reductionIndices ?? null, shape);

/** `dy` reshaped to the reduced input's rank (kept dimensions), for broadcasting back. */
function keptShape(xShape: number[], attrs: Attrs): number[] {
  const axes = reduced(xShape, attrs);
  return xShape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** What a binary kernel's backward needs: nothing (add, sub), its inputs, or its inputs and output. */
type BinarySaves = 'none' | 'inputs' | 'inputsAndOutput';
const binary = (f: (dy: T, a: T, b: T, y: T) => [T | null, T | null], saves: BinarySaves = 'inputs'): KernelGradient => ({
  save: ({ a, b }, [y]) => (saves === 'none' ? [] : saves === 'inputs' ? [a, b] : [a, b, y]),
  grad: ([dy], [a, b, y], _, node) => {
    const [da, db] = f(dy, a, b, y);
    return {
      a: da !== null && float(node, 'a') ? unbroadcast(da, shapeOf(node, 'a')) : null,
      b: db !== null && float(node, 'b') ? unbroadcast(db, shapeOf(node, 'b')) : null,
    };
  },
});

/** `f(dy, x, y)` for a kernel of one input `x` and output `y`. */
const unary = (f: (dy: T, x: T, y: T) => T, save: 'x' | 'y' | 'both' = 'x'): KernelGradient => ({
  save: ({ x }, [y]) => (save === 'x' ? [x] : save === 'y' ? [y] : [x, y]),
  grad: ([dy], saved) => {
    const [x, y] = save === 'y' ? [null, saved[0]] : [saved[0], saved[1]];
    return { x: f(dy, x as T, y as T) };
  },
});
const zeros = (...names: string[]): KernelGradient => ({
  grad: (_dys, _s, _a, node) => Object.fromEntries(names.map((n) => [n, float(node, n) ? tf.zeros(shapeOf(node, n)) : null])),
});
const ones = (x: T) => tf.onesLike(x);
const where = (c: T, a: T, b: T) => tf.where(c, a, b);
const zerosLike = tf.zerosLike;

/** A concatenation's backward: `dy` cut back into its inputs' extents along `axis`. */
function unconcat(dy: T, node: NodeInfo, axis: number): Record<string, T> {
  const names = Object.keys(node.inputs);
  const parts = tf.split(dy, names.map((n) => shapeOf(node, n)[axis]), axis);
  return Object.fromEntries(names.map((n, i) => [n, parts[i]]));
}

/** Hardtanh's backward: the gradient where `lo < x < hi`, strictly (ATen's hardtanh_backward). */
const between = (dy: T, x: T, lo: number, hi: number) => where(tf.logicalAnd(tf.greater(x, lo), tf.less(x, hi)), dy, zerosLike(dy));

/** `amax`/`amin`: each extreme element gets an equal share of the gradient. */
const extreme: KernelGradient = {
  save: ({ x }, [y]) => [x, y],
  grad: ([dy], [x, y], attrs, node) => {
    const kept = keptShape(shapeOf(node, 'x'), attrs);
    const mask = tf.cast(tf.equal(x, tf.reshape(y, kept)), 'float32');
    const count = tf.sum(mask, reduced(x.shape, attrs), true);
    return { x: tf.mul(tf.div(tf.reshape(dy, kept), count), mask) };
  },
};

const convGeometry = (xShape: number[], filterShape: number[], attrs: Attrs, depthwise: boolean): NhwcGeometry => {
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], attrs!.strides, attrs!.dilations ?? 1, attrs!.pad, attrs!.dimRoundingMode, depthwise, 'channelsLast');
  const p = info.padInfo;
  return { strides: [info.strideHeight, info.strideWidth], dilations: [info.dilationHeight, info.dilationWidth], pads: [p.top, p.bottom, p.left, p.right] };
};

const TABLE: Record<string, KernelGradient> = {
  Identity: { grad: ([dy]) => ({ x: tf.clone(dy) }) },
  Cast: { grad: ([dy], _s, _a, node) => ({ x: float(node, 'x') ? tf.clone(dy) : null }) },
  Reshape: { grad: ([dy], _s, _a, node) => ({ x: tf.reshape(dy, shapeOf(node, 'x')) }) },
  ExpandDims: { grad: ([dy], _s, _a, node) => ({ input: tf.reshape(dy, shapeOf(node, 'input')) }) },
  Squeeze: { grad: ([dy], _s, _a, node) => ({ x: tf.reshape(dy, shapeOf(node, 'x')) }) },
  Transpose: {
    grad: ([dy], _s, attrs) => {
      const perm = attrs!.perm as number[];
      const inverse = perm.map((_, i) => perm.indexOf(i));
      return { x: tf.transpose(dy, inverse) };
    },
  },
  Reverse: { grad: ([dy], _s, attrs) => ({ x: tf.reverse(dy, attrs!.dims) }) },
  BroadcastTo: { grad: ([dy], _s, _a, node) => ({ x: unbroadcast(dy, shapeOf(node, 'x')) }) },
  Tile: {
    grad: ([dy], _s, attrs, node) => {
      const shape = shapeOf(node, 'x');
      const reps = attrs!.reps as number[];
      const split = shape.flatMap((d, i) => [reps[i], d]);
      return { x: tf.sum(tf.reshape(dy, split), range(0, shape.length, 2)) };
    },
  },
  Concat: { grad: ([dy], _s, attrs, node) => unconcat(dy, node, tf.util.parseAxisParam(attrs!.axis, shapeOf(node, Object.keys(node.inputs)[0]))[0]) },
  [CONCAT_AXIS]: { grad: ([dy], _s, attrs, node) => unconcat(dy, node, attrs!.axis) },
  [SLICE_AXIS]: {
    grad: ([dy], _s, attrs, node) => {
      const { axis, begin, size } = attrs!;
      return { x: tf.pad(dy, shapeOf(node, 'x').map((d, i) => (i === axis ? [begin, d - begin - size] : [0, 0]) as [number, number])) };
    },
  },
  SplitV: {
    grad: (dys, _s, attrs, node) => ({ x: tf.concat(dys, tf.util.parseAxisParam(attrs!.axis, shapeOf(node, 'x'))[0]) }),
  },
  Pack: {
    grad: ([dy], _s, attrs, node) => {
      const names = Object.keys(node.inputs);
      const parts = tf.unstack(dy, attrs!.axis);
      return Object.fromEntries(names.map((n, i) => [n, parts[i]]));
    },
  },
  Unpack: { grad: (dys, _s, attrs) => ({ value: tf.stack(dys, attrs!.axis) }) },
  Slice: {
    grad: ([dy], _s, attrs, node) => {
      const shape = shapeOf(node, 'x');
      const [begin, size] = tf.slice_util.parseSliceParams({ shape } as tf.TensorInfo, attrs!.begin, attrs!.size);
      return { x: tf.pad(dy, shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as [number, number])) };
    },
  },
  StridedSlice: {
    grad: ([dy], _s, attrs, node) => {
      const shape = shapeOf(node, 'x');
      const a = attrs!;
      const info = tf.slice_util.sliceInfo(shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
      const picks = shape.map((_, i) => {
        const [b, e, s] = [info.begin[i], info.end[i], info.strides[i]];
        return range(b, Math.max(0, Math.ceil((e - b) / s)), s);
      });
      return { x: picks.reduce((g, idx, axis) => scatterAxis(g, axis, int32(idx), shape[axis]), tf.reshape(dy, picks.map((p) => p.length))) };
    },
  },
  GatherV2: {
    save: ({ indices }) => [indices],
    grad: ([dy], [indices], attrs, node) => {
      const shape = shapeOf(node, 'x');
      const axis = tf.util.parseAxisParam(attrs!.axis, shape)[0];
      if ((attrs!.batchDims ?? 0) !== 0) throw new Error('gather with batch dimensions has no gradient here');
      const flat = tf.reshape(dy, [...shape.slice(0, axis), indices.size, ...shape.slice(axis + 1)]);
      return { x: scatterAxis(flat, axis, tf.reshape(indices, [-1]), shape[axis]), indices: null };
    },
  },
  PadV2: {
    grad: ([dy], _s, attrs, node) => {
      const paddings = attrs!.paddings as [number, number][];
      return { x: tf.slice(dy, paddings.map(([b]) => b), shapeOf(node, 'x')) };
    },
  },
  MirrorPad: {
    grad: ([dy], _s, attrs, node) => {
      const shape = shapeOf(node, 'x');
      const offset = attrs!.mode === 'reflect' ? 0 : 1;
      const paddings = attrs!.paddings as [number, number][];
      return {
        x: paddings.reduce((g, [before, after], axis) => {
          if (before === 0 && after === 0) return g;
          const n = shape[axis];
          const src = range(-before, n + before + after).map((j) => (j < 0 ? -j - offset : j >= n ? 2 * n - j - 2 + offset : j));
          return scatterAxis(g, axis, int32(src), n);
        }, dy),
      };
    },
  },
  Select: {
    save: ({ condition }) => [condition],
    grad: ([dy], [c], _a, node) => ({
      condition: null,
      t: float(node, 't') ? unbroadcast(where(c, dy, zerosLike(dy)), shapeOf(node, 't')) : null,
      e: float(node, 'e') ? unbroadcast(where(c, zerosLike(dy), dy), shapeOf(node, 'e')) : null,
    }),
  },
  Cumsum: { grad: ([dy], _s, attrs) => ({ x: tf.cumsum(dy, attrs!.axis, attrs!.exclusive, !attrs!.reverse) }) },
  AddN: { grad: ([dy], _s, _a, node) => Object.fromEntries(Object.keys(node.inputs).map((n) => [n, tf.clone(dy)])) },

  Add: binary((dy) => [dy, dy], 'none'),
  Sub: binary((dy) => [dy, tf.neg(dy)], 'none'),
  Multiply: binary((dy, a, b) => [tf.mul(dy, b), tf.mul(dy, a)]),
  RealDiv: binary((dy, a, b) => [tf.div(dy, b), tf.mul(tf.neg(dy), tf.div(tf.div(a, b), b))]),
  Maximum: binary((dy, a, b) => {
    const half = tf.div(dy, 2);
    const tie = tf.equal(a, b);
    return [where(tie, half, where(tf.greater(a, b), dy, zerosLike(dy))), where(tie, half, where(tf.less(a, b), dy, zerosLike(dy)))];
  }),
  Minimum: binary((dy, a, b) => {
    const half = tf.div(dy, 2);
    const tie = tf.equal(a, b);
    return [where(tie, half, where(tf.less(a, b), dy, zerosLike(dy))), where(tie, half, where(tf.greater(a, b), dy, zerosLike(dy)))];
  }),
  SquaredDifference: binary((dy, a, b) => {
    const g = tf.mul(dy, tf.mul(tf.scalar(2), tf.sub(a, b)));
    return [g, tf.neg(g)];
  }),
  Pow: binary((dy, a, b, y) => {
    const da = where(tf.equal(b, 0), zerosLike(dy), tf.mul(dy, tf.mul(b, tf.pow(a, tf.sub(b, 1)))));
    const db = tf.mul(dy, where(tf.logicalAnd(tf.equal(a, 0), tf.greaterEqual(b, 0)), zerosLike(y), tf.mul(y, tf.log(a))));
    return [da, db];
  }, 'inputsAndOutput'),
  Atan2: binary((dy, a, b) => {
    const r = tf.add(tf.square(a), tf.square(b));
    return [tf.mul(dy, tf.div(b, r)), tf.mul(dy, tf.div(tf.neg(a), r))];
  }),
  FloorDiv: zeros('a', 'b'),
  Mod: binary((dy, a, b) => [dy, tf.mul(tf.neg(dy), tf.floor(tf.div(a, b)))]),
  Prelu: {
    save: ({ x, alpha }) => [x, alpha],
    grad: ([dy], [x, alpha], _a, node) => {
      const pos = tf.greater(x, 0);
      return { x: where(pos, dy, tf.mul(dy, alpha)), alpha: unbroadcast(where(pos, zerosLike(dy), tf.mul(dy, x)), shapeOf(node, 'alpha')) };
    },
  },

  Neg: { grad: ([dy]) => ({ x: tf.neg(dy) }) },
  Abs: unary((dy, x) => tf.mul(dy, tf.sign(x))),
  Exp: unary((dy, _x, y) => tf.mul(dy, y), 'y'),
  Expm1: unary((dy, _x, y) => tf.mul(dy, tf.add(y, 1)), 'y'),
  Log: unary((dy, x) => tf.div(dy, x)),
  Log1p: unary((dy, x) => tf.div(dy, tf.add(x, 1))),
  Sqrt: unary((dy, _x, y) => tf.div(dy, tf.mul(tf.scalar(2), y)), 'y'),
  Rsqrt: unary((dy, _x, y) => tf.mul(tf.mul(tf.scalar(-0.5), dy), tf.pow(y, 3)), 'y'),
  Square: unary((dy, x) => tf.mul(dy, tf.mul(tf.scalar(2), x))),
  Reciprocal: unary((dy, _x, y) => tf.mul(tf.neg(dy), tf.mul(y, y)), 'y'),
  Sigmoid: unary((dy, _x, y) => tf.mul(tf.mul(dy, tf.sub(1, y)), y), 'y'),
  Tanh: unary((dy, _x, y) => tf.mul(dy, tf.sub(1, tf.mul(y, y))), 'y'),
  Relu: unary((dy, _x, y) => where(tf.greater(y, 0), dy, zerosLike(dy)), 'y'),
  Relu6: unary((dy, x) => between(dy, x, 0, 6)),
  LeakyRelu: {
    save: ({ x }) => [x],
    grad: ([dy], [x], attrs) => ({ x: where(tf.greater(x, 0), dy, tf.mul(dy, attrs!.alpha)) }),
  },
  Elu: unary((dy, _x, y) => where(tf.lessEqual(y, 0), tf.mul(dy, tf.add(y, 1)), dy), 'y'),
  Selu: unary((dy, _x, y) => {
    const [alpha, scale] = [1.6732632423543772848170429916717, 1.0507009873554804934193349852946];
    return where(tf.lessEqual(y, 0), tf.mul(dy, tf.add(y, alpha * scale)), tf.mul(dy, scale));
  }, 'y'),
  Softplus: unary((dy, x) => {
    const z = tf.exp(x);
    return where(tf.greater(x, 20), dy, tf.div(tf.mul(dy, z), tf.add(z, 1)));
  }),
  Erf: unary((dy, x) => tf.mul(dy, tf.mul(2 / Math.sqrt(Math.PI), tf.exp(tf.neg(tf.square(x)))))),
  Sin: unary((dy, x) => tf.mul(dy, tf.cos(x))),
  Cos: unary((dy, x) => tf.mul(dy, tf.neg(tf.sin(x)))),
  Tan: unary((dy, _x, y) => tf.mul(dy, tf.add(1, tf.square(y))), 'y'),
  Asin: unary((dy, x) => tf.div(dy, tf.sqrt(tf.sub(1, tf.square(x))))),
  Acos: unary((dy, x) => tf.neg(tf.div(dy, tf.sqrt(tf.sub(1, tf.square(x)))))),
  Atan: unary((dy, x) => tf.div(dy, tf.add(1, tf.square(x)))),
  Sinh: unary((dy, x) => tf.mul(dy, tf.cosh(x))),
  Cosh: unary((dy, x) => tf.mul(dy, tf.sinh(x))),
  Asinh: unary((dy, x) => tf.div(dy, tf.sqrt(tf.add(tf.square(x), 1)))),
  Acosh: unary((dy, x) => tf.div(dy, tf.sqrt(tf.sub(tf.square(x), 1)))),
  Atanh: unary((dy, x) => tf.div(dy, tf.sub(1, tf.square(x)))),
  ClipByValue: {
    save: ({ x }) => [x],
    grad: ([dy], [x], attrs) => ({ x: where(tf.logicalAnd(tf.greaterEqual(x, attrs!.clipValueMin), tf.lessEqual(x, attrs!.clipValueMax)), dy, zerosLike(dy)) }),
  },
  Step: zeros('x'),
  Sign: zeros('x'),
  Floor: zeros('x'),
  Ceil: zeros('x'),
  Round: zeros('x'),
  OnesLike: zeros('x'),
  ZerosLike: zeros('x'),

  Sum: { grad: ([dy], _s, attrs, node) => ({ x: tf.broadcastTo(tf.reshape(dy, keptShape(shapeOf(node, 'x'), attrs)), shapeOf(node, 'x')) }) },
  Mean: {
    grad: ([dy], _s, attrs, node) => {
      const shape = shapeOf(node, 'x');
      const count = reduced(shape, attrs).reduce((n, a) => n * shape[a], 1);
      return { x: tf.broadcastTo(tf.div(tf.reshape(dy, keptShape(shape, attrs)), count), shape) };
    },
  },
  Max: extreme,
  Min: extreme,
  Prod: {
    save: ({ x }) => [x],
    grad: ([dy], [x], attrs) => {
      // ATen's prod_backward: result/x without zeros, the product of the others at a lone zero, else 0.
      const axes = reduced(x.shape, attrs);
      const isZero = tf.equal(x, 0);
      const zerosIn = tf.sum(tf.cast(isZero, 'float32'), axes, true);
      const nonZero = tf.prod(where(isZero, ones(x), x), axes, true);
      const g = where(tf.equal(zerosIn, 0), tf.div(nonZero, x), where(tf.logicalAnd(tf.equal(zerosIn, 1), isZero), tf.broadcastTo(nonZero, x.shape), zerosLike(x)));
      return { x: tf.mul(tf.reshape(dy, keptShape(x.shape, attrs)), g) };
    },
  },
  Softmax: {
    save: (_i, [y]) => [y],
    grad: ([dy], [y]) => ({ logits: tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), -1, true))) }),
  },
  TopK: {
    save: (_i, [, indices]) => [indices],
    grad: ([dy], [indices], _a, node) => {
      const shape = shapeOf(node, 'x');
      const n = shape[shape.length - 1];
      const k = indices.shape[indices.rank - 1];
      const rows = dy.size / k;
      const at = tf.stack([tf.reshape(tf.tile(tf.reshape(tf.range(0, rows, 1, 'int32'), [rows, 1]), [1, k]), [-1]), tf.reshape(indices, [-1])], 1);
      return { x: tf.reshape(tf.scatterND(at, tf.reshape(dy, [-1]), [rows, n]), shape) };
    },
  },
  BatchMatMul: {
    save: ({ a, b }) => [a, b],
    // Linear's `x·wᵀ` is ATen's `addmm(b, x, w.t())`, which saves the view `w.t()`.
    savedViews: (attrs) => [(attrs as { transposeA: boolean }).transposeA, (attrs as { transposeB: boolean }).transposeB],
    grad: ([dy], [a, b], attrs) => {
      const { transposeA: ta, transposeB: tb } = attrs as { transposeA: boolean; transposeB: boolean };
      const mm = tf.matMul;
      const [da, db] = !ta && !tb ? [mm(dy, b, false, true), mm(a, dy, true, false)]
        : !ta && tb ? [mm(dy, b), mm(dy, a, true, false)]
          : ta && !tb ? [mm(b, dy, false, true), mm(a, dy)]
            : [mm(b, dy, true, true), mm(dy, a, true, true)];
      return { a: unbroadcast(da, a.shape), b: unbroadcast(db, b.shape) };
    },
  },
  Conv2D: {
    save: ({ x, filter }) => [x, filter],
    grad: ([dy], [x, filter], attrs) => {
      const [dx, dw] = conv2dGradients(x as tf.Tensor4D, filter as tf.Tensor4D, dy as tf.Tensor4D, convGeometry(x.shape, filter.shape, attrs, false));
      return { x: dx, filter: dw };
    },
  },
  DepthwiseConv2dNative: {
    save: ({ x, filter }) => [x, filter],
    grad: ([dy], [x, filter], attrs) => {
      const [dx, dw] = depthwiseGradients(x as tf.Tensor4D, filter as tf.Tensor4D, dy as tf.Tensor4D, convGeometry(x.shape, filter.shape, attrs, true));
      return { x: dx, filter: dw };
    },
  },
  MaxPool: {
    save: ({ x }) => [x],
    grad: ([dy], [x], attrs) => ({ x: maxPoolBackward(x as tf.Tensor4D, dy as tf.Tensor4D, attrs) }),
  },
  AvgPool: {
    save: ({ x }) => [x],
    grad: ([dy], [x], attrs) => ({
      x: tf.engine().runKernel('AvgPoolGrad', { dy, input: x }, { filterSize: attrs!.filterSize, strides: attrs!.strides, pad: attrs!.pad, dimRoundingMode: attrs!.dimRoundingMode }) as T,
    }),
  },
};

/**
 * ATen's CPU max-pool backward: each output's gradient goes to the first maximum of its window
 * in row-major order (a NaN counts as the maximum), added in output order in float32. tfjs's
 * MaxPoolGrad kernels disagree on ties (cpu takes the first, wasm the last), so this runs here.
 */
function maxPoolBackward(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Attrs): T {
  const info = tf.backend_util.computePool2DInfo(x.shape, attrs!.filterSize, attrs!.strides, 1, attrs!.pad, attrs!.dimRoundingMode);
  const [n, h, w, c] = x.shape;
  const [, ho, wo] = dy.shape;
  const xs = x.dataSync();
  const g = dy.dataSync();
  const dx = new Float32Array(x.size);
  const { top, left } = info.padInfo;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let oh = 0; oh < ho; oh++) {
        for (let ow = 0; ow < wo; ow++) {
          let best = -1;
          let max = -Infinity;
          for (let kh = 0; kh < info.filterHeight; kh++) {
            const ih = oh * info.strideHeight - top + kh * info.dilationHeight;
            if (ih < 0 || ih >= h) continue;
            for (let kw = 0; kw < info.filterWidth; kw++) {
              const iw = ow * info.strideWidth - left + kw * info.dilationWidth;
              if (iw < 0 || iw >= w) continue;
              const at = ((b * h + ih) * w + iw) * c + ch;
              const v = xs[at];
              if (best < 0 || v > max || Number.isNaN(v)) {
                max = v;
                best = at;
                if (Number.isNaN(v)) break;
              }
            }
            if (best >= 0 && Number.isNaN(max)) break;
          }
          if (best >= 0) dx[best] = Math.fround(dx[best] + g[((b * ho + oh) * wo + ow) * c + ch]);
        }
      }
    }
  }
  return tf.tensor(dx, x.shape);
}

setGradientTable(TABLE);
