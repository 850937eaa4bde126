/**
 * What every command shares: printing errors to stderr as
 * `file:line:column: path: message`, colours only on a terminal (or when
 * FORCE_COLOR asks), `--quiet`, and the exit statuses of SPEC §5 (0 good, 1
 * invalid input or failed case, 2 usage or no usable rule set).
 *
 * Everything this program writes to stderr goes through `stderrLine`, and
 * everything to stdout through `out`: one writer owns the terminal line a
 * progress bar stands on (`status-line.ts`), clearing it before any other
 * text and drawing it again after, so a message never lands on the bar.
 */
import pc from 'picocolors';
import { formatError, type RcError } from '../errors.js';
import { safeText } from '../text/safe-text.js';
import { statusLine } from './status-line.js';

/** Exit statuses. */
export const EXIT = { OK: 0, INVALID: 1, USAGE: 2 } as const;

/**
 * Whether stderr gets colours: a non-empty `NO_COLOR` (no-color.org) turns
 * them off and wins, so a harness that sets it gets plain text even under a CI
 * that sets `FORCE_COLOR`; else a non-empty `FORCE_COLOR` other than `0` or
 * `false` (force-color.org) turns them on; else `TERM=dumb` turns them off;
 * else colours exactly when stderr is a terminal. (picocolors alone looks at
 * stdout, not stderr, and turns colours on for any `CI` variable.)
 */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stderr.isTTY)): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

const colors = pc.createColors(colorEnabled());

let quiet = false;

/** `--quiet`: only errors and the closing counts line reach stderr. */
export function setQuiet(on: boolean): void {
  quiet = on;
}

/** Whether `--quiet` is on. */
export function isQuiet(): boolean {
  return quiet;
}

/** A usage problem: printed with a hint and exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Writes whole lines to stderr: the progress bar (if shown) is cleared first
 * and drawn again after. `text` must end with a newline.
 */
export function stderrLine(text: string): void {
  statusLine.clear();
  process.stderr.write(text);
  statusLine.redraw();
}

/** Prints errors, one per line, to stderr (always, also with `--quiet`). */
export function printErrors(errors: readonly RcError[], prefix = ''): void {
  if (!errors.length) return;
  stderrLine(errors.map((e) => `${prefix}${colors.red(formatError(e))}\n`).join(''));
}

/** Prints an error message (no position) to stderr, control characters escaped (always). */
export function errorLine(message: string): void {
  stderrLine(`${colors.red(safeText(message))}\n`);
}

/** Prints a note to stderr (not with `--quiet`). */
export function note(message: string): void {
  if (!quiet) stderrLine(`${colors.dim(safeText(message))}\n`);
}

/** Prints the closing counts line of a run to stderr: always, also with `--quiet` (SPEC §5). */
export function counts(message: string): void {
  stderrLine(`${colors.dim(safeText(message))}\n`);
}

/** Prints a warning to stderr (not with `--quiet`). */
export function warn(message: string): void {
  if (!quiet) stderrLine(`${colors.yellow(`warning: ${safeText(message)}`)}\n`);
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
    statusLine.stop();
    const soFar = typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
    if (err.code === 'EPIPE') process.exit(soFar);
    errorLine(`error: cannot write the output (${err.code ?? err.message})`);
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
export async function out(text: string | Uint8Array): Promise<void> {
  if (!text.length || stdoutClosed) return;
  watchStdout();
  const stdout = process.stdout;
  if (stdout.isTTY) {
    // the same terminal as the bar: clear it, and draw it again only at the start of a line
    statusLine.clear();
    const written = stdout.write(text);
    statusLine.stdoutEnded(typeof text === 'string' ? text.endsWith('\n') : text[text.length - 1] === 0x0a);
    statusLine.redraw();
    if (written) return;
  } else if (stdout.write(text)) {
    return;
  }
  await new Promise<void>((resolve) => {
    const done = () => {
      stdout.off('drain', done).off('error', done).off('close', done);
      resolve();
    };
    stdout.once('drain', done).once('error', done).once('close', done);
  });
}

export { colors };
