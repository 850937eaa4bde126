/**
 * Reading the engine's verdicts: which tier thresholds were reached, which
 * eligibility criteria failed, and the trace of every leaf condition (its
 * fact value and outcome) behind the explanation.
 */
import type { EngineResult, RuleResult } from 'json-rules-engine';
import { CRITERION_OF, type EligibilityCriterion, type Leaf } from '../compile/compile.js';
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

/** Decisions from one engine run of a compiled rule set. */
export function readDecisions(run: EngineResult, withTrace = true): Decisions {
  let tierIndex = 0;
  let eligible = false;
  const failed: EligibilityCriterion[] = [];
  const trace: TraceEntry[] | undefined = withTrace ? [] : undefined;
  for (const r of [...run.results, ...run.failureResults]) {
    const ls = leaves(r);
    if (r.name === 'tier') {
      ls.forEach((l, i) => { if (l.result === true) tierIndex = Math.max(tierIndex, i); });
    } else if (r.name === 'eligibility') {
      eligible = r.result === true;
      for (const l of ls) if (l.result !== true) failed.push(CRITERION_OF[l.path]!);
    }
    trace?.push({
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
  return { tierIndex, eligible, failed, trace };
}

const isFactRef = (v: unknown): v is { path: string } => Boolean(v && typeof v === 'object' && 'path' in v);

function show(v: unknown): string {
  return v === undefined ? 'none' : String(v);
}
