/**
 * Changing the `status` of a rule set file in place. The analyst's file is
 * kept byte for byte except the status value itself: re-serialising with the
 * yaml Document API would keep comments but re-flow the aligned one-line maps
 * (tiers, services), so only the scalar's source range is replaced.
 */
import { isMap, isScalar, parseDocument, type Scalar } from 'yaml';
import { keyText, SAFE_YAML_OPTIONS } from '../parse/source-doc.js';
import { RcError } from '../errors.js';
import type { RuleSetStatus } from '../model/types.js';


/**
 * `text` with its top-level `status` value replaced by `status`, keeping the
 * value's quoting style. Throws a positioned `RcError` when the status is
 * written in a form that cannot be replaced safely (block scalar, tag, anchor).
 */
export function setStatusText(text: string, file: string, status: RuleSetStatus): string {
  // the file has already been validated; parsed again here for the node's source range
  const doc = parseDocument(text, SAFE_YAML_OPTIONS);
  if (doc.errors.length || !isMap(doc.contents)) {
    throw new RcError('YAML_SYNTAX', 'cannot change the status: the file does not parse as one YAML map', { file, line: 1, column: 1 });
  }
  const pair = doc.contents.items.find((p) => keyText(p.key) === 'status');
  const node = pair?.value;
  if (!isScalar(node) || !node.range) {
    throw new RcError('SCHEMA', 'the file has no `status:` line to change', { file, line: 1, column: 1, path: 'status' });
  }
  const [start, end] = node.range;
  const source = text.slice(start, end);
  const replacement = quoted(node as Scalar.Parsed, source, status);
  if (replacement === undefined) {
    const { line, column } = position(text, start);
    throw new RcError('SCHEMA',
      `write the status plainly on one line (\`status: ${String(node.value)}\`) so it can be changed without touching the rest of the file`,
      { file, line, column, path: 'status' });
  }
  return text.slice(0, start) + replacement + text.slice(end);
}

/** The new value in the quoting style of the old one; undefined for forms not worth guessing at. */
function quoted(node: Scalar.Parsed, source: string, status: string): string | undefined {
  const value = String(node.value);
  if (node.anchor || node.tag) return undefined;
  switch (node.type) {
    case 'PLAIN': return source === value ? status : undefined;
    case 'QUOTE_DOUBLE': return source === `"${value}"` ? `"${status}"` : undefined;
    case 'QUOTE_SINGLE': return source === `'${value}'` ? `'${status}'` : undefined;
    default: return undefined;
  }
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
