/**
 * A review report is evidence, not an opinion (SPEC §11): before a report
 * is signed over or published on, every check that needs no portfolio is
 * computed again from the rule sets themselves and compared with what the
 * report says. An edited `passed`, a check left out, a one-line invented
 * report or a report of another baseline is refused, naming the difference.
 * The region check and the money impact need the portfolio the report was
 * run on; they are taken as reported.
 */
import { RcError } from '../errors.js';
import type { RuleSet } from '../model/types.js';
import { publishedHash } from '../compose/folder-checks.js';
import { canonicalJson } from '../parse/canonical.js';
import { diffRuleSets } from '../diff/diff.js';
import { checkBounded, checkMonotone, checkServicesKept, checkWindow, type CheckOutcome } from './checks.js';
import { DEFAULT_RUNS, DEFAULT_SEED, REVIEW_KIND } from './defaults.js';

/** The most generated snapshots a report may ask the recheck to run again. */
const MAX_RECHECK_RUNS = 20_000;

/**
 * Recomputes the portfolio-free checks of the report `bytes` (file `file`)
 * for `candidate`, against the baseline the report names among `ruleSets`
 * (the folder's valid rule sets). Returns every disagreement; empty when the
 * report holds.
 */
export async function recheckReview(bytes: Buffer, file: string, candidate: RuleSet, ruleSets: readonly RuleSet[]): Promise<RcError[]> {
  const fail = (message: string) => [new RcError('REVIEW_REJECTED', message, { file })];
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    return fail('is not a review report: not JSON');
  }
  if (!r || typeof r !== 'object' || r.kind !== REVIEW_KIND || !Array.isArray(r.checks)) return fail('is not a review report');
  const cand = (r.candidate ?? {}) as Record<string, unknown>;
  if (cand.publishedSha256 !== publishedHash(candidate)) return fail(`was made for other content than ${candidate.id} as it is now`);
  const base = (r.baseline ?? {}) as Record<string, unknown>;
  const baseline = ruleSets.find((b) => b.id === base.id && b.sha256 === base.sha256);
  if (!baseline) return fail(`names a baseline (${String(base.id)}, sha256 ${String(base.sha256).slice(0, 12)}…) that is not a rule set of this folder with that content: review against a version of this folder`);
  const reported = new Map((r.checks as CheckOutcome[]).map((c) => [c?.name, c]));
  const gen = (name: string) => {
    const g = reported.get(name as CheckOutcome['name'])?.generated;
    return g && Number.isSafeInteger(g.seed) && Number.isSafeInteger(g.runs) && g.runs > 0 && g.runs <= MAX_RECHECK_RUNS ? g : { seed: DEFAULT_SEED, runs: DEFAULT_RUNS };
  };
  const published = ruleSets.filter((x) => x.status === 'published' && x.id !== candidate.id);
  const now: CheckOutcome[] = [
    checkMonotone(candidate),
    await checkBounded(candidate, gen('bounded')),
    checkServicesKept(baseline, candidate),
    checkWindow(baseline, candidate, published),
  ];
  const errors: RcError[] = [];
  for (const c of now) {
    const said = reported.get(c.name);
    if (!said) errors.push(...fail(`leaves out the "${c.name}" check`));
    else if (said.passed !== c.passed) errors.push(...fail(`says the "${c.name}" check ${said.passed ? 'passed' : 'failed'}, but computed again it ${c.passed ? 'passes' : `fails: ${c.summary}`}`));
  }
  if (!reported.has('region')) errors.push(...fail('leaves out the "region" check'));
  const allPassed = [...reported.values()].every((c) => c?.passed === true) && now.every((c) => c.passed);
  const impact = r.impact as { errors?: unknown[] } | null | undefined;
  if (r.passed !== (allPassed && !(impact && Array.isArray(impact.errors) && impact.errors.length))) errors.push(...fail('says "passed" where its own checks say otherwise'));
  if (programChanges(r.changes) !== programChanges(JSON.parse(JSON.stringify(diffRuleSets(baseline, candidate))))) errors.push(...fail(`lists other changes than ${baseline.id} → ${candidate.id} has`));
  return errors;
}

/**
 * The changes of a diff that are about the program, as canonical JSON: the
 * sides and a status change are left out, since a version's status moves on
 * (draft, published, retired, published again) while its content, and so
 * its review, stays the same.
 */
function programChanges(diff: unknown): string {
  const d = (diff ?? {}) as { changes?: { section?: string; kind?: string }[]; tierEffects?: unknown };
  const changes = Array.isArray(d.changes) ? d.changes.filter((c) => !(c?.section === 'version' && c.kind === 'status')) : d.changes;
  return canonicalJson({ changes, tierEffects: d.tierEffects });
}
