/** `--jobs N`: a whole number ≥ 1, and when to use fewer. */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { listInputs } from '../read/input-files.js';
import { workerLimit, type PoolStats } from '../run/pool.js';
import { warn } from './io.js';

/** Parses `--jobs`. */
export function parseJobs(text: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > 256) throw new InvalidArgumentError('must be a whole number from 1 to 256');
  return n;
}

/** Below this much input, starting worker threads costs more than it saves. */
export const SMALL_INPUT_BYTES = 1024 * 1024;

/**
 * The jobs to use. By default the cores, or 1 when the inputs are small. An
 * explicit `--jobs` is used up to the threads the machine can run at once,
 * with a warning when it is more; either way the run starts no more workers
 * than it has batches (one batch runs on the main thread).
 */
export function chooseJobs(requested: number, explicit: boolean, inputs: readonly string[]): number {
  if (!explicit) return jobsFor(requested, inputs);
  const cores = availableParallelism();
  const limit = workerLimit(requested, cores);
  if (limit < requested) {
    warn(`--jobs ${requested} is more than the ${cores} thread(s) this machine can run at once: using at most ${limit} worker thread(s)`);
  }
  return limit;
}

/** With RESELLER_CREDITS_DEBUG=workers, one stderr line with what the run used. */
export function debugPoolStats(stats: PoolStats): void {
  if (!(process.env.RESELLER_CREDITS_DEBUG ?? '').split(',').includes('workers')) return;
  process.stderr.write(`debug: ${stats.workers} worker thread(s) for ${stats.batches} batch(es)\n`);
}

/**
 * The default jobs to use: `requested`, or 1 when the inputs are small.
 * Standard input and pipes have no size to look at and may be large (a
 * database export): they get `requested`.
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
