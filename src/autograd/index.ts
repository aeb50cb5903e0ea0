/** `torch.autograd`: `backward` and `grad`; the Tensor members are added by ./tensor. */
export { autogradBackward as backward, grad } from './tensor';
