/** `--jobs N`: a whole number ≥ 1, and when to use fewer. */
import { statSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { listInputs } from '../input/input-files.js';

/** Parses `--jobs`. */
export function parseJobs(text: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > 256) throw new InvalidArgumentError('must be a whole number from 1 to 256');
  return n;
}

/** Below this much input, starting worker threads costs more than it saves. */
export const SMALL_INPUT_BYTES = 1024 * 1024;

/**
 * The default jobs to use: `requested`, or 1 when the inputs are small. An
 * explicit `--jobs` is always honoured. Standard input and pipes have no
 * size to look at and may be large (a database export): they get `requested`.
 */
export function jobsFor(requested: number, inputs: readonly string[]): number {
  let total = 0;
  for (const f of listInputs(inputs)) {
    if (f.stream) return requested;
    try { total += statSync(f.file).size; } catch { /* reported by the run */ }
    if (total >= SMALL_INPUT_BYTES) return requested;
  }
  return 1;
}

/** Parses a whole number ≥ 1 (e.g. `--top`). */
export function parseCount(text: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > 1_000_000) throw new InvalidArgumentError('must be a whole number from 1 to 1000000');
  return n;
}
