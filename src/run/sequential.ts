/**
 * A whole portfolio through evaluation, in input order: every record comes
 * out once, as a result or an error record, and the counts add up.
 */
import type { LoadLimits } from '../limits.js';
import { readPortfolio } from '../read/portfolio.js';
import { evaluateRecord, type RuleChoice } from './record.js';
import { errorRecord, type OutputRecord } from '../model/records.js';

/** Counts of one run. */
export interface RunCounts { records: number; evaluated: number; errors: number }

/** Options of a portfolio run. */
export interface PortfolioRunOptions {
  limits: LoadLimits;
  /** Called for every output record, in input order; awaited (backpressure). */
  onRecord: (r: OutputRecord) => void | Promise<void>;
}

/** Evaluates every record of `inputs` one after another. */
export async function runPortfolio(inputs: readonly string[], choice: RuleChoice, opts: PortfolioRunOptions): Promise<RunCounts> {
  const counts: RunCounts = { records: 0, evaluated: 0, errors: 0 };
  for await (const item of readPortfolio(inputs, opts.limits)) {
    const out: OutputRecord = item.kind === 'problem'
      ? { seq: item.problem.seq, ok: false, error: errorRecord([item.problem.error]) }
      : await evaluateRecord(item.record, choice, opts.limits);
    counts.records++;
    if (out.ok) counts.evaluated++;
    else counts.errors++;
    await opts.onRecord(out);
  }
  return counts;
}
