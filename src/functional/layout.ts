import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { nchwToNhwc, nhwcToNchw } from '../backend/layout';
import { tidy } from '../backend/tensor';

/** `[N, C, H, W]` → `[N, H, W, C]`, the layout tfjs kernels run in. */
export const toChannelsLast = (x: Tensor): Tensor => tidy(() => nchwToNhwc(x as Tensor4D));

/** `[N, H, W, C]` → `[N, C, H, W]`, PyTorch's layout. */
export const toChannelsFirst = (x: Tensor): Tensor => tidy(() => nhwcToNchw(x as Tensor4D));
