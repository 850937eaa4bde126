/**
 * The progress bar and the terminal (SPEC §5): the bar never shares a line
 * with other output — it is cleared before any message or terminal stdout is
 * written and drawn again after; the closing counts line starts on a clean
 * line; no time estimate before it means something; `--no-progress`,
 * `--quiet`; colours follow NO_COLOR / FORCE_COLOR. Runs on a real
 * pseudo-terminal through util-linux `script`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../src/cli/io.js';
import { duration, renderProgress } from '../src/cli/progress.js';
import { CLEAR_LINE, StatusLine, fitWidth } from '../src/cli/status-line.js';
import { tempDir } from './support/temp.js';
import { runCli } from './support/run-cli.js';

const work = tempDir();
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/** A portfolio of `n` snapshots in NDJSON; every 2000th (from record 8) names an unknown service. */
function portfolio(n: number): { file: string; bad: number[] } {
  const lines: string[] = [];
  const bad: number[] = [];
  for (let i = 0; i < n; i++) {
    const unknown = i % 2000 === 7;
    if (unknown) bad.push(i + 1);
    lines.push(JSON.stringify({
      schemaVersion: 1, account: `P-${i}`, period: '2026-11',
      reseller: { approved: true, approvedOn: '2026-03-15' }, subClients: ['a', 'b', 'c'],
      lineItems: unknown ? [{ service: 'no-such-service', amount: '1.00' }] : [{ service: 'starter-plus-user', quantity: 25, unitPrice: '4.00' }],
    }));
  }
  const file = join(work, `portfolio-${n}.ndjson`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, bad };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI with stdout and stderr on a pseudo-terminal (120 columns); returns everything the terminal received. */
function onTerminal(args: string[], env: Record<string, string | undefined> = {}, redirectStdout?: string): string {
  const cmd = `stty cols 120; ${shellQuote(process.execPath)} bin/reseller-credits.js ${args.map(shellQuote).join(' ')}${redirectStdout ? ` > ${shellQuote(redirectStdout)}` : ''}`;
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete e.FORCE_COLOR;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k]; else e[k] = v;
  const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', env: e, timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  return r.stdout;
}

/**
 * What a terminal shows for `raw`: lines of text after carriage returns,
 * erase-to-end-of-line (`ESC [ K`) and newlines are applied (colours removed).
 */
function screen(raw: string): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let col = 0;
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/\x1b\[[0-9;]*m/g, '');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\r') { col = 0; continue; }
    if (ch === '\n') { lines.push(line.join('')); line = []; col = 0; continue; }
    if (ch === '\x1b' && text.startsWith('\x1b[K', i)) { line = line.slice(0, col); i += 2; continue; }
    line[col++] = ch;
  }
  if (line.length) lines.push(line.join(''));
  return lines;
}

const BAR = / records \| /;

describe.skipIf(!hasScript)('on a real terminal (script)', () => {
  it('error lines and the counts line never land on the bar; the bar is cleared first', () => {
    const { file, bad } = portfolio(20_000);
    const raw = onTerminal(['evaluate', '--jobs', '1', '--format', 'csv', file], {}, '/dev/null');
    expect(raw).toMatch(BAR); // the bar was drawn
    // every error line starts on a clean line: right after a newline or after the bar was cleared
    const errorStarts = [...raw.matchAll(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):`, 'g'))];
    expect(errorStarts.map((m) => Number(m[1]))).toEqual(bad);
    for (const m of errorStarts) {
      const before = raw.slice(0, m.index);
      expect(before.endsWith(CLEAR_LINE) || before.endsWith('\n')).toBe(true);
    }
    const countsAt = raw.indexOf('20000 record(s): 19990 evaluated, 10 error(s)');
    expect(countsAt).toBeGreaterThan(0);
    expect(raw.slice(0, countsAt).endsWith(CLEAR_LINE) || raw.slice(0, countsAt).endsWith('\n')).toBe(true);
    expect(raw.slice(countsAt).replace(/\r?\n$/, '')).toBe('20000 record(s): 19990 evaluated, 10 error(s)');
    // what the terminal shows: each error on a line of its own, no bar left behind, counts last
    const shown = screen(raw).filter((l) => l.trim());
    for (const l of shown) expect(BAR.test(l) && /no-such-service/.test(l)).toBe(false);
    expect(shown.filter((l) => BAR.test(l))).toEqual([]);
    expect(shown.at(-1)).toBe('20000 record(s): 19990 evaluated, 10 error(s)');
    expect(shown.filter((l) => /no-such-service/.test(l))).toHaveLength(10);
    // no estimate of the time left at the start, and never nonsense
    const firstBar = raw.slice(0, raw.indexOf('\x1b[K'));
    expect(firstBar).toMatch(/0 records \| 0 errors$/);
    expect(raw).not.toMatch(/NaN|Infinity|INF|NF/);
  });

  it('results written to the terminal and the bar never share a line', () => {
    const { file } = portfolio(3000);
    const raw = onTerminal(['evaluate', '--jobs', '1', file]);
    const shown = screen(raw).filter((l) => l.trim());
    expect(shown.filter((l) => BAR.test(l))).toEqual([]);
    expect(shown.filter((l) => /^P-\d+ · period 2026-11/.test(l))).toHaveLength(2998);
    expect(shown.at(-1)).toBe('3000 record(s): 2998 evaluated, 2 error(s)');
  });

  it('--no-progress and --quiet draw no bar; colours only without NO_COLOR', () => {
    const { file } = portfolio(3000);
    for (const flag of ['--no-progress', '--quiet']) {
      const raw = onTerminal([flag, 'evaluate', '--jobs', '1', '--format', 'csv', file], {}, '/dev/null');
      expect(raw).not.toMatch(BAR);
      expect(raw).not.toContain(CLEAR_LINE);
      expect(raw).toContain('3000 record(s): 2998 evaluated, 2 error(s)');
    }
    expect(onTerminal(['--quiet', 'evaluate', '--format', 'csv', file], { NO_COLOR: undefined }, '/dev/null')).toContain('\x1b[31m');
    expect(onTerminal(['--quiet', 'evaluate', '--format', 'csv', file], { NO_COLOR: '1' }, '/dev/null')).not.toContain('\x1b[31m');
  });
});

describe('--quiet', () => {
  it('leaves only errors and the closing counts line on stderr', async () => {
    const rules = join(work, 'rules-with-bad');
    cpSync('rules', rules, { recursive: true });
    writeFileSync(join(rules, '2099-01.yaml'), 'id: "2099-01"\n'); // invalid: a warning that it was skipped
    const loud = await runCli(['--rules-dir', rules, 'evaluate', 'test/fixtures/portfolio/mixed.ndjson']);
    expect(loud.stderr).toContain('warning: some rule files');
    const quiet = await runCli(['--rules-dir', rules, '--quiet', 'evaluate', 'test/fixtures/portfolio/mixed.ndjson']);
    expect(quiet.status).toBe(1);
    expect(quiet.stdout).toBe(loud.stdout);
    const lines = quiet.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('10 record(s): 3 evaluated, 7 error(s)');
    // every other line is an error of the input file
    expect(lines.slice(0, -1)).toHaveLength(7);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^test\/fixtures\/portfolio\/mixed\.ndjson:\d+:\d+: /);
  });
});

describe('colours', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true], // empty NO_COLOR does not count (no-color.org)
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '3' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '' }, false, false], // empty FORCE_COLOR does not count (force-color.org)
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true, false], // the explicit "no" wins
    [{ TERM: 'dumb' }, true, false],
    [{ TERM: 'dumb', FORCE_COLOR: '1' }, false, true],
    [{ CI: 'true' }, false, false], // unlike picocolors, CI alone does not colour a pipe
  ])('%j on a terminal: %s → colours %s', (env, tty, expected) => {
    expect(colorEnabled(env as NodeJS.ProcessEnv, tty)).toBe(expected);
  });

  it('FORCE_COLOR colours errors in a pipe; NO_COLOR wins over it', () => {
    const run = (env: Record<string, string>) => {
      const e: NodeJS.ProcessEnv = { ...process.env, ...env };
      if (!('NO_COLOR' in env)) delete e.NO_COLOR;
      return spawnSync(process.execPath, ['bin/reseller-credits.js', 'evaluate', 'test/fixtures/portfolio/mixed.ndjson'], { encoding: 'utf8', env: e }).stderr;
    };
    expect(run({ FORCE_COLOR: '1' })).toContain('\x1b[31m');
    expect(run({ FORCE_COLOR: '1', NO_COLOR: '1' })).not.toContain('\x1b[');
    expect(run({ FORCE_COLOR: '0' })).not.toContain('\x1b[');
  });
});

describe('the bar text', () => {
  const state = (bytes: number) => ({ records: bytes / 10, errors: 1, bytes });
  it('shows no rate in the first second and no time left before 5% and 3 s', () => {
    expect(renderProgress(state(0), 1000, 0)).toBe(` ${'░'.repeat(20)} 0% | 0 records | 1 errors`);
    expect(renderProgress(state(10), 1000, 10_000)).not.toMatch(/left/); // 1% after 10 s
    expect(renderProgress(state(500), 1000, 2000)).not.toMatch(/left/); // 50% after 2 s
    // 50% after 10 s: 10 s more; 25% after 65 s: 195 s more
    expect(renderProgress(state(500), 1000, 10_000)).toBe(` ${'█'.repeat(10)}${'░'.repeat(10)} 50% | 50 records | 5/s | 1 errors | 10s left`);
    expect(renderProgress(state(250), 1000, 65_000)).toMatch(/ 25% \| 25 records \| 0\/s \| 1 errors \| 3m15s left$/);
    expect(renderProgress(state(1000), 1000, 65_000)).not.toMatch(/left/);
  });

  it('without a known size (a pipe) shows counts only', () => {
    expect(renderProgress({ records: 7, errors: 0, bytes: 900 }, 0, 5000)).toBe(' 7 records | 1/s | 0 errors');
  });

  it('durations', () => {
    expect([0, 1499, 59_000, 61_000, 3_600_000, 7_620_000].map(duration)).toEqual(['1s', '1s', '59s', '1m01s', '1h00m', '2h07m']);
  });
});

describe('the status line', () => {
  const fake = (columns?: number) => {
    const writes: string[] = [];
    let t = 0;
    const line = new StatusLine({ write: (s: string) => writes.push(s), columns }, () => t);
    return { writes, line, tick: (ms: number) => { t += ms; } };
  };

  it('is drawn at start, cleared before other output, drawn again after, cleared at stop', () => {
    const { writes, line, tick } = fake(40);
    let n = 0;
    line.start(() => `bar ${n}`);
    expect(writes).toEqual(['\rbar 0\x1b[K']);
    line.clear();
    expect(writes.at(-1)).toBe(CLEAR_LINE);
    line.clear(); // nothing drawn: nothing to clear
    expect(writes).toHaveLength(2);
    tick(150);
    n = 1;
    line.redraw();
    expect(writes.at(-1)).toBe('\rbar 1\x1b[K');
    line.stop();
    expect(writes.at(-1)).toBe(CLEAR_LINE);
    line.redraw();
    expect(writes.at(-1)).toBe(CLEAR_LINE); // stopped: never drawn again
  });

  it('waits for stdout to end its line before drawing', () => {
    const { writes, line, tick } = fake(40);
    line.start(() => 'bar');
    line.clear();
    line.stdoutEnded(false);
    tick(500);
    line.redraw();
    expect(writes.at(-1)).toBe(CLEAR_LINE);
    line.stdoutEnded(true);
    line.redraw();
    expect(writes.at(-1)).toBe('\rbar\x1b[K');
    line.stop();
  });

  it('never wraps: cut to the terminal width less one', () => {
    const { writes, line } = fake(12);
    line.start(() => 'x'.repeat(50));
    expect(writes[0]).toBe(`\r${'x'.repeat(11)}\x1b[K`);
    line.stop();
    expect(fitWidth('█'.repeat(30), 5)).toBe('█████');
  });
});
