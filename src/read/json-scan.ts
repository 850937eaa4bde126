/**
 * Small exact scans of JSON text for what `JSON.parse` hides: keys it
 * silently merged (`{"a":1,"a":2}` keeps the last), and where a syntax error
 * is when its message has no position (Node 20: `Unexpected token '}', …`).
 */

const QUOTE = 34, BACKSLASH = 92, COLON = 58, COMMA = 44;
const LBRACKET = 91, RBRACKET = 93, LBRACE = 123, RBRACE = 125;
const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * The object keys written in a JSON text, duplicates included: every string
 * followed, after whitespace, by `:` (in valid JSON that is exactly a key).
 * Strings are skipped with `indexOf` and an escape check, so the cost is a
 * few native searches per string rather than a step per character.
 */
export function countJsonKeys(text: string): number {
  return scanJsonText(text, false);
}

/**
 * `countJsonKeys` of a valid JSON text, or -1 when one of its numbers needs
 * its source text to be read exactly: an exponent (`1e2`, which `JSON.parse`
 * makes 100), a run of 16 or more digits (beyond a double's precision) or 7
 * or more decimals (`100000000.000000001` parses to 100000000). Only the text
 * between strings is looked at, in the same pass: numbers are never inside
 * strings.
 */
export function countJsonKeysIfExact(text: string): number {
  return scanJsonText(text, true);
}

function scanJsonText(text: string, numbers: boolean): number {
  let keys = 0;
  let i = text.indexOf('"');
  if (numbers && needsSource(text, 0, i < 0 ? text.length : i)) return -1;
  while (i >= 0) {
    // find the closing quote: one preceded by an even number of backslashes
    let end = text.indexOf('"', i + 1);
    while (end > 0 && text.charCodeAt(end - 1) === BACKSLASH) {
      let slashes = 1;
      while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
      if (slashes % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    if (end < 0) break; // unterminated: JSON.parse has rejected it already
    let j = end + 1;
    while (isWs(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === COLON) keys++;
    i = text.indexOf('"', j);
    if (numbers && needsSource(text, j, i < 0 ? text.length : i)) return -1;
  }
  return keys;
}

const DOT = 46, DIGIT_0 = 48, DIGIT_9 = 57, LOWER_E = 101, UPPER_E = 69;

/** Whether text[from, to) (outside strings) holds a number `JSON.parse` may not read exactly (see `countJsonKeysIfExact`). */
function needsSource(text: string, from: number, to: number): boolean {
  let digits = 0;
  let decimals = false;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c >= DIGIT_0 && c <= DIGIT_9) {
      if (++digits >= (decimals ? 7 : 16)) return true;
    } else if ((c === LOWER_E || c === UPPER_E) && digits > 0) {
      return true;
    } else {
      decimals = c === DOT;
      digits = 0;
    }
  }
  return false;
}

/** The object keys of a parsed JSON value, at every level (iterative: any depth is safe). */
export function countValueKeys(value: unknown): number {
  let keys = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push(x);
      continue;
    }
    for (const k of Object.keys(v)) {
      keys++;
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  return keys;
}

/**
 * The offset in `text` of the first character where it stops being JSON
 * (`text.length` when it ends too early), or undefined when it is valid.
 * A strict RFC 8259 grammar walk with an explicit stack (no recursion, so
 * any nesting is safe); only run on text `JSON.parse` has already rejected.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  const stop = (): never => { throw new JsonStop(i); };
  const ws = () => { while (i < n && isWs(text.charCodeAt(i))) i++; };
  const digits = (atLeastOne: boolean) => {
    const from = i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (atLeastOne && i === from) stop();
  };
  const string = () => { // at the opening quote
    for (i++; ; i++) {
      if (i >= n) stop();
      const c = text.charCodeAt(i);
      if (c === QUOTE) { i++; return; }
      if (c < 0x20) stop();
      if (c !== BACKSLASH) continue;
      i++;
      const e = text[i];
      if (e === 'u') {
        for (let k = 0; k < 4; k++) { i++; if (!/^[0-9a-fA-F]$/.test(text[i] ?? '')) stop(); }
      } else if (e === undefined || !'"\\/bfnrt'.includes(e)) {
        stop();
      }
    }
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits(true);
    if (text[i] === '.') { i++; digits(true); }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits(true);
    }
  };
  const word = (w: string) => { for (const ch of w) { if (text[i] !== ch) stop(); i++; } };
  const key = () => { // a key, its colon and the space before the value
    if (text.charCodeAt(i) !== QUOTE) stop();
    string();
    ws();
    if (text.charCodeAt(i) !== COLON) stop();
    i++;
    ws();
  };

  const open: boolean[] = []; // enclosing containers, true for an object
  try {
    ws();
    for (;;) {
      // a value starts at i
      const c = text.charCodeAt(i);
      if (c === LBRACE || c === LBRACKET) {
        i++;
        ws();
        if (text.charCodeAt(i) !== (c === LBRACE ? RBRACE : RBRACKET)) {
          open.push(c === LBRACE);
          if (c === LBRACE) key();
          continue;
        }
        i++; // an empty {} or []
      } else if (c === QUOTE) string();
      else if (c === 45 || (c >= 48 && c <= 57)) number();
      else if (c === 116) word('true');
      else if (c === 102) word('false');
      else if (c === 110) word('null');
      else stop();
      // after a value: close containers until one takes a next element
      for (;;) {
        ws();
        if (!open.length) {
          if (i < n) stop();
          return undefined;
        }
        const inObject = open[open.length - 1]!;
        const ch = text.charCodeAt(i);
        if (ch === COMMA) {
          i++;
          ws();
          if (inObject) key();
          break;
        }
        if (ch !== (inObject ? RBRACE : RBRACKET)) stop();
        i++;
        open.pop();
      }
    }
  } catch (err) {
    if (err instanceof JsonStop) return err.offset;
    throw err;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
}
