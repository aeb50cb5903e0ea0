/**
 * JSON as serde_json reads a safetensors header, where it differs from `JSON.parse`: a number
 * written with a fraction or an exponent (`2.0`, `2e0`) is a float, which an integer field
 * refuses, and nesting past serde_json's recursion limit is an error. Call it on text that
 * `JSON.parse` has accepted; it does not repeat JSON's syntax errors.
 */

/** A number literal written as a float; `JSON.parse` would have made it a plain number. */
export class JsonFloat {
  constructor(readonly text: string) {}
}

const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** serde_json's default recursion limit. */
const MAX_DEPTH = 128;

/** The header nests deeper than serde_json reads. */
export class JsonDepthError extends Error {}

/** `JSON.parse(text)`, except that float literals stay {@link JsonFloat}s. */
export function parseJsonKeepingFloats(text: string): unknown {
  let at = 0;
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at])) at++;
  };
  const value = (depth: number): unknown => {
    space();
    const c = text[at];
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) throw new JsonDepthError(`the header nests deeper than ${MAX_DEPTH} levels`);
      at++;
      const close = c === '{' ? '}' : ']';
      const items: [string, unknown][] = [];
      space();
      while (text[at] !== close) {
        let key = '';
        if (c === '{') {
          space();
          key = string();
          space();
          at++; // ':'
        }
        items.push([key, value(depth + 1)]);
        space();
        if (text[at] === ',') at++;
        space();
      }
      at++;
      if (c === '[') return items.map(([, v]) => v);
      const object: Record<string, unknown> = {};
      // defineProperty: a key such as '__proto__' stays an ordinary entry, as JSON.parse keeps it.
      for (const [k, v] of items) Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
      return object;
    }
    if (c === '"') return string();
    LITERAL.lastIndex = at;
    const literal = LITERAL.exec(text)?.[0] ?? '';
    at += literal.length;
    if (literal === 'true' || literal === 'false' || literal === 'null') return JSON.parse(literal);
    return /[.eE]/.test(literal) ? new JsonFloat(literal) : Number(literal);
  };
  const string = (): string => {
    const start = at;
    for (at++; text[at] !== '"'; at++) if (text[at] === '\\') at++;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  return value(0);
}
