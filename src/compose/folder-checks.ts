/**
 * Checks across the files of a rules folder: no two published windows
 * overlap, and every published (or retired) version matches `rules.lock`.
 */
import { RcError } from '../errors.js';
import { hashWithStatus } from '../parse/canonical.js';
import { idOfFile } from '../parse/text.js';
import type { RuleSet } from '../model/types.js';
import type { Lock } from '../folder/lock.js';
import type { PublishLog, PublishLogLine } from '../folder/publish-log.js';
import { overlaps, windowText } from '../folder/window.js';
import type { RuleSetReadResult } from './ruleset-loader.js';

/** Cross-file errors, each pointing at the file that has to change. */
export function checkRepository(files: readonly RuleSetReadResult[], lock: Lock): RcError[] {
  const errors: RcError[] = [];
  const valid = files.flatMap((f) => (f.ruleSet ? [{ rs: f.ruleSet, f }] : []));
  const at = (f: RuleSetReadResult, path: (string | number)[], code: RcError['code'], msg: string) =>
    new RcError(code, msg, { file: f.file, ...f.doc?.locate(path), path: path.join('.') });

  const published = valid.filter((v) => v.rs.status === 'published');
  for (let i = 0; i < published.length; i++) {
    for (let j = i + 1; j < published.length; j++) {
      const a = published[i]!;
      const b = published[j]!;
      if (overlaps(a.rs, b.rs)) {
        errors.push(at(b.f, ['effective'], 'WINDOW_OVERLAP',
          `published versions "${a.rs.id}" (${windowText(a.rs)}) and "${b.rs.id}" (${windowText(b.rs)}) overlap (${a.f.file} and ${b.f.file}); a period must select exactly one: periods in both windows are refused until one file is fixed`));
      }
    }
  }

  const ids = new Set<string>();
  for (const { rs, f } of valid) {
    ids.add(rs.id);
    if (rs.status === 'draft') {
      const locked = lock.entries[rs.id];
      if (locked !== undefined) {
        errors.push(at(f, ['status'], 'LOCK_STRAY', locked === publishedHash(rs)
          ? `"${rs.id}" is a draft but rules.lock has an entry for it: it was published with exactly this content; set it back with \`reseller-credits publish ${rs.id} --approved-by NAME\``
          : `"${rs.id}" is a draft but rules.lock has an entry for it from when it was published, with other content: published versions are immutable; restore the published content, or copy the change into a new version id instead`));
      }
      continue;
    }
    const locked = lock.entries[rs.id];
    if (locked === undefined) {
      errors.push(at(f, ['status'], 'LOCK_MISSING', `${rs.status} version "${rs.id}" has no entry in rules.lock; publish versions with \`reseller-credits publish ${rs.id} --approved-by NAME\``));
    } else if (locked !== rs.sha256) {
      errors.push(at(f, ['id'], 'LOCK_MISMATCH',
        `${rs.status} version "${rs.id}" no longer matches rules.lock (locked ${locked.slice(0, 12)}…, now ${rs.sha256.slice(0, 12)}…): published versions are immutable; undo the edit and copy the change into a new draft version instead`));
    }
  }
  const present = new Set(files.map((f) => idOfFile(f.file)));
  for (const id of Object.keys(lock.entries)) {
    if (!ids.has(id) && !present.has(id)) {
      errors.push(new RcError('LOCK_STRAY', `rules.lock has an entry for "${id}" but there is no rules file ${id}.yaml`,
        { file: lock.file, ...lock.positions?.[id], path: id }));
    }
  }
  return errors;
}

/** The hash a version has (or would have) with `status: published`: the one rules.lock records. */
export function publishedHash(rs: RuleSet): string {
  return hashWithStatus(rs.document, 'published');
}

/**
 * The approvals against the lock (SPEC §6): an error at each log line that
 * names a version the lock does not hold or another hash than the lock's; a
 * warning (at its lock entry) for each locked version with no line at all,
 * which is what a version published before the log existed looks like. No
 * line is ever invented for such a version.
 */
export function checkPublishLog(log: PublishLog, lock: Lock): { errors: RcError[]; warnings: RcError[] } {
  const errors: RcError[] = [];
  const at = (l: PublishLogLine, msg: string) => new RcError('LOG_MISMATCH', msg, { file: log.file, line: l.line, column: 1, path: l.id });
  for (const l of log.lines) {
    const locked = Object.hasOwn(lock.entries, l.id) ? lock.entries[l.id] : undefined;
    if (locked === undefined) {
      errors.push(at(l, `the publish log records an approval of "${l.id}" (sha256 ${l.sha256.slice(0, 12)}…), but rules.lock holds no version "${l.id}": the log and the lock disagree; restore the lock entry, or the log line was written for another folder`));
    } else if (locked !== l.sha256) {
      errors.push(at(l, `the publish log records "${l.id}" with sha256 ${l.sha256.slice(0, 12)}…, but rules.lock holds ${locked.slice(0, 12)}…: the approval was given for other content than the one locked`));
    }
  }
  const logged = new Set(log.lines.map((l) => l.id));
  const warnings = Object.keys(lock.entries).filter((id) => !logged.has(id)).map((id) =>
    new RcError('LOG_MISMATCH', `published version "${id}" has no approval in ${log.file} (published before the log existed)`,
      { file: lock.file, ...lock.positions?.[id], path: id }));
  return { errors, warnings };
}
