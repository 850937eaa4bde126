/**
 * A progress bar on stderr for long runs — only on a terminal, never in a
 * pipe or CI log, and not with `--no-progress` or `--quiet`. Progress is
 * measured in input bytes (the record count of a stream is not known in
 * advance), with records per second and errors. It stands on the status line
 * (`status-line.ts`), which every other write clears first and redraws after.
 *
 * The rate appears after the first second and the time left only once it
 * means something (at least 5% done and 3 seconds in): an estimate from the
 * first batch alone is noise.
 */
import { statSync } from 'node:fs';
import { expandInputs } from '../read/portfolio.js';
import { statusLine } from './status-line.js';

/** A progress display; a no-op off a terminal. */
export interface Progress {
  update(records: number, errors: number, bytes: number): void;
  stop(): void;
}

let enabled = true;

/** `--no-progress` / `--quiet` turn the bar off. */
export function setProgressEnabled(on: boolean): void {
  enabled = on;
}

/** Whether a bar would be shown: asked for, stderr a terminal, and a terminal that understands `\x1b[K`. */
export function progressWanted(): boolean {
  return enabled && Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb';
}

const NO_PROGRESS: Progress = { update() {}, stop() {} };

/** Starts a bar over the total size of `inputs` when stderr is a terminal. */
export function startProgress(inputs: readonly string[]): Progress {
  if (!progressWanted()) return NO_PROGRESS;
  let total = 0;
  for (const f of expandInputs(inputs)) {
    try {
      const st = statSync(f);
      if (st.isFile()) total += st.size;
    } catch { /* reported by the run */ }
  }
  const started = Date.now();
  let state: ProgressState = { records: 0, errors: 0, bytes: 0 };
  statusLine.start(() => renderProgress(state, total, Date.now() - started));
  return {
    update(records, errors, bytes) {
      state = { records, errors, bytes };
      statusLine.redraw();
    },
    stop() { statusLine.stop(); },
  };
}

/** What the bar shows. */
export interface ProgressState { records: number; errors: number; bytes: number }

const BAR_WIDTH = 20;
/** No estimate before this share of the input is done… */
export const ETA_MIN_FRACTION = 0.05;
/** …and before this many milliseconds have passed. */
export const ETA_MIN_MS = 3000;

/**
 * The bar's text: ` ███░░░ 42% | 1200 records | 560/s | 3 errors | 12s left`.
 * Without a known total size (a pipe) only the counts; the rate from the
 * first second on; the time left only once it means something.
 */
export function renderProgress(s: ProgressState, totalBytes: number, elapsedMs: number): string {
  const parts: string[] = [];
  const fraction = totalBytes > 0 ? Math.min(s.bytes / totalBytes, 1) : undefined;
  if (fraction !== undefined) {
    const full = Math.round(fraction * BAR_WIDTH);
    parts.push(`${'█'.repeat(full)}${'░'.repeat(BAR_WIDTH - full)} ${Math.floor(fraction * 100)}%`);
  }
  parts.push(`${s.records} records`);
  if (elapsedMs >= 1000) parts.push(`${Math.round(s.records / (elapsedMs / 1000))}/s`);
  parts.push(`${s.errors} errors`);
  if (fraction !== undefined && fraction >= ETA_MIN_FRACTION && fraction < 1 && elapsedMs >= ETA_MIN_MS) {
    parts.push(`${duration((elapsedMs * (1 - fraction)) / fraction)} left`);
  }
  return ` ${parts.join(' | ')}`;
}

/** `45s`, `3m05s`, `2h07m`. */
export function duration(ms: number): string {
  const secs = Math.max(1, Math.round(ms / 1000));
  if (secs < 60) return `${secs}s`;
  const mins = Math.floor(secs / 60);
  if (mins < 60) return `${mins}m${String(secs % 60).padStart(2, '0')}s`;
  return `${Math.floor(mins / 60)}h${String(mins % 60).padStart(2, '0')}m`;
}

/** With RESELLER_CREDITS_REPORT_RSS=1, prints `maxRSS <KiB>` (all threads) to stderr at exit; used by the benchmark. */
export function reportRssOnExit(): void {
  if (process.env.RESELLER_CREDITS_REPORT_RSS !== '1') return;
  process.once('exit', () => { process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`); });
}
