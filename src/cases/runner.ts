/**
 * Running regression cases: each case's snapshot under its pinned version,
 * compared with what it expects. Every case comes out passed, failed (with
 * expected vs actual per field) or broken (the case file itself is
 * malformed); one bad case never stops the others.
 */
import { statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { RcError, RcErrors, asRcErrors, formatError } from '../errors.js';
import type { EvaluationResult, RuleSet } from '../model/types.js';
import { evaluate } from '../evaluate/evaluate.js';
import { hashWithStatus } from '../parse/canonical.js';
import { fsError, isSymlink } from '../read/fs-errors.js';
import { listFolderOnce } from '../read/input-files.js';
import { resolveLimits, type LoadLimits } from '../limits.js';
import { readTextFile } from '../read/read-file.js';
import { findRuleSet, loadRules, unknownIdMessage, type RuleRepository } from '../compose/rules-dir.js';
import { parseSnapshotRecord } from '../compose/snapshot-parse.js';
import { formatPath, type PathSeg } from '../parse/source-doc.js';
import { cutText, quoteInput } from '../text/safe-text.js';
import { toSnapshot, type LocatedSnapshot } from '../validate/snapshot-checks.js';
import { FIGURE_KEYS, readCaseFile, type CaseExpect, type RegressionCase } from './file.js';
import { casesRootFor, DEFAULT_CASES_DIR } from './paths.js';

/** What became of one case file. */
export type CaseOutcome =
  | { file: string; name: string; status: 'passed' }
  /** Each failure is positioned at the field of the case it concerns. */
  | { file: string; name: string; status: 'failed'; failures: RcError[] }
  /** The case file is malformed: every problem of it. */
  | { file: string; name?: string; status: 'broken'; errors: RcError[] };

/** Options of a case run. */
export interface CaseRunOptions {
  /** The rules folder the pinned ids refer to. Default `rules`. */
  rulesDir?: string;
  /** Resource limits; defaults in `DEFAULT_LIMITS`. */
  limits?: Partial<LoadLimits>;
}

/** Options of one case file's run. */
export interface CaseFileOptions {
  /**
   * The cases folder being run: the case file and its `snapshotFile` must
   * resolve inside it (SPEC §6). Default: `casesRootFor(file)` — `test/cases`
   * for a file inside it, else the case file's own folder.
   */
  root?: string;
}

/** A folder named like this holds snapshot files used through `snapshotFile`, not cases. */
export const SNAPSHOT_FOLDER = 'snapshots';

/**
 * The case files `paths` name: files as given, folders searched recursively
 * for .yaml/.yml files (skipping `snapshots/` folders), sorted. A .yaml entry
 * that cannot be stat'ed (a dangling symlink, deleted meanwhile) is still
 * listed: running it reports the read error as a broken case, and the other
 * cases run. A folder that cannot be listed is an error, like a missing path.
 * `roots` gives each file the cases folder it is run in: the folder named,
 * or for a file named on its own `casesRootFor(file)`.
 */
export function findCaseFiles(paths: readonly string[]): { files: string[]; errors: RcError[]; roots: Map<string, string> } {
  const files: string[] = [];
  const roots = new Map<string, string>();
  let root = '';
  const errors: RcError[] = [];
  const seen = new Set<string>(); // folders by real path: a symlink loop is searched once
  const isCase = (name: string) => /^\.ya?ml$/i.test(extname(name));
  const walk = (dir: string) => {
    const names = listFolderOnce(dir, seen);
    if (names instanceof RcError) {
      errors.push(names);
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      let isDir: boolean;
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        isDir = false; // runCaseFile reports why it cannot be read
      }
      if (isDir) {
        if (name !== SNAPSHOT_FOLDER) walk(p);
      } else if (isCase(name)) {
        files.push(p);
        roots.set(p, root);
      }
    }
  };
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      const e = fsError(err, p);
      errors.push(e.code === 'FILE_NOT_FOUND' && !isSymlink(p) ? new RcError('FILE_NOT_FOUND', 'no such case file or folder', { file: p }) : e);
      continue;
    }
    if (isDir) {
      root = p;
      walk(p);
    } else {
      files.push(p);
      roots.set(p, casesRootFor(p));
    }
  }
  return { files, errors, roots };
}

/** Runs one case file against the rule sets of `repo`. Never throws for bad input. */
export async function runCaseFile(file: string, repo: RuleRepository, limits: LoadLimits = resolveLimits(), options: CaseFileOptions = {}): Promise<CaseOutcome> {
  const read = readCaseFile(file, limits, options.root ?? casesRootFor(file));
  if (!read.case) return { file, name: read.name, status: 'broken', errors: read.errors };
  const c = read.case;
  const pinned = pinnedRuleSet(c, repo);
  if ('failures' in pinned) return { file, name: c.name, status: 'failed', failures: pinned.failures };

  let result: EvaluationResult | undefined;
  let rejected: RcError[] = [];
  try {
    const located = locate(c, limits);
    result = await evaluate(located.snapshot, pinned.ruleSet, located.doc);
  } catch (err) {
    rejected = asRcErrors(err).map((e) => (c.snapshot.kind === 'inline' ? e.at({ path: underSnapshot(e.path) }) : e));
  }
  // In the order of the case file, so the report reads top to bottom like the file.
  const failures = compare(c, result, rejected).sort((x, y) => (x.line ?? 0) - (y.line ?? 0) || (x.column ?? 0) - (y.column ?? 0));
  return failures.length ? { file, name: c.name, status: 'failed', failures } : { file, name: c.name, status: 'passed' };
}

/** Runs every case `paths` name (default `test/cases`), one after another, each confined to its folder. */
export async function runCases(paths: readonly string[], options: CaseRunOptions = {}): Promise<{ outcomes: CaseOutcome[]; errors: RcError[] }> {
  const { files, errors, roots } = findCaseFiles(paths.length ? paths : [DEFAULT_CASES_DIR]);
  const repo = loadRules(options.rulesDir ?? 'rules', { limits: options.limits });
  const limits = resolveLimits(options.limits);
  const outcomes: CaseOutcome[] = [];
  // One after another: a compiled engine must not run concurrently (SPEC §8).
  for (const f of files) outcomes.push(await runCaseFile(f, repo, limits, { root: roots.get(f) }));
  return { outcomes, errors };
}

/**
 * The hashes a pin may hold: the version's content with any status. Status is
 * the version's lifecycle, not its content, so publishing or retiring a
 * version does not break the cases pinned to it.
 */
export function acceptedPins(ruleSet: RuleSet): Set<string> {
  return new Set((['draft', 'published', 'retired'] as const).map((status) => hashWithStatus(ruleSet.document, status)));
}

function pinnedRuleSet(c: RegressionCase, repo: RuleRepository): { ruleSet: RuleSet } | { failures: RcError[] } {
  const at = (path: PathSeg[], code: RcError['code'], message: string) =>
    new RcError(code, message, { file: c.file, ...c.doc.locate(path), path: formatPath(path) });
  const found = findRuleSet(repo, c.rules);
  if (!found) {
    return { failures: [at(['rules'], 'CASE_FAILED', unknownIdMessage(repo, c.rules))] };
  }
  const problems = [...found.errors, ...repo.errors.filter((e) => e.file === found.file && !found.errors.includes(e))];
  if (problems.length || !found.ruleSet) {
    return { failures: [at(['rules'], 'CASE_FAILED',
      `rule set "${c.rules}" does not pass validate, so the case cannot trust it:${problems.map((e) => `\n    ${formatError(e)}`).join('')}`)] };
  }
  if (c.rulesSha256 !== undefined && !acceptedPins(found.ruleSet).has(c.rulesSha256)) {
    return { failures: [at(['rulesSha256'], 'RULES_PIN_MISMATCH',
      `the case is pinned to sha256 ${c.rulesSha256} but rule set "${c.rules}" (${found.file}) now has sha256 ${found.ruleSet.sha256}: the rule set is not the content the case was pinned to (it was edited, or the pin is wrong)`)] };
  }
  return { ruleSet: found.ruleSet };
}

/** The snapshot of a well-formed case, validated (throws `RcErrors` like any snapshot). */
export function locate(c: RegressionCase, limits: LoadLimits): LocatedSnapshot {
  if (c.snapshot.kind === 'inline') return toSnapshot(c.snapshot.doc, limits);
  const file = c.snapshot.file;
  let text: string;
  try {
    text = readTextFile(c.snapshot.real, limits.maxFileBytes); // the path checked to be inside the cases folder
  } catch (err) {
    throw new RcErrors(asRcErrors(err).map((e) => e.at({ file })));
  }
  const format = /\.json$/i.test(file) ? 'json' : 'yaml';
  return parseSnapshotRecord({ seq: 0, file, line: 1, column: 1, text, format }, limits);
}

/** `snapshot.lineItems[0]` from `lineItems[0]`: error paths of an inline snapshot, as paths in the case file. */
function underSnapshot(path: string | undefined): string {
  if (!path) return 'snapshot';
  return path.startsWith('[') ? `snapshot${path}` : `snapshot.${path}`;
}

const ACTUAL: Record<(typeof FIGURE_KEYS)[number], (r: EvaluationResult) => string> = {
  credit: (r) => r.credit,
  creditPercent: (r) => r.creditPercent,
  tierBasis: (r) => r.tierBasis,
  creditBase: (r) => r.creditBase,
  amountDue: (r) => r.statement.amountDue,
  paymentsTotal: (r) => r.monthlyPayments.total,
  valueTotal: (r) => r.monthlyValue.total,
};

function compare(c: RegressionCase, result: EvaluationResult | undefined, rejected: readonly RcError[]): RcError[] {
  const e: CaseExpect = c.expect;
  const out: RcError[] = [];
  const fail = (path: PathSeg[], message: string) =>
    out.push(new RcError('CASE_FAILED', message, { file: c.file, ...c.doc.locate(path), path: formatPath(path) }));
  // a value from the case or the result, escaped and cut to about 80 characters (SPEC §4)
  const q = (v: unknown) => (typeof v === 'string' ? quoteInput(v) : cutText(JSON.stringify(v) ?? String(v)));

  if (e.error !== undefined) {
    if (!result) {
      if (!rejected.some((x) => formatError(x).includes(e.error!))) {
        fail(['expect', 'error'], `expected an error containing ${q(e.error)}, actual errors:${listed(rejected)}`);
      }
    } else {
      fail(['expect', 'error'], `expected the snapshot to be rejected with an error containing ${q(e.error)}, actual: it was evaluated (tier ${result.tier.name}, credit ${q(result.credit)})`);
    }
    return out;
  }
  if (!result) {
    fail([c.snapshot.kind === 'inline' ? 'snapshot' : 'snapshotFile'], `expected the snapshot to be evaluated, actual: it was rejected:${listed(rejected)}`);
    return out;
  }
  for (const k of FIGURE_KEYS) {
    const want = e[k];
    if (want === undefined) continue;
    const got = ACTUAL[k](result);
    if (got !== want) fail(['expect', k], `expected ${q(want)}, actual ${q(got)}`);
  }
  if (e.tier !== undefined && e.tier !== result.tier.name) {
    fail(['expect', 'tier'], `expected ${q(e.tier)}, actual ${q(result.tier.name)} (from ${result.tier.from}, ${result.tier.creditPercent}%)`);
  }
  if (e.eligible !== undefined && e.eligible !== result.eligibility.eligible) {
    fail(['expect', 'eligible'], `expected ${e.eligible}, actual ${result.eligibility.eligible}${reasonsText(result)}`);
  }
  if (e.reasons !== undefined) {
    const actual = result.eligibility.reasons;
    if (!e.reasons.length && actual.length) {
      fail(['expect', 'reasons'], `expected no reasons, actual reasons: ${q(actual)}`);
    }
    e.reasons.forEach((want, i) => {
      if (!actual.some((r) => r.includes(want))) {
        fail(['expect', 'reasons', i], `expected a reason containing ${q(want)}, actual ${actual.length ? `reasons: ${q(actual)}` : 'no reasons (eligible)'}`);
      }
    });
  }
  return out;
}

function reasonsText(r: EvaluationResult): string {
  return r.eligibility.reasons.length ? ` (reasons: ${r.eligibility.reasons.join('; ')})` : '';
}

function listed(errors: readonly RcError[]): string {
  return errors.map((x) => `\n    ${formatError(x)}`).join('');
}
