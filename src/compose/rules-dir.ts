/**
 * The rules folder as a whole: every `<id>.yaml`, the lock file, and the
 * checks that span files (overlapping published windows, lock entries).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RcError } from '../errors.js';
import type { RuleSet } from '../model/types.js';
import { checkRepository } from './folder-checks.js';
import { fsError } from '../read/fs-errors.js';
import { readLock, parseLockText, LOCK_FILE, type Lock } from '../folder/lock.js';
import { journalSubject, type JournalView } from '../folder/publish-journal.js';
import { judgedJournal } from '../folder/journal-shape.js';
import { PUBLISH_LOG_FILE as PUBLISH_LOG_FILE_NAME, readPublishLog, type PublishLog } from '../folder/publish-log.js';
import { resolveLimits } from '../limits.js';
import { checkPublishLog } from './folder-checks.js';
import { parseRuleSetText, readRuleSetFile, type RuleSetLoadOptions, type RuleSetReadResult } from './ruleset-loader.js';
import { idOfFile } from '../parse/text.js';
import { quoteInput } from '../text/safe-text.js';
import { creditAboveCharges, type RuleSetDocument } from '../validate/ruleset-checks.js';
import { verifyFolderApprovals } from '../signing/folder-approvals.js';
import { approvalPolicy, signedLineCheck } from './approval-policy.js';

/** An interrupted publish found in the folder (its journal), reported by every command that reads it. */
export interface PendingPublish {
  /** The version whose publish was interrupted. */
  id: string;
  /** The journal file. */
  journal: string;
  /** Whether the folder was read as the publish leaves it once completed (otherwise as it is, with a JOURNAL_CONFLICT error). */
  completable: boolean;
  /** What to tell the user, one line. */
  message: string;
}

let pendingHandler: ((p: PendingPublish) => void) | undefined;
const reported = new Set<string>();

/**
 * Where `loadRules` reports an interrupted publish (once per journal and
 * process): the command line prints it as a warning on stderr.
 */
export function onPendingPublish(handler: ((p: PendingPublish) => void) | undefined): void {
  pendingHandler = handler;
  reported.clear();
}

/** Every rule set of a folder, the valid ones usable, and all errors found. */
export interface RuleRepository {
  dir: string;
  /** Valid rule sets whose lock state is consistent, by file name order. */
  ruleSets: RuleSet[];
  /** Per-file read results, valid or not. */
  files: RuleSetReadResult[];
  /** Every error: per file, then across files. */
  errors: RcError[];
  /** Things `validate` reports without failing: a published version with no approval line. */
  warnings: RcError[];
  lock: Lock;
  /** The approvals of `publish-log.ndjson`. */
  log: PublishLog;
  /** An interrupted publish: the folder was read as its completion will leave it. */
  pending?: PendingPublish;
  /** With signers configured (SPEC §11): why published or retired versions fail verification (also in `errors`). */
  approvalErrors?: RcError[];
}

/** Reads `dir` (default `rules`): all rule sets, the lock, the cross-file checks. */
export function loadRules(dir = 'rules', options: RuleSetLoadOptions = {}): RuleRepository {
  const unusable = (error: RcError): RuleRepository =>
    ({ dir, ruleSets: [], files: [], lock: { entries: {}, file: join(dir, LOCK_FILE) }, log: { file: join(dir, PUBLISH_LOG_FILE_NAME), exists: false, lines: [], errors: [] }, errors: [error], warnings: [] });
  if (!existsSync(dir)) return unusable(new RcError('FILE_NOT_FOUND', 'rules folder not found (use --rules-dir)', { file: dir }));
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (err) {
    // e.g. `--rules-dir README.md` (ENOTDIR) or a folder without permission
    return unusable((err as NodeJS.ErrnoException | null)?.code === 'ENOTDIR'
      ? new RcError('READ_FAILED', 'is a file, not a rules folder (use --rules-dir with the folder of rule sets)', { file: dir })
      : fsError(err, dir));
  }
  // an interrupted publish is read as completing it will leave the folder (SPEC §6)
  const journalErrors: RcError[] = [];
  let view: JournalView | undefined;
  try {
    view = judgedJournal(dir, signedLineCheck(dir));
  } catch (err) {
    if (!(err instanceof RcError)) throw err;
    journalErrors.push(err);
  }
  const overlay = new Map<string, string>();
  let pending: PendingPublish | undefined;
  if (view) {
    pending = pendingOf(dir, view);
    if (view.completable) for (const f of view.files) overlay.set(f.entry.name, f.entry.after);
    else journalErrors.push(view.refused ? refusedError(view) : conflictError(view));
    if (pendingHandler && !reported.has(view.file)) {
      reported.add(view.file);
      pendingHandler(pending);
    }
  }
  const limits = resolveLimits(options.limits);
  for (const name of overlay.keys()) if (/\.ya?ml$/i.test(name) && !names.includes(name)) names.push(name);
  names.sort();
  const files = names.map((n) => {
    const text = overlay.get(n);
    return text === undefined ? readRuleSetFile(join(dir, n), options) : parseRuleSetText(text, join(dir, n), limits);
  });
  const lockText = overlay.get(LOCK_FILE);
  const lockRead = lockText === undefined ? readLock(dir) : parseLockText(join(dir, LOCK_FILE), lockText);
  const cross = checkRepository(files, lockRead.lock);
  const log = readPublishLog(dir, overlay.get(PUBLISH_LOG_FILE_NAME));
  const approvals = lockRead.errors.length ? { errors: [], warnings: [] } : checkPublishLog(log, lockRead.lock);
  // overlapping windows keep both versions: selectForPeriod refuses the periods they share, naming both
  const bad = new Set(cross.filter((e) => e.code !== 'WINDOW_OVERLAP').map((e) => e.file));
  // SPEC §11: with signers configured, a published or retired version whose approvals do not verify is not usable
  const policy = approvalPolicy();
  let approvalErrors: RcError[] | undefined;
  if (policy) {
    const versions = files.flatMap((f) => (f.ruleSet && f.ruleSet.status !== 'draft' ? [{ id: f.ruleSet.id, status: f.ruleSet.status, file: f.file }] : []));
    const verdict = verifyFolderApprovals({ dir, versions, lock: lockRead.lock.entries, logFile: log.file, log: log.lines }, policy);
    approvals.errors.push(...verdict.errors);
    approvalErrors = [...(view?.refused ? [refusedError(view)] : []), ...verdict.errors];
    approvals.warnings = [];
    for (const v of versions) if (verdict.failed.has(v.id)) bad.add(v.file);
  }
  const ruleSets = files.flatMap((f) => (f.ruleSet && !bad.has(f.file) ? [f.ruleSet] : []));
  return {
    dir,
    ruleSets,
    files,
    lock: lockRead.lock,
    log,
    pending,
    errors: [...journalErrors, ...files.flatMap((f) => f.errors), ...lockRead.errors, ...cross, ...log.errors, ...approvals.errors],
    warnings: [...approvals.warnings, ...aboveChargesWarnings(ruleSets)],
    ...(approvalErrors ? { approvalErrors } : {}),
  };
}

/** A locked version whose credit base can exceed the charges without saying so: a warning, not an error (SPEC §3). */
function aboveChargesWarnings(ruleSets: readonly RuleSet[]): RcError[] {
  return ruleSets.flatMap((rs) => {
    const above = rs.status === 'draft' ? undefined : creditAboveCharges(rs.document as RuleSetDocument);
    return above ? [new RcError('CREDIT_ABOVE_CHARGES', `${rs.status} version ${rs.id}: ${above.message}; a new version is refused without it`,
      { file: rs.file, path: `creditBase[${above.index}]` })] : [];
  });
}

function pendingOf(dir: string, view: JournalView): PendingPublish {
  const subject = journalSubject(view.journal);
  const message = view.refused
    ? `a journal (${view.file}) claims an interrupted ${subject} that this program did not write (${view.refused}); reading ${dir}/ as it is on disk; check it by hand and remove it`
    : view.completable
    ? `a ${subject} was interrupted; reading ${dir}/ as it will be once completed; the next \`publish\` completes it (journal ${view.file})`
    : `a ${subject} was interrupted and cannot be completed: ${conflictNames(view)} changed since; reading ${dir}/ as it is (journal ${view.file})`;
  return { id: view.journal.id, journal: view.file, completable: view.completable, message };
}

function conflictNames(view: JournalView): string {
  return view.files.filter((f) => f.state === 'other').map((f) => f.path).join(', ');
}

/** The error for a journal whose shape is not one this program writes (SPEC §6): never completed, never read as completed. */
export function refusedError(view: JournalView): RcError {
  return new RcError('JOURNAL_INVALID',
    `the publish journal is not one this program writes, and is refused: ${view.refused}; nothing was changed; check it by hand (it may be an attempt to change a published version), then delete it`,
    { file: view.file });
}

/** The error for a journal that cannot be applied: files it names were changed by hand since. */
export function conflictError(view: JournalView): RcError {
  return new RcError('JOURNAL_CONFLICT',
    `an interrupted publish of ${view.journal.id} cannot be completed: ${conflictNames(view)} no longer has the content it had before that publish, nor the content it would have after; check those files by hand (git diff), then delete the journal`,
    { file: view.file });
}

/** The rule set with this id, valid or not: undefined when there is no such file. */
export function findRuleSet(repo: RuleRepository, id: string): RuleSetReadResult | undefined {
  return repo.files.find((f) => f.ruleSet?.id === id || idOfFile(f.file) === id);
}

/**
 * The published rule set whose effective window holds the first day of
 * `period` (YYYY-MM). A day in two published windows is ambiguous: throws
 * `RcError` AMBIGUOUS_RULES naming both, never picking one by file name.
 */
export function selectForPeriod(repo: Pick<RuleRepository, 'ruleSets'>, period: string): RuleSet | undefined {
  const day = `${period}-01`;
  const hits = repo.ruleSets.filter((r) => r.status === 'published'
    && r.effective.from <= day && (r.effective.until === undefined || day < r.effective.until));
  if (hits.length > 1) {
    const names = hits.map((r) => `"${r.id}" (${r.file})`).join(' and ');
    throw new RcError('AMBIGUOUS_RULES',
      `period ${period} is ambiguous: ${day} lies in the windows of published versions ${names}; fix the effective windows (reseller-credits validate) before evaluating or issuing it`,
      { path: 'period' });
  }
  return hits[0];
}

/** `no rule set "x" in rules/ (known: 2026-01, 2027-01)`: the message for an unknown id. */
export function unknownIdMessage(repo: RuleRepository, id: string): string {
  const known = repo.files.map((f) => f.ruleSet?.id ?? f.file).join(', ') || 'none';
  return `no rule set ${quoteInput(id)} in ${repo.dir}/ (known: ${known})`;
}
