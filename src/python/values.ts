/** How Python sees a JavaScript value: its type name in messages, and the keyword-object form. */

/** Python's type name of a JavaScript value, as error messages print it. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'function' || typeof value === 'object') {
    const name = (value as object).constructor?.name;
    if (name === 'Variable') return 'Parameter';
    if (name === 'Object' || name === undefined) return 'dict';
    return name;
  }
  return typeof value;
}

/** A plain `{ ... }` object: the form keyword arguments take. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
