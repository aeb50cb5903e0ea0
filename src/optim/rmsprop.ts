import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as A from '../backend/optim';
import { ValueError } from '../errors';
import { opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { Optimizer, type ParamGroup, type Params } from './optimizer';

const RmspropSig = signature(
  'RMSprop.__init__',
  [
    req('params', any<Params>('iterable')),
    opt('lr', any<number>('float'), 1e-2),
    opt('alpha', any<number>('float'), 0.99),
    opt('eps', any<number>('float'), 1e-8),
    opt('weight_decay', any<number>('float'), 0),
    opt('momentum', any<number>('float'), 0),
    opt('centered', any<boolean>('bool'), false),
    opt('foreach', any<boolean | null>('bool'), null),
    opt('maximize', any<boolean>('bool'), false),
    opt('differentiable', any<boolean>('bool'), false),
  ],
  { method: true },
);

/**
 * `optim.RMSprop(params, lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0,
 * centered=False, foreach=None, maximize=False, differentiable=False)`, stepping as 1.13's
 * `_single_tensor_rmsprop`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.optim.RMSprop.html
 */
export class RMSprop extends Optimizer {
  constructor(...args: ArgsOf<typeof RmspropSig>) {
    const { params, ...d } = RmspropSig.bind(args);
    if (!(0 <= d.lr)) throw new ValueError(`Invalid learning rate: ${d.lr}`);
    if (!(0 <= d.eps)) throw new ValueError(`Invalid epsilon value: ${d.eps}`);
    if (!(0 <= d.momentum)) throw new ValueError(`Invalid momentum value: ${d.momentum}`);
    if (!(0 <= d.weight_decay)) throw new ValueError(`Invalid weight_decay value: ${d.weight_decay}`);
    if (!(0 <= d.alpha)) throw new ValueError(`Invalid alpha value: ${d.alpha}`);
    super(params, { lr: d.lr, momentum: d.momentum, alpha: d.alpha, eps: d.eps, centered: d.centered, weight_decay: d.weight_decay, foreach: d.foreach, maximize: d.maximize, differentiable: d.differentiable });
  }

  protected update(group: ParamGroup, params: Variable[], grads: Tensor[]): void {
    const { lr, alpha, eps, weight_decay, momentum, centered, maximize } = group as ParamGroup & Record<string, number & boolean>;
    params.forEach((param, i) => {
      const state = this.stateOf(param, () => ({
        step: 0,
        square_avg: A.stateFull(param, 0),
        ...(momentum > 0 ? { momentum_buffer: A.stateFull(param, 0) } : {}),
        ...(centered ? { grad_avg: A.stateFull(param, 0) } : {}),
      }));
      state.step = (state.step as number) + 1;
      A.update(() => {
        let grad = maximize ? A.neg(grads[i]) : grads[i];
        const square_avg = state.square_avg as Variable;
        if (weight_decay !== 0) grad = A.add(grad, param, weight_decay);
        A.assign(square_avg, A.addcmul(A.mul(square_avg, alpha), grad, grad, 1 - alpha));
        let avg: Tensor;
        if (centered) {
          const grad_avg = state.grad_avg as Variable;
          A.assign(grad_avg, A.add(A.mul(grad_avg, alpha), grad, 1 - alpha));
          avg = A.sqrt(A.addcmul(square_avg, grad_avg, grad_avg, -1));
        } else {
          avg = A.sqrt(square_avg);
        }
        avg = A.addScalar(avg, eps);
        if (momentum > 0) {
          const buf = state.momentum_buffer as Variable;
          A.assign(buf, A.addcdiv(A.mul(buf, momentum), grad, avg));
          A.assign(param, A.add(param, buf, -lr));
        } else {
          A.assign(param, A.addcdiv(param, grad, avg, -lr));
        }
      });
    });
  }
}
