/**
 * A progress bar on stderr for long runs — only on a terminal, never in a
 * pipe or CI log. Progress is measured in input bytes (the record count of a
 * stream is not known in advance), with records per second and errors.
 */
import { statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { expandInputs } from '../input/portfolio.js';

/** A progress display; a no-op off a terminal. */
export interface Progress {
  update(records: number, errors: number, bytes: number): void;
  stop(): void;
}

/** Starts a bar over the total size of `inputs` when stderr is a terminal. */
export function startProgress(inputs: readonly string[]): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  let total = 0;
  for (const f of expandInputs(inputs)) {
    try { total += statSync(f).size; } catch { /* reported by the run */ }
  }
  const started = Date.now();
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: ' {bar} {percentage}% | {records} records | {rate}/s | {errors} errors | {eta_formatted} left',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  bar.start(Math.max(total, 1), 0, { records: 0, rate: 0, errors: 0 });
  return {
    update(records, errors, bytes) {
      const secs = Math.max((Date.now() - started) / 1000, 0.001);
      bar.update(Math.min(bytes, total), { records, errors, rate: (records / secs).toFixed(0) });
    },
    stop() { bar.stop(); },
  };
}

/** With RESELLER_CREDITS_REPORT_RSS=1, prints `maxRSS <KiB>` (all threads) to stderr at exit; used by the benchmark. */
export function reportRssOnExit(): void {
  if (process.env.RESELLER_CREDITS_REPORT_RSS !== '1') return;
  process.once('exit', () => { process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`); });
}
