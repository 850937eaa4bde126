/**
 * The CSV formula guard (issue 19): reversible and never making two values
 * equal where a spreadsheet reads the file (evaluate --format csv), and no
 * guard at all in the machine export invoicing reads (ledger export), whose
 * account ids stay exact. Payloads: test/fixtures/csv/formula-payloads.yaml.
 */
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { csvText, csvTextUnguarded } from '../src/text/csv-cell.js';
import { snap, writeNdjson } from './support/ledger.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const PAYLOADS = parse(readFileSync('test/fixtures/csv/formula-payloads.yaml', 'utf8')) as string[];

describe('csvText', () => {
  it('gives every payload a cell no spreadsheet runs, distinct from every other, that reverses to the value', () => {
    const cells = PAYLOADS.map(csvText);
    for (const c of cells) expect(c).not.toMatch(/^[=+\-@\t\r]/);
    expect(new Set(cells).size).toBe(PAYLOADS.length);
    expect(cells.map(csvTextUnguarded)).toEqual(PAYLOADS);
    expect(csvText('=ACME-1')).toBe("'=ACME-1");
    expect(csvText("'=ACME-1")).toBe("''=ACME-1");
    expect(csvText('ACME-4')).toBe('ACME-4');
  });
});

describe('where the files go', () => {
  const work = tempDir('rc-csv-guard-');
  const ids = ['=ACME-1', "'=ACME-1", '@SUM(A1:A9)', 'ACME-4'];
  const portfolio = writeNdjson(work, 'p.ndjson', ids.map((id) => snap(id, '2026-11', 25)));

  it('evaluate --format csv (a spreadsheet): guarded, distinct, reversible', async () => {
    const r = await runCli(['evaluate', '--format', 'csv', portfolio]);
    expect(r.status).toBe(0);
    const rows = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x.account)).toEqual(["'=ACME-1", "''=ACME-1", "'@SUM(A1:A9)", 'ACME-4']);
    expect(rows.map((x) => csvTextUnguarded(x.account!))).toEqual(ids);
  });

  it('ledger export --format csv (invoicing): the account ids exactly as issued', async () => {
    const ledger = `${work}/ledger.sqlite`;
    expect((await runCli(['ledger', 'init', ledger])).status).toBe(0); // issue needs a ledger made once (ledger init)
    expect((await runCli(['issue', '--period', '2026-11', '--ledger', ledger, portfolio])).status).toBe(0);
    const r = await runCli(['ledger', 'export', '--period', '2026-11', '--format', 'csv', '--ledger', ledger]);
    expect(r.status).toBe(0);
    const rows = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x.account).sort()).toEqual([...ids].sort());
  });
});
