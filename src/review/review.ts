/**
 * `review`: one report on a candidate rule set against its baseline — what
 * changed, whether the candidate is sound, where results can differ, what
 * it costs on the portfolio and what the regression cases cover (SPEC §10).
 * The report is plain data; the text, markdown, JSON and HTML renderers are
 * views of it.
 */
import type { RuleSet } from '../model/types.js';
import type { LoadLimits } from '../limits.js';
import { publishedHash } from '../compose/folder-checks.js';
import { diffRuleSets, type RuleSetDiff } from '../diff/diff.js';
import { CHECKS, type CheckOutcome } from './checks.js';
import { findCliffs, type CliffReport } from './cliffs.js';
import { checkRegion, deriveRegion, RegionTally, type PartTally, type Region } from './region.js';
import { portfolioImpact, type Impact } from './impact.js';
import { coverageOf, type Coverage } from './coverage.js';
import { REVIEW_KIND } from './defaults.js';

/** Marks a file as a review report (what `publish --review` looks for). */
export { REVIEW_KIND };
export const REVIEW_FORMAT_VERSION = 1;

/** The whole review, as `review --format json` prints it. */
export interface ReviewReport {
  kind: typeof REVIEW_KIND;
  formatVersion: number;
  candidate: { id: string; file: string; status: string; sha256: string; publishedSha256: string; effective: RuleSet['effective']; currency: string };
  baseline: { id: string; file: string; sha256: string; chosen: 'given' | 'default' };
  /** Every check passed and the portfolio had no error. */
  passed: boolean;
  checks: CheckOutcome[];
  changes: RuleSetDiff;
  cliffs: CliffReport;
  region: Omit<Region, 'parts'> & {
    /** Per part: portfolio accounts in it and how many of them differ ("differs" or "possible only"). */
    parts: (Region['parts'][number] & PartTally & { portfolio: 'differs' | 'possible only' })[];
    portfolio: { accounts: number; outside: number; differ: number };
    generatedOutside: number;
  };
  /** null when no portfolio was given. */
  impact: Impact | null;
  coverage: Coverage;
}

/** Options of a review. */
export interface ReviewOptions {
  candidate: RuleSet;
  baseline: RuleSet;
  baselineChosen: 'given' | 'default';
  /** Published versions of the rules folder (for the window check). */
  published: readonly RuleSet[];
  portfolio: readonly string[];
  caseFolders: readonly string[];
  limits: LoadLimits;
  /** fast-check seed and runs per generated check. */
  seed: number;
  runs: number;
  /** worker threads for the portfolio (default 1) */
  jobs?: number;
}

export { DEFAULT_RUNS, DEFAULT_SEED } from './defaults.js';

/** Builds the review. */
export async function reviewChange(o: ReviewOptions): Promise<ReviewReport> {
  const { candidate: c, baseline: b } = o;
  const gen = { seed: o.seed, runs: o.runs };
  const changes = diffRuleSets(b, c);
  const region = deriveRegion(changes, b, c);
  const tally = new RegionTally(region);
  const impact = o.portfolio.length
    ? await portfolioImpact(o.portfolio, b, c, o.limits, { region, jobs: o.jobs, onRegion: (r) => tally.addOutcome(r) })
    : null;
  const rc = await checkRegion(region, b, c, tally, gen);
  const checks: CheckOutcome[] = [];
  for (const row of CHECKS) checks.push(await row.run({ baseline: b, candidate: c, published: o.published, gen, region: rc }));
  return {
    kind: REVIEW_KIND,
    formatVersion: REVIEW_FORMAT_VERSION,
    candidate: { id: c.id, file: c.file, status: c.status, sha256: c.sha256, publishedSha256: publishedHash(c), effective: c.effective, currency: c.currency },
    baseline: { id: b.id, file: b.file, sha256: b.sha256, chosen: o.baselineChosen },
    passed: checks.every((k) => k.passed) && !(impact?.errors.length),
    checks,
    changes,
    cliffs: findCliffs(c),
    region: {
      ...region,
      parts: region.parts.map((p, i) => ({ ...p, ...rc.parts[i]!, portfolio: rc.parts[i]!.differ ? 'differs' as const : 'possible only' as const })),
      portfolio: rc.portfolio,
      generatedOutside: rc.generatedOutside,
    },
    impact,
    coverage: await coverageOf(c, o.caseFolders, o.limits),
  };
}
