/**
 * One raw record → a validated snapshot. JSON records take a fast path
 * (`JSON.parse`) and only go through the position-keeping YAML parser when
 * an error must be located, the text holds numbers that need their source
 * (exponents, long digit runs) or it repeats a key (which `JSON.parse` would
 * silently merge). Pure and synchronous: it runs in workers.
 */
import { RcError, RcErrors } from '../errors.js';
import { toSnapshot, type LocatedSnapshot } from '../validate/snapshot-checks.js';
import { countJsonKeysIfExact, countValueKeys, jsonErrorOffset } from '../read/json-scan.js';
import type { LoadLimits } from '../limits.js';
import { parseYamlDocuments, type SourceDoc } from '../parse/source-doc.js';
import { accountOf } from '../parse/text.js';
import type { RawRecord } from '../read/raw-record.js';

export type { RawRecord };

// Numbers whose JSON.parse value may differ from their text (see countJsonKeysIfExact), looked
// for in the whole text when JSON.parse failed: such a text is read by the YAML path, as always.
const NEEDS_SOURCE = /\d[eE][+-]?\d|\d{16}|\.\d{7}/;

/** Parses and validates one record; throws `RcErrors` with positioned errors. */
export function parseSnapshotRecord(raw: RawRecord, limits: LoadLimits): LocatedSnapshot {
  if (raw.text.length > limits.maxRecordBytes) {
    throw new RcError('FILE_TOO_LARGE', `record is ${raw.text.length} bytes; the limit (maxRecordBytes) is ${limits.maxRecordBytes}`,
      { file: raw.file, line: raw.line, column: raw.column });
  }
  if (raw.format === 'json') {
    let value: unknown;
    let parsed = true;
    try {
      value = JSON.parse(raw.text);
    } catch (err) {
      // a text with such numbers went to the YAML path before JSON.parse, and still does
      if (!NEEDS_SOURCE.test(raw.text)) throw jsonSyntaxError(raw, err as Error);
      parsed = false;
    }
    // JSON.parse keeps the last of two equal keys (`"amount":"1","amount":"100000"`);
    // fewer keys in the value than in the text means a duplicate, which the
    // YAML path reports as DUPLICATE_KEY with its position and path. The same
    // pass sends numbers that need their source text to the YAML path (-1).
    if (parsed && countValueKeys(value) === countJsonKeysIfExact(raw.text)) return toSnapshot(lazyDoc(raw, value, limits), limits);
  }
  return toSnapshot(yamlDoc(raw, limits), limits);
}

function yamlDoc(raw: RawRecord, limits: LoadLimits): SourceDoc {
  const docs = parseYamlDocuments(raw.text, { file: raw.file, limits, lineOffset: raw.line - 1, columnOffset: raw.column - 1 });
  if (docs.length !== 1) {
    throw new RcError(docs.length ? 'YAML_SYNTAX' : 'SCHEMA', docs.length ? 'expected one document' : 'empty record',
      { file: raw.file, line: raw.line, column: raw.column });
  }
  const d = docs[0]!;
  if (!d.ok) {
    const account = accountOf(d.value);
    if (account !== undefined) for (const e of d.errors) e.account ??= account;
    throw new RcErrors(d.errors);
  }
  return d.doc;
}

/** A SourceDoc over an already parsed JSON value; positions are computed only if asked for. */
function lazyDoc(raw: RawRecord, value: unknown, limits: LoadLimits): SourceDoc {
  let slow: SourceDoc | undefined;
  const get = () => (slow ??= yamlDoc(raw, limits));
  return {
    file: raw.file,
    value,
    locate: (path, key) => get().locate(path, key),
    sourceText: (path) => get().sourceText(path),
  };
}

function jsonSyntaxError(raw: RawRecord, err: Error): RcError {
  // anchored on Node's own wording: the quoted excerpt of the input may say "position" too
  const m = / in JSON at position (\d+)/.exec(err.message);
  const msg = err.message
    .replace(/ in JSON at position \d+.*$/s, '')
    // Node 20 quotes an excerpt of the input (newlines and all): the position says where
    .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'the record ends too early (truncated JSON?)');
  // Node 20 gives no position for e.g. `Unexpected token '}', ..."account":}`:
  // find the spot with an exact grammar walk. (The YAML parser cannot: it
  // reads `{"account":}`, `tru` or `.5` as valid YAML.)
  const pos = m ? Number(m[1]) : jsonErrorOffset(raw.text) ?? raw.text.length;
  const before = raw.text.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  const lines = before.split('\n').length - 1;
  const line = raw.line + lines;
  const column = lines ? pos - nl : raw.column + pos;
  return new RcError('JSON_SYNTAX', `invalid JSON: ${msg}`, { file: raw.file, line, column });
}
