/**
 * Reads YAML or JSON text into plain data that remembers where every value
 * came from, with the safe settings of SPEC §8: core schema, no merge keys,
 * no custom tags, duplicate keys caught even as `1:` vs `"1":`, an alias cap,
 * and a nesting pre-scan before the parser ever runs.
 */
import {
  Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments,
  type Node, type ParsedNode,
} from 'yaml';
import { RcError } from '../errors.js';
import { findExcessiveNesting } from './depth-scan.js';
import type { LoadLimits } from '../limits.js';
import { MAX_NUMBER_DIGITS } from '../money/decimal.js';
import { cutText } from '../text/safe-text.js';

/** A segment of a data path: a property name or an array index. */
export type PathSeg = string | number;

/** A 1-based position in a file. */
export interface Position { line: number; column: number }

/** A parsed document: its plain value and a way back to source positions. */
export interface SourceDoc {
  file: string;
  value: unknown;
  /** Where the value at `path` starts (or its key, with `key`); the nearest existing ancestor when it is missing. */
  locate(path: readonly PathSeg[], key?: boolean): Position | undefined;
  /** The source text of the scalar at `path`, when the document kept it. */
  sourceText(path: readonly PathSeg[]): string | undefined;
}

/** One document of a file: parsed, or the errors that stopped it. */
export type DocResult =
  | { ok: true; doc: SourceDoc }
  /** `value`: the data as far as it could be read, for context such as the account id */
  | { ok: false; errors: RcError[]; value?: unknown };

/** Options of one parse. */
export interface ParseOptions {
  file: string;
  limits: LoadLimits;
  /** Added to every reported line (records embedded in a larger file). */
  lineOffset?: number;
  /** Added to columns on the first line (a record that starts mid-line). */
  columnOffset?: number;
}

/** A map key as text, so that `1:` and `"1":` are the same key. */
export const keyText = (n: unknown): unknown => (isScalar(n) ? String(n.value) : n);

/** The safe parse options of SPEC §8, for every YAML read in this project. */
export const SAFE_YAML_OPTIONS = Object.freeze({
  schema: 'core',
  merge: false,
  resolveKnownTags: false,
  strict: true,
  prettyErrors: false,
  uniqueKeys: (a: ParsedNode, b: ParsedNode) => keyText(a) === keyText(b),
} as const);

/** Every document of a YAML stream (JSON is a single document). */
export function parseYamlDocuments(text: string, opts: ParseOptions): DocResult[] {
  const { file, limits } = opts;
  const lineOffset = opts.lineOffset ?? 0;
  const columnOffset = opts.columnOffset ?? 0;
  const deep = findExcessiveNesting(text, limits.maxDepth);
  if (deep) {
    return [{ ok: false, errors: [new RcError('NESTING_TOO_DEEP',
      `nesting deeper than ${limits.maxDepth} levels (limit maxDepth); the file is refused before parsing`,
      { file, line: deep.line + lineOffset, column: deep.line === 1 ? deep.column + columnOffset : deep.column })] }];
  }
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { ...SAFE_YAML_OPTIONS, lineCounter });
  const docs = Array.isArray(parsed) ? parsed : [];
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + lineOffset, column: p.line === 1 ? p.col + columnOffset : p.col };
  };
  return docs.map((doc) => toDocResult(doc, file, limits, at));
}

function toDocResult(
  doc: Document.Parsed,
  file: string,
  limits: LoadLimits,
  at: (offset: number) => Position,
): DocResult {
  if (doc.errors.length) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = at(e.pos[0]);
        if (e.code === 'DUPLICATE_KEY') {
          const path = keyPathAt(doc.contents, e.pos[0], []);
          return new RcError('DUPLICATE_KEY', 'duplicate key (keys must be unique)',
            { file, ...pos, ...(path ? { path: formatPath(path) } : {}) });
        }
        return new RcError('YAML_SYNTAX', firstLine(e.message), { file, ...pos });
      }),
    };
  }
  const numberErrors: RcError[] = [];
  let aliases = 0;
  let firstAlias: Node | undefined;
  walk(doc.contents, [], (node, path) => {
    if (isAlias(node)) {
      aliases++;
      firstAlias ??= node;
      return;
    }
    const problem = numberScalarProblem(node);
    if (problem) {
      numberErrors.push(new RcError('BAD_AMOUNT', problem,
        { file, ...at(node.range![0]), path: formatPath(path) }));
    }
  });
  // Counted before toJS(): resolving each alias scans the whole document, so
  // thousands of them take seconds even when none is expanded twice.
  if (aliases > limits.maxAliasCount) {
    return { ok: false, errors: [new RcError('ALIAS_LIMIT',
      `${aliases} alias references (*name); the limit (maxAliasCount) is ${limits.maxAliasCount}`,
      { file, ...at(firstAlias!.range![0]) })] };
  }
  if (numberErrors.length) {
    let value: unknown;
    try { value = doc.toJS({ maxAliasCount: limits.maxAliasCount }); } catch { /* the number errors say enough */ }
    return { ok: false, errors: numberErrors, value };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (err) {
    const unresolved = err instanceof ReferenceError ? /^Unresolved alias[^:]*: (.*)$/.exec(err.message) : null;
    if (unresolved) {
      // an alias to an anchor set in another document of the stream, or set later
      const name = unresolved[1]!;
      let node: Node | undefined;
      walk(doc.contents, [], (n) => { if (!node && isAlias(n) && n.source === name) node = n; });
      return { ok: false, errors: [new RcError('YAML_SYNTAX',
        `alias *${cutText(name)} has no anchor &${cutText(name)} before it in this document; anchors do not cross documents (---): set the anchor in this document or repeat the value`,
        { file, ...(node?.range ? at(node.range[0]) : { line: at(doc.range[0]).line, column: 1 }) })] };
    }
    if (err instanceof ReferenceError || err instanceof RangeError) {
      return { ok: false, errors: [new RcError('ALIAS_LIMIT',
        `too many alias references (limit maxAliasCount = ${limits.maxAliasCount}); the document is refused`,
        { file, line: at(doc.range[0]).line, column: 1 })] };
    }
    throw err;
  }
  const find = (path: readonly PathSeg[], key = false): Node | undefined => findNode(doc, path, key);
  return {
    ok: true,
    doc: {
      file,
      value,
      locate(path, key = false) {
        const node = find(path, key);
        return node?.range ? at(node.range[0]) : undefined;
      },
      sourceText(path) {
        const node = find(path);
        return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
      },
    },
  };
}

/** Exponent, hex, octal, infinity and NaN numbers, and numbers too long for a double. */
function numberScalarProblem(node: Node): string | undefined {
  if (!isScalar(node) || typeof node.value !== 'number') return undefined;
  const full = typeof node.source === 'string' ? node.source : String(node.value);
  const src = cutText(full); // a message shows about 80 characters of it (SPEC §4)
  if (!Number.isFinite(node.value)) return `${src} is not a finite number`;
  if (node.format === 'EXP' || /[eE]/.test(full)) return `${src} uses exponent notation; write the plain decimal`;
  if (node.format === 'HEX' || node.format === 'OCT' || /^[-+]?0[xo]/i.test(full)) {
    return `${src} is hex or octal; write a plain decimal`;
  }
  // YAML 1.1 tools read 017 as octal 15, YAML 1.2 as 17: ambiguous money
  if (/^[-+]?0[0-9]/.test(full)) return `${src} has leading zeros; write a plain decimal`;
  const digits = full.replace(/^[-+]/, '').replace('.', '').replace(/^0+/, '');
  if (digits.length > MAX_NUMBER_DIGITS) {
    return `the number ${src} has more than ${MAX_NUMBER_DIGITS} significant digits and would lose precision; write it as a decimal string`;
  }
  return undefined;
}

function walk(node: unknown, path: PathSeg[], visit: (n: Node, path: PathSeg[]) => void): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = keyText(pair.key);
      walk(pair.value, [...path, typeof k === 'string' ? k : '?'], visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item, [...path, i], visit));
  } else if (isScalar(node) || isAlias(node)) {
    visit(node, path);
  }
}

/** The data path of the map key that starts at `offset` (where the parser reports a duplicate key). */
function keyPathAt(node: unknown, offset: number, path: PathSeg[]): PathSeg[] | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = keyText(pair.key);
      const seg = typeof k === 'string' ? k : '?';
      if ((pair.key as Node | null)?.range?.[0] === offset) return [...path, seg];
      const inner = keyPathAt(pair.value, offset, [...path, seg]);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const inner = keyPathAt(node.items[i], offset, [...path, i]);
      if (inner) return inner;
    }
  }
  return undefined;
}

function findNode(doc: Document, path: readonly PathSeg[], key: boolean): Node | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined = node as Node | undefined;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) return found;
      if (key && i === path.length - 1) return pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      return found;
    }
    if (node && (node as Node).range) found = node as Node;
    else return found;
  }
  return found;
}

/** `tiers[2].from` from `['tiers', 2, 'from']`. */
export function formatPath(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
