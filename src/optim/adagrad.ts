import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as A from '../backend/optim';
import { ValueError } from '../errors';
import { kwonly, opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { Optimizer, type ParamGroup, type Params } from './optimizer';

const AdagradSig = signature(
  'Adagrad.__init__',
  [
    req('params', any<Params>('iterable')),
    opt('lr', any<number>('float'), 1e-2),
    opt('lr_decay', any<number>('float'), 0),
    opt('weight_decay', any<number>('float'), 0),
    opt('initial_accumulator_value', any<number>('float'), 0),
    opt('eps', any<number>('float'), 1e-10),
    opt('foreach', any<boolean | null>('bool'), null),
    kwonly('maximize', any<boolean>('bool'), false),
  ],
  { method: true },
);

/**
 * `optim.Adagrad(params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
 * eps=1e-10, foreach=None, *, maximize=False)`, stepping as 1.13's `_single_tensor_adagrad`.
 * As in PyTorch, every parameter's state is made by the constructor.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.optim.Adagrad.html
 */
export class Adagrad extends Optimizer {
  constructor(...args: ArgsOf<typeof AdagradSig>) {
    const { params, ...d } = AdagradSig.bind(args);
    if (!(0 <= d.lr)) throw new ValueError(`Invalid learning rate: ${d.lr}`);
    if (!(0 <= d.lr_decay)) throw new ValueError(`Invalid lr_decay value: ${d.lr_decay}`);
    if (!(0 <= d.weight_decay)) throw new ValueError(`Invalid weight_decay value: ${d.weight_decay}`);
    if (!(0 <= d.initial_accumulator_value)) throw new ValueError(`Invalid initial_accumulator_value value: ${d.initial_accumulator_value}`);
    if (!(0 <= d.eps)) throw new ValueError(`Invalid epsilon value: ${d.eps}`);
    super(params, { lr: d.lr, lr_decay: d.lr_decay, eps: d.eps, weight_decay: d.weight_decay, initial_accumulator_value: d.initial_accumulator_value, foreach: d.foreach, maximize: d.maximize });
    for (const group of this.param_groups) {
      for (const p of group.params) this.state.set(p, { step: A.scalarState(0), sum: A.stateFull(p, group.initial_accumulator_value as number) });
    }
  }

  protected update(group: ParamGroup, params: Variable[], grads: Tensor[]): void {
    const { lr, weight_decay, lr_decay, eps, maximize } = group as ParamGroup & Record<string, number & boolean>;
    params.forEach((param, i) => {
      const state = this.state.get(param)!;
      A.update(() => {
        A.assign(state.step as Variable, A.addScalar(state.step as Tensor, 1));
        const step = A.readScalar(state.step as Tensor);
        let grad = maximize ? A.neg(grads[i]) : grads[i];
        if (weight_decay !== 0) grad = A.add(grad, param, weight_decay);
        const clr = lr / (1 + (step - 1) * lr_decay);
        const sum = state.sum as Variable;
        A.assign(sum, A.addcmul(sum, grad, grad, 1));
        const std = A.addScalar(A.sqrt(sum), eps);
        A.assign(param, A.addcdiv(param, grad, std, -clr));
      });
    });
  }
}
