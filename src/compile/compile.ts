/**
 * A rule set → json-rules-engine rules. Tiers and eligibility are data the
 * engine decides on; the engine's rule results become the evaluation's trace.
 * One engine per compiled rule set, and runs on it never overlap (SPEC §8:
 * concurrent `run()`s on one engine cut each other short).
 */
import { Engine, type RuleProperties } from 'json-rules-engine';
import type { RuleSet } from '../model/types.js';
import { OPERATORS, type OperatorName } from './operators.js';

/** The flat facts of one run. */
export interface Facts {
  /** exact tier basis */
  tierBasis: unknown;
  distinctSubClients: number;
  approved: boolean;
  /** YYYY-MM-DD, or undefined when not approved */
  approvedOn: string | undefined;
  /** first day of the billing period, YYYY-MM-DD */
  periodStart: string;
}

/** What a rule decides, carried in its event. */
export type Decision =
  | { type: 'tier'; params: { index: number } }
  | { type: 'eligibility'; params: { criterion: EligibilityCriterion } };

/** The eligibility conditions a rule set may impose. */
export type EligibilityCriterion = 'subClients' | 'approved' | 'notRetroactive';

interface Leaf { fact: keyof Facts; operator: OperatorName; value: unknown }

/** A rule set ready to run: its engine and the serializable rules it was given. */
export interface CompiledRuleSet {
  ruleSet: RuleSet;
  rules: RuleProperties[];
  engine: Engine;
  /** Runs the engine on `facts`; calls are queued so runs never overlap. */
  run(facts: Facts): ReturnType<Engine['run']>;
}

/** Compiles the tier table and eligibility of `ruleSet` into engine rules. */
export function compileRuleSet(ruleSet: RuleSet): CompiledRuleSet {
  const rules: RuleProperties[] = [];
  const all = (leaves: Leaf[]) => ({ all: leaves.map((l) => ({ ...l })) });

  ruleSet.tiers.forEach((tier, i) => {
    const next = ruleSet.tiers[i + 1];
    const leaves: Leaf[] = [{ fact: 'tierBasis', operator: 'decimalAtLeast', value: tier.from.toFixed() }];
    if (next) leaves.push({ fact: 'tierBasis', operator: 'decimalBelow', value: next.from.toFixed() });
    rules.push({ name: `tier ${tier.name}`, conditions: all(leaves), event: { type: 'tier', params: { index: i } } });
  });

  const el = ruleSet.eligibility;
  const eligibility = (criterion: EligibilityCriterion, leaf: Leaf) =>
    rules.push({ name: `eligibility ${criterion}`, conditions: all([leaf]), event: { type: 'eligibility', params: { criterion } } });
  eligibility('subClients', { fact: 'distinctSubClients', operator: 'countAtLeast', value: el.minDistinctSubClients });
  if (el.requireApproval) {
    eligibility('approved', { fact: 'approved', operator: 'is', value: true });
    if (!el.retroactive) eligibility('notRetroactive', { fact: 'periodStart', operator: 'onOrAfter', value: { fact: 'approvedOn' } });
  }

  const engine = new Engine([], { allowUndefinedFacts: true, replaceFactsInEventParams: false });
  for (const op of Object.values(OPERATORS)) engine.addOperator(op as never);
  for (const r of rules) engine.addRule(r);

  let queue: Promise<unknown> = Promise.resolve();
  return {
    ruleSet,
    rules,
    engine,
    run(facts) {
      const next = queue.then(() => engine.run(facts as unknown as Record<string, unknown>));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
