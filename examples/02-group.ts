/**
 * §2 Group convolution: 256 input channels in 8 groups of 32, each group's 4 filters seeing only
 * its own 32 channels. Python:
 *   x = torch.rand(size=(1, 256, 12, 12))
 *   model = nn.Sequential(nn.Conv2d(in_channels=256, out_channels=32, kernel_size=(3, 3), padding=1, groups=8))
 *   print(model(x).shape)    # torch.Size([1, 32, 12, 12])
 */
import { nn, torch } from '../src';

export function run(): void {
  const x = torch.rand({ size: [1, 256, 12, 12] });
  const model = new nn.Sequential(
    new nn.Conv2d({ in_channels: 256, out_channels: 32, kernel_size: [3, 3], padding: 1, groups: 8 }),
  );
  console.log(String(torch.size(model(x))));
}

if (require.main === module) torch.ready().then(run);
