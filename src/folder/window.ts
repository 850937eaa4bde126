/**
 * The one effective-window rule (SPEC §3): a version applies from
 * `effective.from` up to, not including, `effective.until` (none: open end),
 * and two published versions may not share a day. The rules folder's checks
 * (`compose/folder-checks.ts`), publishing and the review's window check all
 * ask here.
 */
import type { RuleSet } from '../model/types.js';

/** Sorts after every date: the end of an open window. */
const OPEN_END = '9999-12-31~';

/** The days two windows share, `[start, end)` (`end` undefined: open), or undefined when they share none. */
export function sharedDays(a: RuleSet, b: RuleSet): { start: string; end?: string } | undefined {
  const start = a.effective.from > b.effective.from ? a.effective.from : b.effective.from;
  const ends = [a.effective.until, b.effective.until].filter((x): x is string => x !== undefined).sort();
  const end = ends[0];
  if (start >= (end ?? OPEN_END)) return undefined;
  return end === undefined ? { start } : { start, end };
}

/** Whether two effective windows share a day. */
export function overlaps(a: RuleSet, b: RuleSet): boolean {
  return sharedDays(a, b) !== undefined;
}

/** `2026-01-01 to 2027-01-01`, or `… to open end` (the folder's messages). */
export function windowText(r: RuleSet): string {
  return `${r.effective.from} to ${r.effective.until ?? 'open end'}`;
}

/** `2026-01-01 to 2027-01-01 (exclusive)`, or `from 2026-01-01 on (no end date)` (the review's words). */
export function windowWords(r: RuleSet): string {
  return r.effective.until === undefined ? `from ${r.effective.from} on (no end date)` : `${r.effective.from} to ${r.effective.until} (exclusive)`;
}
