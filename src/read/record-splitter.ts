/**
 * Cutting a portfolio file into the raw text of its records, without parsing
 * them: the elements of a top-level JSON array, or the documents of a YAML
 * stream. Each piece keeps the line and column where it starts, so errors
 * found later in the piece point into the original file.
 */

/** The raw text of one record and where it starts in its file (1-based). */
export interface RawPiece { text: string; line: number; column: number }

/** A spot where a JSON array file is malformed outside its elements (1-based position). */
export interface SplitProblem { problem: string; line: number; column: number }

/** What a splitter yields, in file order. */
export type SplitItem = RawPiece | SplitProblem;

// JSON's four whitespace characters (not /\s/, which also takes NBSP, BOM, …)
const isJsonWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const QUOTE = 34, BACKSLASH = 92, COMMA = 44, LBRACKET = 91, RBRACKET = 93, LBRACE = 123, RBRACE = 125, NL = 10;

/**
 * The elements of a JSON array text. Returns undefined when the text is not
 * a top-level array (then it is one record). A malformed element is left for
 * the per-record parse to report; a malformed array — an empty element
 * (`[A,,B]`, `[,A]`, `[A,]`), no closing `]`, text after it — gives a
 * problem at the offending spot, in order among the elements, so that every
 * good element is still evaluated and nothing is dropped in silence.
 */
export function splitJsonArray(text: string): SplitItem[] | undefined {
  let i = 0;
  while (i < text.length && isJsonWs(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== LBRACKET) return undefined;
  const out: SplitItem[] = [];
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < i; k++) if (text.charCodeAt(k) === NL) { line++; lineStart = k + 1; }
  const here = (at: number) => ({ line, column: at - lineStart + 1 });
  let depth = 0; // inside the current element
  let inString = false;
  let start = -1; // where the current element starts, or -1 between elements
  let startPos = here(i);
  let afterComma = false; // a ',' was seen since the last element
  let commaPos = startPos; // where that ',' is
  let elements = 0;
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === NL) { line++; lineStart = i + 1; }
    if (inString) {
      if (c === BACKSLASH && text.charCodeAt(++i) === NL) { line++; lineStart = i + 1; } // keep lines right even after a bad escape
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (start < 0) { // between elements
      if (isJsonWs(c)) continue;
      if (c === COMMA) {
        if (afterComma || elements === 0) out.push({ problem: "an empty array element: ',' with no element before it", ...here(i) });
        afterComma = true;
        commaPos = here(i);
        continue;
      }
      if (c === RBRACKET) {
        if (afterComma) out.push({ problem: "an empty array element: ',' with no element after it (trailing comma)", ...commaPos });
        return trailing(text, i + 1, out, line, lineStart);
      }
      start = i;
      startPos = here(i);
      afterComma = false;
      elements++;
    }
    if (c === QUOTE) inString = true;
    else if (c === LBRACKET || c === LBRACE) depth++;
    else if ((c === RBRACKET || c === RBRACE) && depth > 0) depth--;
    else if (depth === 0 && (c === COMMA || c === RBRACKET)) { // the element ends here
      out.push({ text: text.slice(start, i), ...startPos });
      start = -1;
      if (c === RBRACKET) return trailing(text, i + 1, out, line, lineStart);
      afterComma = true;
      commaPos = here(i);
    }
  }
  // The text ended inside the array. An element cut short (inside a string or
  // a nested value) reports the truncation itself when it is parsed.
  const cutElement = start >= 0 && (inString || depth > 0);
  if (start >= 0) out.push({ text: text.slice(start), ...startPos });
  if (!cutElement) out.push({ problem: "the array is not closed: ']' is missing (truncated file?)", ...endOf(text) });
  return out;
}

/** The position just after the last non-whitespace character of `text`. */
function endOf(text: string): { line: number; column: number } {
  let end = text.length;
  while (end > 0 && isJsonWs(text.charCodeAt(end - 1))) end--;
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < end; k = text.indexOf('\n', k + 1)) line++;
  return { line, column: end - (text.lastIndexOf('\n', end - 1) + 1) + 1 };
}

/** `out`, plus a problem if anything but whitespace follows the array's `]` at `i`. */
function trailing(text: string, i: number, out: SplitItem[], line: number, lineStart: number): SplitItem[] {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === NL) { line++; lineStart = i + 1; continue; }
    if (isJsonWs(c)) continue;
    out.push({
      problem: "text after the end of the array (a .json file holds one snapshot or one array; use .ndjson for one snapshot per line)",
      line, column: i - lineStart + 1,
    });
    break;
  }
  return out;
}

/**
 * The documents of a YAML stream. A `---` or `...` at the start of a line is
 * always a document marker in YAML (even inside block scalars), so cutting
 * there is exact. Directives (`%YAML`) stay with the document they precede.
 */
export function splitYamlDocuments(text: string): RawPiece[] {
  const lines = text.split('\n');
  const pieces: RawPiece[] = [];
  let buf: string[] = [];
  let bufLine = 1;
  let hasContent = false;
  const flush = () => {
    if (hasContent) pieces.push({ text: buf.join('\n'), line: bufLine, column: 1 });
    buf = [];
    hasContent = false;
  };
  lines.forEach((l, idx) => {
    const lineNo = idx + 1;
    if (/^---(\s|$)/.test(l)) {
      if (hasContent) flush();
      if (!buf.length) bufLine = lineNo;
      buf.push(l);
      hasContent = hasContent || /^---\s+\S/.test(l) && !/^---\s+#/.test(l);
      return;
    }
    if (/^\.\.\.(\s|$)/.test(l)) {
      buf.push(l);
      flush();
      bufLine = lineNo + 1;
      return;
    }
    if (!buf.length) bufLine = lineNo;
    buf.push(l);
    if (!/^\s*(#.*)?$/.test(l) && !/^%/.test(l)) hasContent = true;
  });
  flush();
  return pieces;
}

