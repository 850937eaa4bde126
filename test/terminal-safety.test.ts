/**
 * SPEC §5 "Output that a terminal shows is safe": control characters that come
 * from input (account ids, service ids, case names, rule set text, file names,
 * command-line values) are shown escaped in every human-readable output and
 * message, so input can neither move the cursor, set the window title nor
 * forge a report line. JSON stays JSON; CSV text cells are escaped too and
 * keep their formula guard. The hostile inputs are files under
 * test/fixtures/terminal/.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/temp.js';
import { runCli } from './support/run-cli.js';

const F = 'test/fixtures/terminal';
const HOSTILE = `${F}/hostile-accounts.ndjson`;

/** The CLI in this process (test/support/run-cli.ts), without colours. */
const cli = (...args: string[]) => runCli(args, { env: { FORCE_COLOR: undefined } });

// any control character but the newline that ends our own lines (colours are off)
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const noRawControls = (text: string) => {
  const at = text.search(RAW_CONTROL);
  expect(at, `raw control character at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}`).toBe(-1);
};
const FORGED = /^Credit = 20% × \$1\.00 = \$1000000\.00/m;

describe('text output and messages escape control characters from input', () => {
  it('evaluate text: accounts with ESC/OSC sequences and a newline are refused (SPEC §4) and shown escaped; no line is forged', async () => {
    const r = await cli('evaluate', HOSTILE);
    expect(r.status).toBe(1);
    noRawControls(r.stdout);
    noRawControls(r.stderr);
    expect(r.stdout).not.toMatch(FORGED);
    expect(r.stdout).toContain('ERROR (A\\x1b[2J\\x1b[H): test/fixtures/terminal/hostile-accounts.ndjson:1:330: account: "A\\x1b[2J\\x1b[H" holds a control character (U+001B ESCAPE)');
    expect(r.stdout).toContain('ERROR (T\\x1b]0;owned\\x07): ');
    expect(r.stdout).toContain('ERROR (F\\nCredit = 20% × $1.00 = $1000000.00): test/fixtures/terminal/hostile-accounts.ndjson:3:330: account: "F\\nCredit = 20% × $1.00 = $1000000.00" holds a control character (U+000A LINE FEED)');
    // the unknown service id in the error line on stderr and in the text error record
    expect(r.stderr).toContain('service "x\\x1b[31mevil\\x1b]0;t\\x07" is not in rule set 2026-01');
    expect(r.stdout).toContain('ERROR (S-1): ');
    expect(r.stderr).toContain('5 record(s): 0 evaluated, 5 error(s)');
  });

  it('evaluate json keeps the exact text (JSON escapes it itself)', async () => {
    const r = await cli('evaluate', '--format', 'json', HOSTILE);
    noRawControls(r.stdout);
    const a = JSON.parse(r.stdout) as { account: string; error?: { message: string } }[];
    expect(a.map((o) => o.account)).toEqual(['A\x1b[2J\x1b[H', 'T\x1b]0;owned\x07', 'F\nCredit = 20% × $1.00 = $1000000.00', '=HYPERLINK("x")\x1b[31m', 'S-1']);
  });

  it('evaluate csv escapes controls in text cells and keeps the formula guard', async () => {
    const r = await cli('evaluate', '--format', 'csv', HOSTILE);
    noRawControls(r.stdout);
    const rows = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x.account)).toEqual(['A\\x1b[2J\\x1b[H', 'T\\x1b]0;owned\\x07', 'F\\nCredit = 20% × $1.00 = $1000000.00', '\'=HYPERLINK("x")\\x1b[31m', 'S-1']);
    expect(rows[4]!.error).toContain('service "x\\x1b[31mevil\\x1b]0;t\\x07"');
  });

  it('whatif text tables and csv are escaped', async () => {
    const text = await cli('whatif', '--baseline', '2026-01', '--candidate', `${F}/2099-01.yaml`, HOSTILE);
    noRawControls(text.stdout);
    noRawControls(text.stderr);
    const csv = await cli('whatif', '--baseline', '2026-01', '--candidate', `${F}/2099-01.yaml`, '--format', 'csv', HOSTILE);
    noRawControls(csv.stdout);
    noRawControls(csv.stderr);
    const rows = parseCsv(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(rows[0]!.account).toBe('A\\x1b[2J\\x1b[H');
  });

  it('whatif text: hostile accounts are error records (SPEC §4), escaped, never among the movers', async () => {
    // a candidate that changes every credit: a hostile account can no longer reach the movers table
    const r = await cli('whatif', '--baseline', '2026-01', '--candidate', 'test/fixtures/terminal/2099-02.yaml', HOSTILE);
    noRawControls(r.stdout);
    noRawControls(r.stderr);
    expect(r.stderr).toContain('hostile-accounts.ndjson:1:330: account: "A\\x1b[2J\\x1b[H" holds a control character (U+001B ESCAPE)');
    expect(r.stdout).toContain('No account changes credit.');
    expect(r.stdout).not.toMatch(FORGED);
  });

  it('diff text escapes a service name with a title sequence', async () => {
    const r = await cli('diff', '2026-01', `${F}/2099-01.yaml`);
    expect(r.status).toBe(0);
    noRawControls(r.stdout);
    expect(r.stdout).toContain('mailer is now called "Mailer \\x1b]0;pwned\\x07 \\x1b[2J"');
  });

  it('a case report escapes the case name and cannot forge an "ok" line', async () => {
    const r = await cli('test', `${F}/cases`);
    expect(r.status).toBe(1);
    noRawControls(r.stdout);
    noRawControls(r.stderr);
    expect(r.stdout).toContain('(evil \\x1b[2J\\x1b[H case\\nok     forged-pass.yaml)');
    expect(r.stdout).not.toMatch(/^ok /m);
  });

  it('a file name with ESC is escaped in error headers', async () => {
    const dir = tempDir();
    const evil = join(dir, 'bad\x1b[2J\x1b]0;t\x07.yaml');
    copyFileSync(`${F}/unknown-service.yaml`, evil);
    const r = await cli('evaluate', evil);
    expect(r.status).toBe(1);
    noRawControls(r.stderr);
    noRawControls(r.stdout);
    expect(r.stderr).toContain(`${dir}/bad\\x1b[2J\\x1b]0;t\\x07.yaml:`);
    expect(r.stderr).toContain('account: "U-\\x1b[2J1" holds a control character (U+001B ESCAPE)');
    expect(r.stdout).toContain('ERROR (U-\\x1b[2J1): ');
  });

  it('command-line values echoed in usage errors are escaped', async () => {
    for (const args of [
      ['evaluate', '--format', 'x\x1b[2J', 'examples/seed-px2.yaml'],
      ['evaluate', '--rules-version', 'v\x1b]0;t\x07', 'examples/seed-px2.yaml'],
      ['evaluate', '--bogus\x1b[2J', 'examples/seed-px2.yaml'],
      ['validate', '--rules-dir', 'no\x1b[2Jsuch'],
    ]) {
      const r = await cli(...args);
      expect(r.status).toBe(2);
      noRawControls(r.stderr);
      expect(r.stderr).toMatch(/\\x1b/);
    }
  });
});
