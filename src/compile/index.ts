/**
 * `torch.compile(model)`: the model's forward, traced once per input shape and run as a plan
 * that stays channels-last (NHWC) from the first convolution to the last, with BatchNorm folded
 * into convolutions and ReLU/ReLU6 fused into tfjs's fused convolution kernels.
 *
 * The pipeline is one pass per file: trace (record the forward as a graph) → fold (BatchNorm
 * into the preceding convolution) → fuse (activations into convolutions) → layout (choose each
 * value's physical order, lower to steps) → run (closures over weights converted once). Fold and
 * fuse come before layout so that the layout pass sees a convolution and not the values between.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { paused, requiresGrad } from '../backend/autograd';
import { isDisposed, isTensor } from '../backend/tensor';
import { RuntimeError } from '../errors';
import { Module, treeState } from '../nn/module';
import { kwonly, req, signature } from '../python/signature';
import { any, bool } from '../python/types';
import { fold } from './fold';
import { fuse } from './fuse';
import { disposeGraph, type Graph } from './graph';
import { layout } from './layout';
import { Plan } from './run';
import { trace } from './trace';

/** What one input shape's trace gave: a graph and its plan, or why the model runs eagerly. */
interface Entry {
  readonly key: string;
  readonly state: readonly Tensor[];
  readonly graph: Graph | null;
  readonly reason: string | null;
  plan: Plan | null;
  dataIds: readonly object[];
}

/** What the last call of a compiled module did, as {@link OptimizedModule.explain} reports it. */
export interface Explanation {
  /** Whether the call ran the compiled plan (false: the model ran eagerly). */
  readonly compiled: boolean;
  /** Why it ran eagerly, or null. */
  readonly reason: string | null;
  /** The plan's steps in order (empty when eager). */
  readonly steps: readonly string[];
}

/**
 * What `torch.compile(model)` returns, as PyTorch 2's `OptimizedModule`: a module whose
 * `_orig_mod` is the model (so `state_dict` keys, `train()`/`eval()`, `load_state_dict` and the
 * printout go through to it) and whose call gives the model's results.
 *
 * When every module of the model is in eval mode, no input requires grad and no forward hook is
 * registered, a call runs the compiled plan for the inputs' shapes and dtypes. The first call
 * with new shapes traces the forward (that call's result is the eager run's own); a later
 * change of a parameter's or buffer's data (`load_state_dict`, an optimizer step, a training
 * step's running statistics) makes a new plan from the same graph, and a change of which
 * tensors they are (a buffer replaced, a module assigned) traces again. Otherwise — training
 * mode, gradients, hooks, or a forward the trace cannot follow exactly (see src/compile/trace.ts)
 * — the model runs eagerly, and with `fullgraph: true` a forward the trace cannot follow is a
 * RuntimeError instead. The plan assumes the forward's control flow depends only on the
 * inputs' shapes, the parameters and buffers, and the training flags.
 *
 * @see https://pytorch.org/docs/2.0/generated/torch.compile.html
 */
export class OptimizedModule<M extends Module = Module> extends Module {
  declare readonly _orig_mod: M;
  private entry: Entry | null = null;
  private last: Explanation = { compiled: false, reason: 'not called yet', steps: [] };

  constructor(
    model: M,
    private readonly options: { readonly fullgraph: boolean; readonly disable: boolean },
  ) {
    super();
    (this as { _orig_mod: M })._orig_mod = model;
  }

  forward(...inputs: Parameters<M['forward']>): ReturnType<M['forward']> {
    return this.dispatch(inputs as unknown[]) as ReturnType<M['forward']>;
  }

  /** What the last call did: compiled or eager (and why), and the plan's steps. */
  explain(): Explanation {
    return this.last;
  }

  private eager(inputs: unknown[], reason: string): unknown {
    this.last = { compiled: false, reason, steps: [] };
    return (this._orig_mod as unknown as (...xs: unknown[]) => unknown)(...inputs);
  }

  private dispatch(inputs: unknown[]): unknown {
    const model = this._orig_mod;
    if (this.options.disable) return this.eager(inputs, 'compiled with disable=True');
    const tensors = inputs.filter(isTensor);
    if (tensors.length !== inputs.length) return this.eager(inputs, 'an argument is not a tensor');
    if (tensors.some((t) => isDisposed(t))) return this.eager(inputs, 'an input is a disposed tensor');
    if (tensors.some((t) => t.size === 0)) return this.eager(inputs, 'an input is empty');
    if (tensors.some(requiresGrad)) return this.eager(inputs, 'an input requires grad');
    const tree = treeState(model);
    if (tree.training) return this.eager(inputs, 'a module is in training mode');
    if (tree.hooked) return this.eager(inputs, 'forward hooks are registered');

    const key = tensors.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(' ');
    const state = tree.tensors;
    let e = this.entry;
    if (e === null || e.key !== key || e.state.length !== state.length || e.state.some((t, i) => t !== state[i])) {
      this.release();
      const traced = trace(model, tensors);
      const reason = 'reason' in traced ? traced.reason : null;
      this.entry = { key, state, graph: 'graph' in traced ? traced.graph : null, reason, plan: null, dataIds: [] };
      if (reason !== null && this.options.fullgraph) {
        tensorsOf(traced.output).forEach((t) => t.dispose());
        throw new RuntimeError(`torch.compile(fullgraph=True) cannot compile ${model.constructor.name}: ${reason}`);
      }
      this.last = { compiled: false, reason: reason ?? 'traced on this call', steps: [] };
      return traced.output;
    }
    if (e.graph === null) return this.eager(inputs, e.reason!);
    const dataIds = state.map((t) => t.dataId);
    if (e.plan === null || dataIds.some((d, i) => d !== e!.dataIds[i])) {
      e.plan?.dispose();
      e.plan = null;
      e.plan = paused(() => Plan.make(layout(fuse(fold(e!.graph!)))));
      e.dataIds = dataIds;
    }
    const plan = e.plan;
    this.last = { compiled: true, reason: null, steps: plan.steps };
    return paused(() => plan.run(tensors));
  }

  private release(): void {
    if (this.entry === null) return;
    this.entry.plan?.dispose();
    if (this.entry.graph !== null) disposeGraph(this.entry.graph);
    this.entry = null;
  }

  protected override releaseResources(): void {
    this.release();
  }
}

function tensorsOf(o: unknown): Tensor[] {
  if (isTensor(o)) return [o];
  if (Array.isArray(o)) return o.flatMap(tensorsOf);
  if (o !== null && typeof o === 'object') return Object.values(o).flatMap(tensorsOf);
  return [];
}

const CompileSig = signature('compile', [req('model', any<Module>('Module')), kwonly('fullgraph', bool, false), kwonly('disable', bool, false)]);

/** `torch.compile`'s keywords that this library takes. */
export interface CompileOptions {
  /** Refuse (RuntimeError) a forward the trace cannot follow, instead of running it eagerly. */
  fullgraph?: boolean;
  /** Return a wrapper that always runs the model eagerly. */
  disable?: boolean;
}

/**
 * `torch.compile(model, *, fullgraph=False, disable=False)`: the model wrapped in an
 * {@link OptimizedModule}, whose calls give the model's results from a compiled plan.
 *
 * ```ts
 * const model = torchvision.models.resnet18().eval();
 * const compiled = torch.compile(model);
 * const y = compiled(x);   // the same result as model(x), within float32 rounding
 * ```
 *
 * @see https://pytorch.org/docs/2.0/generated/torch.compile.html
 */
export function compile<M extends Module>(model: M, options: CompileOptions = {}): OptimizedModule<M> {
  const { model: m, fullgraph, disable } = CompileSig.bind([model, options]);
  if (!(m instanceof Module)) throw new TypeError(`compile(): argument 'model' must be Module, not ${typeof m}`);
  return new OptimizedModule(m as M, { fullgraph, disable });
}
