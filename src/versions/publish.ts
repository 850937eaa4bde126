/**
 * `publish ID`: a draft (or retired) version becomes the published one for
 * its window. Everything `validate` checks must hold for it as a published
 * version; then its `status` line is changed in place (the rest of the file
 * is untouched) and its hash is recorded in `rules.lock`.
 */
import { readFileSync } from 'node:fs';
import { RcError, RcErrors } from '../errors.js';
import type { RuleSet, RuleSetStatus } from '../model/types.js';
import { resolveLimits } from '../load/limits.js';
import { writeAtomically, writeLock } from '../load/lock.js';
import { NoRuleSetError, isPathRef } from '../intake/resolve-rule-set.js';
import { findRuleSet, loadRules, unknownIdMessage } from '../intake/rules-dir.js';
import { parseRuleSetText, type RuleSetLoadOptions, type RuleSetReadResult } from '../intake/ruleset-loader.js';
import { overlaps, publishedHash, windowText } from '../validate/repository-checks.js';
import { setStatusText } from './status-edit.js';

/** Options of `publishVersion`. */
export interface PublishOptions extends RuleSetLoadOptions {
  /** The rules folder. Default `rules`. */
  rulesDir?: string;
}

/** What `publishVersion` did. */
export interface PublishOutcome {
  id: string;
  file: string;
  /** The hash now in rules.lock. */
  sha256: string;
  /** The status before publishing. */
  previousStatus: RuleSetStatus;
  /** `published`: file and lock written; `lock-recorded`: the file was already published, only the lock entry was added; `unchanged`: nothing to do. */
  action: 'published' | 'lock-recorded' | 'unchanged';
  effective: RuleSet['effective'];
  /** Things worth knowing that do not stop publishing. */
  warnings: string[];
}

/** The version cannot be published as it stands: every reason is listed (exit status 1). */
export class PublishRefused extends RcErrors {}

/**
 * Publishes version `id` of the rules folder. Throws `NoRuleSetError` when
 * there is no such version and `PublishRefused` with every problem when it
 * may not be published. Publishing a version that is already published and
 * locked changes nothing.
 */
export function publishVersion(id: string, options: PublishOptions = {}): PublishOutcome {
  const dir = options.rulesDir ?? 'rules';
  if (isPathRef(id)) {
    throw new NoRuleSetError([new RcError('UNKNOWN_RULE_SET', `give the version id (the file name without .yaml), not a path: "${id}"`)]);
  }
  const repo = loadRules(dir, options);
  const missingDir = repo.errors.find((e) => e.code === 'FILE_NOT_FOUND' && e.file === dir);
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
    ...repo.errors.filter((e) => e.code === 'LOCK_INVALID'),
    ...lockConflict(found, rs, repo.lock.entries[rs.id], hash),
    ...windowConflicts(found, rs, published),
  ];
  if (refusals.length) throw new PublishRefused(refusals);

  const warnings = publishWarnings(rs, published);
  const others = repo.errors.filter((e) => e.file !== found.file && e.code !== 'LOCK_INVALID');
  if (others.length) warnings.push(`${others.length} problem(s) in other files of ${dir}/ (run \`reseller-credits validate\`); they do not concern ${rs.id}`);
  const base = { id: rs.id, file: found.file, sha256: hash, previousStatus: rs.status, effective: rs.effective, warnings };

  if (rs.status === 'published') {
    if (repo.lock.entries[rs.id] === hash) return { ...base, action: 'unchanged' };
    writeLock({ ...repo.lock, entries: { ...repo.lock.entries, [rs.id]: hash } });
    return { ...base, action: 'lock-recorded' };
  }
  const next = publishedText(found.file, hash, options);
  // the lock first: if the rule file cannot be written afterwards, the lock names a
  // draft with this very content, which `validate` reports and `publish` completes
  writeLock({ ...repo.lock, entries: { ...repo.lock.entries, [rs.id]: hash } });
  writeAtomically(found.file, next);
  return { ...base, action: 'published' };
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
