/**
 * Loading PyTorch weights. Python:
 *   model = Depth_Wise_Conv(3, 16)
 *   model.load_state_dict(torch.load('depthwise.pt'))   # torch.save(model.state_dict(), 'depthwise.pt')
 *   model.eval()
 *   print(model)
 *   print(model(torch.rand(1, 3, 5, 5)).shape)           # torch.Size([1, 16, 7, 7])
 */
import * as path from 'path';
import { nn, torch } from '../src';

export function run(): void {
  const model = new nn.DepthWiseConv(3, 16);
  const stateDict = torch.load(path.join(__dirname, '..', 'test', 'fixtures', 'weights', 'depthwise.pt'));
  model.load_state_dict(stateDict);
  Object.values(stateDict).forEach((t) => t.dispose());
  model.eval();
  console.log(String(model));

  const x = torch.rand(1, 3, 5, 5);
  const y = model(x);
  console.log(String(torch.size(y)));
  [x, y].forEach((t) => t.dispose());
  model.dispose();
}

if (require.main === module) torch.ready().then(run);
