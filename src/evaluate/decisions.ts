/**
 * Reading the engine's verdicts: which tier thresholds were reached, which
 * eligibility criteria failed, and the trace of every leaf condition (its
 * fact value and outcome) behind the explanation.
 */
import type { RuleResult } from 'json-rules-engine';
import {
  CRITERION_OF, ELIGIBILITY_MEMO_MAX, eligibilityKey, type CompiledRuleSet, type EligibilityCriterion, type Facts, type Leaf,
} from '../compile/compile.js';
import type { TraceEntry } from '../model/types.js';

/** What the engine decided for one snapshot. */
export interface Decisions {
  /** index of the highest tier whose threshold the tier basis reaches */
  tierIndex: number;
  eligible: boolean;
  /** the eligibility criteria that failed, in rule order */
  failed: EligibilityCriterion[];
  /** present when asked for */
  trace?: TraceEntry[];
}

type LeafResult = Leaf & { factResult?: unknown; valueResult?: unknown; result?: boolean };

function leaves(r: RuleResult): LeafResult[] {
  const c = r.conditions as { any?: LeafResult[]; all?: LeafResult[] };
  return c.any ?? c.all ?? [];
}

/**
 * The engine's results of one snapshot under `c`: the tier rule's, and the
 * eligibility rule's, from the memo when the exact same facts were decided
 * before under this compiled rule set (`memo: false` always asks the engine).
 */
export async function runRules(c: CompiledRuleSet, facts: Facts, memo = true): Promise<RuleResult[]> {
  const tier = c.tier.run(facts);
  if (!memo) return [await tier, await c.eligibility.run(facts)];
  const key = eligibilityKey(facts);
  let el = c.eligibilityMemo.get(key);
  if (!el) {
    el = await c.eligibility.run(facts);
    if (c.eligibilityMemo.size >= ELIGIBILITY_MEMO_MAX) c.eligibilityMemo.clear();
    c.eligibilityMemo.set(key, el);
  }
  return [await tier, el];
}

/**
 * Decisions from the engine's rule results of one snapshot. The trace lists
 * the passed rules, then the failed ones, each in rule order (as one engine
 * run over both rules reports them).
 */
export function readDecisions(ruleResults: readonly RuleResult[], withTrace = true): Decisions {
  const d: Decisions = { tierIndex: 0, eligible: false, failed: [], trace: withTrace ? [] : undefined };
  for (const r of ruleResults) if (r.result === true) readRule(d, r);
  for (const r of ruleResults) if (r.result !== true) readRule(d, r);
  return d;
}

/** Adds one rule result to `d`. */
function readRule(d: Decisions, r: RuleResult): void {
  const ls = leaves(r);
  if (r.name === 'tier') {
    for (let i = 0; i < ls.length; i++) if (ls[i]!.result === true && i > d.tierIndex) d.tierIndex = i;
  } else if (r.name === 'eligibility') {
    d.eligible = r.result === true;
    for (const l of ls) if (l.result !== true) d.failed.push(CRITERION_OF[l.path]!);
  }
  d.trace?.push({
    rule: r.name,
    passed: r.result === true,
    conditions: ls.map((l, i) => ({
      name: r.name === 'tier' ? `tier ${i}` : CRITERION_OF[l.path] ?? l.path,
      fact: l.path,
      operator: l.operator,
      value: isFactRef(l.value) ? `${l.value.path} (${show(l.valueResult)})` : show(l.value),
      factValue: show(l.factResult),
      result: l.result === true,
    })),
  });
}

const isFactRef = (v: unknown): v is { path: string } => Boolean(v && typeof v === 'object' && 'path' in v);

function show(v: unknown): string {
  return v === undefined ? 'none' : String(v);
}
