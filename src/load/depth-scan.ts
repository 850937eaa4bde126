/**
 * A conservative estimate of how deeply a YAML/JSON text nests, taken before
 * the YAML parser runs (SPEC §8: ~1,000 levels can kill Node 20 outright in
 * the recursive parser and composer).
 *
 * It reads the tokens of yaml's `Lexer`, an iterative state machine that is
 * safe on any input, so quotes, comments and block scalars are read exactly as
 * YAML reads them: a character scan that guesses at quoting can be led to
 * skip real brackets (`a: foo 'bar` opens no quote in YAML). Flow brackets are
 * counted exactly; block nesting is estimated from indentation and the `-`,
 * `?`, `:` indicators that open a line, each line one level below the nearest
 * less indented line. The estimate may over-count odd layouts, never under-count.
 */
import { Lexer } from 'yaml';

// The lexer's control tokens (see yaml's CST): document start, flow reset, scalar follows, BOM.
const DOCUMENT = '\x02';
const FLOW_END = '\x18';
const SCALAR = '\x1f';
const BOM = '\u{FEFF}';

/** The first place where the nesting estimate exceeds `maxDepth`, if any. */
export function findExcessiveNesting(
  text: string,
  maxDepth: number,
): { line: number; column: number; depth: number } | undefined {
  let line = 1;
  let column = 1;
  let flow = 0;
  // less indented lines still open: their indentation and estimated depth
  const open: OpenLine[] = [];
  let lineDepth = 0;
  let lineIndent = 0;
  let afterNewline = true;
  let atLineStart = true; // no node of this (block-context) line seen yet
  let indicators = 0;
  let dashLine = false; // the line opens with `-`
  let blockHeader = false; // a `|`/`>` header was seen: its body comes as one scalar token
  let bodyNext = false;
  const newLine = () => { atLineStart = true; indicators = 0; };

  for (const tok of new Lexer().lex(text)) {
    if (tok === DOCUMENT || tok === BOM) continue;
    if (tok === FLOW_END) { flow = 0; newLine(); continue; } // the lexer (and parser) closed every flow level
    if (tok === SCALAR) { if (blockHeader) bodyNext = true; continue; }
    const tokLine = line;
    const tokColumn = column;
    const nl = tok.lastIndexOf('\n');
    if (nl < 0) column += tok.length;
    else { line += countNewlines(tok); column = tok.length - nl; }
    const isSpace = /^[ \t]+$/.test(tok);
    if (afterNewline) lineIndent = isSpace ? tok.length : 0;
    afterNewline = false;

    if (bodyNext) { // a block scalar's whole body: text, not structure
      blockHeader = bodyNext = false;
      afterNewline = true;
      lineIndent = 0;
      newLine();
      continue;
    }
    const isNewline = tok === '\n' || tok === '\r\n';
    if (isNewline) {
      afterNewline = true;
      // a line of only `-` (or `?`, `:`): its node continues on the lines below
      if (flow === 0 && atLineStart && indicators > 0) open.push({ indent: lineIndent, depth: lineDepth, dash: dashLine });
      if (flow === 0) newLine();
      continue;
    }
    if (isSpace || tok[0] === '#') continue;
    if (flow === 0 && atLineStart) {
      if (indicators === 0) {
        dashLine = tok === '-';
        lineDepth = parentDepth(open, lineIndent, dashLine);
      }
      // each `-`/`?`/`:` opens a collection; whatever follows on the line is one more level
      lineDepth++;
      if (lineDepth > maxDepth) return { line: tokLine, column: tokColumn, depth: lineDepth };
      if (tok === '-' || tok === '?' || tok === ':') { indicators++; continue; }
      open.push({ indent: lineIndent, depth: lineDepth, dash: dashLine });
      atLineStart = false;
    }
    if (tok === '[' || tok === '{') {
      flow++;
      if (lineDepth + flow > maxDepth) return { line: tokLine, column: tokColumn, depth: lineDepth + flow };
    } else if ((tok === ']' || tok === '}') && flow > 0) {
      flow--;
    } else if (flow === 0 && (tok[0] === '|' || tok[0] === '>')) {
      blockHeader = true;
    }
  }
  return undefined;
}

interface OpenLine { indent: number; depth: number; dash: boolean }

/**
 * Depth of the line a new line at `indent` nests in; the lines it closes are
 * dropped. A `-` line may sit at its key's own indentation (`key:` / `- item`).
 */
function parentDepth(open: OpenLine[], indent: number, dash: boolean): number {
  for (let top = open[open.length - 1]; top; top = open[open.length - 1]) {
    if (top.indent < indent || (top.indent === indent && dash && !top.dash)) break;
    open.pop();
  }
  return open.length ? open[open.length - 1]!.depth : 0;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
