import { memory, type Tensor } from '@tensorflow/tfjs-core';
import { nn, torch } from '../src';
import { BACKENDS, expectClose, loadFixture, tensorFrom, thrown } from './helpers';

type Err = { type: string; message: string };
const fixture = loadFixture<{
  registration: {
    strided: { repr: string; state_dict: [string, number[]][]; parameters: string[]; buffers: string[] };
    plain: { repr: string; state_dict: [string, number[]][] };
    input: number[];
    output_shape: number[];
    output: number[];
  };
  null_slots: { repr: string; state_dict: [string, number[]][]; children: string[] };
  assignment_errors: Record<string, Err>;
  lookups: Record<string, unknown> & { apply_order: string[] };
  containers: Record<string, unknown>;
}>('module_api.json');

/**
 * gen_module_api.py's Block, ported as a user ports it: the fields are declared in another order
 * than the constructor assigns them, `downsample` starts as `null`, and children are called.
 */
class Block extends nn.Module {
  downsample: nn.Sequential | null = null;
  conv2: nn.Conv2d;
  scale: nn.Parameter;
  bn1: nn.BatchNorm2d | null;
  relu: nn.ReLU;
  conv1: nn.Conv2d;

  constructor(inplanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = new nn.Conv2d(inplanes, planes, 3, stride, 1, { bias: false });
    this.bn1 = new nn.BatchNorm2d(planes);
    this.relu = new nn.ReLU({ inplace: true });
    this.downsample = null;
    if (stride !== 1) {
      this.downsample = new nn.Sequential(new nn.Conv2d(inplanes, planes, 1, stride, { bias: false }), new nn.BatchNorm2d(planes));
    }
    this.conv2 = new nn.Conv2d(planes, planes, 3, 1, 1, { bias: false });
    this.scale = new nn.Parameter(torch.ones(planes));
    this.register_buffer('steps', torch.zeros(1), { persistent: false });
  }

  forward(x: Tensor): Tensor {
    const identity = this.downsample === null ? x : this.downsample(x);
    const out = this.relu(this.bn1!(this.conv1(x)));
    return this.conv2(out).add(identity);
  }
}

const keys = (m: nn.Module) => Object.entries(m.state_dict()).map(([k, v]) => [k, v.shape]);
const names = <T>(it: Iterable<[string, T]>) => [...it].map(([n]) => n);
const kind = (m: unknown) => (m as object).constructor.name;

describe.each(BACKENDS)('nn.Module API on %s', (backend) => {
  beforeAll(() => torch.set_backend(backend));

  it('registers in assignment order whatever the field declarations, and calls like PyTorch', () => {
    torch.manual_seed(0);
    const strided = new Block(2, 4, 2);
    const plain = new Block(4, 4);
    const x = torch.rand(1, 2, 6, 6);
    expectClose(x, [1, 2, 6, 6], fixture.registration.input);
    // Outside no_grad the autograd graph keeps what backward needs; the call itself frees the rest.
    // The first call converts each conv's filters once (the layer keeps them), so count from the second.
    torch.no_grad(() => strided.eval()(x)).dispose();
    const before = memory().numTensors;
    const y = torch.no_grad(() => strided(x));
    expect(memory().numTensors).toBe(before + 1);
    const f = fixture.registration;
    expect(String(strided)).toBe(f.strided.repr);
    expect(keys(strided)).toEqual(f.strided.state_dict);
    expect(names(strided.named_parameters())).toEqual(f.strided.parameters);
    expect(names(strided.named_buffers())).toEqual(f.strided.buffers);
    expect(String(plain)).toBe(f.plain.repr);
    expect(keys(plain)).toEqual(f.plain.state_dict);
    expectClose(y, f.output_shape, f.output);
    [strided, plain].forEach((m) => m.dispose());
    [x, y].forEach((t) => t.dispose());
  });

  it('keeps a child\'s slot when null is assigned to it', () => {
    const m = new Block(2, 4, 2);
    m.downsample = null;
    m.bn1 = null;
    expect(String(m)).toBe(fixture.null_slots.repr);
    expect(keys(m)).toEqual(fixture.null_slots.state_dict);
    expect(names(m.named_children())).toEqual(fixture.null_slots.children);
    m.dispose();
  });

  const errorCases: [string, (m: Block) => unknown][] = [
    ['child_int', (m) => Object.assign(m, { conv1: 3 })],
    ['parameter_tensor', (m) => Object.assign(m, { scale: torch.ones(4) })],
    ['buffer_int', (m) => Object.assign(m, { steps: 3 })],
    ['add_module_existing', (m) => m.add_module('training', new nn.ReLU())],
    ['add_module_method', (m) => m.add_module('forward', new nn.ReLU())],
    ['add_module_dot', (m) => m.add_module('a.b', new nn.ReLU())],
    ['add_module_empty', (m) => m.add_module('', new nn.ReLU())],
    ['add_module_int', (m) => m.add_module('x', 3 as never)],
    ['register_buffer_dot', (m) => m.register_buffer('a.b', torch.ones(1))],
    ['register_buffer_empty', (m) => m.register_buffer('', torch.ones(1))],
    ['register_buffer_existing', (m) => m.register_buffer('conv1', torch.ones(1))],
    ['register_buffer_int', (m) => m.register_buffer('b', 3 as never)],
    ['register_parameter_tensor', (m) => m.register_parameter('p', torch.ones(1) as never)],
    ['register_parameter_dot', (m) => m.register_parameter('a.b', null)],
    ['register_parameter_existing', (m) => m.register_parameter('relu', null)],
  ];
  it.each(errorCases)('%s raises PyTorch\'s error', (name, fn) => {
    const m = new Block(2, 4);
    expect(thrown(() => fn(m))).toEqual(fixture.assignment_errors[name]);
    m.dispose();
  });

  it('looks up, walks and freezes as PyTorch does', () => {
    torch.manual_seed(0);
    const m = new nn.Sequential(new Block(2, 4, 2), new nn.ReLU());
    const shared = new nn.ReLU();
    const n = new nn.Sequential(shared, shared, new nn.Sequential(shared));
    const visited: string[] = [];
    m.apply((mod) => visited.push(kind(mod)));
    m.requires_grad_(false);
    const f = fixture.lookups;
    expect(kind(m.get_submodule('0.downsample.1'))).toBe(f.get_submodule);
    expect(thrown(() => m.get_submodule('0.conv9'))).toEqual(f.get_submodule_missing);
    expect(thrown(() => m.get_submodule('0.scale.x'))).toEqual(f.get_submodule_not_module);
    expect(m.get_parameter('0.conv1.weight').shape).toEqual(f.get_parameter);
    expect(thrown(() => m.get_parameter('0.conv1.wieght'))).toEqual(f.get_parameter_missing);
    expect(thrown(() => m.get_parameter('0.bn1.running_mean'))).toEqual(f.get_parameter_not_parameter);
    expect(visited).toEqual(f.apply_order.map((c) => (c === 'Block' ? 'Block' : c)));
    expect([...m.parameters()].map((p) => p.trainable)).toEqual(f.requires_grad);
    expect(names(n.named_modules())).toEqual(f.named_modules);
    expect(names(n.named_modules(null, '', false))).toEqual(f.named_modules_all);
    expect(names(m.named_modules({ prefix: 'net' }))).toEqual(f.named_modules_prefix);
    expect(names(m.named_parameters('net', true))).toEqual(f.named_parameters_prefix);
    expect(names((m.at(0) as Block).named_parameters({ recurse: false }))).toEqual(f.own_parameters);
    m.dispose();
  });

  it('indexes, edits and prints containers as PyTorch does', () => {
    const f = fixture.containers;
    const ml = new nn.ModuleList([new nn.ReLU(), new nn.Identity()]);
    ml.append(new nn.Tanh());
    ml.extend([new nn.Sigmoid()]);
    ml.insert(1, new nn.ReLU6());
    expect(String(ml)).toBe(f.list_after_insert);
    ml.delete(0);
    expect(String(ml)).toBe(f.list_after_delete);
    expect(kind(ml.pop(-1))).toBe(f.list_popped);
    ml.set(0, new nn.ELU());
    expect(String(ml)).toBe(f.list_after_set);
    expect(String(ml.slice(1))).toBe(f.list_slice);
    expect(kind(ml.at(-1))).toBe(f.list_negative);
    expect(ml.length).toBe(f.list_len);
    expect(thrown(() => ml.at(5))).toEqual(f.list_index_error);
    const past = new nn.ModuleList([new nn.Tanh()]);
    past.insert(10, new nn.ReLU());
    expect(String(past)).toBe(f.list_insert_past_end);

    const md = new nn.ModuleDict({ act: new nn.ReLU(), pool: new nn.Identity() });
    md.set('out', new nn.Tanh());
    md.update([['act', new nn.ELU()], ['extra', new nn.Sigmoid()]]);
    expect(String(md)).toBe(f.dict_repr);
    expect(md.keys()).toEqual(f.dict_keys);
    expect(kind(md.pop('pool'))).toBe(f.dict_pop);
    expect([...md]).toEqual(f.dict_after_pop);
    expect([md.has('act'), md.has('pool')]).toEqual(f.dict_contains);
    expect(thrown(() => md.get('nope'))).toEqual(f.dict_missing);

    const seq = new nn.Sequential(new nn.ReLU(), new nn.Tanh());
    seq.insert(1, new nn.Identity());
    seq.append(new nn.Sigmoid());
    seq.extend(new nn.Sequential(new nn.ELU()));
    expect(String(seq)).toBe(f.seq_repr);
    expect(String(seq.slice(1, 3))).toBe(f.seq_slice);
    expect(kind(seq.at(-2))).toBe(f.seq_negative);
    expect(thrown(() => seq.at(9))).toEqual(f.seq_index_error);
    expect(thrown(() => seq.insert(9, new nn.ReLU()))).toEqual(f.seq_insert_error);
    const x = torch.ones(1);
    // A container's call takes nothing in the types; JavaScript callers still get PyTorch's error.
    const bare = new nn.ModuleList() as unknown as (input: Tensor) => unknown;
    expect(thrown(() => bare(x))).toEqual(f.list_forward_error);
    x.dispose();
  });

  it('keeps a module\'s own properties named name and length, and instanceof, String and iteration', () => {
    class Named extends nn.Module {
      override name = 'mine';
      override length = 3;
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const m = new Named();
    expect([m.name, m.length, m instanceof Named, m instanceof nn.Module, String(m)]).toEqual(['mine', 3, true, true, 'Named()']);
    const seq = new nn.Sequential(new nn.ReLU(), m);
    expect([...seq].map(kind)).toEqual(['ReLU', 'Named']);
    expect(seq[1]).toBe(m);
  });
});

describe('tensor helpers used above', () => {
  it('reads a fixture tensor back', () => {
    expect(tensorFrom([1, 2], [2]).shape).toEqual([2]);
  });
});
