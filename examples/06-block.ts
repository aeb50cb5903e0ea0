/**
 * §5.4 The article's Depth_Wise_Conv block (nn.DepthWiseConv here), run on a 1×3×16×16 input.
 * Python:
 *   x = torch.rand(1, 3, 16, 16)
 *   model = Depth_Wise_Conv(3, 16)
 *   model = model(x)
 *   print(model)     # the 1×16×18×18 output tensor (padding=1 on the 1×1 conv adds the border)
 * PyTorch appends `grad_fn=<ReluBackward0>` to that printout; torch.str prints no grad_fn, so
 * the tensor prints without it.
 */
import { nn, torch } from '../src';

export function run(): void {
  const x = torch.rand(1, 3, 16, 16);
  const model = new nn.DepthWiseConv(3, 16);
  const y = model(x);
  console.log(torch.str(y));
}

if (require.main === module) torch.ready().then(run);
