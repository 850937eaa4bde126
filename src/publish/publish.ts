/**
 * `publish ID`: a draft (or retired) version becomes the published one for
 * its window. Everything `validate` checks must hold for it as a published
 * version; then its `status` line is changed in place (the rest of the file
 * is untouched), its hash is recorded in `rules.lock` and the approval is
 * appended to `publish-log.ndjson`. All of it holding the folder's lock
 * (`folder-lock.ts`), after completing an interrupted publish (`recover.ts`),
 * written through a journal (`publish-write.ts`).
 */
import { readFileSync, statSync } from 'node:fs';
import { fsError } from '../read/fs-errors.js';
import { basename } from 'node:path';
import { RcError, RcErrors } from '../errors.js';
import type { RuleSet, RuleSetStatus } from '../model/types.js';
import { resolveLimits } from '../limits.js';
import { nodeWriter, type FsWriter } from '../folder/fs-writer.js';
import { LOCK_FILE, lockText } from '../folder/lock.js';
import { readBytes } from '../folder/publish-journal.js';
import { logLineText, PUBLISH_LOG_FILE, type LogSignature, type PublishLogEntry } from '../folder/publish-log.js';
import { acquireFolderLock, FolderBusy, type FolderLock, type FolderLockOptions } from '../folder/folder-lock.js';
import { recoverInterrupted } from './recover.js';
import { PublishFailed, writeThroughJournal } from './write.js';

export { PublishFailed } from './write.js';
import { NoRuleSetError, isPathRef } from '../compose/resolve-rule-set.js';
import { findRuleSet, loadRules, unknownIdMessage } from '../compose/rules-dir.js';
import { parseRuleSetText, type RuleSetLoadOptions, type RuleSetReadResult } from '../compose/ruleset-loader.js';
import { publishedHash } from '../compose/folder-checks.js';
import { overlaps, windowText } from '../folder/window.js';
import { setStatusText } from './status-edit.js';

/** What every write to the rules folder (publish, retire) takes: recovery reports, the writer, the lock, the clock. */
export interface FolderWriteOptions {
  /** Called at once, before anything else is done, with what recovering an interrupted publish did. */
  onRecovered?: (message: string) => void;
  /** The file-writing seam (tests inject faults through it). */
  writer?: FsWriter;
  /** Waiting for, and taking over, the folder's lock. */
  lock?: FolderLockOptions;
  /** The clock of the log line's time. */
  now?: () => Date;
}

/** Options of `publishVersion`. */
export interface PublishOptions extends RuleSetLoadOptions, FolderWriteOptions {
  /** The rules folder. Default `rules`. */
  rulesDir?: string;
  /** Who approved the publish: recorded in publish-log.ndjson (required). */
  approvedBy: string;
  /** Check and plan only: nothing is written, no lock is taken. */
  dryRun?: boolean;
  /** The review report the publish rests on: its sha256 goes into the log line's `review`. */
  review?: { sha256: string };
  /** The signed statements the publish rests on (SPEC §11), listed in the log line. */
  signatures?: LogSignature[];
  /**
   * Called with what is about to be published, after every other check and
   * before anything is written (and on a dry run too): the errors returned
   * refuse the publish. The place where `--review` checks its report against
   * the hash about to be locked.
   */
  checkBeforePublish?: (candidate: PublishCandidate) => RcError[];
}

/** What is about to be published. */
export interface PublishCandidate {
  id: string;
  file: string;
  /** The hash about to be recorded in rules.lock. */
  sha256: string;
}

/** One change publish makes (or, on a dry run, would make). */
export interface PublishChange {
  file: string;
  /** What changes, in words. */
  text: string;
}

/** What `publishVersion` did (or, with `dryRun`, would do). */
export interface PublishOutcome {
  id: string;
  file: string;
  /** The hash now in rules.lock. */
  sha256: string;
  /** The status before publishing. */
  previousStatus: RuleSetStatus;
  /** `published`: file, lock and log written; `lock-recorded`: the file was already published, the lock entry and log line were added; `unchanged`: nothing to do. */
  action: 'published' | 'lock-recorded' | 'unchanged';
  effective: RuleSet['effective'];
  /** Whether this was a dry run (nothing written). */
  dryRun: boolean;
  /** The changes made, or that a dry run would make. */
  changes: PublishChange[];
  /** The approval appended to publish-log.ndjson (none when unchanged). */
  logEntry?: PublishLogEntry;
  /** Things worth knowing that do not stop publishing. */
  warnings: string[];
}

/** The version cannot be published as it stands: every reason is listed (exit status 1). */
export class PublishRefused extends RcErrors {}

/**
 * Publishes version `id` of the rules folder. Throws `NoRuleSetError` when
 * there is no such version, `PublishRefused` with every problem when it may
 * not be published, `PublishFailed` when the folder's lock cannot be had or
 * a write fails, `RecoveryFailed` when an interrupted publish found first
 * cannot be completed. Publishing a version that is already published and
 * locked changes nothing.
 *
 * Everything happens holding the folder's lock: an interrupted publish is
 * completed first, then the folder is read afresh, checked, and written
 * through a journal (docs/versions.md, "Publishing safely").
 */
export function publishVersion(id: string, options: PublishOptions): PublishOutcome {
  const dir = options.rulesDir ?? 'rules';
  if (isPathRef(id)) {
    throw new NoRuleSetError([new RcError('UNKNOWN_RULE_SET', `give the version id (the file name without .yaml), not a path: "${id}"`)]);
  }
  const approvedBy = options.approvedBy?.trim() ?? '';
  if (!approvedBy) throw new TypeError('publishVersion: approvedBy is required');
  if (options.dryRun) return plan(id, dir, approvedBy, options);
  const usable = loadRulesFolderProblem(dir);
  if (usable) throw new NoRuleSetError([usable]);

  return underFolderLock(dir, options, (writer, refresh) => {
    const p = plan(id, dir, approvedBy, options);
    if (p.action === 'unchanged') return p;
    writeThroughJournal(dir, { id: p.id, approvedBy, startedAt: p.logEntry!.publishedAt, writes: p.writes, warnings: p.warnings, action: 'publish' }, writer, refresh);
    return p;
  });
}

/**
 * Runs `write` holding the rules folder's lock, after recovering any
 * interrupted publish: how every write to the folder (publish, retire) begins
 * and ends. A busy or unusable lock is a `PublishFailed` that wrote nothing.
 */
export function underFolderLock<T>(dir: string, options: FolderWriteOptions, write: (writer: FsWriter, refresh: () => void) => T): T {
  let lock: FolderLock;
  try {
    lock = acquireFolderLock(dir, options.lock);
  } catch (err) {
    if (err instanceof FolderBusy) throw new PublishFailed([err.error], true);
    if (err instanceof RcError) throw new PublishFailed([err], true);
    throw err;
  }
  try {
    const writer = options.writer ?? nodeWriter;
    const refresh = (): void => { lock.refresh(); };
    const recovered = recoverInterrupted(dir, writer, refresh);
    if (recovered) options.onRecovered?.(recovered.message);
    return write(writer, refresh);
  } finally {
    lock.release();
  }
}

/** A folder that cannot be published into at all: missing, or not a folder (the messages of `loadRules`). */
function loadRulesFolderProblem(dir: string): RcError | undefined {
  try {
    if (statSync(dir).isDirectory()) return undefined;
    return new RcError('READ_FAILED', 'is a file, not a rules folder (use --rules-dir with the folder of rule sets)', { file: dir });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new RcError('FILE_NOT_FOUND', 'rules folder not found (use --rules-dir)', { file: dir });
    return fsError(err, dir);
  }
}

/** Reads and checks the folder, and works out every change: nothing is written. */
function plan(id: string, dir: string, approvedBy: string, options: PublishOptions): PublishOutcome & { writes: { name: string; text: string }[] } {
  const repo = loadRules(dir, options);
  const missingDir = repo.errors.find((e) => e.file === dir && (e.code === 'FILE_NOT_FOUND' || e.code === 'READ_FAILED'));
  if (missingDir) throw new NoRuleSetError([missingDir]);
  const found = findRuleSet(repo, id);
  if (!found) {
    throw new NoRuleSetError([new RcError('UNKNOWN_RULE_SET', unknownIdMessage(repo, id))]);
  }
  if (!found.ruleSet) throw new PublishRefused(found.errors);
  const rs = found.ruleSet;
  const hash = publishedHash(rs);
  const published = publishedOthers(repo.files, rs);
  const refusals = [
    ...repo.errors.filter((e) => e.code === 'LOCK_INVALID' || e.code === 'JOURNAL_INVALID' || e.code === 'JOURNAL_CONFLICT'),
    ...repo.log.errors.filter((e) => e.code === 'LOG_INVALID' && !e.line),
    ...lockConflict(found, rs, repo.lock.entries[rs.id], hash),
    ...windowConflicts(found, rs, published),
  ];
  if (refusals.length) throw new PublishRefused(refusals);
  const locked = repo.lock.entries[rs.id] === hash;
  const unchanged = rs.status === 'published' && locked;
  if (!unchanged && options.checkBeforePublish) {
    const hook = options.checkBeforePublish({ id: rs.id, file: found.file, sha256: hash });
    if (hook.length) throw new PublishRefused(hook);
  }

  const warnings = publishWarnings(rs, published);
  const others = repo.errors.filter((e) => e.file !== found.file && e.code !== 'LOCK_INVALID');
  if (others.length) warnings.push(`${others.length} problem(s) in other files of ${dir}/ (run \`reseller-credits validate\`); they do not concern ${rs.id}`);
  const base = { id: rs.id, file: found.file, sha256: hash, previousStatus: rs.status, effective: rs.effective, warnings, dryRun: Boolean(options.dryRun) };
  if (unchanged) return { ...base, action: 'unchanged', changes: [], writes: [] };

  const writes: { name: string; text: string }[] = [];
  const changes: PublishChange[] = [];
  if (!locked) {
    writes.push({ name: LOCK_FILE, text: lockText({ ...repo.lock.entries, [rs.id]: hash }) });
    changes.push({ file: repo.lock.file, text: `add "${rs.id}": "${hash}"` });
  }
  if (rs.status !== 'published') {
    writes.push({ name: basename(found.file), text: publishedText(found.file, hash, options) });
    changes.push({ file: found.file, text: `status: ${rs.status} → status: published (no other byte changes)` });
  }
  const logEntry: PublishLogEntry = {
    id: rs.id, sha256: hash, approvedBy, publishedAt: utcSeconds((options.now ?? (() => new Date()))()), review: options.review?.sha256 ?? null,
    action: 'publish', ...(options.signatures ? { signatures: options.signatures } : {}),
  };
  const line = logLineText(logEntry);
  const logBefore = currentLogText(repo.log.file);
  writes.push({ name: PUBLISH_LOG_FILE, text: logBefore + (logBefore && !logBefore.endsWith('\n') ? '\n' : '') + line });
  changes.push({ file: repo.log.file, text: `append ${line.trimEnd()}` });
  return { ...base, action: rs.status === 'published' ? 'lock-recorded' : 'published', changes, logEntry, writes };
}

/** `2027-01-02T09:30:00Z`: UTC ISO 8601, to the second. */
function utcSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function currentLogText(file: string): string {
  const bytes = readBytes(file);
  return bytes === null ? '' : bytes.toString('utf8');
}

/** The file's text with only the status value changed, checked to hash as expected. */
function publishedText(file: string, expectedHash: string, options: RuleSetLoadOptions): string {
  const raw = readFileSync(file, 'utf8');
  const bom = raw.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  let next: string;
  try {
    next = setStatusText(raw.slice(bom.length), file, 'published');
  } catch (err) {
    if (err instanceof RcError) throw new PublishRefused([err]);
    throw err;
  }
  const check = parseRuleSetText(next, file, resolveLimits(options.limits));
  if (check.ruleSet?.status !== 'published' || check.ruleSet.sha256 !== expectedHash) {
    // Never expected: the edit would change more than the status. Leave the file alone.
    throw new PublishRefused([new RcError('SCHEMA', 'changing the status line would change other content; set `status: published` by hand and run publish again', { file, path: 'status' })]);
  }
  return bom + next;
}

/** The lock already names this id with other content: it was published before and must not change. */
function lockConflict(f: RuleSetReadResult, rs: RuleSet, locked: string | undefined, hash: string): RcError[] {
  if (locked === undefined || locked === hash) return [];
  return [new RcError('LOCK_MISMATCH',
    `rules.lock already records "${rs.id}" with other content (locked ${locked.slice(0, 12)}…, this file ${hash.slice(0, 12)}…): a version with this id was published before, and published versions are immutable; copy your change into a new version id instead`,
    { file: f.file, ...f.doc?.locate(['id']), path: 'id' })];
}

function publishedOthers(files: readonly RuleSetReadResult[], rs: RuleSet): RuleSet[] {
  return files.flatMap((f) => (f.ruleSet && f.ruleSet.status === 'published' && f.ruleSet.id !== rs.id ? [f.ruleSet] : []));
}

/** Overlaps with published versions, each with the way out. */
function windowConflicts(f: RuleSetReadResult, rs: RuleSet, published: readonly RuleSet[]): RcError[] {
  return published.filter((p) => overlaps(rs, p)).map((p) => {
    let fix: string;
    if (p.effective.from <= rs.effective.from) {
      fix = p.effective.until
        ? `start ${rs.id} on or after ${p.effective.until}, where "${p.id}" ends`
        : `"${p.id}" has no end date and cannot be edited; see "Ending an open-ended version" in docs/versions.md`;
    } else {
      fix = `end ${rs.id} (until) on or before ${p.effective.from}, where "${p.id}" starts`;
    }
    return new RcError('WINDOW_OVERLAP',
      `${rs.id} (${windowText(rs)}) would overlap published version "${p.id}" (${windowText(p)}); every billing period must select exactly one published version: ${fix}`,
      { file: f.file, ...f.doc?.locate(['effective']), path: 'effective' });
  });
}

/** An open end and a gap before the window are allowed, but rarely meant. */
function publishWarnings(rs: RuleSet, published: readonly RuleSet[]): string[] {
  const warnings: string[] = [];
  if (rs.effective.until === undefined) {
    warnings.push(`${rs.id} has no end date (until): it applies to every period from ${rs.effective.from} on, and as a published file it can never be given one; a later version can only take over after it is retired (docs/versions.md)`);
  }
  const before = published.filter((p) => p.effective.until !== undefined && p.effective.until <= rs.effective.from)
    .sort((a, b) => (a.effective.until! < b.effective.until! ? 1 : -1))[0];
  if (before && before.effective.until! < rs.effective.from
    && !published.some((p) => p.effective.from <= before.effective.until! && (p.effective.until ?? '9999') > before.effective.until!)) {
    warnings.push(`no published version covers ${before.effective.until} up to ${rs.effective.from} (between "${before.id}" and ${rs.id}): periods in that gap have no automatic rule set`);
  }
  return warnings;
}
