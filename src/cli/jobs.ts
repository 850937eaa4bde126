/** `--jobs N`: a whole number ≥ 1. */
import { InvalidArgumentError } from 'commander';

/** Parses `--jobs`. */
export function parseJobs(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < 1 || n > 256) throw new InvalidArgumentError('must be a whole number from 1 to 256');
  return n;
}
