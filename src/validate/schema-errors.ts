/**
 * Turns AJV's error data into positioned, plain-worded errors: the data path
 * as `tiers[2].from`, the line and column of the offending value (or key, for
 * an unknown field), and a message a billing analyst can act on.
 */
import type { ErrorObject } from 'ajv';
import { RcError } from '../errors.js';
import { amountProblem } from '../money/decimal.js';
import { formatPath, type PathSeg, type SourceDoc } from '../parse/source-doc.js';
import { cutText, quoteInput } from '../text/safe-text.js';

/** A value from input as a message shows it: JSON, cut to about 80 characters (SPEC §4). */
const shown = (v: unknown): string => (typeof v === 'string' ? quoteInput(v) : cutText(JSON.stringify(v) ?? String(v)));

/** One positioned error per distinct problem, in document order. */
export function schemaErrors(doc: SourceDoc, errors: readonly ErrorObject[]): RcError[] {
  const out: RcError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue; // the `then` branch reports the real problem
    const mapped = mapError(doc, e);
    if (!mapped) continue;
    const key = `${mapped.path}\u0000${mapped.message}`;
    const samePath = `${mapped.path}\u0000`;
    // one message per field: the first (most specific) wins over e.g. a later
    // `not`, and a date of the wrong form is not also "not a real calendar date"
    const secondOpinion = e.keyword === 'not' || e.keyword === 'format';
    if (seen.has(key) || (secondOpinion && [...seen].some((k) => k.startsWith(samePath)))) continue;
    seen.add(key);
    out.push(mapped);
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function mapError(doc: SourceDoc, e: ErrorObject): RcError | undefined {
  const path = pointerToPath(doc.value, e.instancePath);
  const value = valueAt(doc.value, path);
  const where = (p: PathSeg[], key = false) => ({ file: doc.file, ...doc.locate(p, key), path: formatPath(p) });
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const p = [...path, name];
      const hint = FORBIDDEN.has(name.toLowerCase()) ? ' (a reserved name)' : '';
      return new RcError(FORBIDDEN.has(name.toLowerCase()) ? 'FORBIDDEN_KEY' : 'SCHEMA', `unknown field ${quoteInput(name)}${hint}`, where(p, true));
    }
    case 'required': {
      const name = String(params.missingProperty);
      return new RcError('SCHEMA', `missing required field "${name}"`, { ...where(path), path: formatPath([...path, name]) });
    }
    case 'minProperties': return new RcError('SCHEMA', path.at(-1) === 'totals' ? 'give payments, value or both' : 'must not be empty', where(path));
    case 'propertyNames': return undefined; // reported by the nested pattern/not error with the name
    case 'pattern':
    case 'not':
    case 'type':
    case 'format':
    case 'enum':
    case 'const':
      break;
    default:
      return new RcError('SCHEMA', e.message ?? 'is invalid', where(path));
  }
  if (e.propertyName !== undefined) {
    const p = [...path, e.propertyName];
    const reserved = FORBIDDEN.has(e.propertyName.toLowerCase());
    return new RcError(reserved ? 'FORBIDDEN_KEY' : 'SCHEMA', reserved
      ? `${quoteInput(e.propertyName)} is a reserved name and cannot be a service id`
      : `${quoteInput(e.propertyName)} is not a valid service id: use lower-case letters, digits and "-", starting with a letter`,
    where(p, true));
  }
  if (e.schemaPath.includes('/$defs/money/')) {
    if (typeof value === 'number') {
      const text = doc.sourceText(path) ?? String(value);
      const field = path[path.length - 1];
      return new RcError('BAD_AMOUNT', `must be a decimal string in quotes: write ${String(field)}: ${quoteInput(text)}`, where(path));
    }
    if (typeof value === 'string') return new RcError('BAD_AMOUNT', moneyFieldMessage(String(path[path.length - 1]), value), where(path));
  }
  switch (e.keyword) {
    case 'type': return new RcError('SCHEMA', `must be ${article(String(params.type))}, not ${describe(value)}`, where(path));
    case 'enum': return new RcError('SCHEMA', `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${shown(value)}`, where(path));
    case 'const': return new RcError('SCHEMA', `must be ${JSON.stringify(params.allowedValue)}, not ${shown(value)}`, where(path));
    case 'format': return new RcError('BAD_DATE', `${shown(value)} is not a real calendar date (YYYY-MM-DD)`, where(path));
    case 'pattern': return new RcError(isDate(e, path) ? 'BAD_DATE' : 'SCHEMA', patternMessage(e, path, value), where(path));
    default: return new RcError('SCHEMA', e.message ?? 'is invalid', where(path));
  }
}

/**
 * A rule file's money or percentage text that is not a plain decimal, with the
 * fix in the field's own terms: `creditPercent: "25%"` → write
 * `creditPercent: "25"`; `from: "20,000"` → write `from: "20000"`.
 */
function moneyFieldMessage(field: string, text: string): string {
  const percent = field === 'creditPercent';
  const kind = percent ? 'a percentage written as a plain number' : 'a decimal amount';
  const t = text.trim();
  const pct = /^([0-9]+(?:\.[0-9]+)?)\s*%$/.exec(t);
  if (pct && !amountProblem(pct[1]!)) return `must be ${kind}: ${quoteInput(text)} has a % sign; write ${field}: "${pct[1]}"`;
  const grouped = /^[0-9]{1,3}(?:([,_ ])[0-9]{3})*(?:\.[0-9]+)?$/.exec(t);
  if (grouped?.[1]) {
    const plain = t.split(grouped[1]).join('');
    return `must be ${kind}: ${quoteInput(text)} has thousands separators; write ${field}: "${plain}"`;
  }
  const problem = amountProblem(text) ?? 'invalid';
  return `must be ${kind}: ${percent ? problem.replace('such as "4.00"', 'such as "12.5" (no % sign)') : problem}`;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype', 'hasownproperty', 'tostring', 'valueof']);

/** A date field: by its schema definition, its pattern or its name (the schema's wording may change). */
function isDate(e: ErrorObject, path: readonly PathSeg[]): boolean {
  const last = String(path[path.length - 1] ?? '');
  return e.schemaPath.includes('/date/') || /\{4\}-\[0-9\]\{2\}-\[0-9\]\{2\}\$$/.test(String(e.params.pattern ?? ''))
    || /^(from|until|approvedOn)$/.test(last);
}

/** What a value of the wrong form should look like, in words a billing analyst can act on. */
function patternMessage(e: ErrorObject, path: readonly PathSeg[], value: unknown): string {
  const last = String(path[path.length - 1] ?? '');
  if (isDate(e, path)) {
    const day = typeof value === 'string' ? /^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]/.exec(value)?.[1] : undefined;
    return day
      ? `${shown(value)} has a time or zone; write the date alone as YYYY-MM-DD: "${day}"`
      : `${shown(value)} has the wrong form (expected YYYY-MM-DD)`;
  }
  if (e.schemaPath.includes('period') || last === 'period') return `${shown(value)} has the wrong form (expected YYYY-MM)`;
  if (e.schemaPath.includes('currency') || last === 'currency') return `${shown(value)} has the wrong form (expected a 3-letter code such as USD)`;
  return `${shown(value)} has the wrong form (expected a letter or digit first, then letters, digits, ".", "_" or "-"; at most 64 characters)`;
}

function article(type: string): string {
  const t = type.replace(/,/g, ' or ');
  if (t === 'integer') return 'a whole number';
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${shown(v)}`;
}

/** JSON Pointer → path segments, with array indexes as numbers. */
export function pointerToPath(root: unknown, pointer: string): PathSeg[] {
  if (!pointer) return [];
  const out: PathSeg[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out.push(Number(seg));
      node = node[Number(seg)];
    } else {
      out.push(seg);
      node = node && typeof node === 'object' && Object.hasOwn(node, seg) ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function valueAt(root: unknown, path: readonly PathSeg[]): unknown {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, seg)) return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}
