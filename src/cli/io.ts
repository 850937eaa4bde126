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

let stdoutWatched = false;
let stdoutClosed = false;

/**
 * When the reader of our output goes away (`evaluate … | head -c 100`), the
 * next write fails with EPIPE. That is neither a bug nor the user's input
 * error: the reader has all it wanted. So the run ends at once, quietly, with
 * the exit status so far (0 unless a command already set one), the way
 * `yes | head` ends; the remaining records are not evaluated. Any other
 * output error (a full disk, EIO) means output was lost: one line on stderr
 * and at least status 1 (exit statuses, SPEC §5: the run did not complete).
 */
export function watchStdout(): void {
  if (stdoutWatched) return;
  stdoutWatched = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    stdoutClosed = true;
    // a progress bar may have hidden the terminal's cursor: show it again
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K\x1b[?25h');
    const soFar = typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
    if (err.code === 'EPIPE') process.exit(soFar);
    process.stderr.write(`${colors.red(`error: cannot write the output (${err.code ?? err.message})`)}\n`);
    process.exit(Math.max(soFar, EXIT.INVALID));
  });
  // stderr closed under us (`2>&1 | head`): its messages have no reader left; never crash on it
  process.stderr.on('error', () => undefined);
}

/** Whether stdout has gone away (nothing more should be written to it). */
export function stdoutIsClosed(): boolean {
  return stdoutClosed;
}

/**
 * Writes to stdout, waiting when the pipe is full so memory stays flat. The
 * wait ends on whichever of drain, error or close comes first, so a reader
 * that vanished can never leave it hanging.
 */
export async function out(text: string): Promise<void> {
  if (!text || stdoutClosed) return;
  watchStdout();
  const stdout = process.stdout;
  if (stdout.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      stdout.off('drain', done).off('error', done).off('close', done);
      resolve();
    };
    stdout.once('drain', done).once('error', done).once('close', done);
  });
}

export { colors };
