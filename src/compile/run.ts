/**
 * The run pass: turns lowered steps into a {@link Plan}, a flat list of closures over slots that
 * one `tidy` runs per call. Everything that depends only on parameters and buffers is done when
 * the plan is made, once: convolution weights are folded and converted to tfjs's layouts, and
 * kernels whose inputs are all parameters, buffers or constants (a weight transposed by
 * F.linear, say) are run and their results kept. A plan is made for one set of weight values;
 * the compiled module makes a new one when they change.
 */
import type { Tensor, TensorContainer } from '@tensorflow/tfjs-core';
import { computeKept, disposeConv, foldBatchNorm, permutePhysical, planPermute, prepareConv, replayKernel, reshape, runConv, type KernelInputs, type PreparedConv } from '../backend/compiled';
import { clone } from '../backend/ops';
import { tidy } from '../backend/tensor';
import type { Conv2dGeometry } from '../backend/conv2d';
import type { ConvNode, Structure } from './graph';
import type { Lowered, Slot, Step } from './layout';

type Run = (slots: (Tensor | null)[]) => void;

/** A convolution's geometry as the plan's kernels take it (explicit pads `[top, bottom, left, right]`). */
function geometryOf(node: ConvNode): Conv2dGeometry {
  const { conv } = node;
  const [left, right, top, bottom] = conv._reversed_padding_repeated_twice;
  return { stride: [conv.stride[0], conv.stride[1]], pads: [top, bottom, left, right], dilation: [conv.dilation[0], conv.dilation[1]], groups: conv.groups };
}

function prepare(node: ConvNode): { prepared: PreparedConv; owned: Tensor[] } {
  const { conv, bn } = node;
  if (bn === null) return { prepared: prepareConv(conv.weight, conv.bias, geometryOf(node), conv.in_channels), owned: [] };
  const [weight, bias] = foldBatchNorm(conv.weight, conv.bias, { mean: bn.running_mean!, variance: bn.running_var!, gamma: bn.weight, beta: bn.bias, eps: bn.eps });
  const prepared = prepareConv(weight, bias, geometryOf(node), conv.in_channels);
  return { prepared, owned: [weight, bias] };
}

/** A step's description, as `explain()` lists it. */
function describe(step: Step, shapes: readonly (readonly number[])[]): string {
  switch (step.kind) {
    case 'conv': {
      const { bn, activation, conv } = step.node;
      const kind = conv.groups === 1 ? 'conv2d' : conv.groups === conv.in_channels ? 'depthwise_conv2d' : `grouped_conv2d(groups=${conv.groups})`;
      return [kind, ...(bn !== null ? ['batch_norm'] : []), ...(activation !== null ? [activation] : [])].join('+');
    }
    case 'layer':
      return `${step.module.constructor.name}${step.channelsLast ? ' (channels-last)' : ''}`;
    case 'kernel':
      return step.kernel;
    case 'reshape':
      return 'reshape';
    case 'permute': {
      const move = planPermute(shapes[step.input], step.from, step.to);
      return move.perm !== null ? `transpose(rank ${move.merged.length})` : 'reshape';
    }
  }
}

export class Plan {
  private constructor(
    private readonly base: readonly (Tensor | null)[],
    private readonly inputSlots: readonly (readonly [number, Slot])[],
    private readonly runs: readonly Run[],
    private readonly output: Structure,
    private readonly owned: readonly Tensor[],
    private readonly convs: readonly PreparedConv[],
    /** What each step does, for `explain()`. */
    readonly steps: readonly string[],
  ) {}

  /** Makes the plan of `lowered` for the current weight values. */
  static make(lowered: Lowered): Plan {
    const base: (Tensor | null)[] = lowered.sources.map((s) => (s === null || s.kind === 'input' ? null : s.kind === 'node' ? null : s.tensor));
    const inputSlots = lowered.sources.flatMap((s, slot) => (s !== null && s.kind === 'input' ? [[s.index, slot] as const] : []));
    const known = new Set<Slot>(lowered.sources.flatMap((s, slot) => (s !== null && (s.kind === 'state' || s.kind === 'constant') ? [slot] : [])));
    const runs: Run[] = [];
    const owned: Tensor[] = [];
    const convs: PreparedConv[] = [];
    const steps: string[] = [];
    for (const step of lowered.steps) {
      const run = Plan.closure(step, convs, owned);
      const inputs = step.kind === 'kernel' ? step.inputs : [step.input];
      const outputs = step.kind === 'kernel' ? step.outputs : [step.output];
      if (step.kind !== 'conv' && step.kind !== 'layer' && inputs.every((s) => known.has(s))) {
        // Depends on weights only: run it now, once.
        const made = computeKept(() => {
          const slots = [...base];
          run(slots);
          return outputs.map((s) => slots[s]!);
        });
        made.forEach((t, i) => {
          base[outputs[i]] = t;
          owned.push(t);
          known.add(outputs[i]);
        });
        continue;
      }
      steps.push(describe(step, lowered.shapes));
      runs.push(run);
    }
    return new Plan(base, inputSlots, runs, lowered.output, owned, convs, steps);
  }

  private static closure(step: Step, convs: PreparedConv[], owned: Tensor[]): Run {
    switch (step.kind) {
      case 'permute':
        return (s) => void (s[step.output] = permutePhysical(s[step.input]!, step.from, step.to));
      case 'reshape':
        return (s) => void (s[step.output] = reshape(s[step.input]!, step.shape));
      case 'kernel':
        return (s) => {
          const tensors = step.inputs.map((i) => s[i]!);
          const inputs: KernelInputs = step.names === null ? tensors : Object.fromEntries(step.names.map((n, i) => [n, tensors[i]]));
          replayKernel(step.kernel, inputs, step.attrs).forEach((t, i) => (s[step.outputs[i]] = t));
        };
      case 'layer': {
        const m = step.module;
        return step.channelsLast ? (s) => void (s[step.output] = m['forwardChannelsLast'](s[step.input]!)) : (s) => void (s[step.output] = m.call(s[step.input]!) as Tensor);
      }
      case 'conv': {
        const { prepared, owned: folded } = prepare(step.node);
        convs.push(prepared);
        owned.push(...folded);
        const { activation } = step.node;
        return (s) => void (s[step.output] = runConv(s[step.input]!, prepared, activation));
      }
    }
  }

  /** Runs the plan on `inputs` (in the traced forward's order), returning the forward's result. */
  run(inputs: readonly Tensor[]): unknown {
    return tidy(() => {
      const slots = [...this.base];
      for (const [index, slot] of this.inputSlots) slots[slot] = inputs[index];
      for (const run of this.runs) run(slots);
      const produced = new Set<Tensor>();
      const build = (s: Structure): unknown => {
        if (s.kind === 'literal') return s.value;
        if (s.kind === 'array') return s.items.map(build);
        if (s.kind === 'object') return Object.fromEntries(s.entries.map(([k, v]) => [k, build(v)]));
        const t = slots[s.value]!;
        // An output that is an input, a weight or a kept result is returned as a new handle, as eager's would be.
        const own = this.base[s.value] === null && !inputs.includes(t) && !produced.has(t) ? t : clone(t);
        produced.add(own);
        return own;
      };
      return build(this.output) as TensorContainer;
    });
  }

  /** Frees what the plan made: folded and converted weights, kept results. */
  dispose(): void {
    this.owned.forEach((t) => t.dispose());
    this.convs.forEach(disposeConv);
  }
}
