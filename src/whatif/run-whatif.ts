/**
 * `whatif` over a portfolio on all cores: each record parsed once and
 * evaluated under both rule sets in a worker; rows come back in input order
 * and are streamed to the report while the summary is tallied.
 */
import { randomUUID } from 'node:crypto';
import type { LoadLimits } from '../limits.js';
import type { InputFormat, ReadOptions } from '../read/portfolio.js';
import { portfolioBatches } from '../run/batches.js';
import { planRunner, runOrdered, type PoolStats } from '../run/pool.js';
import type { WhatIfOut, WhatIfTask } from '../run/tasks.js';
import type { WhatIfRow } from './compare.js';
import { WhatIfTally } from './summary.js';

/** Options of a what-if run. */
export interface WhatIfRunOptions {
  rulesDir: string;
  /** id in the rules folder or a rule set file */
  baseline: string;
  candidate: string;
  limits: LoadLimits;
  /** The format of standard input and pipes (`--input-format`); default: recognised. */
  inputFormat?: InputFormat;
  /** Standard input (a seam for tests); default `process.stdin`. */
  stdin?: ReadOptions['stdin'];
  /** Worker threads at most, capped as for `evaluatePortfolio`. */
  jobs: number;
  /** The machine's threads (default `os.availableParallelism()`). */
  cores?: number;
  /** Told at the end what the run used: the most worker threads at once and the batches. */
  onPoolStats?: (stats: PoolStats) => void;
  /** Receives every row in input order; awaited (backpressure). */
  onRow: (row: WhatIfRow) => Promise<void> | void;
  onProgress?: (rows: number, errors: number, bytes: number) => void;
  /** Told when a worker thread died and its batch was run again on the main thread. */
  onWorkerLost?: (err: Error) => void;
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
  const stamp = randomUUID(); // this run reads the rules folder and files afresh (tasks.ts)
  async function* tasks(): AsyncGenerator<WhatIfTask & { bytes: number }> {
    for await (const b of portfolioBatches(inputs, opts.limits, { inputFormat: opts.inputFormat, stdin: opts.stdin })) {
      yield { kind: 'whatif', rulesDir: opts.rulesDir, baseline: opts.baseline, candidate: opts.candidate, stamp, limits: opts.limits, items: b.items, bytes: b.bytes };
    }
  }
  const plan = await planRunner(tasks(), opts.jobs, { onWorkerLost: opts.onWorkerLost, cores: opts.cores });
  try {
    await runOrdered<WhatIfTask & { bytes: number }, WhatIfOut>(plan.tasks, plan.runner, plan.window, async (out, task) => {
      for (const r of out.rows) {
        tally.add(r);
        rows++;
        if (!r.ok) errors++;
        await opts.onRow(r);
      }
      bytes += task.bytes;
      opts.onProgress?.(rows, errors, bytes);
    });
    opts.onPoolStats?.(plan.stats());
  } finally {
    await plan.runner.close();
  }
  return tally;
}
