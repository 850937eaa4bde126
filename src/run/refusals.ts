/**
 * The run-wide duplicate check of a portfolio run (SPEC §4 "In one run"),
 * as every portfolio command uses it: each record's mark numbered in input
 * order and its claims added (`validate/run-duplicates.ts`), and at the end
 * the refused records as error records (`DUPLICATE_IN_RUN`), both of each
 * pair, each naming the other.
 */
import { RcError } from '../errors.js';
import { errorRecord, type ErrorRecord } from '../model/records.js';
import { createDuplicateCheck, type DuplicateCheckOptions, type RunConflict } from '../validate/run-duplicates.js';
import type { RecordMark } from './tasks.js';

/** The check of one run. */
export interface RunRefusals {
  /** Adds a record's mark (in input order); returns the record's index in the run. */
  add(mark: RecordMark): number;
  /** Records seen so far. */
  readonly count: number;
  /** The error record of each refused record, by index, in order; removes the temporary files. */
  finish(): Map<number, ErrorRecord>;
  /** Removes the temporary files (a run that stops early). */
  close(): void;
}

/** `file:line` → its parts (a file name may hold `:`; the line is after the last one). */
function place(where: string): { file?: string; line?: number } {
  const at = where.lastIndexOf(':');
  const line = Number(where.slice(at + 1));
  return at > 0 && Number.isInteger(line) ? { file: where.slice(0, at), line } : { file: where };
}

/** The error record of a refused record: one error per conflict. */
export function refusalRecord(conflicts: readonly RunConflict[]): ErrorRecord {
  const first = conflicts[0]!;
  const errors = conflicts.map((c) => new RcError('DUPLICATE_IN_RUN', c.message, { ...place(c.where), account: c.account }));
  return errorRecord(errors, first.account, first.period);
}

/** A new check for one run. */
export function createRunRefusals(options: DuplicateCheckOptions = {}): RunRefusals {
  const check = createDuplicateCheck(options);
  let count = 0;
  return {
    add(mark) {
      const index = count++;
      if (mark.ok && mark.claims) check.addLines(index, mark.claims);
      return index;
    },
    get count() { return count; },
    finish() {
      const out = new Map<number, ErrorRecord>();
      for (const [index, conflicts] of check.finish()) out.set(index, refusalRecord(conflicts));
      return out;
    },
    close: () => check.close(),
  };
}
