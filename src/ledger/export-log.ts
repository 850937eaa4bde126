/**
 * The ledger's record of vendor exports (SPEC §12): which entries went to
 * which target, in which file (sha256), when. A CSV import has no
 * idempotency, so a second import would post twice: `ledger export
 * --target` reads this record to refuse a repeat without `--again`.
 *
 * Stored beside the hash chain in two append-only tables created by the
 * numbered migration below (`exports-001`), applied in the export's own
 * transaction. It decides no money (the amounts come from the hashed
 * statements); it only remembers what was handed out.
 */
import type Database from 'better-sqlite3';
import { RcError } from '../errors.js';

/** The migrations of the export record, numbered; `export_schema.version` says how many were applied. */
export const EXPORT_MIGRATIONS: readonly { name: string; sql: string }[] = [
  {
    name: 'exports-001',
    sql: `CREATE TABLE export_schema (version INTEGER NOT NULL);
      INSERT INTO export_schema (version) VALUES (0);
      CREATE TABLE exports (
        seq INTEGER PRIMARY KEY,
        period TEXT NOT NULL,
        target TEXT NOT NULL,
        file_sha256 TEXT NOT NULL,
        records INTEGER NOT NULL,
        total TEXT NOT NULL,
        again INTEGER NOT NULL CHECK (again IN (0, 1)),
        recorded_at TEXT NOT NULL,
        program_version TEXT NOT NULL
      );
      CREATE TABLE export_entries (
        export INTEGER NOT NULL REFERENCES exports (seq),
        target TEXT NOT NULL,
        entry TEXT NOT NULL,
        PRIMARY KEY (target, entry, export)
      );
      CREATE TRIGGER exports_no_update BEFORE UPDATE ON exports BEGIN SELECT RAISE(ABORT, 'the export record is append-only'); END;
      CREATE TRIGGER exports_no_delete BEFORE DELETE ON exports BEGIN SELECT RAISE(ABORT, 'the export record is append-only'); END;
      CREATE TRIGGER export_entries_no_update BEFORE UPDATE ON export_entries BEGIN SELECT RAISE(ABORT, 'the export record is append-only'); END;
      CREATE TRIGGER export_entries_no_delete BEFORE DELETE ON export_entries BEGIN SELECT RAISE(ABORT, 'the export record is append-only'); END;`,
  },
];

/** One recorded export. */
export interface ExportRecord {
  seq: number; period: string; target: string; fileSha256: string; records: number; total: string; again: boolean; recordedAt: string; programVersion: string;
}

/** What to record. */
export type NewExport = Omit<ExportRecord, 'seq'> & { entries: readonly string[] };

function version(db: Database.Database): number {
  const t = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'export_schema'").get();
  return t ? (db.prepare('SELECT version FROM export_schema').get() as { version: number }).version : 0;
}

/** Applies the missing export migrations (inside the caller's transaction). */
export function migrateExportLog(db: Database.Database): void {
  let v = version(db);
  if (v > EXPORT_MIGRATIONS.length) throw new RcError('LEDGER_UNUSABLE', `the ledger's export record has version ${v}, newer than this program's (${EXPORT_MIGRATIONS.length}); use a newer reseller-credits`);
  while (v < EXPORT_MIGRATIONS.length) {
    db.exec(EXPORT_MIGRATIONS[v]!.sql);
    v++;
    // export_schema's one row is the version (the triggers guard the record tables, not this counter)
    db.prepare('UPDATE export_schema SET version = ?').run(v);
  }
}

/** For each of `entries` already exported to `target`: the earliest export that carried it. */
export function exportedBefore(db: Database.Database, target: string, entries: readonly string[]): Map<string, ExportRecord> {
  const out = new Map<string, ExportRecord>();
  if (version(db) === 0 || entries.length === 0) return out;
  const q = db.prepare(`SELECT e.seq, e.period, e.target, e.file_sha256 AS fileSha256, e.records, e.total, e.again, e.recorded_at AS recordedAt,
      e.program_version AS programVersion FROM export_entries x JOIN exports e ON e.seq = x.export
      WHERE x.target = ? AND x.entry = ? ORDER BY e.seq LIMIT 1`);
  for (const id of entries) {
    const r = q.get(target, id) as (Omit<ExportRecord, 'again'> & { again: number }) | undefined;
    if (r) out.set(id, { ...r, again: r.again === 1 });
  }
  return out;
}

/** Records an export (inside the caller's transaction); returns its number. */
export function recordExport(db: Database.Database, x: NewExport): number {
  const r = db.prepare(`INSERT INTO exports (period, target, file_sha256, records, total, again, recorded_at, program_version)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(x.period, x.target, x.fileSha256, x.records, x.total, x.again ? 1 : 0, x.recordedAt, x.programVersion);
  const seq = Number(r.lastInsertRowid);
  const ins = db.prepare('INSERT INTO export_entries (export, target, entry) VALUES (?, ?, ?)');
  for (const e of x.entries) ins.run(seq, x.target, e);
  return seq;
}

/** Every recorded export, oldest first (empty before the first). */
export function listExports(db: Database.Database, period?: string): ExportRecord[] {
  if (version(db) === 0) return [];
  const rows = db.prepare(`SELECT seq, period, target, file_sha256 AS fileSha256, records, total, again, recorded_at AS recordedAt,
      program_version AS programVersion FROM exports ${period ? 'WHERE period = ?' : ''} ORDER BY seq`).all(...(period ? [period] : [])) as (Omit<ExportRecord, 'again'> & { again: number })[];
  return rows.map((r) => ({ ...r, again: r.again === 1 }));
}
