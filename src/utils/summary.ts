/**
 * `summary(model, input_size)`: torchinfo 1.8's model summary — one row per module call with
 * its output shape, parameters and multiply-adds, then the totals — built from forward hooks.
 *
 * Definitions (torchinfo 1.8 source files named in brackets):
 *
 * - **Rows** [torchinfo.py `apply_hooks`, `set_children_layers`]: a forward pre-hook on every
 *   module adds a row each time the module is called, in call order; the row's depth is how
 *   deeply the call is nested (the model is depth 0). The `depth-idx` after a class name counts
 *   the rows of that depth over the whole table, as torchinfo numbers them. A module called
 *   again is marked recursive. torchinfo takes a module's depth from where it is registered
 *   (the last place, for a shared module) rather than from the call; the two agree unless a
 *   module is called by one that does not own it, where this summary keeps the call tree.
 *   A module that is never called (a holder like ModuleList) has no row.
 * - **Output Shape / Input Shape** [layer_info.py `calculate_size`]: a forward hook records the
 *   shape of the output tensor (of the first tensor of an array, of the last value of an
 *   object) and of the first input tensor.
 * - **Param #** [layer_info.py `num_params_to_str`, `leftover_params`]: for leaves and rows at
 *   the `depth` limit, the numel of the module's parameters (shared ones once), in parentheses
 *   when none is trainable; for containers above the limit, only what no row below accounts
 *   for ("--" if nothing); `(recursive)` on later calls of a module.
 * - **Mult-Adds** [layer_info.py `calculate_macs`], for the whole batch N, per call: each
 *   parameter named `weight` or `bias` adds `numel · N · H_out · W_out` (every output spatial
 *   dimension) when the class name contains "Conv", else `numel · N`. So:
 *   - Conv2d: `N · H_out · W_out · (C_out · C_in/groups · kH · kW + C_out)` — the article's
 *     `C_out·H_out·W_out·(C_in/groups)·kH·kW` per sample, plus one add per output element for
 *     the bias (absent with `bias: false`); stride, padding and dilation act through H_out, W_out.
 *   - BatchNorm2d: `N · 2·C` with affine parameters (weight and bias, not per pixel), else 0.
 *   - ReLU: 0 (no parameters).
 *   Parameters with other names containing "weight" or "bias" (torchinfo's RNN rule) add
 *   `numel · N · output_size[1]`; here that happens only on containers, whose own `macs` is
 *   therefore not a cost: the table shows a container's total (its leaf rows' sum) only at the
 *   depth limit. `macs_by_param` splits a row's `macs` by parameter name.
 * - **Totals** [model_statistics.py `ModelStatistics.__init__`]: `total_mult_adds` sums the leaf
 *   rows (every call). `total_params` and `trainable_params` count `model.parameters()`, each
 *   parameter once — PyTorch's `sum(p.numel() for p in model.parameters())`, which torchinfo's
 *   row-by-row sum (leaves plus containers' leftovers) equals whenever each module is called
 *   under the module that owns it.
 *   `total_param_bytes` is their bytes. `total_output_bytes` ("Forward/backward pass size") is
 *   twice the output bytes of each leaf row that has parameters ("x2 for gradients").
 *   `total_input` is the inputs' bytes (numel · element size; torchinfo's `sys.getsizeof` of
 *   the storage adds CPython's 56-byte object header per tensor). MB are 10⁶ bytes.
 * - **Printing** [model_statistics.py `format_output_num`, formatting.py]: layer column 40 wide
 *   (widened to a multiple of 5 for long names), other columns 25; `Total params: 1,102`;
 *   mult-adds in M (G from 10⁹, T from 10¹²) with two decimals, or none when whole; sizes in MB
 *   with two decimals; Python's rounding (exact ties to even).
 * - **Running** [torchinfo.py `forward_pass`]: the model runs once, in eval mode unless
 *   `mode: 'train'`, on `torch.zeros(input_size)` (torchinfo uses `torch.rand`; zeros leave the
 *   random generator untouched) or on the given tensors. Afterwards every hook is removed, every
 *   module's train/eval flag is restored (torchinfo restores the model's flag on every module),
 *   and every tensor summary made is freed. Given tensors are not freed.
 *
 * @see https://github.com/TylerYep/torchinfo/tree/v1.8.0
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { RuntimeError, ValueError } from '../errors';
import type { Module, RemovableHandle } from '../nn/module';
import { zeros } from '../torch/creation';
import { pyFormatFixed } from '../torch/format';
import { isTensor } from '../backend/tensor';

const inspect = Symbol.for('nodejs.util.inspect.custom');

export const COLUMN_NAMES = ['input_size', 'output_size', 'num_params', 'params_percent', 'kernel_size', 'mult_adds', 'trainable'] as const;
export type ColumnName = (typeof COLUMN_NAMES)[number];
export const ROW_SETTINGS = ['depth', 'var_names', 'ascii_only', 'hide_recursive_layers'] as const;
export type RowSetting = (typeof ROW_SETTINGS)[number];

/** torchinfo's defaults when an input is given; without one, `['num_params']`. */
export const DEFAULT_COLUMN_NAMES: readonly ColumnName[] = ['output_size', 'num_params'];
/** Columns that need no forward pass. */
const STATIC_COLUMNS: readonly ColumnName[] = ['num_params', 'params_percent', 'kernel_size', 'trainable'];

const HEADER_TITLES: Record<ColumnName, string> = {
  kernel_size: 'Kernel Shape',
  input_size: 'Input Shape',
  output_size: 'Output Shape',
  num_params: 'Param #',
  params_percent: 'Param %',
  mult_adds: 'Mult-Adds',
  trainable: 'Trainable',
};

/** One input size (`[1, 3, 16, 16]`), several sizes, one tensor, or several tensors. */
export type SummaryInput = readonly number[] | readonly (readonly number[])[] | Tensor | readonly Tensor[];

export interface SummaryOptions {
  /** Rows nested deeper than this are not printed (they still count in the totals). Default 3. */
  depth?: number;
  /** Default `['output_size', 'num_params']`, or `['num_params']` without an input. */
  col_names?: readonly ColumnName[];
  /** Width of each column but the first. Default 25. */
  col_width?: number;
  /** Default `['depth']`: `Conv2d: 2-1`. */
  row_settings?: readonly RowSetting[];
  /** The mode the model runs in; its modules' own flags are restored afterwards. Default `'eval'`. */
  mode?: 'train' | 'eval';
}

/** One module call: torchinfo's `LayerInfo`. Sizes are in bytes, shapes as PyTorch's. */
export class LayerInfo {
  readonly class_name: string;
  /** Whether the module has no children. */
  readonly is_leaf_layer: boolean;
  readonly kernel_size: number | number[] | null;
  /** The row's number among the rows of its depth, over the whole table (set once all rows are known). */
  depth_index: number | null = null;
  /** Every following row nested under this one. */
  children: LayerInfo[] = [];
  executed = false;
  is_recursive = false;
  input_size: number[] = [];
  output_size: number[] = [];
  num_params = 0;
  trainable_params = 0;
  param_bytes = 0;
  output_bytes = 0;
  /** Multiply-adds of this call over the whole batch (see the module's definitions). */
  macs = 0;
  /** `macs` by parameter name, e.g. `{ weight: 1228800, bias: 16384 }`. */
  readonly macs_by_param: Record<string, number> = {};

  constructor(
    readonly var_name: string,
    readonly module: Module,
    readonly depth: number,
    readonly parent_info: LayerInfo | null,
  ) {
    this.class_name = module.constructor.name;
    this.is_leaf_layer = module.children().next().done === true;
    const k = (module as unknown as { kernel_size?: unknown }).kernel_size;
    this.kernel_size = typeof k === 'number' ? k : Array.isArray(k) ? [...(k as number[])] : null;
  }

  /** `"True"`, `"False"`, `"Partial"` or `"--"` (no parameters). */
  get trainable(): string {
    if (this.num_params === 0) return '--';
    if (this.trainable_params === 0) return 'False';
    return this.num_params === this.trainable_params ? 'True' : 'Partial';
  }

  calculate_num_params(): void {
    this.num_params = this.trainable_params = this.param_bytes = 0;
    for (const [, p] of this.module.named_parameters()) {
      this.num_params += p.size;
      this.param_bytes += p.size * elementSize(p.dtype);
      if (p.trainable) this.trainable_params += p.size;
    }
  }

  calculate_macs(): void {
    const out = this.output_size;
    for (const [name, p] of this.module.named_parameters()) {
      let term = 0;
      if (name === 'weight' || name === 'bias') {
        term = this.class_name.includes('Conv') ? p.size * prod([...out.slice(0, 1), ...out.slice(2)]) : (out[0] ?? 0) * p.size;
      } else if (name.includes('weight') || name.includes('bias')) {
        term = prod(out.slice(0, 2)) * p.size;
      }
      this.macs += term;
      this.macs_by_param[name] = (this.macs_by_param[name] ?? 0) + term;
    }
  }

  /** What the forward hook learns: shapes, output bytes, multiply-adds. */
  record(inputs: unknown, output: unknown): void {
    [this.input_size] = calculateSize(inputs);
    const [size, elementBytes] = calculateSize(output);
    this.output_size = size;
    this.output_bytes = elementBytes * prod(size);
    this.executed = true;
    this.calculate_macs();
  }

  get_layer_name(show_var_name: boolean, show_depth: boolean): string {
    let name = this.class_name;
    if (show_var_name && this.var_name) name += ` (${this.var_name})`;
    if (show_depth && this.depth > 0) name += `: ${this.depth}${this.depth_index === null ? '' : `-${this.depth_index}`}`;
    return name;
  }

  /** Parameters that no non-recursive row below accounts for. */
  leftover_params(): number {
    return this.num_params - sum(this.children.filter((c) => !c.is_recursive).map((c) => (c.is_leaf_layer ? c.num_params : c.leftover_params())));
  }

  num_params_to_str(reached_max_depth: boolean): string {
    if (this.num_params === 0) return '--';
    if (this.is_recursive) return '(recursive)';
    if (reached_max_depth || this.is_leaf_layer) return this.trainable_params ? commas(this.num_params) : `(${commas(this.num_params)})`;
    const leftover = this.leftover_params();
    return leftover > 0 ? commas(leftover) : '--';
  }

  params_percent(total_params: number, reached_max_depth: boolean): string {
    const zero = '     --';
    if (total_params === 0) return zero;
    if (this.is_recursive) return '(recursive)';
    const params = reached_max_depth || this.is_leaf_layer ? this.num_params : this.leftover_params();
    return params === 0 ? zero : `${pyFormatFixed((params / total_params) * 100, 2)}%`.padStart(7);
  }

  macs_to_str(reached_max_depth: boolean): string {
    if (this.macs <= 0) return '--';
    if (this.is_leaf_layer) return commas(this.macs);
    if (reached_max_depth) return commas(sum(this.children.filter((c) => c.is_leaf_layer).map((c) => c.macs)));
    return '--';
  }

  toString(): string {
    return `${this.class_name}: ${this.depth}`;
  }
}

/** torchinfo's `FormattingOptions`: widths, columns and row settings. */
export class FormattingOptions {
  layer_name_width = 40;
  readonly ascii_only: boolean;
  readonly show_var_name: boolean;
  readonly show_depth: boolean;
  readonly hide_recursive_layers: boolean;

  constructor(
    readonly max_depth: number,
    readonly col_names: readonly ColumnName[],
    readonly col_width: number,
    row_settings: readonly RowSetting[],
  ) {
    this.ascii_only = row_settings.includes('ascii_only');
    this.show_var_name = row_settings.includes('var_names');
    this.show_depth = row_settings.includes('depth');
    this.hide_recursive_layers = row_settings.includes('hide_recursive_layers');
  }

  get_start_str(depth: number): string {
    if (depth === 0) return '';
    if (depth === 1) return this.ascii_only ? '+ ' : '├─';
    return (this.ascii_only ? '|    ' : '│    ').repeat(depth - 1) + (this.ascii_only ? '+ ' : '└─');
  }

  /** The longest indented name, rounded up to a multiple of 5, if it exceeds the default 40. */
  set_layer_name_width(summary_list: readonly LayerInfo[], align_val = 5): void {
    const longest = Math.max(0, ...summary_list.map((l) => l.get_layer_name(this.show_var_name, this.show_depth).length + l.depth * align_val + 1));
    if (longest >= this.layer_name_width) this.layer_name_width = Math.ceil(longest / align_val) * align_val;
  }

  get_total_width(): number {
    return this.col_names.length * this.col_width + this.layer_name_width;
  }

  format_row(layer_name: string, values: Partial<Record<ColumnName, string>>): string {
    const cells = this.col_names.map((c) => `${(values[c] ?? '').padEnd(this.col_width)} `);
    return `${layer_name.padEnd(this.layer_name_width)} ${cells.join('')}`.trimEnd() + '\n';
  }

  header_row(): string {
    const extra = (this.show_var_name ? ' (var_name)' : '') + (this.show_depth ? ':depth-idx' : '');
    return this.format_row(`Layer (type${extra})`, HEADER_TITLES);
  }

  layer_info_to_row(l: LayerInfo, reached_max_depth: boolean, total_params: number): string {
    const values: Record<ColumnName, string> = {
      kernel_size: pyStr(l.kernel_size),
      input_size: pyStr(l.input_size),
      output_size: pyStr(l.output_size),
      num_params: l.num_params_to_str(reached_max_depth),
      params_percent: l.params_percent(total_params, reached_max_depth),
      mult_adds: l.macs_to_str(reached_max_depth),
      trainable: l.trainable,
    };
    return this.format_row(this.get_start_str(l.depth) + l.get_layer_name(this.show_var_name, this.show_depth), values);
  }

  layers_to_str(summary_list: readonly LayerInfo[], total_params: number): string {
    return summary_list
      .filter((l) => l.depth <= this.max_depth && !(this.hide_recursive_layers && l.is_recursive))
      .map((l) => this.layer_info_to_row(l, l.depth === this.max_depth, total_params))
      .join('');
  }
}

/** A parameter as the totals see it. */
interface ParameterLike {
  size: number;
  dtype: string;
  trainable: boolean;
}

/**
 * What `summary` returns, as torchinfo's `ModelStatistics`: `String(stats)` (or `console.log`)
 * is the table; the fields hold the numbers. Byte counts are bytes; the table shows MB.
 */
export class ModelStatistics {
  readonly total_params: number;
  readonly trainable_params: number;
  /** Sum of the leaf rows' multiply-adds, whole batch. */
  readonly total_mult_adds: number;
  /** Bytes of the parameters ("Params size"). */
  readonly total_param_bytes: number;
  /** Twice the output bytes of every leaf row with parameters ("Forward/backward pass size"). */
  readonly total_output_bytes: number;

  constructor(
    /** One row per module call, in call order. */
    readonly summary_list: readonly LayerInfo[],
    /** The input shapes; empty when the summary ran no forward pass. */
    readonly input_size: readonly number[][],
    /** Bytes of the inputs ("Input size"). */
    readonly total_input: number,
    readonly formatting: FormattingOptions,
    parameters: readonly ParameterLike[],
  ) {
    this.total_params = sum(parameters.map((p) => p.size));
    this.trainable_params = sum(parameters.filter((p) => p.trainable).map((p) => p.size));
    this.total_param_bytes = sum(parameters.map((p) => p.size * elementSize(p.dtype)));
    const leaves = summary_list.filter((l) => l.is_leaf_layer);
    this.total_mult_adds = sum(leaves.map((l) => l.macs));
    this.total_output_bytes = sum(leaves.filter((l) => l.num_params > 0).map((l) => l.output_bytes * 2));
    formatting.set_layer_name_width(summary_list);
  }

  toString(): string {
    const f = this.formatting;
    const divider = '='.repeat(f.get_total_width());
    let s =
      `${divider}\n${f.header_row()}${divider}\n${f.layers_to_str(this.summary_list, this.total_params)}${divider}\n` +
      `Total params${formatOutputNum(this.total_params, false)}\n` +
      `Trainable params${formatOutputNum(this.trainable_params, false)}\n` +
      `Non-trainable params${formatOutputNum(this.total_params - this.trainable_params, false)}\n`;
    if (this.input_size.length > 0) {
      const mb = (bytes: number) => pyFormatFixed(bytes / 1e6, 2);
      s +=
        `Total mult-adds${formatOutputNum(this.total_mult_adds, true)}\n${divider}\n` +
        `Input size (MB): ${mb(this.total_input)}\n` +
        `Forward/backward pass size (MB): ${mb(this.total_output_bytes)}\n` +
        `Params size (MB): ${mb(this.total_param_bytes)}\n` +
        `Estimated Total Size (MB): ${mb(this.total_input + this.total_output_bytes + this.total_param_bytes)}\n`;
    }
    return s + divider;
  }

  [inspect](): string {
    return this.toString();
  }
}

/**
 * torchinfo's `summary(model, input_size)` (or `input_data`): runs `model` once with hooks on
 * every module and returns the per-call rows and totals as a {@link ModelStatistics}, whose
 * `toString()` is torchinfo's table: `console.log(String(summary(model, [1, 3, 16, 16])))`.
 * Without an input there is no forward pass: one row per registered module, parameters only.
 * Definitions of every number are in this module's documentation. torchinfo's `batch_dim`,
 * `dtypes`, `device`, `cache_forward_pass`, `verbose` and forward keyword arguments are not
 * offered: pass tensors of the dtype you need, and print the result yourself.
 */
export function summary(model: Module, input?: SummaryInput | null, options: SummaryOptions = {}): ModelStatistics {
  const { depth = 3, col_width = 25, row_settings = ['depth'], mode = 'eval' } = options;
  const given = input !== undefined && input !== null;
  const col_names = options.col_names ?? (given ? DEFAULT_COLUMN_NAMES : ['num_params']);
  for (const c of col_names) {
    if (!COLUMN_NAMES.includes(c)) throw new ValueError(`'${c}' is not a valid ColumnSettings`);
    if (!given && !STATIC_COLUMNS.includes(c)) throw new ValueError(`You must pass input_data or input_size in order to use column ${c}`);
  }
  for (const r of row_settings) if (!ROW_SETTINGS.includes(r)) throw new ValueError(`'${r}' is not a valid RowSettings`);
  if (mode !== 'train' && mode !== 'eval') throw new ValueError(`Specified model mode (['train', 'eval']) not recognized: ${String(mode)}`);

  let summary_list: LayerInfo[];
  let shapes: number[][] = [];
  let inputBytes = 0;
  if (given) {
    const { tensors, made } = inputTensors(input);
    shapes = tensors.map((t) => [...t.shape]);
    inputBytes = sum(tensors.map((t) => t.size * elementSize(t.dtype)));
    try {
      summary_list = forwardPass(model, tensors, mode);
    } finally {
      made.forEach((t) => t.dispose());
    }
  } else {
    summary_list = registeredModules(model);
  }
  setChildrenLayers(summary_list);
  const formatting = new FormattingOptions(depth, col_names, col_width, row_settings);
  return new ModelStatistics(summary_list, shapes, inputBytes, formatting, [...model.parameters()]);
}

/** Runs the model once with a pre-hook and a forward hook on each module; returns the rows. */
function forwardPass(model: Module, inputs: Tensor[], mode: 'train' | 'eval'): LayerInfo[] {
  const rows: LayerInfo[] = [];
  const open: LayerInfo[] = [];
  const seen = new Set<Module>();
  const paths = new Map<Module, string>();
  for (const [name, m] of model.named_modules()) paths.set(m, name);
  const modules = [...paths.keys()];
  const flags = modules.map((m) => m.training);
  const handles: RemovableHandle[] = [];
  for (const m of modules) {
    handles.push(
      m.register_forward_pre_hook((module) => {
        const parent = open.length > 0 ? open[open.length - 1] : null;
        const info = new LayerInfo(varName(module, parent, model, paths), module, open.length, parent);
        info.calculate_num_params();
        info.is_recursive = seen.has(module);
        seen.add(module);
        rows.push(info);
        open.push(info);
      }),
      m.register_forward_hook((_module, inputs, output) => {
        open.pop()?.record(inputs, output);
      }),
    );
  }
  try {
    model.train(mode === 'train');
    const output: unknown = model(...inputs);
    const keep = new Set<unknown>([...inputs, ...model.parameters(), ...model.buffers()]);
    forEachTensor(output, (t) => {
      if (!keep.has(t)) t.dispose();
      keep.add(t);
    });
  } catch (e) {
    const executed = rows.filter((r) => r.executed).join(', ');
    throw new RuntimeError(`Failed to run summary(): ${(e as Error).message}. Executed layers up to: [${executed}]`, { cause: e });
  } finally {
    handles.forEach((h) => h.remove());
    modules.forEach((m, i) => {
      m.training = flags[i];
    });
  }
  return rows;
}

/** Rows without a forward pass: every registered module, depth first, shared ones again as recursive. */
function registeredModules(model: Module): LayerInfo[] {
  const rows: LayerInfo[] = [];
  const seen = new Set<Module>();
  const visit = (name: string, m: Module, depth: number, parent: LayerInfo | null, path: Set<Module>): void => {
    if (path.has(m)) return;
    const info = new LayerInfo(name, m, depth, parent);
    info.calculate_num_params();
    info.is_recursive = seen.has(m);
    seen.add(m);
    rows.push(info);
    for (const [childName, child] of m.named_children()) visit(childName, child, depth + 1, info, new Set([...path, m]));
  };
  visit(model.constructor.name, model, 0, null, new Set());
  return rows;
}

/** The attribute name under the calling module if it owns `module`, else the dotted path. */
function varName(module: Module, parent: LayerInfo | null, model: Module, paths: Map<Module, string>): string {
  if (module === model) return model.constructor.name;
  for (const [name, child] of parent?.module.named_children() ?? []) if (child === module) return name;
  return paths.get(module) ?? '';
}

/** torchinfo's `set_children_layers`: number the rows per depth; give each its nested rows. */
function setChildrenLayers(rows: LayerInfo[]): void {
  const counts = new Map<number, number>();
  rows.forEach((row, i) => {
    counts.set(row.depth, (counts.get(row.depth) ?? 0) + 1);
    row.depth_index = counts.get(row.depth)!;
    let end = i + 1;
    while (end < rows.length && rows[end].depth > row.depth) end++;
    row.children = rows.slice(i + 1, end);
  });
}

function inputTensors(input: SummaryInput): { tensors: Tensor[]; made: Tensor[] } {
  if (isTensor(input)) return { tensors: [input], made: [] };
  const items = input as readonly unknown[];
  if (items.length > 0 && items.every(isTensor)) return { tensors: [...items], made: [] };
  const sizes = (items.every((d) => typeof d === 'number') ? [items] : items) as number[][];
  if (sizes.length === 0 || !sizes.every((s) => Array.isArray(s) && s.length > 0 && s.every((d) => Number.isInteger(d) && d > 0))) {
    throw new ValueError('Input_data is invalid, or negative size found in input_data.');
  }
  const made = sizes.map((s) => zeros(s));
  return { tensors: made, made };
}

function forEachTensor(x: unknown, fn: (t: Tensor) => void): void {
  if (isTensor(x)) fn(x);
  else if (Array.isArray(x)) x.forEach((v) => forEachTensor(v, fn));
  else if (typeof x === 'object' && x !== null) Object.values(x).forEach((v) => forEachTensor(v, fn));
}

/** torchinfo's `calculate_size`: the shape and element bytes of a call's inputs or output. */
function calculateSize(x: unknown): [number[], number] {
  if (x === null || x === undefined) return [[], 0];
  if (isTensor(x)) return [[...x.shape], elementSize(x.dtype)];
  if (Array.isArray(x)) return nestedListSize(x);
  if (typeof x === 'object') {
    const values = Object.values(x);
    return nestedListSize(values[values.length - 1]);
  }
  throw new TypeError(`Model contains a layer with an unsupported input or output type: ${String(x)}, type: ${typeof x}`);
}

/** The first tensor found by descending into first elements (an object's first value). */
function nestedListSize(x: unknown): [number[], number] {
  if (isTensor(x)) return [[...x.shape], elementSize(x.dtype)];
  if (Array.isArray(x)) return x.length > 0 ? nestedListSize(x[0]) : [[], 0];
  if (typeof x === 'object' && x !== null) return nestedListSize(Object.values(x));
  return [[], 0];
}

/** Bytes per element, as PyTorch's `element_size()` for the same dtype. */
function elementSize(dtype: string): number {
  return ({ float32: 4, int32: 4, bool: 1, complex64: 8 } as Record<string, number>)[dtype] ?? 0;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Python's `f"{n:,}"` for an integer. */
function commas(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** torchinfo's `format_output_num`: parameters as `: 1,102`, mult-adds as ` (M): 0.07` (or ` (M): 2`). */
function formatOutputNum(n: number, auto: boolean): string {
  const [unit, value] = !auto ? ['', n] : n >= 1e12 ? ['T', n / 1e12] : n >= 1e9 ? ['G', n / 1e9] : ['M', n / 1e6];
  const text = Number.isInteger(value) ? commas(value) : pyFormatFixed(value, 2).replace(/^\d+/, (whole) => commas(Number(whole)));
  return `${unit ? ` (${unit})` : ''}: ${text}`;
}

/** Python's `str()` of a row value, `"--"` when empty (torchinfo's `str_`). */
function pyStr(v: number | number[] | null): string {
  if (v === null || (Array.isArray(v) && v.length === 0) || v === 0) return '--';
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}
