/**
 * Resolving a rule set reference — a version id in the rules folder (any
 * status) or a path to a rule set file — with the errors a user can act on.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { idOfFile } from '../parse/text.js';
import { RcError, RcErrors } from '../errors.js';
import type { RuleSet } from '../model/types.js';
import { findRuleSet, unknownIdMessage, type RuleRepository } from './rules-dir.js';
import { readRuleSetFile } from './ruleset-loader.js';
import { quoteInput } from '../text/safe-text.js';

/** A rule set could not be had: commands exit with status 2. */
export class NoRuleSetError extends RcErrors {}

/** Looks like a path rather than an id. */
export function isPathRef(ref: string): boolean {
  return /[\\/]/.test(ref) || /\.ya?ml$/i.test(ref);
}

/** The rule set an id (in the folder, any status) or a file path names; throws `NoRuleSetError`. */
export function resolveRuleSet(repo: RuleRepository, ref: string): RuleSet {
  // a file of the rules folder itself is checked like its id: lock and windows included
  if (isPathRef(ref) && existsSync(ref) && sameFolder(dirname(ref), repo.dir)) {
    return resolveRuleSet(repo, idOfFile(ref));
  }
  if (isPathRef(ref) && existsSync(ref)) {
    const r = readRuleSetFile(ref);
    if (!r.ruleSet) throw new NoRuleSetError(r.errors);
    return r.ruleSet;
  }
  const found = findRuleSet(repo, ref);
  if (!found) {
    throw new NoRuleSetError([new RcError('UNKNOWN_RULE_SET',
      isPathRef(ref) ? `no such rule set file ${quoteInput(ref, 200)}` : unknownIdMessage(repo, ref))]);
  }
  if (!found.ruleSet) throw new NoRuleSetError(found.errors);
  const crossErrors = repo.errors.filter((e) => e.file === found.file && !found.errors.includes(e));
  if (crossErrors.length) throw new NoRuleSetError(crossErrors);
  return found.ruleSet;
}

/** Whether two paths name one folder (through links, and in any letter case the file system ignores). */
function sameFolder(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}
