/**
 * A rule set → json-rules-engine rules. Tiers and eligibility are data the
 * engine decides on; the engine's rule results become the evaluation's trace.
 *
 * Two rules per rule set, so each run is cheap (the engine deep-clones every
 * rule's conditions into its result): `tier`, an `any` over one threshold
 * condition per tier (the tier is the highest threshold reached), and
 * `eligibility`, an `all` over the program's criteria (each failed criterion
 * is a reason). No leaf has a priority, so all fall in one group and the
 * engine evaluates every leaf and records its outcome. Facts arrive as one flat object read through
 * an own-property path resolver (SPEC §8: jsonpath costs ~45% of a run).
 * One engine per compiled rule set, and runs on it never overlap (concurrent
 * `run()`s on one engine cut each other short).
 */
import { Engine, Fact, type RuleProperties } from 'json-rules-engine';
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

/** A rule set ready to run: its engine and the serializable rules it was given. */
export interface CompiledRuleSet {
  ruleSet: RuleSet;
  rules: RuleProperties[];
  engine: Engine;
  /** Runs the engine on `facts`; calls are queued so runs never overlap. */
  run(facts: Facts): ReturnType<Engine['run']>;
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

  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: ownProperty });
  for (const op of Object.values(OPERATORS)) engine.addOperator(op as never);
  for (const r of rules) engine.addRule(r);

  let queue: Promise<unknown> = Promise.resolve();
  return {
    ruleSet,
    rules,
    engine,
    run(facts) {
      // an uncached Fact: the engine would otherwise hash the fact's params on every read
      const next = queue.then(() => engine.run({ [FACT]: new Fact(FACT, facts, { cache: false }) }));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
