/**
 * §3 Pointwise convolution: a 1×1 kernel mixes channels at each pixel. Python:
 *   x = torch.rand(size=(1, 3, 8, 8))
 *   model = nn.Sequential(nn.Conv2d(in_channels=3, out_channels=256, kernel_size=(1,1)))
 *   print(model(x).shape)    # torch.Size([1, 256, 8, 8])
 */
import { nn, torch } from '../src';

export function run(): void {
  const x = torch.rand({ size: [1, 3, 8, 8] });
  const model = new nn.Sequential(new nn.Conv2d({ in_channels: 3, out_channels: 256, kernel_size: [1, 1] }));
  console.log(String(torch.size(model(x))));
}

if (require.main === module) torch.ready().then(run);
