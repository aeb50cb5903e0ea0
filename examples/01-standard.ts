/**
 * §1 Standard convolution. Python:
 *   x = torch.rand(size=(1, 3, 12, 12))
 *   model = nn.Sequential(nn.Conv2d(in_channels=3, out_channels=1, kernel_size=(5,5)))
 *   print(model(x).shape)    # torch.Size([1, 1, 8, 8]): N = (12 - 5 + 2*0) / 1 + 1 = 8
 *   model = nn.Sequential(nn.Conv2d(in_channels=3, out_channels=256, kernel_size=(5,5)))
 *   print(model(x).shape)    # torch.Size([1, 256, 8, 8])
 */
import { nn, torch } from '../src';

export function run(): void {
  const x = torch.rand({ size: [1, 3, 12, 12] });

  let model = new nn.Sequential(new nn.Conv2d({ in_channels: 3, out_channels: 1, kernel_size: [5, 5] }));
  console.log(String(torch.size(model(x))));

  model = new nn.Sequential(new nn.Conv2d({ in_channels: 3, out_channels: 256, kernel_size: [5, 5] }));
  console.log(String(torch.size(model(x))));
}

if (require.main === module) torch.ready().then(run);
