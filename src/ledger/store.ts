/**
 * The ledger file: one SQLite database (better-sqlite3), WAL mode,
 * synchronous=FULL, its schema version in `user_version` and migrated on
 * open (writers only). Entries are append-only: this module has no UPDATE or
 * DELETE of an entry, and triggers abort any (the hash chain is the proof
 * that survives someone who drops them).
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { RcError } from '../errors.js';
import { canonicalJson } from '../parse/canonical.js';
import type { AdjustmentReason, CarriedAdjustment, EntryBody, LedgerEntry, Statement } from './entry.js';
import { DEFAULT_LEDGER } from './defaults.js';

type Db = Database.Database;

/** The schema version this program writes. */
export const SCHEMA_VERSION = 1;

export { DEFAULT_LEDGER };

/** SQLite's page cache for a writing connection, KiB (its default is 2,000). */
export const RUN_CACHE_KIB = 16_384;

const MIGRATIONS: readonly string[] = [
  // 0 → 1
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
   CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
   CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
   CREATE TRIGGER carried_no_update BEFORE UPDATE ON carried
     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
   CREATE TRIGGER carried_no_delete BEFORE DELETE ON carried
     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;`,
];

/** How to open a ledger. */
export interface OpenOptions {
  /** Read only (show, export, verify, replay): the file must exist, is never migrated. */
  readonly?: boolean;
  /** An in-memory copy of the file (or an empty ledger when there is none): `issue --dry-run`. */
  scratch?: boolean;
}

/** What an account-period holds so far (`accountState`: one indexed query when its snapshot comes). */
export interface AccountPeriodState {
  issue?: { id: string; statement: Statement; rulesSha256: string };
  latest: { id: string; snapshotSha256: string; rulesSha256: string; credit: string };
  /** issued credit + every adjustment so far, as exact decimal text parts */
  credited: string[];
  adjustments: number;
}

/** A pending adjustment (not yet carried by a statement). */
export interface PendingAdjustment extends CarriedAdjustment { account: string; reason: AdjustmentReason }

/** The head of the chain: the last entry's hash and the entry count. */
export interface Head { hash: string; count: number }

/** A message for a SQLite failure, naming the file. */
function unusable(file: string, err: unknown): RcError {
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  const why = code === 'SQLITE_NOTADB' ? 'is not a ledger (not an SQLite database)'
    : code === 'SQLITE_FULL' ? 'cannot be written: the disk is full'
      : code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' && existsSync(file) ? `cannot be written (read-only: ${e.message ?? code})`
        : code === 'SQLITE_CORRUPT' ? 'is damaged (SQLite reports it corrupt)'
          : code === 'SQLITE_CANTOPEN' ? 'cannot be opened'
            : `cannot be used (${e?.message ?? String(err)})`;
  return new RcError('LEDGER_UNUSABLE', `ledger ${why}; nothing was written`, { file });
}

/** Whether `err` is SQLite's "database is locked / busy". */
export function isBusy(err: unknown): boolean {
  const c = (err as { code?: string })?.code ?? '';
  return c === 'SQLITE_BUSY' || c.startsWith('SQLITE_BUSY_');
}

/** Turns a SQLite failure into a coded error naming the file (other errors pass). */
export function ledgerError(file: string, err: unknown): unknown {
  const e = err as { code?: string; name?: string };
  if (e?.name === 'SqliteError' || (typeof e?.code === 'string' && e.code.startsWith('SQLITE_'))) return unusable(file, err);
  return err;
}

/** A ledger file, open. */
export class Ledger {
  readonly file: string;
  readonly readonly: boolean;
  /** @internal */
  readonly db: Db;
  private insertEntry?: Database.Statement;
  private insertCarried?: Database.Statement;
  private selectAccount?: Database.Statement;
  private inRun = false;

  private constructor(file: string, db: Db, readonly: boolean) {
    this.file = file;
    this.db = db;
    this.readonly = readonly;
  }

  /** Opens (creating it for a writer) the ledger `file`. Throws `RcError` LEDGER_* naming the file. */
  static open(file: string = DEFAULT_LEDGER, opts: OpenOptions = {}): Ledger {
    if (opts.readonly) {
      if (!existsSync(file)) throw new RcError('LEDGER_NOT_FOUND', 'no such ledger (issue a period first, or name it with --ledger)', { file });
      let db: Db | undefined;
      try {
        db = new Database(file, { readonly: true, fileMustExist: true });
        db.pragma('busy_timeout = 10000');
        const v = db.pragma('user_version', { simple: true }) as number;
        checkVersion(file, v, db);
        return new Ledger(file, db, true);
      } catch (err) {
        db?.close();
        throw ledgerError(file, err);
      }
    }
    if (opts.scratch) {
      let db: Db;
      try {
        if (existsSync(file)) {
          const src = new Database(file, { readonly: true, fileMustExist: true });
          try {
            checkVersion(file, src.pragma('user_version', { simple: true }) as number, src);
            const image = src.serialize();
            // header bytes 18–19 say "WAL" (2); an in-memory copy has no WAL file: mark it a rollback-journal database (1)
            image[18] = 1;
            image[19] = 1;
            db = new Database(image);
          } finally {
            src.close();
          }
        } else {
          db = new Database(':memory:');
        }
      } catch (err) {
        throw ledgerError(file, err);
      }
      return new Ledger(file, db, false);
    }
    let db: Db | undefined;
    try {
      db = new Database(file);
      // opening waits for the moments another run holds the file exclusively (creating it, switching it to WAL);
      // waiting for a whole run is `begin`'s, which says so first
      db.pragma('busy_timeout = 10000');
      checkVersion(file, db.pragma('user_version', { simple: true }) as number, db);
      try {
        if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') db.pragma('journal_mode = WAL');
      } catch (err) {
        if (!isBusy(err)) throw err; // another writer has it open: it set WAL already
      }
      db.pragma('synchronous = FULL');
      // a run is one transaction: with SQLite's default 2 MiB page cache it spills pages of the
      // random-order id and hash indexes to the WAL and reads them back (100,000 snapshots: 4.1 s of
      // system CPU on this thread; 2.1 s with 16 MiB, for ~20 MiB more peak RSS)
      db.pragma(`cache_size = -${RUN_CACHE_KIB}`);
      return new Ledger(file, db, false);
    } catch (err) {
      db?.close();
      throw ledgerError(file, err);
    }
  }

  /**
   * Starts the run's one write transaction (BEGIN IMMEDIATE: runs serialize).
   * When another run holds the ledger, `onBusy` is told once and this waits
   * up to `waitSeconds`. Migrates the schema inside the transaction.
   */
  begin(waitSeconds: number, onBusy?: () => void): void {
    try {
      try {
        this.db.pragma('busy_timeout = 0');
        this.db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        if (!isBusy(err)) throw err;
        onBusy?.();
        this.db.pragma(`busy_timeout = ${Math.max(0, Math.round(waitSeconds * 1000))}`);
        try {
          this.db.exec('BEGIN IMMEDIATE');
        } catch (err2) {
          if (isBusy(err2)) throw new RcError('LEDGER_BUSY', `ledger still busy after ${waitSeconds} s (another issue run?); nothing was written`, { file: this.file });
          throw err2;
        }
      }
      this.inRun = true;
      this.migrate();
    } catch (err) {
      if (this.inRun) this.rollback();
      throw ledgerError(this.file, err);
    }
  }

  /** Commits the run. */
  commit(): void {
    try {
      this.db.exec('COMMIT');
      this.inRun = false;
    } catch (err) {
      this.rollback();
      throw ledgerError(this.file, err);
    }
  }

  /** Rolls the run back (nothing of it stays). */
  rollback(): void {
    if (this.db.inTransaction) {
      try { this.db.exec('ROLLBACK'); } catch { /* already rolled back by SQLite */ }
    }
    this.inRun = false;
  }

  private migrate(): void {
    let v = this.db.pragma('user_version', { simple: true }) as number;
    checkVersion(this.file, v, this.db);
    if (v === 0 && this.hasTables()) {
      throw new RcError('LEDGER_UNUSABLE', 'is an SQLite database but not a ledger (it has other tables); nothing was written', { file: this.file });
    }
    while (v < SCHEMA_VERSION) {
      this.db.exec(MIGRATIONS[v]!);
      v++;
      this.db.pragma(`user_version = ${v}`);
    }
  }

  private hasTables(): boolean {
    return Boolean(this.db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' LIMIT 1").get());
  }

  /** Whether the file holds the ledger's tables yet (a new file has none until its first run). */
  private ready(): boolean {
    return (this.db.pragma('user_version', { simple: true }) as number) >= 1;
  }

  /**
   * The entries of `account` in `period` so far, this run's own included
   * (the run's transaction sees its writes), folded: its issue, its latest
   * entry, the credit so far; `undefined` when it has none. One indexed
   * query per account, so a run holds no per-account state and its memory
   * does not grow with the portfolio.
   */
  accountState(period: string, account: string): AccountPeriodState | undefined {
    // inside a run `begin` has migrated the schema: no `user_version` read per record
    if (!this.inRun && !this.ready()) return undefined;
    this.selectAccount ??= this.db.prepare(`SELECT id, kind, rules_sha256 AS rulesSha256, snapshot_sha256 AS snapshotSha256,
        credit, amount, statement FROM entries WHERE period = ? AND account = ? ORDER BY seq`);
    const rows = this.selectAccount.all(period, account) as {
      id: string; kind: string; rulesSha256: string; snapshotSha256: string; credit: string; amount: string | null; statement: string | null;
    }[];
    let s: AccountPeriodState | undefined;
    for (const r of rows) {
      const latest = { id: r.id, snapshotSha256: r.snapshotSha256, rulesSha256: r.rulesSha256, credit: r.credit };
      s ??= { latest, credited: [], adjustments: 0 };
      s.latest = latest;
      if (r.kind === 'issue') {
        s.issue = { id: r.id, statement: JSON.parse(r.statement ?? 'null') as Statement, rulesSha256: r.rulesSha256 };
        s.credited.push(r.credit);
      } else {
        s.adjustments++;
        s.credited.push(r.amount ?? '0');
      }
    }
    return s;
  }

  /** Adjustments of an origin period earlier than `period` that no statement carries yet, oldest first, by account. */
  pendingBefore(period: string): Map<string, PendingAdjustment[]> {
    const m = new Map<string, PendingAdjustment[]>();
    if (!this.ready()) return m;
    const rows = this.db.prepare(`SELECT e.id AS entry, e.account, e.period AS origin, e.amount,
        json_extract(e.body, '$.reason') AS reason FROM entries e
        WHERE e.kind = 'adjustment' AND e.period < ? AND NOT EXISTS (SELECT 1 FROM carried c WHERE c.adjustment = e.id)
        ORDER BY e.seq`).all(period) as PendingAdjustment[];
    for (const r of rows) {
      const l = m.get(r.account);
      if (l) l.push(r);
      else m.set(r.account, [r]);
    }
    return m;
  }

  /** The head: last hash and entry count. */
  head(): Head {
    if (!this.ready()) return { hash: '0'.repeat(64), count: 0 };
    const r = this.db.prepare('SELECT hash, (SELECT COUNT(*) FROM entries) AS count FROM entries ORDER BY seq DESC LIMIT 1').get() as Head | undefined;
    return r ?? { hash: '0'.repeat(64), count: 0 };
  }

  /** Appends an entry (inside the run's transaction). */
  append(body: EntryBody, canonicalBody: string, hash: string): void {
    if (!this.inRun) throw new Error('Ledger.append outside a run');
    this.insertEntry ??= this.db.prepare(`INSERT INTO entries
      (id, kind, account, period, n, rules_sha256, snapshot_sha256, credit, amount, statement, body, prev, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertCarried ??= this.db.prepare('INSERT INTO carried (adjustment, issue) VALUES (?, ?)');
    this.insertEntry.run(body.id, body.kind, body.account, body.period, body.n, body.rules.sha256, body.snapshotSha256,
      body.result.credit, body.amount ?? null, body.statement ? canonicalJson(body.statement) : null, canonicalBody, body.prev, hash);
    for (const a of body.statement?.adjustments ?? []) this.insertCarried.run(a.entry, body.id);
  }

  /** Stored rows oldest first (raw: body text and hash as stored), optionally filtered. */
  *rows(filter: { account?: string; period?: string; kind?: string } = {}): Generator<StoredRow> {
    if (!this.ready()) return;
    const where: string[] = [];
    const args: string[] = [];
    if (filter.account !== undefined) { where.push('account = ?'); args.push(filter.account); }
    if (filter.period !== undefined) { where.push('period = ?'); args.push(filter.period); }
    if (filter.kind !== undefined) { where.push('kind = ?'); args.push(filter.kind); }
    const sql = `SELECT seq, id, kind, account, period, n, rules_sha256 AS rulesSha256, snapshot_sha256 AS snapshotSha256,
      credit, amount, statement, body, prev, hash FROM entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    yield* this.db.prepare(sql).iterate(...args) as IterableIterator<StoredRow>;
  }

  /** Entries oldest first, parsed. */
  *entries(filter: { account?: string; period?: string; kind?: string } = {}): Generator<LedgerEntry> {
    for (const r of this.rows(filter)) yield parseRow(r);
  }

  /** One entry by id. */
  entryById(id: string): LedgerEntry | undefined {
    if (!this.ready()) return undefined;
    const r = this.db.prepare(`SELECT seq, id, kind, account, period, n, rules_sha256 AS rulesSha256, snapshot_sha256 AS snapshotSha256,
      credit, amount, statement, body, prev, hash FROM entries WHERE id = ?`).get(id) as StoredRow | undefined;
    return r ? parseRow(r) : undefined;
  }

  /** The statement (issue entry) that carries adjustment `id`, if any. */
  carrierOf(id: string): string | undefined {
    if (!this.ready()) return undefined;
    const r = this.db.prepare('SELECT issue FROM carried WHERE adjustment = ?').get(id) as { issue: string } | undefined;
    return r?.issue;
  }

  /** Closes the file. */
  close(): void {
    this.rollback();
    this.db.close();
  }
}

/** A row as stored. */
export interface StoredRow {
  seq: number; id: string; kind: string; account: string; period: string; n: number; rulesSha256: string; snapshotSha256: string;
  credit: string; amount: string | null; statement: string | null; body: string; prev: string; hash: string;
}

/** An entry from its stored row (body as hashed, plus hash and seq). */
export function parseRow(r: StoredRow): LedgerEntry {
  return { ...(JSON.parse(r.body) as EntryBody), hash: r.hash, seq: r.seq };
}

function checkVersion(file: string, v: number, _db: Db): void {
  if (v > SCHEMA_VERSION) {
    throw new RcError('LEDGER_UNUSABLE',
      `ledger has schema version ${v}, newer than this program's (${SCHEMA_VERSION}); use a newer reseller-credits; nothing was written`, { file });
  }
}

/** Opens a ledger (library entry point): created and migrated on first write. */
export function openLedger(file: string = DEFAULT_LEDGER, opts: OpenOptions = {}): Ledger {
  return Ledger.open(file, opts);
}
