const inspect = Symbol.for('nodejs.util.inspect.custom');

/**
 * PyTorch's `torch.Size`: a tuple of dimensions that prints as `torch.Size([1, 256, 8, 8])`.
 * It is an array, so indexing, `length`, spreading and iteration work as on a tuple.
 */
export class Size extends Array<number> {
  /** Array methods (`map`, `slice`, …) return plain arrays, as tuple operations return tuples. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  constructor(dims: Iterable<number> = []) {
    super();
    this.push(...dims);
  }

  /** The number of elements a tensor of this size holds (PyTorch's `Size.numel()`). */
  numel(): number {
    return this.reduce((a, b) => a * b, 1);
  }

  override toString(): string {
    return `torch.Size([${this.join(', ')}])`;
  }

  [inspect](): string {
    return this.toString();
  }
}
