/**
 * §5 Depthwise-separable convolution = depthwise then pointwise, the same output shape as a
 * standard convolution for a fraction of the cost. Python:
 *   x = torch.rand(size=(1, 3, 12, 12))
 *   model = nn.Sequential(nn.Conv2d(in_channels=3, out_channels=256, kernel_size=(5,5)))
 *   print(model(x).shape)    # torch.Size([1, 256, 8, 8])
 *   x = torch.rand(size=(1, 3, 12, 12))
 *   model = nn.Sequential(nn.Conv2d(in_channels=3, out_channels=3, kernel_size=(5,5), groups=3),
 *                         nn.Conv2d(in_channels=3, out_channels=256, kernel_size=(1,1)))
 *   print(model(x).shape)    # torch.Size([1, 256, 8, 8])
 */
import { nn, torch } from '../src';

export function run(): void {
  let x = torch.rand({ size: [1, 3, 12, 12] });
  let model = new nn.Sequential(new nn.Conv2d({ in_channels: 3, out_channels: 256, kernel_size: [5, 5] }));
  console.log(String(torch.size(model(x))));

  x = torch.rand({ size: [1, 3, 12, 12] });
  model = new nn.Sequential(
    new nn.Conv2d({ in_channels: 3, out_channels: 3, kernel_size: [5, 5], groups: 3 }),
    new nn.Conv2d({ in_channels: 3, out_channels: 256, kernel_size: [1, 1] }),
  );
  console.log(String(torch.size(model(x))));
}

if (require.main === module) torch.ready().then(run);
