/**
 * A conservative estimate of how deeply a YAML/JSON text nests, taken before
 * the YAML parser runs (SPEC §8: ~1,000 levels can kill Node 20 outright in
 * the recursive parser and composer).
 *
 * It reads the tokens of yaml's `Lexer`, an iterative state machine that is
 * safe on any input, so quotes, comments and block scalars are read exactly as
 * YAML reads them: a character scan that guesses at quoting can be led to
 * skip real brackets (`a: foo 'bar` opens no quote in YAML). Flow brackets are
 * counted exactly; block nesting is estimated from the column of each node that
 * opens a line and the `-`, `?`, `:` indicators before it (`- - - x` is three
 * levels). The estimate may over-count odd layouts by a level, never under-count.
 */
import { Lexer } from 'yaml';
import { countNewlines } from './text.js';

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
  const open: OpenNode[] = []; // block nodes that lines further down may nest in
  let lineDepth = 0;
  let atLineStart = true; // only `-`/`?`/`:` indicators (or nothing) seen on this block-context line
  let indicators = 0;
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

    if (bodyNext) { // a block scalar's whole body: text, not structure
      blockHeader = bodyNext = false;
      newLine();
      continue;
    }
    const isNewline = tok === '\n' || tok === '\r\n';
    if (isNewline) {
      if (flow === 0) newLine();
      continue;
    }
    if (/^[ \t]+$/.test(tok) || tok[0] === '#') continue;
    if (flow === 0 && atLineStart) {
      const dash = tok === '-';
      if (tok === '---' || tok === '...') open.length = 0;
      // the first node of a line finds its parent by indentation; each later one nests in the indicator before it
      lineDepth = indicators === 0 ? placeAt(open, tokColumn - 1, dash) : lineDepth + 1;
      open.push({ column: tokColumn - 1, depth: lineDepth, dash });
      if (lineDepth > maxDepth) return { line: tokLine, column: tokColumn, depth: lineDepth };
      if (dash || tok === '?' || tok === ':') { indicators++; continue; }
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

/** A block node that starts at `column` (0-based) at `depth`; `dash` when it is a `-` sequence. */
interface OpenNode { column: number; depth: number; dash: boolean }

/**
 * The depth of a node that opens a line at `column`: a sibling of the open
 * node at the same column, or a child of the nearest one to its left. Nodes
 * to its right are closed. A `-` may sit at its key's own column (`key:` then
 * `- item`): that sequence is the key's child.
 */
function placeAt(open: OpenNode[], column: number, dash: boolean): number {
  for (let top = open.pop(); top; top = open.pop()) {
    if (top.column < column) {
      open.push(top);
      return top.depth + 1;
    }
    if (top.column === column) {
      if (top.dash === dash) return top.depth;
      if (dash) return top.depth + 1; // `- item` under `key:` at the same column
    }
  }
  return 1;
}
