import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as A from '../backend/optim';
import { ValueError } from '../errors';
import { pyFloat } from '../python/repr';
import { kwonly, opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { Optimizer, type ParamGroup, type Params, type ParamState } from './optimizer';

/**
 * Adam's and AdamW's argument checks, in PyTorch's order. Betas print as the floats they are
 * (a JavaScript `1` stands for Python's `1.0` here).
 */
export function checkAdamArgs(lr: number, betas: readonly number[], eps: number, weight_decay: number): void {
  if (!(0 <= lr)) throw new ValueError(`Invalid learning rate: ${lr}`);
  if (!(0 <= eps)) throw new ValueError(`Invalid epsilon value: ${eps}`);
  if (!(0 <= betas[0] && betas[0] < 1)) throw new ValueError(`Invalid beta parameter at index 0: ${pyFloat(betas[0])}`);
  if (!(0 <= betas[1] && betas[1] < 1)) throw new ValueError(`Invalid beta parameter at index 1: ${pyFloat(betas[1])}`);
  if (!(0 <= weight_decay)) throw new ValueError(`Invalid weight_decay value: ${weight_decay}`);
}

/** The moments' state, as Adam's step makes it the first time (`step` is a float32 tensor in 1.13). */
export const adamState = (p: Variable, amsgrad: boolean): ParamState => ({
  step: A.scalarState(0),
  exp_avg: A.stateFull(p, 0),
  exp_avg_sq: A.stateFull(p, 0),
  ...(amsgrad ? { max_exp_avg_sq: A.stateFull(p, 0) } : {}),
});

/**
 * The common tail of `_single_tensor_adam` and `_single_tensor_adamw` (not capturable): the
 * moments, the bias corrections in double precision, then `param.addcdiv_(exp_avg, denom, value=-step_size)`.
 */
export function adamMoments(param: Variable, grad: Tensor, state: ParamState, g: Record<string, unknown>): void {
  const [beta1, beta2] = g.betas as [number, number];
  const { lr, eps, amsgrad } = g as { lr: number; eps: number; amsgrad: boolean };
  const exp_avg = state.exp_avg as Variable;
  const exp_avg_sq = state.exp_avg_sq as Variable;
  A.assign(exp_avg, A.add(A.mul(exp_avg, beta1), grad, 1 - beta1));
  A.assign(exp_avg_sq, A.addcmul(A.mul(exp_avg_sq, beta2), grad, grad, 1 - beta2));
  const step = A.readScalar(state.step as Tensor);
  const bias_correction1 = 1 - beta1 ** step;
  const bias_correction2 = 1 - beta2 ** step;
  const step_size = lr / bias_correction1;
  const bias_correction2_sqrt = Math.sqrt(bias_correction2);
  let denom: Tensor;
  if (amsgrad) {
    const max = state.max_exp_avg_sq as Variable;
    A.assign(max, A.maximum(max, exp_avg_sq));
    denom = A.addScalar(A.div(A.sqrt(max), bias_correction2_sqrt), eps);
  } else {
    denom = A.addScalar(A.div(A.sqrt(exp_avg_sq), bias_correction2_sqrt), eps);
  }
  A.assign(param, A.addcdiv(param, exp_avg, denom, -step_size));
}

const AdamSig = signature(
  'Adam.__init__',
  [
    req('params', any<Params>('iterable')),
    opt('lr', any<number>('float'), 1e-3),
    opt('betas', any<readonly [number, number]>('tuple'), Object.freeze([0.9, 0.999] as const)),
    opt('eps', any<number>('float'), 1e-8),
    opt('weight_decay', any<number>('float'), 0),
    opt('amsgrad', any<boolean>('bool'), false),
    kwonly('foreach', any<boolean | null>('bool'), null),
    kwonly('maximize', any<boolean>('bool'), false),
    kwonly('capturable', any<boolean>('bool'), false),
    kwonly('differentiable', any<boolean>('bool'), false),
    kwonly('fused', any<boolean>('bool'), false),
  ],
  { method: true },
);

/**
 * `optim.Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False,
 * *, foreach=None, maximize=False, capturable=False, differentiable=False, fused=False)`,
 * stepping as 1.13's `_single_tensor_adam`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.optim.Adam.html
 */
export class Adam extends Optimizer {
  constructor(...args: ArgsOf<typeof AdamSig>) {
    const { params, ...d } = AdamSig.bind(args);
    checkAdamArgs(d.lr, d.betas, d.eps, d.weight_decay);
    super(params, { lr: d.lr, betas: d.betas, eps: d.eps, weight_decay: d.weight_decay, amsgrad: d.amsgrad, maximize: d.maximize, foreach: d.foreach, capturable: d.capturable, differentiable: d.differentiable, fused: d.fused });
  }

  protected update(group: ParamGroup, params: Variable[], grads: Tensor[]): void {
    params.forEach((param, i) => {
      const state = this.stateOf(param, () => adamState(param, group.amsgrad as boolean));
      A.update(() => {
        let grad = group.maximize ? A.neg(grads[i]) : grads[i];
        A.assign(state.step as Variable, A.addScalar(state.step as Tensor, 1));
        if (group.weight_decay !== 0) grad = A.add(grad, param, group.weight_decay as number);
        adamMoments(param, grad, state, group);
      });
    });
  }
}
