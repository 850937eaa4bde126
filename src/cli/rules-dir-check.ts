/**
 * SPEC §5 "Exit status in detail": a missing or unreadable `--rules-dir`, or
 * one with no rule file, ends every command with status 2 before it starts.
 */
import { readdirSync, statSync } from 'node:fs';
import { RcError } from '../errors.js';
import { fsError } from '../read/fs-errors.js';

/** Why `dir` cannot serve as the rules folder, or undefined when it can. */
export function rulesDirProblem(dir: string): RcError | undefined {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    const e = fsError(err, dir);
    return e.code === 'FILE_NOT_FOUND'
      ? new RcError('FILE_NOT_FOUND', `rules folder not found (${e.message}); use --rules-dir with the folder of rule sets`, { file: dir })
      : e;
  }
  if (!isDir) return new RcError('READ_FAILED', 'is a file, not a rules folder (use --rules-dir with the folder of rule sets)', { file: dir });
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    return fsError(err, dir);
  }
  if (!names.some((n) => /\.ya?ml$/i.test(n))) {
    return new RcError('NO_RULE_SET', 'the rules folder holds no rule set file (<id>.yaml); use --rules-dir with the folder of rule sets', { file: dir });
  }
  return undefined;
}

/** Thrown before a command runs when its rules folder is unusable: exit status 2. */
export class RulesDirUnusable extends Error {
  constructor(readonly error: RcError) {
    super(error.message);
    this.name = 'RulesDirUnusable';
  }
}
