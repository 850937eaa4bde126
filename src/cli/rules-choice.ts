/** Rule set references on the command line: see `load/resolve-rule-set.ts`. */
import { loadRules, type RuleRepository } from '../load/rules-dir.js';

export { NoRuleSetError, isPathRef, resolveRuleSet } from '../load/resolve-rule-set.js';

/** Loads the rules folder once per command. */
export function openRules(dir: string): RuleRepository {
  return loadRules(dir);
}
