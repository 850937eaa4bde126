/**
 * The review's default baseline (SPEC §10): the published version effective
 * on the day before the candidate's `effective.from`, else the latest
 * published version ending on or before it (so that a gap can be named).
 */
import type { RuleSet } from '../model/types.js';
import type { RuleRepository } from '../compose/rules-dir.js';
import { dayBefore } from './generate.js';

/** The default baseline of `candidate`, or undefined when there is none. */
export function defaultBaseline(repo: RuleRepository, candidate: RuleSet): RuleSet | undefined {
  const published = repo.ruleSets.filter((r) => r.status === 'published' && r.id !== candidate.id);
  const day = dayBefore(candidate.effective.from);
  const holding = published.find((r) => r.effective.from <= day && (r.effective.until === undefined || day < r.effective.until));
  if (holding) return holding;
  const ended = published.filter((r) => r.effective.until !== undefined && r.effective.until <= candidate.effective.from)
    .sort((a, b) => (a.effective.until! < b.effective.until! ? 1 : a.effective.until! > b.effective.until! ? -1 : 0));
  return ended[0];
}
