/**
 * Cutting a portfolio file into the raw text of its records, without parsing
 * them: the elements of a top-level JSON array, or the documents of a YAML
 * stream. Each piece keeps the line and column where it starts, so errors
 * found later in the piece point into the original file.
 */

/** The raw text of one record and where it starts in its file (1-based). */
export interface RawPiece { text: string; line: number; column: number }

/**
 * The elements of a JSON array text. Returns undefined when the text is not
 * a top-level array (then it is one record). Malformed JSON is left for the
 * per-record parse to report; a truncated array still yields what it holds.
 */
export function splitJsonArray(text: string): RawPiece[] | undefined {
  let i = skipWs(text, 0);
  if (text[i] !== '[') return undefined;
  const pieces: RawPiece[] = [];
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k <= i; k++) if (text[k] === '\n') { line++; lineStart = k + 1; }
  i++;
  let depth = 0;
  let inString = false;
  let start = -1;
  let startLine = line;
  let startCol = 1;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') { line++; lineStart = i + 1; }
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (start < 0 && !/\s/.test(ch)) {
      if (ch === ']' && depth === 0) return pieces;
      if (ch === ',' && depth === 0) continue;
      start = i;
      startLine = line;
      startCol = i - lineStart + 1;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      if (depth === 0) { // end of the outer array
        if (start >= 0) pieces.push({ text: text.slice(start, i), line: startLine, column: startCol });
        return pieces;
      }
      depth--;
    } else if (ch === ',' && depth === 0 && start >= 0) {
      pieces.push({ text: text.slice(start, i), line: startLine, column: startCol });
      start = -1;
    }
  }
  if (start >= 0) pieces.push({ text: text.slice(start), line: startLine, column: startCol });
  return pieces;
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

function skipWs(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}
