/**
 * `ledger export --target` and `ledger pending` as an operator runs them
 * (the CLI in this process; real SQLite ledgers in temp folders): golden
 * files of the example portfolio per target, the sum of each export equal to
 * the generic export's net credits, the repeat refused and recorded, a
 * correction carried into the next month's export, unmapped accounts and
 * broken mappings.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { parse as parseCsv } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { snap, writeNdjson } from './support/ledger.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';
import { HOSTILE_ACCOUNTS, ISSUABLE_HOSTILE_ACCOUNTS, REFUSED_AT_ISSUE, errorCodes } from './support/export-statements.js';
import { initLedger } from '../src/ledger/store.js';

const ROOT = resolve('.');
const MAPPING = join(ROOT, 'test/fixtures/exports/mapping.yaml');
const GOLDEN = (t: string) => join(ROOT, `test/fixtures/exports/portfolio.${t}.${t === 'xero' ? 'csv' : 'ndjson'}`);
const TEST_RUN = 'run-2026-11@2026-12-01T09:30:00.000Z';
const work = tempDir('rc-ledger-export-');
let n = 0;
// a ledger is made once with `ledger init` (issue never makes one)
const fresh = (name: string) => { const p = join(work, `${n++}-${name}`); if (name.endsWith('.sqlite')) initLedger(p); return p; };
const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--rules-dir', join(ROOT, 'rules'), ...args], { env: { RESELLER_CREDITS_TEST_RUN: TEST_RUN, ...env } });
const D = Decimal.clone({ precision: 60 });

async function portfolioLedger(): Promise<string> {
  const ledger = fresh('portfolio.sqlite');
  const r = await cli(['issue', '--period', '2026-11', '--ledger', ledger, join(ROOT, 'examples/portfolio.ndjson')]);
  expect(r.status, r.stderr).toBe(0);
  return ledger;
}
const exportsRecorded = (ledger: string) => {
  const db = new Database(ledger, { readonly: true });
  try { return db.prepare('SELECT target, records, again, file_sha256 AS sha FROM exports ORDER BY seq').all() as { target: string; records: number; again: number; sha: string }[]; } finally { db.close(); }
};

describe('the example portfolio, one command per system', () => {
  it.each(['stripe', 'killbill', 'xero', 'quickbooks'])('%s: the golden file, byte for byte; 4 zero rows counted; recorded with the file\'s sha256', async (t) => {
    const ledger = await portfolioLedger();
    const file = fresh(`out.${t}`);
    const r = await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--target', t, '--mapping', MAPPING, '--out', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(GOLDEN(t), 'utf8'));
    expect(r.stderr).toContain(`8 record(s) for ${t}, net credit 986.41; 4 statement(s) with net credit 0 left out`);
    const sha = (await import('node:crypto')).createHash('sha256').update(readFileSync(file)).digest('hex');
    expect(exportsRecorded(ledger)).toEqual([{ target: t, records: 8, again: 0, sha }]);
  });

  it('Σ of every target\'s amounts = Σ (credit + adjustments total) of the generic export', async () => {
    const ledger = await portfolioLedger();
    const generic = parseCsv((await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11'])).stdout, { columns: true }) as Record<string, string>[];
    const net = generic.reduce((s, g) => s.plus(g.credit!).plus(g.adjustmentsTotal!), new D(0));
    const stripe = readFileSync(GOLDEN('stripe'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).body.amount as number);
    expect(new D(-stripe.reduce((a, b) => a + b, 0)).div(100).toFixed(2)).toBe(net.toFixed(2));
    const kb = [...readFileSync(GOLDEN('killbill'), 'utf8').matchAll(/"amount":([0-9.]+)/g)].map((m) => m[1]!);
    expect(kb.reduce((s, a) => s.plus(a), new D(0)).toFixed(2)).toBe(net.toFixed(2));
    const xr = parseCsv(readFileSync(GOLDEN('xero'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(xr.reduce((s, r) => s.plus(r['*UnitAmount']!), new D(0)).toFixed(2)).toBe(net.toFixed(2));
    expect(net.toFixed(2)).toBe('986.41');
  });
});

describe('a repeat', () => {
  it('is refused without --again (exit 2, nothing written); --again writes and is recorded; --only-new writes the rest only', async () => {
    const ledger = await portfolioLedger();
    const args = ['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--target', 'xero', '--mapping', MAPPING];
    expect((await cli(args)).status).toBe(0);
    const out = fresh('again.csv');
    const again = await cli([...args, '--out', out]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/8 of the 8 statement\(s\) of 2026-11 were exported to xero before \(export #1 on 2026-12-01T09:30:00\.000Z, file sha256 [0-9a-f]{64}\); importing them again would post them twice: nothing was written/);
    expect(existsSync(out)).toBe(false);
    expect(again.stdout).toBe('');
    // another target is another system: not a repeat
    expect((await cli([...args.slice(0, -4), '--target', 'stripe', '--mapping', MAPPING])).status).toBe(0);
    expect((await cli([...args, '--again', '--out', out])).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(GOLDEN('xero'), 'utf8'));
    const onlyNew = await cli([...args, '--only-new']);
    expect(onlyNew.status).toBe(0);
    expect(onlyNew.stdout).toBe(`${readFileSync(GOLDEN('xero'), 'utf8').split('\n')[0]}\n`);
    expect(onlyNew.stderr).toContain('0 record(s) for xero');
    expect(onlyNew.stderr).toContain('8 exported before and skipped (--only-new)');
    expect(exportsRecorded(ledger).map((e) => [e.target, e.records, e.again])).toEqual([['xero', 8, 0], ['stripe', 8, 0], ['xero', 8, 1]]);
  });
});

describe('corrections and pending adjustments', () => {
  it('an October correction is pending, then carried by November\'s statement and posted in November\'s export', async () => {
    const ledger = fresh('carry.sqlite');
    const file = (name: string, snaps: object[]) => writeNdjson(work, `${n++}-${name}.ndjson`, snaps);
    const map = fresh('map.yaml');
    writeFileSync(map, 'schemaVersion: 1\naccounts:\n  R-1: { stripe: cus_R1, quickbooks: "7" }\nquickbooks: { itemId: "42" }\n');
    expect((await cli(['issue', '--period', '2026-10', '--ledger', ledger, file('oct', [snap('R-1', '2026-10', 25)])])).status).toBe(0);
    // October corrected: 30 users → credit 12.00 instead of 10.00: +2.00
    expect((await cli(['issue', '--period', '2026-10', '--ledger', ledger, file('oct2', [snap('R-1', '2026-10', 30)])])).status).toBe(0);
    const pending = await cli(['ledger', 'pending', '--ledger', ledger]);
    expect(pending.stdout).toMatch(/^R-1 adjustment for 2026-10: \+\$2\.00, snapshot corrected after issue \(entry [0-9a-f]{64}, recorded 2026-12-01T09:30:00\.000Z\); not carried by any statement\n1 pending adjustment\(s\), total \+\$2\.00\n$/);
    const pj = JSON.parse((await cli(['ledger', 'pending', '--ledger', ledger, '--format', 'json'])).stdout);
    expect(pj).toMatchObject([{ account: 'R-1', origin: '2026-10', amount: '2.00', currency: 'USD', reason: 'snapshot changed' }]);
    const pc = parseCsv((await cli(['ledger', 'pending', '--ledger', ledger, '--format', 'csv'])).stdout, { columns: true });
    expect(pc).toEqual([{ account: 'R-1', origin: '2026-10', amount: '2.00', currency: 'USD', reason: 'snapshot changed', entry: pj[0].entry, recordedAt: '2026-12-01T09:30:00.000Z' }]);
    // October's export is as issued: the correction rides on the next statement
    const oct = await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-10', '--target', 'stripe', '--mapping', map]);
    expect(JSON.parse(oct.stdout).body.amount).toBe(-1000);
    expect((await cli(['issue', '--period', '2026-11', '--ledger', ledger, file('nov', [snap('R-1', '2026-11', 25)])])).status).toBe(0);
    const nov = await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--target', 'quickbooks', '--mapping', map]);
    expect(nov.status, nov.stderr).toBe(0);
    expect(nov.stdout).toContain('"Amount":12.00,');
    expect(JSON.parse(nov.stdout).Line[0].Description).toBe('Reseller credit 2026-11 incl. adjustments for 2026-10');
    expect((await cli(['ledger', 'pending', '--ledger', ledger])).stdout).toBe('0 pending adjustment(s), total none\n');
    expect((await cli(['ledger', 'pending', '--ledger', ledger, '--format', 'csv'])).stdout).toBe('account,origin,amount,currency,reason,entry,recordedAt\n');
  });
});

describe('what the operator can get wrong', () => {
  it('an account missing from the mapping is an error record naming it (exit 1); the rest are written', async () => {
    const ledger = await portfolioLedger();
    const map = fresh('partial.yaml');
    writeFileSync(map, readFileSync(MAPPING, 'utf8').replace(/^ {2}P-001:.*\n/m, ''));
    const r = await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--target', 'stripe', '--mapping', map]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/stripe: statement 2026-11 \(entry [0-9a-f]{64}\) not exported: the mapping has no stripe id for this account/);
    expect(r.stdout.trim().split('\n')).toHaveLength(7);
    expect(r.stdout).not.toContain('P-001');
  });

  it.each([
    ['no --mapping', [], /--target stripe needs --mapping FILE/],
    ['a mapping that does not exist', ['--mapping', '/nonexistent/map.yaml'], /map\.yaml: no such mapping file/],
    ['--format with --target', ['--mapping', MAPPING, '--format', 'json'], /--format is for the generic export/],
  ])('%s: exit 2', async (_n, extra, msg) => {
    const ledger = await portfolioLedger();
    const r = await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--target', 'stripe', ...extra]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stdout).toBe('');
  });

  it('a broken mapping: every problem positioned, exit 2', async () => {
    const ledger = await portfolioLedger();
    const map = fresh('bad.yaml');
    writeFileSync(map, 'schemaVersion: 1\naccounts:\n  P-001: { stripe: acct_9 }\n  P-002: { killbill: nope }\n');
    const r = await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--target', 'stripe', '--mapping', map]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:3:\d+: accounts\.P-001\.stripe: "acct_9" has the wrong form \(expected a Stripe customer id/);
    expect(r.stderr).toMatch(/bad\.yaml:4:\d+: accounts\.P-002\.killbill: "nope" has the wrong form \(expected a Kill Bill account id/);
  });

  it('--mapping without --target is refused; a missing ledger is never created', async () => {
    const ledger = join(work, `${n++}-none.sqlite`); // not made: fresh() would init a .sqlite
    expect((await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--mapping', MAPPING])).stderr).toContain('--mapping needs --target');
    const r = await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--target', 'xero', '--mapping', MAPPING]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no such ledger');
    expect(existsSync(ledger)).toBe(false);
  });

  it('hostile account ids issued and exported: exact in Stripe metadata, never two alike; the ids issue 19 refuses are error records', async () => {
    const ledger = fresh('hostile.sqlite');
    const accounts = ISSUABLE_HOSTILE_ACCOUNTS;
    const refused = Object.keys(REFUSED_AT_ISSUE);
    const issued = await cli(['issue', '--period', '2026-11', '--ledger', ledger, '--format', 'ndjson', writeNdjson(work, `${n++}-h.ndjson`, HOSTILE_ACCOUNTS.map((a) => snap(a, '2026-11', 25)))]);
    expect(issued.status).toBe(1);
    expect(issued.stderr).toContain(`${accounts.length} issued, 0 unchanged, 0 adjusted, ${refused.length} error(s)`);
    expect(errorCodes(issued.stdout)).toEqual(REFUSED_AT_ISSUE);
    const map = fresh('hostile.json');
    writeFileSync(map, JSON.stringify({ schemaVersion: 1, accounts: Object.fromEntries(accounts.map((a, i) => [a, { stripe: `cus_H${i}` }])) }));
    const r = await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--target', 'stripe', '--mapping', map]);
    expect(r.status, r.stderr).toBe(0);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l).body.metadata.account as string);
    expect(got.sort()).toEqual([...accounts].sort());
  });
});
