import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as A from '../backend/optim';
import { ValueError } from '../errors';
import { kwonly, opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { Optimizer, required, type ParamGroup, type Params, type Required } from './optimizer';

const SgdSig = signature(
  'SGD.__init__',
  [
    req('params', any<Params>('iterable')),
    opt('lr', any<number | Required>('float'), required),
    opt('momentum', any<number>('float'), 0),
    opt('dampening', any<number>('float'), 0),
    opt('weight_decay', any<number>('float'), 0),
    opt('nesterov', any<boolean>('bool'), false),
    kwonly('maximize', any<boolean>('bool'), false),
    kwonly('foreach', any<boolean | null>('bool'), null),
    kwonly('differentiable', any<boolean>('bool'), false),
  ],
  { method: true },
);

/**
 * `optim.SGD(params, lr=required, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
 * maximize=False, foreach=None, differentiable=False)`, stepping as 1.13's `_single_tensor_sgd`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html
 */
export class SGD extends Optimizer {
  constructor(...args: ArgsOf<typeof SgdSig>) {
    const { params, ...d } = SgdSig.bind(args);
    if (d.lr !== required && d.lr < 0) throw new ValueError(`Invalid learning rate: ${d.lr}`);
    if (d.momentum < 0) throw new ValueError(`Invalid momentum value: ${d.momentum}`);
    if (d.weight_decay < 0) throw new ValueError(`Invalid weight_decay value: ${d.weight_decay}`);
    const defaults = { lr: d.lr, momentum: d.momentum, dampening: d.dampening, weight_decay: d.weight_decay, nesterov: d.nesterov, maximize: d.maximize, foreach: d.foreach, differentiable: d.differentiable };
    if (d.nesterov && (d.momentum <= 0 || d.dampening !== 0)) throw new ValueError('Nesterov momentum requires a momentum and zero dampening');
    super(params, defaults);
  }

  protected update(group: ParamGroup, params: Variable[], grads: Tensor[]): void {
    const { lr, momentum, dampening, weight_decay, nesterov, maximize } = group as ParamGroup & Record<string, number & boolean>;
    params.forEach((param, i) => {
      const state = this.stateOf(param, () => ({ momentum_buffer: null }));
      A.update(() => {
        let d_p = maximize ? A.neg(grads[i]) : grads[i];
        if (weight_decay !== 0) d_p = A.add(d_p, param, weight_decay);
        if (momentum !== 0) {
          let buf = state.momentum_buffer as Variable | null;
          if (buf === null) {
            buf = A.stateOf(d_p);
            state.momentum_buffer = buf;
          } else {
            A.assign(buf, A.add(A.mul(buf, momentum), d_p, 1 - dampening));
          }
          d_p = nesterov ? A.add(d_p, buf, momentum) : buf;
        }
        A.assign(param, A.add(param, d_p, -lr));
      });
    });
  }
}
