/**
 * Resolving `--rules-version ID`, `--rules-file FILE`, `--baseline ID|FILE`
 * to a rule set, with the errors a user can act on.
 */
import { existsSync } from 'node:fs';
import { RcError, RcErrors } from '../errors.js';
import type { RuleSet } from '../model/types.js';
import { findRuleSet, loadRules, type RuleRepository } from '../load/rules-dir.js';
import { readRuleSetFile } from '../load/ruleset-loader.js';

/** A rule set could not be had: the command exits with status 2. */
export class NoRuleSetError extends RcErrors {}

/** Loads the rules folder once per command. */
export function openRules(dir: string): RuleRepository {
  return loadRules(dir);
}

/** Looks like a path rather than an id. */
export function isPathRef(ref: string): boolean {
  return /[\\/]/.test(ref) || /\.ya?ml$/i.test(ref);
}

/** The rule set an id (in the folder, any status) or a file path names. */
export function resolveRuleSet(repo: RuleRepository, ref: string): RuleSet {
  if (isPathRef(ref) && existsSync(ref)) {
    const r = readRuleSetFile(ref);
    if (!r.ruleSet) throw new NoRuleSetError(r.errors);
    return r.ruleSet;
  }
  const found = findRuleSet(repo, ref);
  if (!found) {
    const known = repo.files.map((f) => f.ruleSet?.id ?? f.file).join(', ') || 'none';
    throw new NoRuleSetError([new RcError('UNKNOWN_RULE_SET',
      isPathRef(ref) ? `no such rule set file ${ref}` : `no rule set "${ref}" in ${repo.dir}/ (known: ${known})`)]);
  }
  if (!found.ruleSet) throw new NoRuleSetError(found.errors);
  const crossErrors = repo.errors.filter((e) => e.file === found.file && !found.errors.includes(e));
  if (crossErrors.length) throw new NoRuleSetError(crossErrors);
  return found.ruleSet;
}
