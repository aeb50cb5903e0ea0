/**
 * PyTorch's Tensor methods on tfjs's Tensor, added the way tfjs adds its chained ops (an
 * assignment to the prototype and TypeScript declaration merging): `x.view(2, -1)`,
 * `x.chunk(2, { dim: 1 })`, `x.mean([2, 3])`, `x.add(y, { alpha: 2 })`, `x.item()`. Each binds its
 * arguments as PyTorch's method does (same TypeErrors) and runs the `torch.*` function's code.
 *
 * tfjs declares methods of some of the same names (registered when `@tensorflow/tfjs` is loaded).
 * One rule settles each collision: every call tfjs's declaration accepts keeps tfjs's meaning,
 * and the call forms tfjs cannot take (PyTorch's keyword objects, `x.transpose(1, 2)`,
 * `x.reshape(2, -1)`, a tensor where tfjs takes axes) get PyTorch's. Where the two meanings
 * differ (`x.split(2)` is two pieces, `x.max(1)` only the values, `x.equal(y)` elementwise, two
 * int tensors' `x.div(y)` floor division) the README's porting table names the `torch.*`
 * function with PyTorch's meaning. Nothing here works in place: there is no `add_`.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Rank } from '@tensorflow/tfjs-core/dist/types';
import * as ops from '../backend/ops';
import { values, type LoadedDType } from '../backend/tensor';
import { RuntimeError, ValueError } from '../errors';
import { COMPARISON_SIGS, IscloseSig, AllcloseSig, EqualSig, allcloseImpl, compareImpl, equalImpl, iscloseImpl, type Comparison } from '../functional/tensor/compare';
import {
  AddSig,
  BmmSig,
  ClampSig,
  ClipSig,
  DivSig,
  LogSoftmaxMethod,
  MatmulSig,
  MaximumSig,
  MinimumSig,
  MmSig,
  MulSig,
  PowSig,
  SoftmaxMethod,
  SubSig,
  addImpl,
  bmmImpl,
  clampImpl,
  divImpl,
  matmulImpl,
  maximumImpl,
  minimumImpl,
  mmImpl,
  mulImpl,
  powImpl,
  softmaxImpl,
  subImpl,
  unaryImpl,
  whereImpl,
} from '../functional/tensor/math';
import {
  AllSig,
  AmaxSig,
  AminSig,
  AnySig,
  ArgmaxSig,
  ArgminSig,
  MaxSig,
  MeanSig,
  MinSig,
  ProdSig,
  ReturnTypes,
  SortSig,
  StdSig,
  SumSig,
  TopkSig,
  VarSig,
  allImpl,
  amaxImpl,
  argmaxImpl,
  maxAllImpl,
  maxDimImpl,
  meanImpl,
  normImpl,
  prodImpl,
  sortImpl,
  sumImpl,
  topkImpl,
  varImpl,
} from '../functional/tensor/reduce';
import {
  BroadcastToSig,
  ChunkSig,
  FlattenSig,
  FlipSig,
  IndexSelectSig,
  NarrowSig,
  PermuteSig,
  ReshapeSig,
  RollSig,
  SelectSig,
  SqueezeSig,
  TileSig,
  TransposeSig,
  UnflattenSig,
  UnsqueezeSig,
  chunkImpl,
  expandImpl,
  flattenImpl,
  flipImpl,
  indexSelectImpl,
  intItem,
  narrowImpl,
  permuteImpl,
  repeatImpl,
  rollImpl,
  selectImpl,
  splitDispatch,
  squeezeImpl,
  tImpl,
  tileImpl,
  transposeImpl,
  unflattenImpl,
  unsqueezeImpl,
  reshapeImpl,
  viewImpl,
} from '../functional/tensor/shape';
import { isContiguous, stridesOf } from '../functional/tensor/strides';
import type { Operand } from '../functional/tensor/util';
import { truthy } from '../python/ops';
import { bindNoArgs, methodOf, overloads, unsupported, type OverloadArgs } from '../python/overloads';
import { kwonly, opt, req, signature, type ArgsOf } from '../python/signature';
import { any, bool, dtype, memoryFormat, orNone, symIntList, tensor } from '../python/types';
import { isPlainObject } from '../python/values';

const native = { dialect: 'native' } as const;

// PyTorch's method signatures: the functions' without `input`, and those only methods have.
const ViewM = overloads('view', {
  dtype: unsupported([req('dtype', dtype)], 'reinterpreting the bytes as another dtype is not supported'),
  size: [req('size', symIntList)],
});
const ContiguousM = signature('contiguous', [kwonly('memory_format', orNone(memoryFormat), null)], native);
const IsContiguousM = signature('is_contiguous', [kwonly('memory_format', orNone(memoryFormat), null)], native);
const castM = <N extends string>(name: N) => signature(name, [kwonly('memory_format', orNone(memoryFormat), null)], native);
const FloatM = castM('float');
const IntM = castM('int');
const LongM = castM('long');
const BoolM = castM('bool');
const RepeatM = signature('repeat', [req('repeats', symIntList)], native);
const ExpandM = signature('expand', [req('size', symIntList), kwonly('implicit', bool, false)], native);
const WhereM = signature('where', [req('condition', tensor), req('other', tensor)], native);
/** Methods written in Python (torch/_tensor.py), so bound with CPython's errors. */
const UnflattenPy = signature('Tensor.unflatten', [req('dim', any<number>('int')), req('sizes', any<readonly number[]>('tuple of ints'))], { method: true });
const SplitPy = signature('Tensor.split', [req('split_size', any<number | readonly number[]>('int')), opt('dim', any<number>('int'), 0)], { method: true });
const NormPy = signature(
  'Tensor.norm',
  [
    opt('p', any<number | 'fro' | 'nuc'>('float'), 'fro'),
    opt('dim', any<number | readonly number[] | null>('tuple of ints'), null),
    opt('keepdim', bool, false),
    opt('dtype', any<LoadedDType | null>('torch.dtype'), null),
  ],
  { method: true },
);

const M = {
  reshape: methodOf(ReshapeSig),
  flatten: methodOf(FlattenSig),
  unflatten: methodOf(UnflattenSig),
  squeeze: methodOf(SqueezeSig),
  unsqueeze: methodOf(UnsqueezeSig),
  permute: methodOf(PermuteSig),
  transpose: methodOf(TransposeSig),
  chunk: methodOf(ChunkSig),
  narrow: methodOf(NarrowSig),
  select: methodOf(SelectSig),
  index_select: methodOf(IndexSelectSig),
  flip: methodOf(FlipSig),
  roll: methodOf(RollSig),
  tile: methodOf(TileSig),
  broadcast_to: methodOf(BroadcastToSig),
  add: methodOf(AddSig),
  sub: methodOf(SubSig),
  mul: methodOf(MulSig),
  div: methodOf(DivSig),
  pow: methodOf(PowSig, ['base']),
  clamp: methodOf(ClampSig),
  clip: methodOf(ClipSig),
  maximum: methodOf(MaximumSig),
  minimum: methodOf(MinimumSig),
  matmul: methodOf(MatmulSig),
  mm: methodOf(MmSig),
  bmm: methodOf(BmmSig),
  sum: methodOf(SumSig),
  mean: methodOf(MeanSig),
  prod: methodOf(ProdSig),
  amax: methodOf(AmaxSig),
  amin: methodOf(AminSig),
  max: methodOf(MaxSig),
  min: methodOf(MinSig),
  argmax: methodOf(ArgmaxSig),
  argmin: methodOf(ArgminSig),
  std: methodOf(StdSig),
  var: methodOf(VarSig),
  all: methodOf(AllSig),
  any: methodOf(AnySig),
  topk: methodOf(TopkSig),
  sort: methodOf(SortSig),
  isclose: methodOf(IscloseSig),
  allclose: methodOf(AllcloseSig),
  equal: methodOf(EqualSig),
  eq: methodOf(COMPARISON_SIGS.eq),
  ne: methodOf(COMPARISON_SIGS.ne),
  gt: methodOf(COMPARISON_SIGS.gt),
  ge: methodOf(COMPARISON_SIGS.ge),
  lt: methodOf(COMPARISON_SIGS.lt),
  le: methodOf(COMPARISON_SIGS.le),
};

type Unary = 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'sigmoid' | 'tanh' | 'relu';
type Axes = number | number[];
type TensorLike = number | boolean | readonly unknown[];

declare module '@tensorflow/tfjs-core/dist/tensor' {
  interface Tensor<R extends Rank = Rank> {
    /**
     * `x.view(*shape)`: the same values in `shape` (one -1 inferred). Where PyTorch's `x` is a
     * view its strides cannot be reshaped without a copy (after `transpose`, `permute`,
     * `narrow`, `expand`), PyTorch's RuntimeError: use `reshape` or `.contiguous().view`.
     */
    view(...args: OverloadArgs<typeof ViewM>): Tensor;
    /** `x.contiguous()`: a new handle on the same data (tfjs tensors are dense), with C-order strides. */
    contiguous(...args: ArgsOf<typeof ContiguousM>): Tensor;
    /** `x.is_contiguous()`: false where PyTorch's `x` is a non-contiguous view (see `view`). */
    is_contiguous(...args: ArgsOf<typeof IsContiguousM>): boolean;
    reshape(...args: OverloadArgs<typeof M.reshape>): Tensor;
    flatten(...args: OverloadArgs<typeof M.flatten>): Tensor;
    unflatten(...args: ArgsOf<typeof UnflattenPy>): Tensor;
    squeeze(...args: OverloadArgs<typeof M.squeeze> | [number[]]): Tensor;
    unsqueeze(...args: OverloadArgs<typeof M.unsqueeze>): Tensor;
    permute(...args: OverloadArgs<typeof M.permute>): Tensor;
    transpose(...args: OverloadArgs<typeof M.transpose> | [number[]?]): Tensor;
    t(): Tensor;
    chunk(...args: OverloadArgs<typeof M.chunk>): Tensor[];
    split(...args: [number | number[], number?] | ArgsOf<typeof SplitPy>): Tensor[];
    narrow(...args: OverloadArgs<typeof M.narrow>): Tensor;
    select(...args: OverloadArgs<typeof M.select>): Tensor;
    index_select(...args: OverloadArgs<typeof M.index_select>): Tensor;
    flip(...args: OverloadArgs<typeof M.flip>): Tensor;
    roll(...args: OverloadArgs<typeof M.roll>): Tensor;
    tile(...args: OverloadArgs<typeof M.tile>): Tensor;
    repeat(...args: ArgsOf<typeof RepeatM> | number[]): Tensor;
    expand(...args: ArgsOf<typeof ExpandM> | number[]): Tensor;
    broadcast_to(...args: OverloadArgs<typeof M.broadcast_to>): Tensor;
    /** `x.dim()`: the number of dimensions. */
    dim(): number;
    /** `x.numel()`: the number of elements. */
    numel(): number;
    /** `x.item()`: the value of a one-element tensor, as a JavaScript number (or boolean). */
    item(): number | boolean;
    /** `x.tolist()`: the values as nested arrays (a number for a 0-dim tensor). */
    tolist(): unknown;
    float(...args: ArgsOf<typeof FloatM>): Tensor;
    int(...args: ArgsOf<typeof IntM>): Tensor;
    long(...args: ArgsOf<typeof LongM>): Tensor;
    bool(...args: ArgsOf<typeof BoolM>): Tensor;
    add(...args: OverloadArgs<typeof M.add> | [TensorLike]): Tensor;
    sub(...args: OverloadArgs<typeof M.sub> | [TensorLike]): Tensor;
    mul(...args: OverloadArgs<typeof M.mul> | [TensorLike]): Tensor;
    div(...args: OverloadArgs<typeof M.div> | [TensorLike]): Tensor;
    pow(...args: OverloadArgs<typeof M.pow> | [TensorLike]): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    relu(): Tensor;
    clamp(...args: OverloadArgs<typeof M.clamp>): Tensor;
    clip(...args: OverloadArgs<typeof M.clip>): Tensor;
    maximum(...args: OverloadArgs<typeof M.maximum> | [TensorLike]): Tensor;
    minimum(...args: OverloadArgs<typeof M.minimum> | [TensorLike]): Tensor;
    where(condition: Tensor, other: Tensor | TensorLike): Tensor;
    matmul(...args: OverloadArgs<typeof M.matmul>): Tensor;
    mm(...args: OverloadArgs<typeof M.mm>): Tensor;
    bmm(...args: OverloadArgs<typeof M.bmm>): Tensor;
    softmax(...args: OverloadArgs<typeof SoftmaxMethod> | []): Tensor;
    log_softmax(...args: OverloadArgs<typeof LogSoftmaxMethod>): Tensor;
    sum(...args: OverloadArgs<typeof M.sum>): Tensor;
    mean(...args: OverloadArgs<typeof M.mean>): Tensor;
    prod(...args: OverloadArgs<typeof M.prod> | [number[], boolean?]): Tensor;
    amax(...args: OverloadArgs<typeof M.amax>): Tensor;
    amin(...args: OverloadArgs<typeof M.amin>): Tensor;
    /** tfjs's `x.max(axis?, keepDims?)` (values only); `x.max(other)`; keywords give PyTorch's (values, indices). */
    max(...args: [Axes?, boolean?] | [Tensor] | OverloadArgs<typeof M.max, 'all' | 'other'>): Tensor;
    max(...args: OverloadArgs<typeof M.max, 'dim'>): ReturnTypes;
    min(...args: [Axes?, boolean?] | [Tensor] | OverloadArgs<typeof M.min, 'all' | 'other'>): Tensor;
    min(...args: OverloadArgs<typeof M.min, 'dim'>): ReturnTypes;
    argmax(...args: OverloadArgs<typeof M.argmax>): Tensor;
    argmin(...args: OverloadArgs<typeof M.argmin>): Tensor;
    std(...args: OverloadArgs<typeof M.std>): Tensor;
    var(...args: OverloadArgs<typeof M.var>): Tensor;
    norm(...args: ArgsOf<typeof NormPy> | [number | 'euclidean' | 'fro', Axes?, boolean?]): Tensor;
    all(...args: OverloadArgs<typeof M.all> | [Axes, boolean?]): Tensor;
    any(...args: OverloadArgs<typeof M.any> | [Axes, boolean?]): Tensor;
    topk(...args: OverloadArgs<typeof M.topk> | [number?, boolean?]): ReturnTypes;
    sort(...args: OverloadArgs<typeof M.sort>): ReturnTypes;
    eq(...args: OverloadArgs<typeof M.eq>): Tensor;
    ne(...args: OverloadArgs<typeof M.ne>): Tensor;
    gt(...args: OverloadArgs<typeof M.gt>): Tensor;
    ge(...args: OverloadArgs<typeof M.ge>): Tensor;
    lt(...args: OverloadArgs<typeof M.lt>): Tensor;
    le(...args: OverloadArgs<typeof M.le>): Tensor;
    isclose(...args: OverloadArgs<typeof M.isclose>): Tensor;
    allclose(...args: OverloadArgs<typeof M.allclose>): boolean;
    /** tfjs's elementwise `x.equal(y)`; `torch.equal(x, y)` is PyTorch's whole-tensor test. */
    equal(other: Tensor | TensorLike): Tensor;
  }
}

const hasKeywords = (args: readonly unknown[]) => args.length > 0 && isPlainObject(args[args.length - 1]);
const isAxes = (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.every((d) => typeof d === 'number'));

/** A tfjs `TensorLike` argument (nested arrays) as the tensor tfjs would make of it, for `f`. */
function withTensorLike<R>(args: unknown[], f: (args: unknown[]) => R): R {
  if (!Array.isArray(args[0])) return f(args);
  const t = ops.tfjs.tensor(args[0]);
  try {
    return f([t, ...args.slice(1)]);
  } finally {
    t.dispose();
  }
}

const shape = {
  view(this: Tensor, ...args: unknown[]) {
    const b = ViewM.bind(args, this);
    return viewImpl(this, b.size);
  },
  contiguous(this: Tensor, ...args: unknown[]) {
    ContiguousM.bind(args);
    return ops.clone(this);
  },
  is_contiguous(this: Tensor, ...args: unknown[]) {
    IsContiguousM.bind(args);
    return isContiguous(this.shape, stridesOf(this));
  },
  reshape(this: Tensor, ...args: unknown[]) {
    return reshapeImpl(this, M.reshape.bind(args, this).shape);
  },
  flatten(this: Tensor, ...args: unknown[]) {
    const b = M.flatten.bind(args, this);
    return flattenImpl(this, b.start_dim, b.end_dim);
  },
  unflatten(this: Tensor, ...args: unknown[]) {
    const { dim, sizes } = UnflattenPy.bind(args);
    if (!truthy(sizes)) throw new RuntimeError('unflatten: sizes must be non-empty');
    const b = M.unflatten.bind([dim, sizes]);
    return unflattenImpl(this, b.dim, b.sizes);
  },
  squeeze(this: Tensor, ...args: unknown[]) {
    if (args.length === 1 && Array.isArray(args[0])) return ops.tfjs.squeeze(this, args[0]);
    const b = M.squeeze.bind(args, this);
    return squeezeImpl(this, b.overload === 'dim' ? b.dim : null);
  },
  unsqueeze(this: Tensor, ...args: unknown[]) {
    return unsqueezeImpl(this, M.unsqueeze.bind(args, this).dim);
  },
  permute(this: Tensor, ...args: unknown[]) {
    return permuteImpl(this, M.permute.bind(args, this).dims);
  },
  transpose(this: Tensor, ...args: unknown[]) {
    if (args.length === 0 || (args.length === 1 && (Array.isArray(args[0]) || args[0] === undefined))) return ops.tfjs.transpose(this, args[0] as number[] | undefined);
    const b = M.transpose.bind(args, this);
    return transposeImpl(this, b.dim0, b.dim1);
  },
  t(this: Tensor, ...args: unknown[]) {
    bindNoArgs('_TensorBase.t', args);
    return tImpl(this);
  },
  chunk(this: Tensor, ...args: unknown[]) {
    const b = M.chunk.bind(args, this);
    return chunkImpl(this, b.chunks, b.dim);
  },
  split(this: Tensor, ...args: unknown[]) {
    if (!hasKeywords(args)) return ops.tfjs.split(this, args[0] as number | number[], args[1] as number | undefined);
    const b = SplitPy.bind(args);
    return splitDispatch(this, b.split_size, b.dim);
  },
  narrow(this: Tensor, ...args: unknown[]) {
    const b = M.narrow.bind(args, this);
    return narrowImpl(this, b.dim, b.overload === 'tensor' ? intItem(b.start, 'start') : b.start, b.length);
  },
  select(this: Tensor, ...args: unknown[]) {
    const b = M.select.bind(args, this);
    return selectImpl(this, b.dim, b.index);
  },
  index_select(this: Tensor, ...args: unknown[]) {
    const b = M.index_select.bind(args, this);
    return indexSelectImpl(this, b.dim, b.index);
  },
  flip(this: Tensor, ...args: unknown[]) {
    return flipImpl(this, M.flip.bind(args, this).dims);
  },
  roll(this: Tensor, ...args: unknown[]) {
    const b = M.roll.bind(args, this);
    return rollImpl(this, b.shifts, b.dims);
  },
  tile(this: Tensor, ...args: unknown[]) {
    return tileImpl(this, M.tile.bind(args, this).dims);
  },
  repeat(this: Tensor, ...args: unknown[]) {
    return repeatImpl(this, RepeatM.bind(args).repeats);
  },
  expand(this: Tensor, ...args: unknown[]) {
    return expandImpl(this, ExpandM.bind(args).size);
  },
  broadcast_to(this: Tensor, ...args: unknown[]) {
    return expandImpl(this, M.broadcast_to.bind(args, this).size);
  },
};

const scalars = {
  dim(this: Tensor, ...args: unknown[]) {
    bindNoArgs('_TensorBase.dim', args);
    return this.rank;
  },
  numel(this: Tensor, ...args: unknown[]) {
    bindNoArgs('_TensorBase.numel', args);
    return this.size;
  },
  item(this: Tensor, ...args: unknown[]) {
    bindNoArgs('_TensorBase.item', args);
    if (this.size !== 1) throw new ValueError('only one element tensors can be converted to Python scalars');
    const v = values(this)[0];
    return this.dtype === 'bool' ? v !== 0 : v;
  },
  tolist(this: Tensor, ...args: unknown[]) {
    bindNoArgs('_TensorBase.tolist', args);
    const flat = Array.from(values(this), (v) => (this.dtype === 'bool' ? v !== 0 : v));
    const nest = (offset: number, dims: readonly number[]): unknown => {
      if (dims.length === 0) return flat[offset];
      const stride = dims.slice(1).reduce((a, b) => a * b, 1);
      return Array.from({ length: dims[0] }, (_, i) => nest(offset + i * stride, dims.slice(1)));
    };
    return nest(0, this.shape);
  },
};

const cast = (sig: typeof FloatM, dt: LoadedDType) =>
  function (this: Tensor, ...args: unknown[]) {
    sig.bind(args);
    return ops.cast(this, dt);
  };
const unary = (name: Unary) =>
  function (this: Tensor, ...args: unknown[]) {
    bindNoArgs(`_TensorBase.${name}`, args);
    return unaryImpl(name, this);
  };
const UNARY: readonly Unary[] = ['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sigmoid', 'tanh', 'relu'];
const comparison = (name: Comparison) =>
  function (this: Tensor, ...args: unknown[]) {
    return compareImpl(name, this, M[name].bind(args).other);
  };

const math = {
  add(this: Tensor, ...args: unknown[]) {
    return withTensorLike(args, (a) => {
      const b = M.add.bind(a, this);
      return addImpl(this, b.other, b.alpha);
    });
  },
  sub(this: Tensor, ...args: unknown[]) {
    return withTensorLike(args, (a) => {
      const b = M.sub.bind(a, this);
      return subImpl(this, b.other, b.alpha);
    });
  },
  mul(this: Tensor, ...args: unknown[]) {
    return withTensorLike(args, (a) => mulImpl(this, M.mul.bind(a, this).other));
  },
  div(this: Tensor, ...args: unknown[]) {
    return withTensorLike(args, (a) => {
      const b = M.div.bind(a, this);
      const intPair = b.overload === 'tensor' && this.dtype === 'int32' && typeof b.other === 'object' && b.other.dtype === 'int32';
      return divImpl(this, b.other, intPair ? 'floor' : b.overload === 'tensor' ? null : b.rounding_mode);
    });
  },
  pow(this: Tensor, ...args: unknown[]) {
    return withTensorLike(args, (a) => powImpl(this, M.pow.bind(a, this).exponent));
  },
  clamp(this: Tensor, ...args: unknown[]) {
    const b = M.clamp.bind(args, this);
    return clampImpl(this, b.min, b.max);
  },
  clip(this: Tensor, ...args: unknown[]) {
    const b = M.clip.bind(args, this);
    return clampImpl(this, b.min, b.max);
  },
  maximum(this: Tensor, ...args: unknown[]) {
    return withTensorLike(args, (a) => maximumImpl(this, M.maximum.bind(a, this).other));
  },
  minimum(this: Tensor, ...args: unknown[]) {
    return withTensorLike(args, (a) => minimumImpl(this, M.minimum.bind(a, this).other));
  },
  where(this: Tensor, ...args: unknown[]) {
    const [condition, other] = args;
    const tfjsForm = typeof other === 'number' || typeof other === 'boolean' || Array.isArray(other);
    if (!tfjsForm) {
      const b = WhereM.bind(args);
      return whereImpl(b.condition, this, b.other);
    }
    const { condition: c } = WhereM.bind([condition, this]);
    return withTensorLike([other], ([o]) => whereImpl(c, this, o as Operand));
  },
  matmul(this: Tensor, ...args: unknown[]) {
    return matmulImpl(this, M.matmul.bind(args, this).other);
  },
  mm(this: Tensor, ...args: unknown[]) {
    return mmImpl(this, M.mm.bind(args, this).mat2);
  },
  bmm(this: Tensor, ...args: unknown[]) {
    return bmmImpl(this, M.bmm.bind(args, this).mat2);
  },
  softmax(this: Tensor, ...args: unknown[]) {
    if (args.length === 0) return softmaxImpl(false, this, -1, null);
    const b = SoftmaxMethod.bind(args, this);
    return softmaxImpl(false, this, b.dim, b.dtype);
  },
  log_softmax(this: Tensor, ...args: unknown[]) {
    const b = LogSoftmaxMethod.bind(args, this);
    return softmaxImpl(true, this, b.dim, b.dtype);
  },
};

/** tfjs's `max`/`min(axis?, keepDims?)`: values only. */
const tfjsExtremum = (args: readonly unknown[]) => !hasKeywords(args) && args.length <= 2 && (args[0] === undefined || isAxes(args[0])) && (args[1] === undefined || typeof args[1] === 'boolean');
const extremum = (max: boolean) =>
  function (this: Tensor, ...args: unknown[]): Tensor | ReturnTypes {
    if (tfjsExtremum(args)) return args.length === 0 ? maxAllImpl(max, this) : amaxImpl(max, this, (args[0] as Axes | undefined) ?? [], args[1] === true);
    const b = (max ? M.max : M.min).bind(args, this);
    if (b.overload === 'all') return maxAllImpl(max, this);
    if (b.overload === 'other') return (max ? maximumImpl : minimumImpl)(this, b.other);
    return maxDimImpl(max, this, b.dim, b.keepdim);
  };
/** tfjs's `norm` where its meaning differs: `'euclidean'`, and matrix norms over two axes. */
const tfjsNorm = (args: readonly unknown[]) =>
  !hasKeywords(args) && args.length <= 3 && (args[0] === 'euclidean' || (Array.isArray(args[1]) && args[1].length === 2 && [1, -1, Infinity, -Infinity].includes(args[0] as number)));

const reductions = {
  sum(this: Tensor, ...args: unknown[]) {
    const b = M.sum.bind(args, this);
    return b.overload === 'all' ? sumImpl(this, null, false, b.dtype) : sumImpl(this, b.dim, b.keepdim, b.dtype);
  },
  mean(this: Tensor, ...args: unknown[]) {
    const b = M.mean.bind(args, this);
    return b.overload === 'all' ? meanImpl(this, null, false, b.dtype) : meanImpl(this, b.dim, b.keepdim, b.dtype);
  },
  prod(this: Tensor, ...args: unknown[]) {
    if (Array.isArray(args[0]) && !hasKeywords(args)) return prodImpl(this, args[0], args[1] === true, null);
    const b = M.prod.bind(args, this);
    return b.overload === 'all' ? prodImpl(this, null, false, b.dtype) : prodImpl(this, b.dim, b.keepdim, b.dtype);
  },
  amax(this: Tensor, ...args: unknown[]) {
    const b = M.amax.bind(args, this);
    return amaxImpl(true, this, b.dim, b.keepdim);
  },
  amin(this: Tensor, ...args: unknown[]) {
    const b = M.amin.bind(args, this);
    return amaxImpl(false, this, b.dim, b.keepdim);
  },
  max: extremum(true),
  min: extremum(false),
  argmax(this: Tensor, ...args: unknown[]) {
    const b = M.argmax.bind(args, this);
    return argmaxImpl(true, this, b.dim, b.keepdim);
  },
  argmin(this: Tensor, ...args: unknown[]) {
    const b = M.argmin.bind(args, this);
    return argmaxImpl(false, this, b.dim, b.keepdim);
  },
  std(this: Tensor, ...args: unknown[]) {
    return variance(true, this, M.std.bind(args, this));
  },
  var(this: Tensor, ...args: unknown[]) {
    return variance(false, this, M.var.bind(args, this));
  },
  norm(this: Tensor, ...args: unknown[]) {
    if (tfjsNorm(args)) return ops.tfjs.norm(this, args[0] as number, args[1] as number[], args[2] as boolean | undefined);
    const b = NormPy.bind(args);
    return normImpl(this, b.p, b.dim, b.keepdim, b.dtype);
  },
  all(this: Tensor, ...args: unknown[]) {
    if (Array.isArray(args[0]) && !hasKeywords(args)) return allImpl(true, this, args[0], args[1] === true);
    const b = M.all.bind(args, this);
    return b.overload === 'all' ? allImpl(true, this, null, false) : allImpl(true, this, b.dim, b.keepdim);
  },
  any(this: Tensor, ...args: unknown[]) {
    if (Array.isArray(args[0]) && !hasKeywords(args)) return allImpl(false, this, args[0], args[1] === true);
    const b = M.any.bind(args, this);
    return b.overload === 'all' ? allImpl(false, this, null, false) : allImpl(false, this, b.dim, b.keepdim);
  },
  topk(this: Tensor, ...args: unknown[]) {
    const tfjsForm = !hasKeywords(args) && args.length <= 2 && (args[0] === undefined || typeof args[0] === 'number') && (args.length < 2 || typeof args[1] === 'boolean');
    if (tfjsForm) return topkImpl(this, (args[0] as number | undefined) ?? 1, -1, true);
    const b = M.topk.bind(args, this);
    return topkImpl(this, b.k, b.dim, b.largest);
  },
  sort(this: Tensor, ...args: unknown[]) {
    const b = M.sort.bind(args, this);
    return sortImpl(this, b.dim, b.descending);
  },
  isclose(this: Tensor, ...args: unknown[]) {
    const b = M.isclose.bind(args, this);
    return iscloseImpl(this, b.other, b.rtol, b.atol, b.equal_nan);
  },
  allclose(this: Tensor, ...args: unknown[]) {
    const b = M.allclose.bind(args, this);
    return allcloseImpl(this, b.other, b.rtol, b.atol, b.equal_nan);
  },
  equal(this: Tensor, ...args: unknown[]) {
    if (hasKeywords(args)) return equalImpl(this, M.equal.bind(args, this).other);
    return withTensorLike(args, ([other]) => compareImpl('eq', this, other as Operand));
  },
};

function variance(std: boolean, x: Tensor, b: ReturnType<typeof M.std.bind>): Tensor {
  if (b.overload === 'correction') return varImpl(std, x, b.dim, b.correction ?? 1, b.keepdim);
  if (b.overload === 'unbiased') return varImpl(std, x, b.dim, b.unbiased ? 1 : 0, b.keepdim);
  return varImpl(std, x, null, b.unbiased ? 1 : 0, false);
}

const methods: Record<string, (this: Tensor, ...args: unknown[]) => unknown> = {
  ...shape,
  ...scalars,
  ...math,
  ...reductions,
  float: cast(FloatM, 'float32'),
  int: cast(IntM, 'int32'),
  long: cast(LongM, 'int32'),
  bool: cast(BoolM, 'bool'),
  ...Object.fromEntries(UNARY.map((name) => [name, unary(name)])),
  ...Object.fromEntries((['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const).map((name) => [name, comparison(name)])),
};

// Writable, so that tfjs's own registration (when @tensorflow/tfjs is loaded later) still succeeds.
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(ops.TensorClass.prototype, name, { value: fn, writable: true, configurable: true });
}
