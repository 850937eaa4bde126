/**
 * The mapping file (YAML or JSON, schemas/mapping.schema.json): read with
 * the project's safe YAML options and size/depth limits, checked with AJV
 * 2020-12 and the project's options, every problem positioned
 * (`file:line:col: path: message`), all of them at once.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { RcError } from '../errors.js';
import { resolveLimits, type LoadLimits } from '../limits.js';
import { parseYamlDocuments } from '../parse/source-doc.js';
import { ajvOptions } from '../validate/ajv-options.js';
import { schemaErrors } from '../validate/schema-errors.js';
import { countJsonKeys, countValueKeys } from '../read/json-scan.js';
import type { Mapping, TargetName } from './types.js';

const require = createRequire(import.meta.url);

/** Absolute path of the shipped schema. */
export const MAPPING_SCHEMA = fileURLToPath(new URL('../../schemas/mapping.schema.json', import.meta.url));

let validate: ValidateFunction | undefined;

/** The compiled schema (compiled on first use: the file is small and read once per command). */
function validator(): ValidateFunction {
  if (validate) return validate;
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ ...ajvOptions });
  validate = ajv.compile(JSON.parse(readFileSync(MAPPING_SCHEMA, 'utf8')) as object);
  return validate;
}

/** Thrown when a mapping file is not usable: every problem in it. */
export class MappingErrors extends Error {
  readonly errors: RcError[];
  constructor(errors: RcError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.errors = errors;
  }
}

/** Parses and checks mapping text (`file` names it in messages). Throws `MappingErrors`. */
export function parseMapping(text: string, file: string, limits: LoadLimits = resolveLimits()): Mapping {
  const fast = /^\s*\{/.test(text) ? jsonMapping(text) : undefined;
  if (fast) return fast;
  const docs = parseYamlDocuments(text, { file, limits });
  const first = docs[0];
  if (!first) throw new MappingErrors([new RcError('SCHEMA', 'the mapping file is empty', { file })]);
  if (docs.length > 1) throw new MappingErrors([new RcError('SCHEMA', 'the mapping file holds more than one YAML document', { file })]);
  if (!first.ok) throw new MappingErrors(first.errors);
  const v = validator();
  if (!v(first.doc.value)) throw new MappingErrors(schemaErrors(first.doc, v.errors ?? []).map(worded));
  const raw = first.doc.value as Omit<Mapping, 'accounts'> & { accounts: Record<string, Partial<Record<TargetName, string>>> };
  return { ...raw, accounts: new Map(Object.entries(raw.accounts)) };
}

/** What each patterned field must look like, in the words of the mapping's reader. */
const FORMS: Record<string, string> = {
  stripe: 'a Stripe customer id: "cus_" then letters and digits',
  killbill: 'a Kill Bill account id: a lower-case UUID',
  xero: 'a Xero contact name, without spaces around it',
  quickbooks: 'a QuickBooks Online customer id: digits only',
  itemId: 'a QuickBooks Online item id: digits only',
  createdBy: 'printable ASCII, at most 100 characters (an HTTP header value)',
  reason: 'printable ASCII, at most 100 characters (an HTTP header value)',
  numberPrefix: 'letters, digits and "-", at most 20',
  docNumberPrefix: 'letters and digits, at most 4 (DocNumber stays within 21 characters)',
};

/** The schema reader's generic "wrong form" message, said for this field. */
function worded(e: RcError): RcError {
  const field = e.path?.split('.').pop() ?? '';
  const form = FORMS[field];
  if (!form || !e.message.includes(' has the wrong form (')) return e;
  return new RcError(e.code, e.message.replace(/ has the wrong form \(.*\)$/, ` has the wrong form (expected ${form})`),
    { file: e.file, line: e.line, column: e.column, path: e.path });
}

/**
 * A JSON mapping read with `JSON.parse` when it is valid, has no duplicate
 * key (counted in the text: `JSON.parse` keeps the last silently) and passes
 * the schema; undefined otherwise, and the YAML reader then says where the
 * problems are. (The YAML reader's duplicate-key check compares every key
 * with every other: 10,000 accounts took 7.4 s on the 2-core test machine.)
 */
function jsonMapping(text: string): Mapping | undefined {
  let value: unknown;
  try { value = JSON.parse(text); } catch { return undefined; }
  if (countJsonKeys(text) !== countValueKeys(value) || !validator()(value)) return undefined;
  const raw = value as Omit<Mapping, 'accounts'> & { accounts: Record<string, Partial<Record<TargetName, string>>> };
  return { ...raw, accounts: new Map(Object.entries(raw.accounts)) };
}

/** Reads and checks the mapping file at `file`. Throws `MappingErrors` (a missing file included). */
export function readMapping(file: string, limits: LoadLimits = resolveLimits()): Mapping {
  let text: string;
  try {
    const buf = readFileSync(file);
    if (buf.length > limits.maxFileBytes) throw new RcError('FILE_TOO_LARGE', `the mapping file is larger than ${limits.maxFileBytes} bytes`, { file });
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch (err) {
    if (err instanceof RcError) throw new MappingErrors([err]);
    if (err instanceof TypeError) throw new MappingErrors([new RcError('ENCODING', 'the mapping file is not UTF-8 text', { file })]);
    const code = (err as { code?: string }).code;
    throw new MappingErrors([new RcError(code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'READ_FAILED', code === 'ENOENT' ? 'no such mapping file' : `cannot read the mapping file (${code ?? String(err)})`, { file })]);
  }
  return parseMapping(text, file, limits);
}
