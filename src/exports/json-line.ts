/**
 * JSON text for machine exports whose money must reach the target exactly:
 * `JSON.stringify` can only write a JavaScript number, so an amount such as
 * `784.10` would lose its decimals (`784.1`) and one beyond 2^53 its digits.
 * A `JsonNumber` is written as its own text; everything else as
 * `JSON.stringify` writes it, keys in insertion order.
 */

/** A number written as this exact text (already checked to be a JSON number). */
export class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(text)) throw new Error(`not a JSON number: ${text}`);
    this.text = text;
  }
}

/** One value as compact JSON text. */
export function jsonText(value: unknown): string {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${jsonText(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}
