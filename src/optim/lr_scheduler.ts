/**
 * `torch.optim.lr_scheduler` (1.13): each scheduler only computes numbers, in double precision
 * and in the order PyTorch's code does (CosineAnnealingLR's recursive form included), and writes
 * them into the optimizer's groups. Construction takes the first step, as PyTorch's does.
 */
import { KeyError, ValueError } from '../errors';
import { opt, req, signature, type ArgsOf } from '../python/signature';
import { any } from '../python/types';
import { pyTypeName } from '../python/values';
import { Optimizer, type ParamGroup } from './optimizer';

const checkOptimizer = (o: unknown): Optimizer => {
  if (!(o instanceof Optimizer)) throw new TypeError(`${pyTypeName(o)} is not an Optimizer`);
  return o;
};

/**
 * PyTorch's `_LRScheduler`: `step()` advances `last_epoch` and sets each group's lr to
 * `get_lr()`; `get_last_lr()` is what the last step set.
 *
 * @see https://pytorch.org/docs/1.13/optim.html#how-to-adjust-learning-rate
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  base_lrs: number[];
  last_epoch: number;
  protected _step_count = 0;
  protected _last_lr: number[] = [];

  constructor(optimizer: Optimizer, last_epoch: number, readonly verbose: boolean) {
    this.optimizer = checkOptimizer(optimizer);
    if (last_epoch === -1) {
      for (const g of optimizer.param_groups) if (!('initial_lr' in g)) g.initial_lr = g.lr;
    } else {
      optimizer.param_groups.forEach((g, i) => {
        if (!('initial_lr' in g)) throw new KeyError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.base_lrs = optimizer.param_groups.map((g) => g.initial_lr as number);
    this.last_epoch = last_epoch;
  }

  /** PyTorch's `_initial_step`, which subclasses run once their fields are set. */
  protected initialStep(): void {
    this._step_count = 0;
    this.step();
  }

  protected abstract get_lr(): number[];

  /** `step()`: the next learning rate of every group. */
  step(): void {
    this._step_count += 1;
    this.last_epoch += 1;
    const values = this.get_lr();
    this.optimizer.param_groups.forEach((g, i) => {
      g.lr = values[i];
      if (this.verbose) console.log(`Adjusting learning rate of group ${i} to ${values[i].toExponential(4)}.`);
    });
    this._last_lr = this.optimizer.param_groups.map((g) => g.lr as number);
  }

  /** `get_last_lr()`: the learning rates the last step set, one per group. */
  get_last_lr(): number[] {
    return [...this._last_lr];
  }

  /** `state_dict()`: every field but the optimizer. */
  state_dict(): Record<string, unknown> {
    const { optimizer: _o, ...rest } = this as unknown as Record<string, unknown>;
    return JSON.parse(JSON.stringify(rest));
  }

  load_state_dict(state_dict: Record<string, unknown>): void {
    Object.assign(this, state_dict);
  }

  protected get groups(): ParamGroup[] {
    return this.optimizer.param_groups;
  }
}

const epochArgs = [opt('last_epoch', any<number>('int'), -1), opt('verbose', any<boolean>('bool'), false)] as const;
const optimizerArg = req('optimizer', any<Optimizer>('Optimizer'));

const LambdaSig = signature('LambdaLR.__init__', [optimizerArg, req('lr_lambda', any<((epoch: number) => number) | ((epoch: number) => number)[]>('function')), ...epochArgs], { method: true });

/** `LambdaLR(optimizer, lr_lambda, last_epoch=-1, verbose=False)`: `base_lr · lr_lambda(epoch)`. @see https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.LambdaLR.html */
export class LambdaLR extends LRScheduler {
  readonly lr_lambdas: ((epoch: number) => number)[];

  constructor(...args: ArgsOf<typeof LambdaSig>) {
    const { optimizer, lr_lambda, last_epoch, verbose } = LambdaSig.bind(args);
    const groups = checkOptimizer(optimizer).param_groups.length;
    let lambdas: ((epoch: number) => number)[];
    if (!Array.isArray(lr_lambda)) lambdas = Array(groups).fill(lr_lambda);
    else {
      if (lr_lambda.length !== groups) throw new ValueError(`Expected ${groups} lr_lambdas, but got ${lr_lambda.length}`);
      lambdas = [...lr_lambda];
    }
    super(optimizer, last_epoch, verbose);
    this.lr_lambdas = lambdas;
    this.initialStep();
  }

  protected get_lr(): number[] {
    return this.base_lrs.map((base, i) => base * this.lr_lambdas[i](this.last_epoch));
  }

  override state_dict(): Record<string, unknown> {
    const { lr_lambdas: _l, ...rest } = super.state_dict();
    return { ...rest, lr_lambdas: this.lr_lambdas.map(() => null) };
  }

  override load_state_dict(state_dict: Record<string, unknown>): void {
    const { lr_lambdas: _l, ...rest } = state_dict;
    super.load_state_dict(rest);
  }
}

const StepSig = signature('StepLR.__init__', [optimizerArg, req('step_size', any<number>('int')), opt('gamma', any<number>('float'), 0.1), ...epochArgs], { method: true });

/** `StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1, verbose=False)`. @see https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.StepLR.html */
export class StepLR extends LRScheduler {
  readonly step_size: number;
  readonly gamma: number;

  constructor(...args: ArgsOf<typeof StepSig>) {
    const b = StepSig.bind(args);
    super(b.optimizer, b.last_epoch, b.verbose);
    this.step_size = b.step_size;
    this.gamma = b.gamma;
    this.initialStep();
  }

  protected get_lr(): number[] {
    if (this.last_epoch === 0 || this.last_epoch % this.step_size !== 0) return this.groups.map((g) => g.lr as number);
    return this.groups.map((g) => (g.lr as number) * this.gamma);
  }
}

const MultiStepSig = signature('MultiStepLR.__init__', [optimizerArg, req('milestones', any<number[]>('list')), opt('gamma', any<number>('float'), 0.1), ...epochArgs], { method: true });

/** `MultiStepLR(optimizer, milestones, gamma=0.1, last_epoch=-1, verbose=False)`. @see https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.MultiStepLR.html */
export class MultiStepLR extends LRScheduler {
  /** Python's `Counter(milestones)`: how often each epoch is listed. */
  readonly milestones: Map<number, number>;
  readonly gamma: number;

  constructor(...args: ArgsOf<typeof MultiStepSig>) {
    const b = MultiStepSig.bind(args);
    super(b.optimizer, b.last_epoch, b.verbose);
    this.milestones = new Map();
    for (const m of b.milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = b.gamma;
    this.initialStep();
  }

  protected get_lr(): number[] {
    const count = this.milestones.get(this.last_epoch);
    if (count === undefined) return this.groups.map((g) => g.lr as number);
    return this.groups.map((g) => (g.lr as number) * this.gamma ** count);
  }
}

const ExponentialSig = signature('ExponentialLR.__init__', [optimizerArg, req('gamma', any<number>('float')), ...epochArgs], { method: true });

/** `ExponentialLR(optimizer, gamma, last_epoch=-1, verbose=False)`. @see https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.ExponentialLR.html */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(...args: ArgsOf<typeof ExponentialSig>) {
    const b = ExponentialSig.bind(args);
    super(b.optimizer, b.last_epoch, b.verbose);
    this.gamma = b.gamma;
    this.initialStep();
  }

  protected get_lr(): number[] {
    if (this.last_epoch === 0) return this.groups.map((g) => g.lr as number);
    return this.groups.map((g) => (g.lr as number) * this.gamma);
  }
}

const CosineSig = signature('CosineAnnealingLR.__init__', [optimizerArg, req('T_max', any<number>('int')), opt('eta_min', any<number>('float'), 0), ...epochArgs], { method: true });

/**
 * `CosineAnnealingLR(optimizer, T_max, eta_min=0, last_epoch=-1, verbose=False)`, in 1.13's
 * recursive form (each lr from the previous one), which is what `step()` computes.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly T_max: number;
  readonly eta_min: number;

  constructor(...args: ArgsOf<typeof CosineSig>) {
    const b = CosineSig.bind(args);
    super(b.optimizer, b.last_epoch, b.verbose);
    this.T_max = b.T_max;
    this.eta_min = b.eta_min;
    this.initialStep();
  }

  protected get_lr(): number[] {
    const { last_epoch: e, T_max: T, eta_min: min } = this;
    if (e === 0) return this.groups.map((g) => g.lr as number);
    if (this._step_count === 1 && e > 0) return this.base_lrs.map((base) => min + ((base - min) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((((e - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0) {
      return this.groups.map((g, i) => (g.lr as number) + ((this.base_lrs[i] - min) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * ((g.lr as number) - min) + min);
  }
}

const OneCycleSig = signature(
  'OneCycleLR.__init__',
  [
    optimizerArg,
    req('max_lr', any<number | number[]>('float')),
    opt('total_steps', any<number | null>('int'), null),
    opt('epochs', any<number | null>('int'), null),
    opt('steps_per_epoch', any<number | null>('int'), null),
    opt('pct_start', any<number>('float'), 0.3),
    opt('anneal_strategy', any<string>('str'), 'cos'),
    opt('cycle_momentum', any<boolean>('bool'), true),
    opt('base_momentum', any<number | number[]>('float'), 0.85),
    opt('max_momentum', any<number | number[]>('float'), 0.95),
    opt('div_factor', any<number>('float'), 25.0),
    opt('final_div_factor', any<number>('float'), 1e4),
    opt('three_phase', any<boolean>('bool'), false),
    ...epochArgs,
  ],
  { method: true },
);

interface Phase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

/**
 * `OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
 * pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85,
 * max_momentum=0.95, div_factor=25.0, final_div_factor=10000.0, three_phase=False, ...)`;
 * cycles SGD's `momentum` or Adam's first beta as PyTorch does.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.OneCycleLR.html
 */
export class OneCycleLR extends LRScheduler {
  readonly total_steps: number;
  readonly cycle_momentum: boolean;
  readonly use_beta1: boolean = false;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;

  constructor(...args: ArgsOf<typeof OneCycleSig>) {
    const b = OneCycleSig.bind(args);
    const optimizer = checkOptimizer(b.optimizer);
    let total: number;
    if (b.total_steps === null && b.epochs === null && b.steps_per_epoch === null) throw new ValueError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    else if (b.total_steps !== null) {
      if (b.total_steps <= 0 || !Number.isInteger(b.total_steps)) throw new ValueError(`Expected positive integer total_steps, but got ${b.total_steps}`);
      total = b.total_steps;
    } else {
      if (b.epochs === null || b.epochs <= 0 || !Number.isInteger(b.epochs)) throw new ValueError(`Expected positive integer epochs, but got ${b.epochs}`);
      if (b.steps_per_epoch === null || b.steps_per_epoch <= 0 || !Number.isInteger(b.steps_per_epoch)) throw new ValueError(`Expected positive integer steps_per_epoch, but got ${b.steps_per_epoch}`);
      total = b.epochs * b.steps_per_epoch;
    }
    const pct = b.pct_start;
    const phases: Phase[] = b.three_phase
      ? [
          { end_step: pct * total - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
          { end_step: 2 * pct * total - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
          { end_step: total - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
        ]
      : [
          { end_step: pct * total - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
          { end_step: total - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
        ];
    if (pct < 0 || pct > 1) throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${pct}`);
    if (b.anneal_strategy !== 'cos' && b.anneal_strategy !== 'linear') {
      throw new ValueError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${b.anneal_strategy}`);
    }
    const groups = optimizer.param_groups;
    const perGroup = (name: string, v: number | number[]): number[] => {
      if (!Array.isArray(v)) return Array(groups.length).fill(v);
      if (v.length !== groups.length) throw new ValueError(`expected ${groups.length} values for ${name}, got ${v.length}`);
      return v;
    };
    const maxLrs = perGroup('max_lr', b.max_lr);
    if (b.last_epoch === -1) {
      groups.forEach((g, i) => {
        g.initial_lr = maxLrs[i] / b.div_factor;
        g.max_lr = maxLrs[i];
        g.min_lr = (g.initial_lr as number) / b.final_div_factor;
      });
    }
    let useBeta1 = false;
    if (b.cycle_momentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) throw new ValueError('optimizer must support momentum with `cycle_momentum` option enabled');
      useBeta1 = 'betas' in optimizer.defaults;
      const maxM = perGroup('max_momentum', b.max_momentum);
      const baseM = perGroup('base_momentum', b.base_momentum);
      if (b.last_epoch === -1) {
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = Object.freeze([maxM[i], ...(g.betas as number[]).slice(1)]);
          else g.momentum = maxM[i];
          g.max_momentum = maxM[i];
          g.base_momentum = baseM[i];
        });
      }
    }
    super(optimizer, b.last_epoch, b.verbose);
    this.total_steps = total;
    this.phases = phases;
    this.cycle_momentum = b.cycle_momentum;
    this.use_beta1 = useBeta1;
    this.anneal = b.anneal_strategy === 'cos' ? (s, e, p) => e + ((s - e) / 2.0) * (Math.cos(Math.PI * p) + 1) : (s, e, p) => (e - s) * p + s;
    this.initialStep();
  }

  protected get_lr(): number[] {
    const step = this.last_epoch;
    if (step > this.total_steps) throw new ValueError(`Tried to step ${step + 1} times. The specified number of total steps is ${this.total_steps}`);
    return this.groups.map((g) => {
      let start = 0;
      let lr = 0;
      let momentum = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const p = this.phases[i];
        if (step <= p.end_step || i === this.phases.length - 1) {
          const pct = (step - start) / (p.end_step - start);
          lr = this.anneal(g[p.start_lr] as number, g[p.end_lr] as number, pct);
          if (this.cycle_momentum) momentum = this.anneal(g[p.start_momentum] as number, g[p.end_momentum] as number, pct);
          break;
        }
        start = p.end_step;
      }
      if (this.cycle_momentum) {
        if (this.use_beta1) g.betas = Object.freeze([momentum, ...(g.betas as number[]).slice(1)]);
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}

const PlateauSig = signature(
  'ReduceLROnPlateau.__init__',
  [
    optimizerArg,
    opt('mode', any<string>('str'), 'min'),
    opt('factor', any<number>('float'), 0.1),
    opt('patience', any<number>('int'), 10),
    opt('threshold', any<number>('float'), 1e-4),
    opt('threshold_mode', any<string>('str'), 'rel'),
    opt('cooldown', any<number>('int'), 0),
    opt('min_lr', any<number | number[]>('float'), 0),
    opt('eps', any<number>('float'), 1e-8),
    opt('verbose', any<boolean>('bool'), false),
  ],
  { method: true },
);

/**
 * `ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10, threshold=0.0001,
 * threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-08, verbose=False)`: `step(metric)`.
 *
 * @see https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  readonly factor: number;
  readonly min_lrs: number[];
  readonly patience: number;
  readonly verbose: boolean;
  readonly cooldown: number;
  cooldown_counter = 0;
  readonly mode: string;
  readonly threshold: number;
  readonly threshold_mode: string;
  best = Infinity;
  num_bad_epochs = 0;
  readonly mode_worse: number;
  readonly eps: number;
  last_epoch = 0;
  private _last_lr: number[] = [];

  constructor(...args: ArgsOf<typeof PlateauSig>) {
    const b = PlateauSig.bind(args);
    if (b.factor >= 1.0) throw new ValueError('Factor should be < 1.0.');
    this.factor = b.factor;
    this.optimizer = checkOptimizer(b.optimizer);
    const groups = this.optimizer.param_groups.length;
    if (Array.isArray(b.min_lr)) {
      if (b.min_lr.length !== groups) throw new ValueError(`expected ${groups} min_lrs, got ${b.min_lr.length}`);
      this.min_lrs = [...b.min_lr];
    } else this.min_lrs = Array(groups).fill(b.min_lr);
    this.patience = b.patience;
    this.verbose = b.verbose;
    this.cooldown = b.cooldown;
    this.mode = b.mode;
    this.threshold = b.threshold;
    this.threshold_mode = b.threshold_mode;
    this.eps = b.eps;
    if (b.mode !== 'min' && b.mode !== 'max') throw new ValueError(`mode ${b.mode} is unknown!`);
    if (b.threshold_mode !== 'rel' && b.threshold_mode !== 'abs') throw new ValueError(`threshold mode ${b.threshold_mode} is unknown!`);
    this.mode_worse = b.mode === 'min' ? Infinity : -Infinity;
    this.best = this.mode_worse;
  }

  /** `step(metrics)`: after `patience` epochs without improvement, multiplies each lr by `factor`. */
  step(metrics: number | { item(): number | boolean }): void {
    const current = typeof metrics === 'number' ? metrics : Number(metrics.item());
    const epoch = this.last_epoch + 1;
    this.last_epoch = epoch;
    if (this.is_better(current, this.best)) {
      this.best = current;
      this.num_bad_epochs = 0;
    } else this.num_bad_epochs += 1;
    if (this.cooldown_counter > 0) {
      this.cooldown_counter -= 1;
      this.num_bad_epochs = 0;
    }
    if (this.num_bad_epochs > this.patience) {
      this.optimizer.param_groups.forEach((g, i) => {
        const old = g.lr as number;
        const next = Math.max(old * this.factor, this.min_lrs[i]);
        if (old - next > this.eps) {
          g.lr = next;
          if (this.verbose) console.log(`Epoch ${String(epoch).padStart(5, '0')}: reducing learning rate of group ${i} to ${next.toExponential(4)}.`);
        }
      });
      this.cooldown_counter = this.cooldown;
      this.num_bad_epochs = 0;
    }
    this._last_lr = this.optimizer.param_groups.map((g) => g.lr as number);
  }

  is_better(a: number, best: number): boolean {
    if (this.mode === 'min' && this.threshold_mode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.threshold_mode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  get in_cooldown(): boolean {
    return this.cooldown_counter > 0;
  }

  /** The learning rates the last step left (1.13 keeps `_last_lr` after each step). */
  get_last_lr(): number[] {
    return [...this._last_lr];
  }
}
