/**
 * What every builder shares, as torchvision's `models/_api.py`: the registry behind
 * `list_models()` / `get_model()`, and the `weights` / `progress` keywords. Nothing downloads at
 * run time, so a builder takes only `weights=None`; a checkpoint is loaded with
 * `model.load_state_dict(torch.load(path))`.
 */
import { ValueError } from '../../errors';
import { truthy } from '../../python/ops';
import { kwonly, signature } from '../../python/signature';
import { any } from '../../python/types';
import { isPlainObject } from '../../python/values';

/** Where torchvision lists every builder's checkpoints (the `*_Weights` enums and their URLs). */
export const MODELS_DOCS = 'https://pytorch.org/vision/0.14/models.html';

/** The keywords every builder takes besides its model's: `weights` must stay `null`. */
export interface WeightsKeywords {
  weights?: null;
  progress?: boolean;
  /** torchvision's deprecated form of `weights`; `true` is refused as `weights` is. */
  pretrained?: boolean;
}

/** A builder's arguments: one optional keyword object, the model's keywords plus {@link WeightsKeywords}. */
export type BuilderArgs<K> = [kwargs?: WeightsKeywords & K];

type Builder = ((...args: never[]) => unknown) & { readonly name: string };
const BUILTIN_MODELS = new Map<string, Builder>();

/** torchvision's `@register_model()`: records `fn` under its name for {@link list_models}. */
export function register_model<F extends Builder>(fn: F): F {
  if (BUILTIN_MODELS.has(fn.name)) throw new ValueError(`An entry is already registered under the name '${fn.name}'.`);
  BUILTIN_MODELS.set(fn.name, fn);
  return fn;
}

/** The names of the registered builders, sorted, as `torchvision.models.list_models()`. */
export function list_models(): string[] {
  return [...BUILTIN_MODELS.keys()].sort();
}

/** `get_model_builder(name)`: the builder registered under `name` (any case). */
export function get_model_builder(name: string): Builder {
  const fn = BUILTIN_MODELS.get(name.toLowerCase());
  if (fn === undefined) throw new ValueError(`Unknown model ${name}`);
  return fn;
}

/** `get_model(name, **config)`: the model `name`'s builder makes from `config`. */
export function get_model(name: string, config: Record<string, unknown> = {}): unknown {
  return (get_model_builder(name) as (config: Record<string, unknown>) => unknown)(config);
}

/**
 * Binds a builder's `(*, weights=None, progress=True, **kwargs)` and returns `kwargs`, the
 * model's own keywords, for its class to bind (so an unknown one is the class's TypeError, as in
 * Python). `weights` (or `pretrained=True`) would download a checkpoint: that is refused with
 * what to do instead. `progress` only concerned the download.
 */
export function builderKwargs<K extends object>(name: string, weightsEnum: string, args: readonly unknown[]): Partial<K> {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  const keywords = end > 0 && isPlainObject(args[end - 1]) ? (args[end - 1] as Record<string, unknown>) : {};
  const positional = args.slice(0, keywords === args[end - 1] ? end - 1 : end);
  const { weights, progress, pretrained, ...kwargs } = keywords;
  signature(name, [kwonly('weights', any<null>('WeightsEnum'), null), kwonly('progress', any<boolean>('bool'), true)]).bind([...positional, { weights, progress }]);
  if ((weights !== undefined && weights !== null) || truthy(pretrained ?? false)) {
    throw new ValueError(
      `${name}(): pretrained weights are not downloaded here. Download the checkpoint yourself (its URL is in torchvision's ${weightsEnum}, ` +
        `listed on ${MODELS_DOCS}), then build the model without weights and load it: ` +
        `const model = torchvision.models.${name}(); model.load_state_dict(torch.load(path));`,
    );
  }
  return kwargs as Partial<K>;
}
