/**
 * What every command shares: printing errors to stderr as
 * `file:line:column: path: message`, colours only on a terminal, and the exit
 * statuses of SPEC §5 (0 good, 1 invalid input or failed case, 2 usage or no
 * usable rule set).
 */
import pc from 'picocolors';
import { formatError, type RcError } from '../errors.js';

/** Exit statuses. */
export const EXIT = { OK: 0, INVALID: 1, USAGE: 2 } as const;

const colors = pc.createColors(Boolean(process.stderr.isTTY) && !process.env.NO_COLOR);

/** A usage problem: printed with a hint and exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Prints errors, one per line, to stderr. */
export function printErrors(errors: readonly RcError[], prefix = ''): void {
  for (const e of errors) process.stderr.write(`${prefix}${colors.red(formatError(e))}\n`);
}

/** Prints a note to stderr. */
export function note(message: string): void {
  process.stderr.write(`${colors.dim(message)}\n`);
}

/** Prints a warning to stderr. */
export function warn(message: string): void {
  process.stderr.write(`${colors.yellow(`warning: ${message}`)}\n`);
}

/** Writes to stdout, waiting when the pipe is full so memory stays flat. */
export async function out(text: string): Promise<void> {
  if (!text) return;
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

export { colors };
