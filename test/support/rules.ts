/**
 * Rule sets for tests: the shipped `rules/2026-01.yaml`, or a copy of it with
 * tweaks (deep-merged; arrays are replaced whole), loaded through the real
 * loader so every tweak is validated like a rule file.
 */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseRuleSetText } from '../../src/compose/ruleset-loader.js';
import { formatError } from '../../src/errors.js';
import type { RuleSet } from '../../src/model/types.js';

/** Path of the shipped rule set, from the project root. */
export const SHIPPED_RULES = 'rules/2026-01.yaml';

/** The shipped rule set's text. */
export function shippedRulesText(): string {
  return readFileSync(SHIPPED_RULES, 'utf8');
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** `base` with `tweaks` merged in: objects merge key by key, everything else replaces. */
export function deepMerge(base: unknown, tweaks: unknown): unknown {
  if (!isPlain(base) || !isPlain(tweaks)) return tweaks;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(tweaks)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

const cache = new Map<string, RuleSet>();

/** The shipped rule set with `tweaks` applied; throws with every error if the result is invalid. */
export function ruleSetWith(tweaks: Plain = {}): RuleSet {
  const key = JSON.stringify(tweaks);
  const hit = cache.get(key);
  if (hit) return hit;
  const doc = deepMerge(parse(shippedRulesText(), { schema: 'core' }), tweaks) as Plain;
  const r = parseRuleSetText(stringify(doc), `${String(doc.id)}.yaml`);
  if (!r.ruleSet) throw new Error(`tweaked rule set is invalid:\n${r.errors.map(formatError).join('\n')}`);
  cache.set(key, r.ruleSet);
  return r.ruleSet;
}
