/**
 * The ledger's schema, versioned in SQLite's `user_version` and marked as
 * this program's with `application_id` (SPEC §9 Storage). Migrations are
 * numbered and applied in order inside the caller's one transaction; the
 * version reached is recorded in `user_version` in that same transaction, so
 * a migration killed half-way leaves the file as it was.
 *
 * Version 1 is the first round's schema (kept byte for byte so a version-1
 * ledger is recognised exactly). Version 2, designed once for this round:
 * - `run` entries (SPEC §11, §13): the operator, the inputs' sha256, the
 *   idempotency key of the service and its request body's sha256, and a
 *   signature and signer stored *beside* the hashed body (nullable: unsigned
 *   runs, and runs before the signatures issue);
 * - the account key of SPEC §4 stored and indexed;
 * - no `carried` table: which statement carries an adjustment is read from
 *   the hashed statements (SPEC §9 Integrity), never from a side table.
 */
import type Database from 'better-sqlite3';
import { ledgerAccountKey } from './account-key.js';
import { EXPORT_MIGRATIONS } from './export-log.js';

/** The schema version this program writes. */
export const SCHEMA_VERSION = 3;

/** SQLite's `application_id` of a ledger: "RCLG" (reseller-credits ledger). */
export const APPLICATION_ID = 0x52434c47;

const APPEND_ONLY = (table: string) => `
  CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
  CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;`;

/** MIGRATIONS[k] takes the schema from version k to k + 1. */
export const MIGRATIONS: readonly string[] = [
  // 001-entries: the first round's ledger
  `CREATE TABLE entries (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     kind TEXT NOT NULL CHECK (kind IN ('issue', 'adjustment')),
     account TEXT NOT NULL,
     period TEXT NOT NULL,
     n INTEGER NOT NULL,
     rules_sha256 TEXT NOT NULL,
     snapshot_sha256 TEXT NOT NULL,
     credit TEXT NOT NULL,
     amount TEXT,
     statement TEXT,
     body TEXT NOT NULL,
     prev TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE
   );
   CREATE INDEX entries_period_account ON entries (period, account, seq);
   CREATE INDEX entries_pending ON entries (kind, account, period);
   CREATE TABLE carried (
     adjustment TEXT PRIMARY KEY,
     issue TEXT NOT NULL
   );
   ${APPEND_ONLY('entries')}
   ${APPEND_ONLY('carried')}`,
  // 002-runs-keys: run entries, account keys, carry-over from the chain only
  `DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;
   DROP TRIGGER carried_no_update; DROP TRIGGER carried_no_delete;
   CREATE TABLE entries_v2 (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     kind TEXT NOT NULL CHECK (kind IN ('issue', 'adjustment', 'run')),
     account TEXT,
     account_key TEXT,
     period TEXT NOT NULL,
     n INTEGER,
     rules_sha256 TEXT,
     snapshot_sha256 TEXT,
     credit TEXT,
     amount TEXT,
     statement TEXT,
     run_id TEXT NOT NULL,
     operator TEXT,
     inputs_sha256 TEXT,
     idempotency_key TEXT,
     request_sha256 TEXT,
     signer TEXT,
     signature TEXT,
     body TEXT NOT NULL,
     prev TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     CHECK (kind = 'run' OR (account IS NOT NULL AND account_key IS NOT NULL AND n IS NOT NULL
       AND rules_sha256 IS NOT NULL AND snapshot_sha256 IS NOT NULL AND credit IS NOT NULL)),
     CHECK (kind <> 'adjustment' OR amount IS NOT NULL),
     CHECK (kind <> 'issue' OR statement IS NOT NULL)
   );
   INSERT INTO entries_v2 (seq, id, kind, account, account_key, period, n, rules_sha256, snapshot_sha256,
       credit, amount, statement, run_id, body, prev, hash)
     SELECT seq, id, kind, account, rc_account_key(account), period, n, rules_sha256, snapshot_sha256,
       credit, amount, statement, json_extract(body, '$.runId'), body, prev, hash FROM entries ORDER BY seq;
   DROP TABLE carried;
   DROP TABLE entries;
   ALTER TABLE entries_v2 RENAME TO entries;
   CREATE INDEX entries_period_account ON entries (period, account, seq);
   CREATE INDEX entries_period_key ON entries (period, account_key, seq);
   CREATE INDEX entries_account_kind ON entries (account, kind, seq);
   CREATE INDEX entries_kind ON entries (kind, seq);
   CREATE INDEX entries_run ON entries (run_id);
   CREATE UNIQUE INDEX entries_idempotency ON entries (idempotency_key) WHERE idempotency_key IS NOT NULL;
   ${APPEND_ONLY('entries')}`,
  // 003-claims: the managed and referred accounts each credit entry's snapshot claims (SPEC §4, against the ledger),
  // by key, filled for the entries already there from their hashed snapshots
  `CREATE TABLE claims (
     seq INTEGER NOT NULL,
     period TEXT NOT NULL,
     account TEXT NOT NULL,
     account_key TEXT NOT NULL,
     reseller_key TEXT NOT NULL
   );
   CREATE INDEX claims_period_key ON claims (period, account_key, seq);
   INSERT INTO claims (seq, period, account, account_key, reseller_key)
     SELECT e.seq, e.period, json_extract(j.value, '$.account'), rc_account_key(json_extract(j.value, '$.account')), e.account_key
       FROM entries e, json_each(e.body, '$.snapshot.managedAccounts') j
       WHERE e.kind <> 'run' AND json_valid(e.body) AND json_type(j.value, '$.account') = 'text'
     UNION ALL
     SELECT e.seq, e.period, json_extract(j.value, '$.account'), rc_account_key(json_extract(j.value, '$.account')), e.account_key
       FROM entries e, json_each(e.body, '$.snapshot.linkedAffiliate.referredAccounts') j
       WHERE e.kind <> 'run' AND json_valid(e.body) AND json_type(j.value, '$.account') = 'text'
     ORDER BY 1;
   ${APPEND_ONLY('claims')}`,
];

/** The (type, name) pairs of a version-1 ledger's schema, sorted: a legacy ledger has exactly these. */
const V1_OBJECTS = [
  'index:entries_pending', 'index:entries_period_account', 'table:carried', 'table:entries',
  'trigger:carried_no_delete', 'trigger:carried_no_update', 'trigger:entries_no_delete', 'trigger:entries_no_update',
].join(',');

/**
 * The objects of the export record (export-log.ts), `type:name`: a ledger of either version may hold them
 * beside its own (an export run before this program's schema 2 added them to a version-1 file).
 */
const EXPORT_OBJECTS = new Set(EXPORT_MIGRATIONS.flatMap((m) => [...m.sql.matchAll(/CREATE (TABLE|TRIGGER|INDEX) (\w+)/g)].map((x) => `${x[1]!.toLowerCase()}:${x[2]}`)));

/** What an open SQLite file is, read from its pragmas and schema (no writes). */
export type FileKind =
  | { kind: 'blank' }
  | { kind: 'ledger'; version: number; legacy: boolean }
  | { kind: 'foreign'; why: string }
  | { kind: 'newer'; version: number };

/** The names of the schema's own objects, `type:name`, sorted. */
function objects(db: Database.Database): string {
  const rows = db.prepare("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { type: string; name: string }[];
  return rows.map((r) => `${r.type}:${r.name}`).join(',');
}

/** `names` without the export record's objects. */
function withoutExportRecord(names: string): string {
  return names.split(',').filter((o) => !EXPORT_OBJECTS.has(o)).join(',');
}

/** Classifies an SQLite database: a ledger (current or legacy), a blank database, a newer ledger or something else. */
export function classify(db: Database.Database): FileKind {
  const version = db.pragma('user_version', { simple: true }) as number;
  const app = db.pragma('application_id', { simple: true }) as number;
  const names = objects(db);
  if (app === APPLICATION_ID) {
    if (version > SCHEMA_VERSION) return { kind: 'newer', version };
    if (version === SCHEMA_VERSION) return { kind: 'ledger', version, legacy: false };
    if (version === 0) return { kind: 'foreign', why: 'its user_version is 0 (a ledger\'s schema version was reset, or it was never set up)' };
    return { kind: 'ledger', version, legacy: false };
  }
  if (app !== 0) return { kind: 'foreign', why: `another program's SQLite database (application_id 0x${(app >>> 0).toString(16).padStart(8, '0')})` };
  if (version === 1 && withoutExportRecord(names) === V1_OBJECTS) return { kind: 'ledger', version: 1, legacy: true };
  if (version > SCHEMA_VERSION) return { kind: 'newer', version };
  if (version === 0 && names === '') return { kind: 'blank' };
  if (version === 0) return { kind: 'foreign', why: 'an SQLite database without a ledger schema (user_version 0)' };
  return { kind: 'foreign', why: `an SQLite database with user_version ${version} but not a ledger's tables` };
}

/**
 * Brings the schema to SCHEMA_VERSION inside the caller's transaction and
 * marks the file as a ledger (`application_id`). Every old entry and hash is
 * kept: migration 002 copies the rows as they are and computes the new columns.
 */
export function migrate(db: Database.Database, from: number): void {
  db.function('rc_account_key', { deterministic: true }, (a: unknown) => (typeof a === 'string' ? ledgerAccountKey(a) : null));
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${v + 1}`);
  }
  if ((db.pragma('application_id', { simple: true }) as number) !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
}
