/**
 * A snapshot as a library caller holds it — plain data shaped like a snapshot
 * file, or the text of one — read exactly as the command line reads a file:
 * the same schema, checks and messages. Plain data is written out as JSON
 * first, so an error names its place in that JSON (`<snapshot>:1:…`).
 */
import { RcError } from '../errors.js';
import { resolveLimits, type LoadLimits } from '../limits.js';
import type { LocatedSnapshot } from '../validate/snapshot-checks.js';
import { parseSnapshotRecord } from './snapshot-parse.js';

/** Options of `readSnapshot`. */
export interface SnapshotInputOptions {
  /** The name errors give the snapshot (default `<snapshot>`). */
  file?: string;
  /** Default: `resolveLimits()`. */
  limits?: LoadLimits;
}

/** Validates a snapshot given as plain data or as its JSON or YAML text; throws `RcErrors` with every problem. */
export function readSnapshot(input: unknown, options: SnapshotInputOptions = {}): LocatedSnapshot {
  const file = options.file ?? '<snapshot>';
  const limits = options.limits ?? resolveLimits();
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new RcError('SCHEMA', `a snapshot is an object such as { account, period, lineItems, … }, not ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`, { file });
    }
    try {
      text = JSON.stringify(input);
    } catch (err) {
      throw new RcError('SCHEMA', `the snapshot cannot be written as JSON: ${(err as Error).message}`, { file });
    }
  }
  // YAML reads JSON too; data we wrote out as JSON takes the JSON path
  const format = typeof input === 'string' ? 'yaml' : 'json';
  return parseSnapshotRecord({ seq: 0, file, line: 1, column: 1, format, text }, limits);
}
