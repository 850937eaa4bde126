/**
 * `whatif` over a portfolio on all cores: each record parsed once and
 * evaluated under both rule sets in a worker; rows come back in input order.
 * A record may be refused by a LATER one (SPEC §4 "In one run": both claims
 * on one account are error records), so the rows are held in a temporary
 * file (`run/held-items.ts`) and, once the input ends, reported and tallied
 * in order with each refused record's row an error row.
 */
import type { RuleSet } from '../model/types.js';
import { resolveRuleSet } from '../compose/resolve-rule-set.js';
import { loadRules } from '../compose/rules-dir.js';
import type { RunInputOptions } from '../run/engine.js';
import type { PoolStats } from '../run/pool.js';
import { pinRules } from '../run/rules.js';
import { runHeld } from '../run/held-items.js';
import type { WhatIfRow } from './compare.js';
import type { WhatIfOut, WhatIfTask } from './task.js';
import { WhatIfTally } from './summary.js';

/** Options of a what-if run. */
export interface WhatIfRunOptions extends RunInputOptions {
  rulesDir: string;
  /** id in the rules folder or a rule set file, or the rule set already read */
  baseline: string | RuleSet;
  candidate: string | RuleSet;
  /** Told at the end what the run used: the most worker threads at once and the batches. */
  onPoolStats?: (stats: PoolStats) => void;
  /** Receives every row in input order, once the input has ended (a refused record's as an error row); awaited (backpressure). */
  onRow: (row: WhatIfRow) => Promise<void> | void;
  onProgress?: (rows: number, errors: number, bytes: number) => void;
  /** the fewest decimals of the totals: the larger rounding scale of the two rule sets (default 2) */
  minScale?: number;
  /** how many largest movers the tally keeps */
  keepMovers?: number;
}

/** Runs the comparison; resolves to the tally (summary, matrix, movers). */
export async function whatIfPortfolio(inputs: readonly string[], opts: WhatIfRunOptions): Promise<WhatIfTally> {
  const tally = new WhatIfTally(opts.keepMovers, opts.minScale);
  let rows = 0;
  let errors = 0;
  let bytes = 0;
  // both rule sets read once, now, and pinned for every batch
  let repo: ReturnType<typeof loadRules> | undefined;
  const read = (ref: string | RuleSet): RuleSet => (typeof ref === 'string' ? resolveRuleSet(repo ??= loadRules(opts.rulesDir), ref) : ref);
  const baseline = pinRules({ kind: 'fixed', ruleSet: read(opts.baseline) });
  const candidate = pinRules({ kind: 'fixed', ruleSet: read(opts.candidate) });
  const { stats, refused, held } = await runHeld<WhatIfTask, WhatIfOut, WhatIfRow>(inputs, {
    limits: opts.limits, inputFormat: opts.inputFormat, stdin: opts.stdin, jobs: opts.jobs, cores: opts.cores, onWorkerLost: opts.onWorkerLost,
    task: (items) => ({ kind: 'whatif', rules: baseline, candidate, limits: opts.limits, items }),
    itemsOf: (out, batchBytes) => {
      rows += out.rows.length;
      for (const r of out.rows) if (!r.ok) errors++;
      bytes += batchBytes;
      opts.onProgress?.(rows, errors, bytes);
      return out.rows;
    },
  });
  await held.drain((index) => {
    const error = refused.get(index);
    return error && { seq: index, ok: false, error };
  }, async (r) => {
    tally.add(r);
    await opts.onRow(r);
  });
  opts.onPoolStats?.(stats);
  return tally;
}
