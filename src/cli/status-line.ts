/**
 * The one terminal line a progress display stands on, owned by one writer.
 * Every other write to stderr (and to stdout when it is a terminal) goes
 * through `clear()` first and `redraw()` after (`io.ts`), so a message never
 * lands on the bar's line and the bar never overwrites a half-written line:
 *
 * - drawn as `\r<text>\x1b[K`, cut to one column less than the terminal is
 *   wide, so it never wraps (a wrapped line could not be cleared with `\r`);
 * - cleared with `\r\x1b[K` (carriage return, erase to the end of the line);
 * - drawn again at most every 100 ms, and only when stdout (if it is the
 *   terminal) is at the start of a line;
 * - cleared at exit and on SIGINT/SIGTERM/SIGHUP (then the signal takes its
 *   usual course), so the shell prompt starts on a clean line.
 *
 * No cursor hiding: nothing to restore when the run is killed.
 */

/** Clears the bar's line: carriage return, then erase to the end of the line. */
export const CLEAR_LINE = '\r\x1b[K';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The fewest milliseconds between two draws. */
export const REDRAW_INTERVAL_MS = 100;

/** The part of a stream the status line uses. */
export interface LineStream {
  write(text: string): unknown;
  columns?: number;
}

/** A line owned by one writer; see the module comment. */
export class StatusLine {
  private render: (() => string) | undefined;
  private drawn = false;
  private otherAtLineStart = true;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private exitHooked = false;
  private shown = '';

  constructor(
    private readonly stream: LineStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a display is active (started and not stopped). */
  get active(): boolean {
    return this.render !== undefined;
  }

  /** Shows `render()`'s text on the line now, and again on each `redraw()`. */
  start(render: () => string): void {
    this.render = render;
    if (!this.exitHooked && this.stream === process.stderr) {
      this.exitHooked = true;
      process.once('exit', () => this.stop());
    }
    if (this.stream === process.stderr) {
      // Ctrl-C or a kill while the bar is shown: clear it, then die of the signal as before
      for (const sig of SIGNALS) process.once(sig, this.onSignal);
    }
    this.draw();
  }

  private readonly onSignal = (sig: NodeJS.Signals) => {
    this.stop();
    process.kill(process.pid, sig);
  };

  /** Removes the display from the screen until the next draw. */
  clear(): void {
    if (!this.drawn) return;
    this.stream.write(CLEAR_LINE);
    this.drawn = false;
  }

  /** Told whether the other output sharing the terminal (stdout) ended its last write with a newline. */
  stdoutEnded(atLineStart: boolean): void {
    this.otherAtLineStart = atLineStart;
  }

  /** Draws the display again: now, or at the end of the current interval. */
  redraw(): void {
    if (!this.render) return;
    const wait = REDRAW_INTERVAL_MS - (this.now() - this.lastDraw);
    if (wait <= 0) {
      this.draw();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
    this.timer.unref?.();
  }

  /** Ends the display: the line is cleared and stays clear. */
  stop(): void {
    for (const sig of SIGNALS) process.off(sig, this.onSignal);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
    this.render = undefined;
  }

  private draw(): void {
    if (!this.render || !this.otherAtLineStart) return;
    const width = Math.max((this.stream.columns || 80) - 1, 10); // a pty may say 0 columns
    const text = fitWidth(this.render(), width);
    this.lastDraw = this.now();
    if (this.drawn && text === this.shown) return; // already on the screen
    this.stream.write(`\r${text}\x1b[K`);
    this.drawn = true;
    this.shown = text;
  }
}

/** `text` cut to at most `width` characters (the display uses one-column characters only). */
export function fitWidth(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, width).join('');
}

/** The status line of stderr, shared by the whole program. */
export const statusLine = new StatusLine();
