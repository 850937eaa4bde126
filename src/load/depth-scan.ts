/**
 * A conservative estimate of how deeply a YAML/JSON text nests, computed on
 * the raw characters so that hostile input never reaches the YAML parser
 * (SPEC §8: ~1,000 levels can kill Node 20 outright). It may over-count odd
 * layouts, never under-count flow brackets.
 */

/** The first place where the nesting estimate exceeds `maxDepth`, if any. */
export function findExcessiveNesting(
  text: string,
  maxDepth: number,
): { line: number; column: number; depth: number } | undefined {
  let flow = 0;
  let quote: '"' | "'" | null = null;
  let line = 1;
  let col = 0;
  let atLineStart = true;
  const indents: number[] = [];
  let blockDepth = 0;
  let prev = '\n';

  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    col++;
    if (ch === '\n') {
      line++;
      col = 0;
      atLineStart = true;
      prev = ch;
      continue;
    }
    if (quote) {
      if (quote === '"' && ch === '\\') { i++; col++; continue; }
      if (ch === quote) quote = null;
      prev = ch;
      continue;
    }
    if (atLineStart && flow === 0) {
      // measure indentation and leading "- " sequence markers of this line
      let j = i;
      while (text[j] === ' ') j++;
      const c = text[j];
      if (c === undefined || c === '\n' || c === '\r' || c === '#') {
        atLineStart = c === '#' ? false : atLineStart;
        if (c === '#') { i = skipComment(text, j) - 1; col = 0; }
        else { col += j - i; i = j - 1; }
        continue;
      }
      const indent = j - i;
      while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      let dashes = 0;
      let k = j;
      // "- ", "? " and ": " at the start of a line each open a collection (compact nesting)
      while ((text[k] === '-' || text[k] === '?' || text[k] === ':') && (text[k + 1] === ' ' || text[k + 1] === '\t')) {
        dashes++;
        k += 2;
        while (text[k] === ' ') k++;
      }
      blockDepth = indents.length + dashes;
      atLineStart = false;
      col += j - i;
      i = j - 1;
      if (blockDepth + flow > maxDepth) return { line, column: col, depth: blockDepth + flow };
      continue;
    }
    atLineStart = false;
    if (ch === '#' && (prev === ' ' || prev === '\t' || prev === '\n')) {
      i = skipComment(text, i) - 1;
      continue;
    }
    if ((ch === '"' || ch === "'") && /[\s[{,:\n]/.test(prev)) {
      quote = ch;
    } else if (ch === '[' || ch === '{') {
      flow++;
      if (blockDepth + flow > maxDepth) return { line, column: col, depth: blockDepth + flow };
    } else if ((ch === ']' || ch === '}') && flow > 0) {
      flow--;
    }
    prev = ch;
  }
  return undefined;
}

function skipComment(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}
