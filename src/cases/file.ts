/**
 * A regression case file (SPEC §6): a snapshot, the version it is pinned to,
 * and the figures it must produce. Read with positions; a malformed case file
 * yields every one of its problems, each pointing at the line to fix.
 */
import { quoteInput } from '../text/safe-text.js';
import { RcError } from '../errors.js';
import { withLimitName, type LoadLimits } from '../limits.js';
import { tryReadTextFile } from '../read/read-file.js';
import { formatPath, parseYamlDocuments, type PathSeg, type SourceDoc } from '../parse/source-doc.js';
import { caseFileOutside, casesRootFor, resolveSnapshotFile } from './paths.js';

/** The `expect` keys whose value is a figure compared exactly as the result prints it. */
export const FIGURE_KEYS = ['credit', 'creditPercent', 'tierBasis', 'creditBase', 'amountDue', 'paymentsTotal', 'valueTotal'] as const;
/** Every key `expect` may hold. */
export const EXPECT_KEYS = [...FIGURE_KEYS, 'tier', 'eligible', 'reasons', 'error'] as const;
const CASE_KEYS = ['name', 'description', 'rules', 'rulesSha256', 'snapshot', 'snapshotFile', 'expect'];

/** What a case expects; any subset of the keys. */
export interface CaseExpect {
  credit?: string;
  creditPercent?: string;
  tierBasis?: string;
  creditBase?: string;
  amountDue?: string;
  paymentsTotal?: string;
  valueTotal?: string;
  /** The tier's name. */
  tier?: string;
  eligible?: boolean;
  /** Each text must appear in one reason; an empty list expects no reasons. */
  reasons?: string[];
  /** The snapshot must be rejected with an error containing this text. */
  error?: string;
}

/** Where a case's snapshot is: inline in the case file, or in its own file (`file` as written, `real` checked to be inside the cases folder). */
export type CaseSnapshot = { kind: 'inline'; doc: SourceDoc } | { kind: 'file'; file: string; real: string };

/** A well-formed regression case. */
export interface RegressionCase {
  file: string;
  name: string;
  /** The pinned version id. */
  rules: string;
  /** When given, the pinned version's content must still have this hash. */
  rulesSha256?: string;
  snapshot: CaseSnapshot;
  expect: CaseExpect;
  /** The case document, to point at the lines of a failure. */
  doc: SourceDoc;
}

/** A case file read: the case, or every reason it is malformed (with its name when that much was readable). */
export interface CaseReadResult { file: string; name?: string; case?: RegressionCase; errors: RcError[] }

/**
 * Reads and checks one case file; never throws for bad input. `root` is the
 * cases folder being run: the case file and its `snapshotFile` must resolve
 * inside it (default: see `casesRootFor`).
 */
export function readCaseFile(file: string, limits: LoadLimits, root: string = casesRootFor(file)): CaseReadResult {
  const outside = caseFileOutside(file, root);
  if (outside) return { file, errors: [new RcError('CASE_OUTSIDE', outside, { file })] };
  const read = tryReadTextFile(file, limits.maxRuleFileBytes);
  if ('errors' in read) return { file, errors: withLimitName(read.errors, 'maxRuleFileBytes') };
  const text = read.text;
  const docs = parseYamlDocuments(text, { file, limits });
  if (docs.length !== 1) {
    return { file, errors: [new RcError('CASE_INVALID', docs.length ? 'a case file holds exactly one YAML document' : 'the file is empty', { file, line: 1, column: 1 })] };
  }
  const parsed = docs[0]!;
  if (!parsed.ok) {
    // The number checks run on the whole file, so a snapshot with an unreadable bare number
    // cannot be inline: say where it can go.
    return { file, errors: parsed.errors.map((e) => (e.code === 'BAD_AMOUNT' && e.path?.startsWith('snapshot')
      ? new RcError('BAD_AMOUNT', `${e.message} (a case whose snapshot must be rejected for this keeps the snapshot in a file of its own: snapshotFile)`,
        { file: e.file, line: e.line, column: e.column, path: e.path })
      : e)) };
  }
  return checkCase(parsed.doc, root);
}

function checkCase(doc: SourceDoc, root: string): CaseReadResult {
  const file = doc.file;
  const errors: RcError[] = [];
  const fail = (path: PathSeg[], message: string, key = false, code: RcError['code'] = 'CASE_INVALID') =>
    errors.push(new RcError(code, message, { file, ...doc.locate(path, key), path: formatPath(path) || undefined }));
  const v = doc.value;
  if (!isRecord(v)) {
    fail([], 'a case file is a map with name, rules, snapshot (or snapshotFile) and expect');
    return { file, errors };
  }
  const name = typeof v.name === 'string' ? v.name : undefined;
  for (const k of Object.keys(v)) {
    if (!CASE_KEYS.includes(k)) fail([k], `unknown key ${quoteInput(k)}; a case has ${CASE_KEYS.join(', ')}`, true);
  }
  if (typeof v.name !== 'string' || !v.name.trim()) fail(['name'], 'a case needs a name: what it checks, in a few words');
  if (typeof v.rules !== 'string' || !v.rules) {
    fail(['rules'], v.rules === undefined ? 'a case needs `rules`: the version id it is pinned to, e.g. rules: "2026-01"' : 'write the version id in quotes, e.g. rules: "2026-01"');
  }
  if (v.rulesSha256 !== undefined && (typeof v.rulesSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(v.rulesSha256))) {
    fail(['rulesSha256'], 'must be a lower-case hex sha256 (64 characters), as in rules/rules.lock');
  }

  let snapshot: CaseSnapshot | undefined;
  if (v.snapshot !== undefined && v.snapshotFile !== undefined) {
    fail(['snapshotFile'], 'give either snapshot (inline) or snapshotFile, not both', true);
  } else if (v.snapshot !== undefined) {
    if (!isRecord(v.snapshot)) fail(['snapshot'], 'snapshot must be a map: the account snapshot itself (schemaVersion, account, period, …)');
    else snapshot = { kind: 'inline', doc: subDoc(doc, ['snapshot']) };
  } else if (v.snapshotFile !== undefined) {
    if (typeof v.snapshotFile !== 'string' || !v.snapshotFile) {
      fail(['snapshotFile'], 'must be the path of a snapshot file, relative to this case file');
    } else {
      // nothing of the file is read here, and nothing at all when it is outside the cases folder
      const target = resolveSnapshotFile(file, v.snapshotFile, root);
      if ('problem' in target) fail(['snapshotFile'], target.problem, false, target.outside ? 'CASE_OUTSIDE' : 'CASE_INVALID');
      else snapshot = { kind: 'file', file: target.file, real: target.real };
    }
  } else {
    fail([], 'a case needs a snapshot: `snapshot:` (inline) or `snapshotFile:` (a path relative to this case file)');
  }

  const expect = checkExpect(v.expect, fail);
  if (errors.length) return { file, name, errors };
  return {
    file, name, errors,
    case: { file, name: name!, rules: v.rules as string, rulesSha256: v.rulesSha256 as string | undefined, snapshot: snapshot!, expect: expect!, doc },
  };
}

function checkExpect(e: unknown, fail: (path: PathSeg[], message: string, key?: boolean) => void): CaseExpect | undefined {
  if (e === undefined) {
    fail([], `a case needs \`expect:\` with at least one of ${EXPECT_KEYS.join(', ')}`);
    return undefined;
  }
  if (!isRecord(e) || !Object.keys(e).length) {
    fail(['expect'], `expect must be a map with at least one of ${EXPECT_KEYS.join(', ')}`);
    return undefined;
  }
  const out: CaseExpect = {};
  for (const [k, val] of Object.entries(e)) {
    const path = ['expect', k];
    if (!(EXPECT_KEYS as readonly string[]).includes(k)) {
      fail(path, `unknown key ${quoteInput(k)}; expect may hold ${EXPECT_KEYS.join(', ')}`, true);
    } else if ((FIGURE_KEYS as readonly string[]).includes(k)) {
      if (typeof val === 'number') fail(path, `write the figure in quotes, exactly as the result prints it: ${k}: "${val}"`);
      else if (typeof val !== 'string' || !/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(val)) fail(path, `must be a decimal figure in quotes, e.g. ${k}: "25.00"`);
      else out[k as (typeof FIGURE_KEYS)[number]] = val;
    } else if (k === 'tier' || k === 'error') {
      if (typeof val !== 'string' || !val) fail(path, k === 'tier' ? 'must be the name of a tier, e.g. tier: tier-10' : 'must be a piece of the expected error message');
      else out[k] = val;
    } else if (k === 'eligible') {
      if (typeof val !== 'boolean') fail(path, 'must be true or false');
      else out.eligible = val;
    } else if (k === 'reasons') {
      if (!Array.isArray(val)) fail(path, 'must be a list of texts, e.g. reasons: ["not approved"] (or [] for none)');
      else {
        val.forEach((r, i) => { if (typeof r !== 'string' || !r) fail([...path, i], 'must be a piece of an eligibility reason'); });
        out.reasons = val.filter((r): r is string => typeof r === 'string');
      }
    }
  }
  if (out.error !== undefined && Object.keys(e).length > 1) {
    fail(['expect', 'error'], 'a case that expects the snapshot to be rejected (error) cannot expect figures too', true);
  }
  return out;
}

/** The part of `doc` under `prefix`, as a document of its own whose positions are those of the file. */
function subDoc(doc: SourceDoc, prefix: PathSeg[]): SourceDoc {
  let value: unknown = doc.value;
  for (const seg of prefix) value = (value as Record<string | number, unknown>)[seg];
  return {
    file: doc.file,
    value,
    locate: (path, key) => doc.locate([...prefix, ...path], key),
    sourceText: (path) => doc.sourceText([...prefix, ...path]),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
