/**
 * What one input record becomes: a result, or an error record in its place
 * (SPEC §5). Every record comes out; nothing is dropped.
 */
import type { ErrorRecordBody, RcError } from '../errors.js';
import type { EvaluationResult } from './types.js';

/** An error in place of a result (SPEC §5). */
export interface ErrorRecord {
  account?: string;
  period?: string;
  error: ErrorRecordBody;
  /** All problems of the record when there are several; `error` is the first. */
  errors?: ErrorRecordBody[];
}

/** What one input record becomes. */
export type OutputRecord =
  | { seq: number; ok: true; result: EvaluationResult }
  | { seq: number; ok: false; error: ErrorRecord };

/** Builds the error record of a list of errors (the first is the headline). */
export function errorRecord(errors: readonly RcError[], account?: string, period?: string): ErrorRecord {
  const first = errors[0]!;
  const acct = account ?? first.account;
  const rec: ErrorRecord = {
    ...(acct !== undefined ? { account: acct } : {}),
    ...(period !== undefined ? { period } : {}),
    error: first.toJSON(),
  };
  if (errors.length > 1) rec.errors = errors.map((e) => e.toJSON());
  return rec;
}

