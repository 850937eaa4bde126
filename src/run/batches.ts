/** Groups the portfolio stream into batches for the workers. */
import { errorRecord } from './record.js';
import type { LoadLimits } from '../limits.js';
import { readPortfolioChunks, type ReadOptions } from '../read/portfolio.js';
import type { BatchItem } from './tasks.js';

/** Records per batch: large enough to amortize messaging, small enough to stream. */
export const BATCH_RECORDS = 250;
/** Text per batch at most (bytes, roughly). */
export const BATCH_BYTES = 512 * 1024;

/** A batch and the input bytes it covers (for progress). */
export interface Batch { items: BatchItem[]; bytes: number }

/** The portfolio in order, `BATCH_RECORDS` at a time. */
export async function* portfolioBatches(inputs: readonly string[], limits: LoadLimits, read: ReadOptions = {}): AsyncGenerator<Batch> {
  let items: BatchItem[] = [];
  let bytes = 0;
  for await (const item of readPortfolioChunks(inputs, limits, read)) {
    if (item.kind === 'lines') {
      // a chunk of NDJSON lines is a batch of its own
      if (items.length) yield { items, bytes };
      yield { items: [{ lines: item.chunk }], bytes: item.chunk.text.length };
      items = [];
      bytes = 0;
      continue;
    }
    if (item.kind === 'record') {
      items.push({ record: item.record });
      bytes += item.record.text.length + 1;
    } else {
      items.push({ seq: item.problem.seq, problem: errorRecord(item.problem.errors ?? [item.problem.error]) });
    }
    if (items.length >= BATCH_RECORDS || bytes >= BATCH_BYTES) {
      yield { items, bytes };
      items = [];
      bytes = 0;
    }
  }
  if (items.length) yield { items, bytes };
}
