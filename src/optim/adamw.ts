import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as A from '../backend/optim';
import { kwonly, opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { adamMoments, adamState, checkAdamArgs } from './adam';
import { Optimizer, type ParamGroup, type Params } from './optimizer';

const AdamWSig = signature(
  'AdamW.__init__',
  [
    req('params', any<Params>('iterable')),
    opt('lr', any<number>('float'), 1e-3),
    opt('betas', any<readonly [number, number]>('tuple'), Object.freeze([0.9, 0.999] as const)),
    opt('eps', any<number>('float'), 1e-8),
    opt('weight_decay', any<number>('float'), 1e-2),
    opt('amsgrad', any<boolean>('bool'), false),
    kwonly('maximize', any<boolean>('bool'), false),
    kwonly('foreach', any<boolean | null>('bool'), null),
    kwonly('capturable', any<boolean>('bool'), false),
  ],
  { method: true },
);

/**
 * `optim.AdamW(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01,
 * amsgrad=False, *, maximize=False, foreach=None, capturable=False)`, stepping as 1.13's
 * `_single_tensor_adamw`: decoupled decay `param.mul_(1 - lr·weight_decay)` first.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.optim.AdamW.html
 */
export class AdamW extends Optimizer {
  constructor(...args: ArgsOf<typeof AdamWSig>) {
    const { params, ...d } = AdamWSig.bind(args);
    checkAdamArgs(d.lr, d.betas, d.eps, d.weight_decay);
    super(params, { lr: d.lr, betas: d.betas, eps: d.eps, weight_decay: d.weight_decay, amsgrad: d.amsgrad, foreach: d.foreach, maximize: d.maximize, capturable: d.capturable });
  }

  protected update(group: ParamGroup, params: Variable[], grads: Tensor[]): void {
    params.forEach((param, i) => {
      const state = this.stateOf(param, () => adamState(param, group.amsgrad as boolean));
      A.update(() => {
        const grad = group.maximize ? A.neg(grads[i]) : grads[i];
        A.assign(state.step as Variable, A.addScalar(state.step as Tensor, 1));
        A.assign(param, A.mul(param, 1 - (group.lr as number) * (group.weight_decay as number)));
        adamMoments(param, grad, state, group);
      });
    });
  }
}
