/**
 * §4 Depthwise convolution: groups = in_channels, one 5×5 filter per channel. Python:
 *   x = torch.rand(size=(1, 3, 12, 12))
 *   model = nn.Sequential(nn.Conv2d(in_channels=3, out_channels=3, kernel_size=(5,5), groups=3))
 *   print(model(x).shape)    # torch.Size([1, 3, 8, 8])
 */
import { nn, torch } from '../src';

export function run(): void {
  const x = torch.rand({ size: [1, 3, 12, 12] });
  const model = new nn.Sequential(new nn.Conv2d({ in_channels: 3, out_channels: 3, kernel_size: [5, 5], groups: 3 }));
  console.log(String(torch.size(model(x))));
}

if (require.main === module) torch.ready().then(run);
