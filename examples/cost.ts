/**
 * Parameters and multiply-adds of a chain of modules, counted from the modules themselves: each
 * child runs once on a sample input to learn its output size, and a convolution costs
 * `C_out·H_out·W_out·(C_in/groups)·kH·kW` multiply-adds per sample.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';

export interface Cost {
  parameters: number;
  multiplyAdds: number;
}

export function costOf(model: nn.Sequential, inputSize: number[]): Cost {
  let x: Tensor = torch.zeros(inputSize);
  let multiplyAdds = 0;
  for (const layer of model) {
    const y: Tensor = layer.call(x);
    if (layer instanceof nn.Conv2d) {
      const [, cout, ho, wo] = y.shape;
      const [kh, kw] = layer.kernel_size;
      multiplyAdds += cout * ho * wo * (layer.in_channels / layer.groups) * kh * kw;
    }
    x.dispose();
    x = y;
  }
  x.dispose();
  const parameters = [...model.parameters()].reduce((n, p) => n + p.size, 0);
  return { parameters, multiplyAdds };
}
