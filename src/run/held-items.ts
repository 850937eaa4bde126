/**
 * A run's per-record items (what-if rows, review impact items) held until
 * the run knows every duplicate claim (SPEC §4 "In one run"): a record
 * refused because of a LATER record must be reported as an error and left
 * out of every tally, although its item was ready first. The items go, as
 * JSON lines, to a temporary file (`validate/held-output.ts`), not memory,
 * and are read back in order once the input ends, each refused record's item
 * replaced by what `replace` gives.
 */
import { StringDecoder } from 'node:string_decoder';
import type { ErrorRecord } from '../model/records.js';
import { createHeldOutput } from '../validate/held-output.js';
import { runEngine, type EngineOptions } from './engine.js';
import type { PoolStats } from './pool.js';
import { createRunRefusals } from './refusals.js';
import type { Task, TaskOut } from './tasks.js';

/** The held items of one run. */
export interface HeldItems<T> {
  /** Appends the item of record `index` (ascending, each once). */
  add(index: number, item: T): void;
  /** Every item in order, a refused record's replaced, each given to `onItem` (awaited); removes the file. */
  drain(replace: (index: number) => T | undefined, onItem: (item: T) => Promise<void> | void): Promise<void>;
  /** Removes the file (a run that stops early). */
  close(): void;
}

/** A new, empty store of items (plain JSON data). */
export function createHeldItems<T>(): HeldItems<T> {
  const held = createHeldOutput();
  const line = (item: T): Buffer => Buffer.from(`${JSON.stringify(item)}\n`);
  return {
    add: (index, item) => held.appendRecord(index, line(item)),
    async drain(replace, onItem) {
      const decoder = new StringDecoder('utf8');
      let carry = '';
      await held.drainTo(async (chunk) => {
        const text = carry + decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        const last = text.lastIndexOf('\n');
        carry = text.slice(last + 1);
        if (last < 0) return;
        for (const l of text.slice(0, last).split('\n')) await onItem(JSON.parse(l) as T);
      }, (index) => {
        const r = replace(index);
        return r === undefined ? undefined : line(r);
      });
    },
    close: () => held.close(),
  };
}

/** Options of `runHeld`: the engine's, with each batch's items given by `itemsOf` instead of `onRecord`/`onBatch`. */
export type HeldRunOptions<T extends Task, O extends TaskOut, I> = Omit<EngineOptions<T, O>, 'onRecord' | 'onBatch'> & {
  /** The items of a batch, in input order (counting and progress go here too). */
  itemsOf: (out: O, bytes: number) => Iterable<I>;
};

/**
 * A portfolio run whose items wait for the run-wide duplicate check (what-if,
 * review's impact, issue): the engine runs, every record's mark goes to the
 * check and every item to the held file; resolves, once the input has ended,
 * to the refused records and the held items to `drain`. Temporary files are
 * removed if the run fails.
 */
export async function runHeld<T extends Task, O extends TaskOut, I>(
  inputs: readonly string[], opts: HeldRunOptions<T, O, I>,
): Promise<{ stats: PoolStats; refused: Map<number, ErrorRecord>; held: HeldItems<I> }> {
  const { itemsOf, ...engine } = opts;
  const refusals = createRunRefusals();
  const held = createHeldItems<I>();
  let next = 0;
  try {
    const stats = await runEngine<T, O>(inputs, {
      ...engine,
      onRecord: (mark) => { refusals.add(mark); },
      onBatch: (out, bytes) => { for (const item of itemsOf(out, bytes)) held.add(next++, item); },
    });
    return { stats, refused: refusals.finish(), held };
  } catch (err) {
    refusals.close();
    held.close();
    throw err;
  }
}
