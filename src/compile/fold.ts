/**
 * The fold pass: a Conv2d followed by an eval-mode BatchNorm2d becomes one convolution whose
 * weight and bias absorb the normalisation (`torch.nn.utils.fusion.fuse_conv_bn_eval`); the
 * arithmetic itself runs when a plan is made (`foldBatchNorm` in src/backend/compiled.ts), so a
 * plan made after new weights are loaded folds the new values.
 *
 * Every Conv2d layer becomes a {@link ConvNode} here, folded or not, so that the fuse pass and
 * the plan see one kind of convolution.
 */
import { BatchNorm2d } from '../nn/batchnorm';
import { Conv2d } from '../nn/conv';
import { readers, type ConvNode, type Graph, type Node } from './graph';

/** Whether `bn` normalises with its running statistics (eval mode, statistics kept). */
const usesRunningStats = (bn: BatchNorm2d): boolean => !bn.training && bn.running_mean !== null && bn.running_var !== null;

export function fold(g: Graph): Graph {
  const count = readers(g);
  const nodes: Node[] = [];
  for (let i = 0; i < g.nodes.length; i++) {
    const n = g.nodes[i];
    // An unbatched (3-D) input runs as the layer itself: the plan's convolutions take [N, C, H, W].
    if (n.op !== 'layer' || !(n.module instanceof Conv2d) || g.values[n.input].shape.length !== 4) {
      nodes.push(n);
      continue;
    }
    const next = g.nodes[i + 1];
    const foldable =
      next !== undefined &&
      next.op === 'layer' &&
      next.module instanceof BatchNorm2d &&
      next.input === n.output &&
      count.get(n.output) === 1 &&
      usesRunningStats(next.module) &&
      next.module.num_features === n.module.out_channels;
    const conv: ConvNode = foldable
      ? { op: 'conv', conv: n.module, bn: next.module as BatchNorm2d, activation: null, input: n.input, output: next.output }
      : { op: 'conv', conv: n.module, bn: null, activation: null, input: n.input, output: n.output };
    nodes.push(conv);
    if (foldable) i++;
  }
  return { ...g, nodes };
}
