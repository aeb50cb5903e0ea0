/**
 * The fuse pass: an activation that only a convolution's output feeds — a ReLU or ReLU6 module,
 * `F.relu`/`F.relu6` or the tensor method, i.e. tfjs's Relu, Relu6 or ClipByValue(0, 6) kernel —
 * moves into the convolution, which then runs as one tfjs fused kernel (`tf.fused.conv2d` /
 * `tf.fused.depthwiseConv2d` with `bias` and `activation`).
 */
import { ReLU, ReLU6 } from '../nn/activation';
import { readers, type Graph, type Node, type ValueId } from './graph';

/** The fused activation `n` computes from `input`, or null. */
function activationOf(n: Node, input: ValueId): 'relu' | 'relu6' | null {
  if (n.op === 'layer' && n.input === input) {
    // The library's own classes only: a subclass may compute something else.
    if (n.module.constructor === ReLU) return 'relu';
    if (n.module.constructor === ReLU6) return 'relu6';
    return null;
  }
  if (n.op !== 'kernel' || n.inputs.length !== 1 || n.inputs[0] !== input || n.outputs.length !== 1) return null;
  if (n.kernel === 'Relu') return 'relu';
  if (n.kernel === 'Relu6') return 'relu6';
  if (n.kernel === 'ClipByValue' && n.attrs.clipValueMin === 0 && n.attrs.clipValueMax === 6) return 'relu6';
  return null;
}

export function fuse(g: Graph): Graph {
  const count = readers(g);
  const nodes: Node[] = [];
  for (let i = 0; i < g.nodes.length; i++) {
    const n = g.nodes[i];
    const next = g.nodes[i + 1];
    const activation = n.op === 'conv' && next !== undefined && count.get(n.output) === 1 ? activationOf(next, n.output) : null;
    if (n.op === 'conv' && activation !== null) {
      nodes.push({ ...n, activation, output: next.op === 'kernel' ? next.outputs[0] : (next as { output: ValueId }).output });
      i++;
    } else {
      nodes.push(n);
    }
  }
  return { ...g, nodes };
}
