/**
 * The rules folder as a whole: every `<id>.yaml`, the lock file, and the
 * checks that span files (overlapping published windows, lock entries).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RcError } from '../errors.js';
import type { RuleSet } from '../model/types.js';
import { checkRepository } from '../validate/repository-checks.js';
import { fsError } from '../input/fs-errors.js';
import { readLock, LOCK_FILE, type Lock } from '../load/lock.js';
import { readRuleSetFile, type RuleSetLoadOptions, type RuleSetReadResult } from './ruleset-loader.js';
import { idOfFile } from '../load/text.js';
import { quoteInput } from '../report/safe-text.js';

/** Every rule set of a folder, the valid ones usable, and all errors found. */
export interface RuleRepository {
  dir: string;
  /** Valid rule sets whose lock state is consistent, by file name order. */
  ruleSets: RuleSet[];
  /** Per-file read results, valid or not. */
  files: RuleSetReadResult[];
  /** Every error: per file, then across files. */
  errors: RcError[];
  lock: Lock;
}

/** Reads `dir` (default `rules`): all rule sets, the lock, the cross-file checks. */
export function loadRules(dir = 'rules', options: RuleSetLoadOptions = {}): RuleRepository {
  const unusable = (error: RcError): RuleRepository =>
    ({ dir, ruleSets: [], files: [], lock: { entries: {}, file: join(dir, LOCK_FILE) }, errors: [error] });
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
  const files = names.map((n) => readRuleSetFile(join(dir, n), options));
  const lockRead = readLock(dir);
  const cross = checkRepository(files, lockRead.lock);
  const bad = new Set(cross.map((e) => e.file));
  const ruleSets = files.flatMap((f) => (f.ruleSet && !bad.has(f.file) ? [f.ruleSet] : []));
  return {
    dir,
    ruleSets,
    files,
    lock: lockRead.lock,
    errors: [...files.flatMap((f) => f.errors), ...lockRead.errors, ...cross],
  };
}

/** The rule set with this id, valid or not: undefined when there is no such file. */
export function findRuleSet(repo: RuleRepository, id: string): RuleSetReadResult | undefined {
  return repo.files.find((f) => f.ruleSet?.id === id || idOfFile(f.file) === id);
}

/** The published rule set whose effective window holds the first day of `period` (YYYY-MM). */
export function selectForPeriod(repo: RuleRepository, period: string): RuleSet | undefined {
  const day = `${period}-01`;
  return repo.ruleSets.find((r) => r.status === 'published'
    && r.effective.from <= day && (r.effective.until === undefined || day < r.effective.until));
}

/** `no rule set "x" in rules/ (known: 2026-01, 2027-01)`: the message for an unknown id. */
export function unknownIdMessage(repo: RuleRepository, id: string): string {
  const known = repo.files.map((f) => f.ruleSet?.id ?? f.file).join(', ') || 'none';
  return `no rule set ${quoteInput(id)} in ${repo.dir}/ (known: ${known})`;
}
