/**
 * The export record (src/ledger/export-log.ts: tables `exports`,
 * `export_entries`, counter `export_schema`, migration `exports-001`) lives
 * beside the ledger's own schema (src/ledger/schema.ts). A ledger holding it
 * must still be a ledger to every command: a version-2 ledger with exports
 * recorded, and a version-1 ledger to which an earlier build of the export
 * work added the record (the schema check compares a legacy file's objects
 * exactly, so it has to know the export record's objects). Real SQLite files,
 * the CLI in this process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, classify } from '../src/ledger/schema.js';
import { migrateExportLog, recordExport } from '../src/ledger/export-log.js';
import { initLedger } from '../src/ledger/store.js';
import { snap, writeNdjson } from './support/ledger.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const ROOT = resolve('.');
const MAPPING = join(ROOT, 'test/fixtures/exports/mapping.yaml');
const work = tempDir('rc-ledger-export-schema-');
let n = 0;
const path = (name: string) => join(work, `${n++}-${name}`);
const cli = (args: string[]) => runCli(['--rules-dir', join(ROOT, 'rules'), ...args], { env: { RESELLER_CREDITS_TEST_RUN: 'run-2026-11@2026-12-01T09:30:00.000Z' } });
const objects = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      app: db.pragma('application_id', { simple: true }) as number,
      kind: classify(db),
      recorded: (db.prepare("SELECT COUNT(*) AS n FROM sqlite_schema WHERE name = 'exports'").get() as { n: number }).n
        ? db.prepare('SELECT target, records FROM exports ORDER BY seq').all() : [],
      entries: db.prepare('SELECT seq, body, hash FROM entries ORDER BY seq').all(),
    };
  } finally { db.close(); }
};

/** A version-2 ledger with the example portfolio issued for 2026-11 and exported to Stripe (recorded). */
async function exportedLedger(): Promise<string> {
  const ledger = path('v2.sqlite');
  initLedger(ledger);
  expect((await cli(['issue', '--period', '2026-11', '--ledger', ledger, join(ROOT, 'examples/portfolio.ndjson')])).status).toBe(0);
  const r = await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--target', 'stripe', '--mapping', MAPPING, '--out', path('stripe.ndjson')]);
  expect(r.status, r.stderr).toBe(0);
  expect(objects(ledger).recorded).toEqual([{ target: 'stripe', records: 8 }]);
  return ledger;
}

/** Every command on `ledger`, each must open it as a ledger: exit 0, and no "not a ledger". */
async function everyCommand(ledger: string): Promise<void> {
  const runs: [string, string[], number][] = [
    ['ledger init', ['ledger', 'init', ledger], 0],
    ['ledger show', ['ledger', 'show', '--ledger', ledger, '--format', 'json'], 0],
    ['ledger export (generic)', ['ledger', 'export', '--ledger', ledger, '--period', '2026-11'], 0],
    ['ledger pending', ['ledger', 'pending', '--ledger', ledger], 0],
    ['ledger statement', ['ledger', 'statement', 'P-001', '2026-11', '--ledger', ledger], 0],
    ['ledger statements', ['ledger', 'statements', '--period', '2026-11', '--ledger', ledger, '--out', path('statements'), '--formats', 'text'], 0],
    ['ledger replay', ['ledger', 'replay', 'P-001', '2026-11', '--ledger', ledger], 0],
    ['issue --dry-run', ['issue', '--period', '2026-11', '--ledger', ledger, '--dry-run', join(ROOT, 'examples/portfolio.ndjson')], 0],
  ];
  for (const [name, args, status] of runs) {
    const r = await cli(args);
    expect(r.stderr, name).not.toMatch(/not a ledger|LEDGER_UNUSABLE|^\s+at /m);
    expect(r.status, `${name}: ${r.stderr}`).toBe(status);
  }
}

describe('a ledger of the current schema with exports recorded', () => {
  it('opens in every command; a repeat export is refused from the record; a re-run issue changes nothing; ledger verify passes', async () => {
    const ledger = await exportedLedger();
    const before = objects(ledger);
    expect(before.kind).toEqual({ kind: 'ledger', version: SCHEMA_VERSION, legacy: false });
    await everyCommand(ledger);
    const repeat = await cli(['ledger', 'export', '--ledger', ledger, '--period', '2026-11', '--target', 'stripe', '--mapping', MAPPING]);
    expect(repeat.status).toBe(2);
    expect(repeat.stderr).toContain('8 of the 8 statement(s) of 2026-11 were exported to stripe before (export #1');
    const again = await cli(['issue', '--period', '2026-11', '--ledger', ledger, join(ROOT, 'examples/portfolio.ndjson')]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('0 issued, 12 unchanged, 0 adjusted, 0 error(s)');
    const v = await cli(['ledger', 'verify', '--ledger', ledger]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/(\d+) entries verified, 0 problem\(s\)/);
    const after = objects(ledger);
    expect(after.recorded).toEqual(before.recorded);
    // every entry is kept byte for byte
    expect(after.entries.slice(0, before.entries.length)).toEqual(before.entries);
  });
});

/** A version-1 ledger (the first round's schema) holding the rows of `v2`, with the export record added and one export recorded. */
function asVersion1WithExports(v2: string): string {
  const file = path('v1.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(MIGRATIONS[0]!);
  db.pragma('user_version = 1');
  const src = new Database(v2, { readonly: true });
  // version 1 has no run entries
  const rows = src.prepare("SELECT seq, id, kind, account, period, n, rules_sha256, snapshot_sha256, credit, amount, statement, body, prev, hash FROM entries WHERE kind <> 'run' ORDER BY seq").all();
  src.close();
  const ins = db.prepare('INSERT INTO entries VALUES (@seq, @id, @kind, @account, @period, @n, @rules_sha256, @snapshot_sha256, @credit, @amount, @statement, @body, @prev, @hash)');
  const issued: string[] = [];
  for (const r of rows as { id: string; kind: string }[]) { ins.run(r); if (r.kind === 'issue') issued.push(r.id); }
  db.transaction(() => {
    migrateExportLog(db);
    recordExport(db, { period: '2026-11', target: 'xero', fileSha256: 'a'.repeat(64), records: 2, total: '1.00', again: false, recordedAt: '2026-12-01T10:00:00.000Z', programVersion: 'reseller-credits@0.1.0', entries: issued.slice(0, 2) });
  })();
  db.close();
  return file;
}

describe('a version-1 ledger holding the export record', () => {
  it('is a legacy ledger, not a foreign file: read commands read it unchanged, verify passes, a repeat export is refused; the next issue migrates it keeping the record', async () => {
    // the first round's ledgers had no run entries: issue version 2's portfolio ledger, then copy its issue entries
    const v2 = path('src.sqlite');
    initLedger(v2);
    const input = writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25), snap('R-2', '2026-11', 130)]);
    expect((await cli(['issue', '--period', '2026-11', '--ledger', v2, input])).status).toBe(0);
    const v1 = asVersion1WithExports(v2);
    const was = objects(v1);
    expect(was.kind).toEqual({ kind: 'ledger', version: 1, legacy: true });
    expect(was.entries).toHaveLength(2);
    const bytes = readFileSync(v1);
    for (const args of [['ledger', 'show', '--ledger', v1], ['ledger', 'verify', '--ledger', v1], ['ledger', 'replay', 'R-2', '2026-11', '--ledger', v1], ['ledger', 'pending', '--ledger', v1]]) {
      const r = await cli(args);
      expect(r.stderr, args.join(' ')).not.toMatch(/not a ledger|^\s+at /m);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect((await cli(['ledger', 'verify', '--ledger', v1])).stdout).toContain('2 entries verified, 0 problem(s)');
    expect(readFileSync(v1).equals(bytes)).toBe(true);
    const mapping = path('m.json');
    writeFileSync(mapping, JSON.stringify({ schemaVersion: 1, accounts: { 'R-1': { xero: 'R One' }, 'R-2': { xero: 'R Two' } }, xero: { accountCode: '200', taxType: 'Tax Exempt' } }));
    const repeat = await cli(['ledger', 'export', '--ledger', v1, '--period', '2026-11', '--target', 'xero', '--mapping', mapping]);
    expect(repeat.status, repeat.stderr).toBe(2);
    expect(repeat.stderr).toContain('2 of the 2 statement(s) of 2026-11 were exported to xero before (export #1 on 2026-12-01T10:00:00.000Z');
    expect(readFileSync(v1).equals(bytes)).toBe(true);
    expect(objects(v1)).toMatchObject({ version: 1, app: 0, recorded: [{ target: 'xero', records: 2 }] });
    // the issue migrates the file (the current version, application_id), every entry and hash and the export record kept
    const r = await cli(['issue', '--period', '2026-11', '--ledger', v1, input]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('0 issued, 2 unchanged, 0 adjusted, 0 error(s)');
    const now = objects(v1);
    expect(now).toMatchObject({ version: SCHEMA_VERSION, app: APPLICATION_ID, kind: { kind: 'ledger', version: SCHEMA_VERSION, legacy: false } });
    expect(now.entries.slice(0, 2)).toEqual(was.entries);
    expect(now.recorded).toEqual([{ target: 'xero', records: 2 }]);
    const v = await cli(['ledger', 'verify', '--ledger', v1]);
    expect(v.status, v.stdout).toBe(0);
    expect(v.stdout).toContain('2 entries verified, 0 problem(s)'); // a run that changes nothing appends nothing
  });
});
