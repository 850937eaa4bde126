/**
 * A rule set → json-rules-engine rules. Tiers and eligibility are data the
 * engine decides on; the engine's rule results become the evaluation's trace.
 *
 * Two rules per rule set, each on its own engine, so each run is cheap (the
 * engine deep-clones every rule's conditions into its result, and a run clones
 * only its own rule's leaves): `tier`, an `any` over one threshold condition
 * per tier (the tier is the highest threshold reached), and `eligibility`, an
 * `all` over the program's criteria (each failed criterion is a reason). No
 * leaf has a priority, so all fall in one group and the engine evaluates every
 * leaf and records its outcome. Facts arrive as one flat object read through
 * an own-property path resolver (SPEC §8: jsonpath costs ~45% of a run).
 * Runs on one engine never overlap (concurrent `run()`s on one engine cut each
 * other short).
 *
 * Eligibility reads few facts, and they repeat over a portfolio: its results
 * are memoised per compiled rule set, keyed on the exact facts the rule reads
 * (see `eligibilityKey`); on a miss the engine decides.
 */
import { Engine, Fact, type RuleProperties, type RuleResult } from 'json-rules-engine';
import type { RuleSet } from '../model/types.js';
import { OPERATORS, type OperatorName } from './operators.js';

/** The flat facts of one run, read by the rules as `account.<name>`. */
export interface Facts {
  /** exact tier basis (a Decimal) */
  tierBasis: unknown;
  distinctSubClients: number;
  approved: boolean;
  /** YYYY-MM-DD, or undefined when not approved */
  approvedOn: string | undefined;
  /** first day of the billing period, YYYY-MM-DD */
  periodStart: string;
}

/** The eligibility conditions a rule set may impose. */
export type EligibilityCriterion = 'subClients' | 'approved' | 'notRetroactive';

/** The one fact every condition reads, through a path. */
export const FACT = 'account';

/**
 * A leaf condition as compiled (and, after a run, with its outcome). Leaves
 * carry nothing but what the engine reads: it deep-clones them on every run.
 * A tier leaf is known by its position, an eligibility leaf by its fact path.
 */
export interface Leaf {
  fact: typeof FACT;
  path: keyof Facts;
  operator: OperatorName;
  value: unknown;
}

/** The eligibility criterion each eligibility leaf decides, by its fact path. */
export const CRITERION_OF: Readonly<Partial<Record<keyof Facts, EligibilityCriterion>>> = {
  distinctSubClients: 'subClients',
  approved: 'approved',
  periodStart: 'notRetroactive',
};

/** One engine holding one rule, and its queued runner. */
export interface RuleEngine {
  engine: Engine;
  /** Runs the engine on `facts` and gives its one rule's result; calls are queued so runs never overlap. */
  run(facts: Facts): Promise<RuleResult>;
}

/** A rule set ready to run: one engine per rule, and the serializable rules it was given. */
export interface CompiledRuleSet {
  ruleSet: RuleSet;
  /** [tier, eligibility] */
  rules: RuleProperties[];
  tier: RuleEngine;
  eligibility: RuleEngine;
  /**
   * The eligibility engine's results by `eligibilityKey` of the facts: this
   * rule set's only, never shared with another compiled rule set.
   */
  eligibilityMemo: Map<string, RuleResult>;
}

/** Most eligibility results a compiled rule set keeps (1–1.5 KB each); when full, the memo starts afresh. */
export const ELIGIBILITY_MEMO_MAX = 4_096;

/**
 * The memo key of a run's eligibility: every fact the eligibility rule can
 * read, exactly as given to the engine (never an outcome of comparing them).
 * The approval date is length-prefixed, so no two fact tuples share a key.
 */
export function eligibilityKey(f: Facts): string {
  const on = f.approvedOn === undefined ? '-' : `${f.approvedOn.length}:${f.approvedOn}`;
  return `${f.distinctSubClients}|${f.approved ? 1 : 0}|${on}|${f.periodStart}`;
}

const ownProperty = (value: object, path: string): unknown =>
  Object.hasOwn(value, path) ? (value as Record<string, unknown>)[path] : undefined;

/** Compiles the tier table and eligibility of `ruleSet` into engine rules. */
export function compileRuleSet(ruleSet: RuleSet): CompiledRuleSet {
  const leaf = (path: keyof Facts, operator: OperatorName, value: unknown): Leaf => ({ fact: FACT, path, operator, value });

  const tiers = ruleSet.tiers.map((t) => leaf('tierBasis', 'decimalAtLeast', t.from.toFixed()));
  const el = ruleSet.eligibility;
  const criteria: Leaf[] = [leaf('distinctSubClients', 'countAtLeast', el.minDistinctSubClients)];
  if (el.requireApproval) criteria.push(leaf('approved', 'is', true));
  // SPEC §1 states the two independently: without retroactive credits the period
  // must start on or after the approval date. When approval is not required, a
  // reseller with no approval date has nothing to be retroactive to.
  if (!el.retroactive) {
    criteria.push(leaf('periodStart', el.requireApproval ? 'onOrAfter' : 'onOrAfterIfDated', { fact: FACT, path: 'approvedOn' }));
  }
  const rules: RuleProperties[] = [
    { name: 'tier', priority: 1, conditions: { any: tiers }, event: { type: 'tier' } },
    { name: 'eligibility', priority: 1, conditions: { all: criteria }, event: { type: 'eligible' } },
  ];

  return { ruleSet, rules, tier: ruleEngine(rules[0]!), eligibility: ruleEngine(rules[1]!), eligibilityMemo: new Map() };
}

/** An engine with our operators and the one rule `rule`. */
function ruleEngine(rule: RuleProperties): RuleEngine {
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: ownProperty });
  for (const op of Object.values(OPERATORS)) engine.addOperator(op as never);
  engine.addRule(rule);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    engine,
    run(facts) {
      // an uncached Fact: the engine would otherwise hash the fact's params on every read
      const next = queue.then(async () => {
        const r = await engine.run({ [FACT]: new Fact(FACT, facts, { cache: false }) });
        return (r.results[0] ?? r.failureResults[0])!;
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
