/** Groups the portfolio stream into batches for the workers. */
import { errorRecord, type ErrorRecord } from '../model/records.js';
import type { LoadLimits } from '../limits.js';
import { readPortfolioChunks, type ReadOptions } from '../read/portfolio.js';
import { chunkRecords, type LinesChunk } from '../read/ndjson-chunks.js';
import type { RawRecord } from '../read/raw-record.js';

/** Records per batch: large enough to amortize messaging, small enough to stream. */
export const BATCH_RECORDS = 250;
/** Text per batch at most (bytes, roughly). */
export const BATCH_BYTES = 512 * 1024;

/** A record to evaluate, a chunk of NDJSON lines (split where the batch runs), or a file-level problem that stands in its place. */
export type BatchItem = { record: RawRecord } | { lines: LinesChunk } | { seq: number; problem: ErrorRecord };

/** The items of a batch with NDJSON chunks split into their records. */
export function* expand(items: readonly BatchItem[]): Generator<{ record: RawRecord } | { seq: number; problem: ErrorRecord }> {
  for (const it of items) {
    if ('lines' in it) for (const record of chunkRecords(it.lines)) yield { record };
    else yield it;
  }
}

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
