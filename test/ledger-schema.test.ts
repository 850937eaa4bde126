/**
 * Schema version 2 of the ledger (src/ledger/schema.ts) on real SQLite files:
 * what `init` makes, run entries (SPEC §11, §13) written, found by their
 * idempotency key and verified, and a version-1 migration that fails half-way
 * leaving the file exactly as it was (one transaction).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/parse/canonical.js';
import { entryHash, runEntryId, type RunBody } from '../src/ledger/entry.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from '../src/ledger/schema.js';
import { initLedger, loadRules, openLedger, resolveLimits, verifyLedger } from '../src/index.js';
import { tempDir } from './support/temp.js';

const work = tempDir('rc-ledger-schema-');
let n = 0;
const fresh = () => join(work, `${n++}.sqlite`);

describe('ledger init: schema version 2', () => {
  it('has application_id, user_version 3, WAL, the indexes and the append-only triggers, the claims table, and no carried table', () => {
    const f = fresh();
    expect(initLedger(f)).toEqual({ created: true });
    const db = new Database(f, { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const names = (db.prepare("SELECT type || ':' || name AS o FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY 1").all() as { o: string }[]).map((r) => r.o);
    db.close();
    expect(SCHEMA_VERSION).toBe(3);
    expect(names).toEqual([
      'index:claims_period_key', 'index:entries_account_kind', 'index:entries_idempotency', 'index:entries_kind', 'index:entries_period_account',
      'index:entries_period_key', 'index:entries_run', 'table:claims', 'table:entries', 'trigger:claims_no_delete', 'trigger:claims_no_update',
      'trigger:entries_no_delete', 'trigger:entries_no_update',
    ]);
  });
});

describe('run entries', () => {
  const runBody = (runId: string, prev: string, key?: string): RunBody => ({
    id: runEntryId(runId), kind: 'run', runId, period: '2026-11', operator: 'alice',
    inputs: [{ name: 'snapshots/2026-11.ndjson', sha256: 'e'.repeat(64) }], rules: [{ id: '2026-01', sha256: 'f'.repeat(64) }],
    counts: { issued: 0, unchanged: 0, adjusted: 0, errors: 0 }, first: '', last: '', lastHash: prev, headBefore: prev,
    ...(key ? { idempotencyKey: key, requestSha256: 'a'.repeat(64) } : {}),
    programVersion: 'reseller-credits@test', recordedAt: '2026-12-01T00:00:00.000Z', prev,
  });

  it('are appended with a signature beside the hash, found by idempotency key, and verify', async () => {
    const f = fresh();
    initLedger(f);
    const l = openLedger(f);
    l.begin(1);
    const body = runBody('run-1', '0'.repeat(64), 'key-1');
    const text = canonicalJson(body);
    l.appendRun(body, text, entryHash(body.prev, text), { signer: 'alice', signature: 'sig' });
    l.commit();
    const found = l.runByIdempotencyKey('key-1');
    expect(found).toMatchObject({ seq: 1, hash: entryHash(body.prev, text), body: { operator: 'alice', requestSha256: 'a'.repeat(64) } });
    expect(l.runByIdempotencyKey('key-2')).toBeUndefined();
    // the same key twice is refused by the unique index
    l.begin(1);
    const again = runBody('run-2', found!.hash, 'key-1');
    const t2 = canonicalJson(again);
    expect(() => l.appendRun(again, t2, entryHash(again.prev, t2))).toThrow(/UNIQUE constraint failed: entries.idempotency_key/);
    l.rollback();
    const report = await verifyLedger(l, loadRules('rules'), resolveLimits());
    expect(report.problems).toEqual([]);
    expect(report.entries).toBe(1);
    l.close();
    const db = new Database(f, { readonly: true });
    expect(db.prepare('SELECT signer, signature, operator, inputs_sha256 AS inputs FROM entries').get())
      .toEqual({ signer: 'alice', signature: 'sig', operator: 'alice', inputs: canonicalJson(body.inputs) });
    db.close();
  });

  it('a run entry whose id is not sha256("run|" + runId) is named by verify', async () => {
    const f = fresh();
    initLedger(f);
    const l = openLedger(f);
    l.begin(1);
    const body = { ...runBody('run-1', '0'.repeat(64)), id: runEntryId('run-9') };
    const text = canonicalJson(body);
    l.appendRun(body, text, entryHash(body.prev, text));
    l.commit();
    const report = await verifyLedger(l, loadRules('rules'), resolveLimits());
    l.close();
    expect(report.problems.map((p) => p.message)).toEqual([`entry #1 (${runEntryId('run-9')}): ids broken: its id is not sha256("run|" + runId)`]);
  });
});

describe('migrating a version-1 ledger is one transaction', () => {
  it('a migration that fails half-way (a row version 2 refuses) leaves the file byte for byte as it was', async () => {
    const f = fresh();
    const db = new Database(f);
    db.pragma('journal_mode = WAL'); // as the first round's program left its ledgers
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    // an adjustment without an amount: version 1 accepted it, version 2's CHECK does not
    db.prepare(`INSERT INTO entries (id, kind, account, period, n, rules_sha256, snapshot_sha256, credit, amount, statement, body, prev, hash)
      VALUES ('x', 'adjustment', 'R-1', '2026-10', 1, 'r', 's', '1.00', NULL, NULL, '{"runId":"r"}', '${'0'.repeat(64)}', 'h')`).run();
    db.close();
    const before = readFileSync(f);
    const l = openLedger(f);
    expect(() => l.begin(1)).toThrow(/CHECK constraint failed/);
    l.close();
    expect(readFileSync(f).equals(before)).toBe(true);
    const after = new Database(f, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(1);
    expect(after.prepare("SELECT COUNT(*) AS n FROM sqlite_schema WHERE name = 'carried'").get()).toEqual({ n: 1 });
    after.close();
  });
});
