/**
 * The ledger file: one SQLite database (better-sqlite3), WAL mode,
 * synchronous=FULL, marked with `application_id`, its schema version in
 * `user_version` (src/ledger/schema.ts) and migrated by writers only. A
 * ledger is never created by accident: only `Ledger.init` makes one.
 * Entries are append-only: this module has no UPDATE or DELETE of an entry,
 * and triggers abort any (the hash chain is the proof that survives someone
 * who drops them). SQL only: what the rows mean is decided in decide.ts.
 */
import type Database from 'better-sqlite3';
import { RcError } from '../errors.js';
import { canonicalJson } from '../parse/canonical.js';
import type { EntryBody, LedgerEntry, RunBody, Statement } from './entry.js';
import { DEFAULT_LEDGER } from './defaults.js';
import { APPLICATION_ID, SCHEMA_VERSION, migrate } from './schema.js';
import { identityChange, identityOf, type FileIdentity } from './file-check.js';
import { createLedgerFile, openLedgerFile, QUICK_CHECK_MAX_BYTES, RUN_CACHE_KIB, type OpenOptions } from './open.js';
import { isBusy, ledgerError } from './sqlite-errors.js';

type Db = Database.Database;

export { DEFAULT_LEDGER, SCHEMA_VERSION, APPLICATION_ID, isBusy, ledgerError };

export { RUN_CACHE_KIB, QUICK_CHECK_MAX_BYTES, type OpenOptions };

/** What an account-period holds so far, from its rows (`accountState`: one indexed query when its snapshot comes). */
export interface AccountPeriodState {
  issue?: { id: string; statement: Statement; rulesSha256: string };
  latest: { id: string; snapshotSha256: string; rulesSha256: string; credit: string };
  /** issued credit + every adjustment so far, as exact decimal text parts */
  credited: string[];
  adjustments: number;
}

/** An adjustment of an earlier period and the first issue entry of its account recorded after it with a later period (its carrier, if any). */
export interface CarryRow {
  adjustment: { seq: number; id: string; account: string; origin: string; amount: string; body: string };
  carrier?: { seq: number; id: string; period: string; body: string };
}

/** The head of the chain: the last entry's hash and the entry count. */
export interface Head { hash: string; count: number }

/** A row as stored (v2 columns are null in a legacy ledger). */
export interface StoredRow {
  seq: number; id: string; kind: string; account: string; period: string; n: number; rulesSha256: string; snapshotSha256: string;
  credit: string; amount: string | null; statement: string | null; body: string; prev: string; hash: string;
  accountKey: string | null; runId: string | null; operator: string | null; inputsSha256: string | null;
  idempotencyKey: string | null; requestSha256: string | null;
  /** run entries (SPEC §11): the operator's principal and armored SSH signature, stored beside the hashed body */
  signer: string | null; signature: string | null;
}

const V1_COLUMNS = `seq, id, kind, account, period, n, rules_sha256 AS rulesSha256, snapshot_sha256 AS snapshotSha256,
  credit, amount, statement, body, prev, hash`;
const V2_COLUMNS = `${V1_COLUMNS}, account_key AS accountKey, run_id AS runId, operator, inputs_sha256 AS inputsSha256,
  idempotency_key AS idempotencyKey, request_sha256 AS requestSha256, signer, signature`;
const V2_AS_V1 = `${V1_COLUMNS}, NULL AS accountKey, NULL AS runId, NULL AS operator, NULL AS inputsSha256,
  NULL AS idempotencyKey, NULL AS requestSha256, NULL AS signer, NULL AS signature`;

/** A ledger file, open. */
export class Ledger {
  readonly file: string;
  readonly readonly: boolean;
  /** `issue --dry-run` on a path with no ledger yet */
  readonly missing: boolean;
  /** @internal */
  readonly db: Db;
  private version: number;
  private readonly scratch: boolean;
  private identity?: FileIdentity;
  private insertEntry?: Database.Statement;
  private selectAccount?: Database.Statement;
  private selectCarrier?: Database.Statement;
  private selectSpelling?: Database.Statement;
  private insertClaim?: Database.Statement;
  private selectClaim?: Database.Statement;
  private selectOwn?: Database.Statement;
  private inRun = false;

  private constructor(file: string, db: Db, o: { readonly: boolean; scratch: boolean; version: number; missing?: boolean }) {
    this.file = file;
    this.db = db;
    this.readonly = o.readonly;
    this.scratch = o.scratch;
    this.version = o.version;
    this.missing = Boolean(o.missing);
  }

  /** Opens the ledger `file` (open.ts `openLedgerFile`: it must exist and be a ledger). */
  static open(file: string = DEFAULT_LEDGER, opts: OpenOptions = {}): Ledger {
    const o = openLedgerFile(file, opts);
    return new Ledger(file, o.db, o);
  }

  /** `ledger init` (open.ts `createLedgerFile`). */
  static init(file: string = DEFAULT_LEDGER): { created: boolean } {
    return createLedgerFile(file);
  }

  /**
   * Starts the run's one write transaction (BEGIN IMMEDIATE: runs serialize).
   * When another run holds the ledger, `onBusy` is told once and this waits
   * up to `waitSeconds`. Migrates the schema inside the transaction and
   * records the file's identity, checked again by `commit`.
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
      if (!this.scratch) this.identity = identityOf(this.file);
      // another run may have migrated the file since it was opened
      const v = this.db.pragma('user_version', { simple: true }) as number;
      if (v < SCHEMA_VERSION || (this.db.pragma('application_id', { simple: true }) as number) !== APPLICATION_ID) migrate(this.db, v);
      this.version = SCHEMA_VERSION;
    } catch (err) {
      if (this.inRun) this.rollback();
      throw ledgerError(this.file, err);
    }
  }

  /** Commits the run, after checking that the file is still the one the run opened. */
  commit(): void {
    const changed = this.identity && identityChange(this.file, this.identity);
    if (changed) {
      this.rollback();
      throw new RcError('LEDGER_UNUSABLE', `${changed}; the run was rolled back, nothing was written`, { file: this.file });
    }
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

  /** Whether the file holds the ledger's tables yet (a dry run's empty ledger has none until `begin`). */
  private ready(): boolean {
    return this.version >= 1;
  }

  /**
   * The entries of `account` in `period` so far, this run's own included
   * (the run's transaction sees its writes), folded: its issue, its latest
   * entry, the credit so far; `undefined` when it has none. One indexed
   * query per account, so a run holds no per-account state.
   */
  accountState(period: string, account: string): AccountPeriodState | undefined {
    if (!this.ready()) return undefined;
    this.selectAccount ??= this.db.prepare(`SELECT id, kind, rules_sha256 AS rulesSha256, snapshot_sha256 AS snapshotSha256,
        credit, amount, statement FROM entries WHERE period = ? AND account = ? ORDER BY seq`);
    const rows = this.selectAccount.all(period, account) as {
      id: string; kind: string; rulesSha256: string; snapshotSha256: string; credit: string; amount: string | null; statement: string | null;
    }[];
    let s: AccountPeriodState | undefined;
    for (const r of rows) {
      if (r.kind === 'run') continue;
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

  /** The spelling under which an account key already has entries in `period`, when it is not `account` (SPEC §4). */
  spellingOf(period: string, key: string, account: string): string | undefined {
    if (this.version < 2) return undefined;
    this.selectSpelling ??= this.db.prepare("SELECT account FROM entries WHERE period = ? AND account_key = ? AND account <> ? AND kind <> 'run' LIMIT 1");
    return (this.selectSpelling.get(period, key, account) as { account: string } | undefined)?.account;
  }

  /** The hashed body of the latest entry of an account-period (for the rarer questions: its currency). */
  latestBody(period: string, account: string): EntryBody | undefined {
    if (!this.ready()) return undefined;
    const r = this.db.prepare("SELECT body FROM entries WHERE period = ? AND account = ? AND kind <> 'run' ORDER BY seq DESC LIMIT 1").get(period, account) as { body: string } | undefined;
    return r ? JSON.parse(r.body) as EntryBody : undefined;
  }

  /**
   * Every adjustment of a period before `period`, oldest first, each with the
   * first issue entry of its account recorded after it whose period is later
   * than its origin: by SPEC §9 the one statement that may carry it.
   */
  *carryRows(period: string): Generator<CarryRow> {
    if (!this.ready()) return;
    const adj = this.db.prepare(`SELECT seq, id, account, period AS origin, amount, body FROM entries
      WHERE kind = 'adjustment' AND period < ? ORDER BY seq`);
    for (const a of adj.iterate(period) as IterableIterator<CarryRow['adjustment']>) {
      const c = this.carrierOf(a);
      yield { adjustment: a, ...(c ? { carrier: c } : {}) };
    }
  }

  /** The first issue entry of an adjustment's account recorded after it whose period is later than its origin (the only one that may carry it). */
  carrierOf(a: { account: string; seq: number; origin: string }): CarryRow['carrier'] {
    if (!this.ready()) return undefined;
    this.selectCarrier ??= this.db.prepare(`SELECT seq, id, period, body FROM entries
      WHERE account = ? AND kind = 'issue' AND seq > ? AND period > ? ORDER BY seq LIMIT 1`);
    return this.selectCarrier.get(a.account, a.seq, a.origin) as CarryRow['carrier'];
  }

  /** What an account-period was credited before entry `seq`: the issue's credit and the adjustments' amounts, oldest first. */
  creditedBefore(account: string, period: string, seq: number): string[] {
    const rows = this.db.prepare(`SELECT kind, credit, amount FROM entries
      WHERE period = ? AND account = ? AND seq < ? AND kind <> 'run' ORDER BY seq`).all(period, account, seq) as { kind: string; credit: string; amount: string | null }[];
    return rows.map((r) => (r.kind === 'issue' ? r.credit : r.amount ?? '0'));
  }

  /** The head: last hash and entry count. */
  head(): Head {
    if (!this.ready()) return { hash: '0'.repeat(64), count: 0 };
    const r = this.db.prepare('SELECT hash, (SELECT COUNT(*) FROM entries) AS count FROM entries ORDER BY seq DESC LIMIT 1').get() as Head | undefined;
    return r ?? { hash: '0'.repeat(64), count: 0 };
  }

  /**
   * Appends a credit entry (inside the run's transaction), with the managed
   * and referred accounts its snapshot claims (`claimOf`).
   */
  append(body: EntryBody, canonicalBody: string, hash: string, claims?: readonly { account: string; key: string }[]): void {
    if (!this.inRun) throw new Error('Ledger.append outside a run');
    this.insertEntry ??= this.db.prepare(`INSERT INTO entries
      (id, kind, account, account_key, period, n, rules_sha256, snapshot_sha256, credit, amount, statement, run_id, body, prev, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const info = this.insertEntry.run(body.id, body.kind, body.account, body.accountKey ?? null, body.period, body.n, body.rules.sha256, body.snapshotSha256,
      body.result.credit, body.amount ?? null, body.statement ? canonicalJson(body.statement) : null, body.runId, canonicalBody, body.prev, hash);
    if (this.version < 3 || !claims?.length || body.accountKey === undefined) return;
    this.insertClaim ??= this.db.prepare('INSERT INTO claims (seq, period, account, account_key, reseller_key) VALUES (?, ?, ?, ?, ?)');
    for (const c of claims) this.insertClaim.run(info.lastInsertRowid, body.period, c.account, c.key, body.accountKey);
  }

  /**
   * Who holds account key `key` in `period` besides the reseller `resellerKey`
   * (SPEC §4, against the ledger): a reseller whose LATEST entry of the period
   * lists it as a managed or referred account, or the account itself issued
   * as a reseller. A claim in an older entry that a later one dropped holds nothing.
   */
  claimOf(period: string, key: string, resellerKey: string): { account: string; reseller: string; own: boolean } | undefined {
    if (this.version < 3) return undefined;
    this.selectOwn ??= this.db.prepare("SELECT account FROM entries WHERE period = ? AND account_key = ? AND kind <> 'run' LIMIT 1");
    const own = this.selectOwn.get(period, key) as { account: string } | undefined;
    if (own && key !== resellerKey) return { account: own.account, reseller: own.account, own: true };
    this.selectClaim ??= this.db.prepare(`SELECT c.account AS account, r.account AS reseller FROM claims c JOIN entries r ON r.seq = c.seq
      WHERE c.period = ? AND c.account_key = ? AND c.reseller_key <> ?
        AND c.seq = (SELECT MAX(e.seq) FROM entries e WHERE e.period = c.period AND e.account_key = c.reseller_key AND e.kind <> 'run')
      LIMIT 1`);
    const r = this.selectClaim.get(period, key, resellerKey) as { account: string; reseller: string } | undefined;
    return r && { ...r, own: false };
  }

  /** Appends a run entry (SPEC §11, §13), its signature stored beside the hashed body. */
  appendRun(body: RunBody, canonicalBody: string, hash: string, signed?: { signer: string; signature: string }): void {
    if (!this.inRun) throw new Error('Ledger.appendRun outside a run');
    this.db.prepare(`INSERT INTO entries (id, kind, period, run_id, operator, inputs_sha256, idempotency_key, request_sha256,
        signer, signature, body, prev, hash) VALUES (?, 'run', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(body.id, body.period, body.runId, body.operator, canonicalJson(body.inputs), body.idempotencyKey ?? null,
        body.requestSha256 ?? null, signed?.signer ?? null, signed?.signature ?? null, canonicalBody, body.prev, hash);
  }

  /** The run entry recorded under a service Idempotency-Key, with its hash (SPEC §13). */
  runByIdempotencyKey(key: string): { body: RunBody; hash: string; seq: number } | undefined {
    if (this.version < 2) return undefined;
    const r = this.db.prepare('SELECT seq, body, hash FROM entries WHERE idempotency_key = ?').get(key) as { seq: number; body: string; hash: string } | undefined;
    return r ? { body: JSON.parse(r.body) as RunBody, hash: r.hash, seq: r.seq } : undefined;
  }

  /** Whether a run entry of the ledger is signed (SPEC §11: no silent downgrade to unsigned runs). */
  hasSignedRun(): boolean {
    if (!this.ready() || this.version < 2) return false;
    return this.db.prepare("SELECT 1 FROM entries WHERE kind = 'run' AND signature IS NOT NULL LIMIT 1").get() !== undefined;
  }

  /** Stored rows oldest first (raw: body text and hash as stored), optionally filtered. */
  *rows(filter: { account?: string; period?: string; kind?: string } = {}): Generator<StoredRow> {
    if (!this.ready()) return;
    const where: string[] = [];
    const args: string[] = [];
    if (filter.account !== undefined) { where.push('account = ?'); args.push(filter.account); }
    if (filter.period !== undefined) { where.push('period = ?'); args.push(filter.period); }
    if (filter.kind !== undefined) { where.push('kind = ?'); args.push(filter.kind); }
    const sql = `SELECT ${this.version >= 2 ? V2_COLUMNS : V2_AS_V1} FROM entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    yield* this.db.prepare(sql).iterate(...args) as IterableIterator<StoredRow>;
  }

  /** Credit entries (issue, adjustment) oldest first, parsed. */
  *entries(filter: { account?: string; period?: string; kind?: 'issue' | 'adjustment' } = {}): Generator<LedgerEntry> {
    for (const r of this.rows(filter)) if (r.kind !== 'run') yield parseRow(r);
  }

  /** One entry by id. */
  entryById(id: string): LedgerEntry | undefined {
    if (!this.ready()) return undefined;
    const r = this.db.prepare(`SELECT ${V1_COLUMNS} FROM entries WHERE id = ?`).get(id) as StoredRow | undefined;
    return r ? parseRow(r) : undefined;
  }

  /** SQLite's full `integrity_check` (every page and index): the problems, none when the file is sound. */
  integrityProblems(max = 20): string[] {
    const rows = this.db.pragma(`integrity_check(${max})`) as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).filter((t) => t !== 'ok');
  }

  /** Closes the file. */
  close(): void {
    this.rollback();
    this.db.close();
  }
}

/** An entry from its stored row (body as hashed, plus hash and seq). */
export function parseRow(r: Pick<StoredRow, 'body' | 'hash' | 'seq'>): LedgerEntry {
  return { ...(JSON.parse(r.body) as EntryBody), hash: r.hash, seq: r.seq };
}

/**
 * Opens a ledger (library entry point). The file must be a ledger already
 * (`initLedger` makes one): a missing file is LEDGER_NOT_FOUND, never a new
 * empty ledger; with `scratch` (a dry run) a missing file is an empty ledger in memory.
 */
export function openLedger(file: string = DEFAULT_LEDGER, opts: OpenOptions = {}): Ledger {
  return Ledger.open(file, opts);
}

/** Creates a ledger at `file` (library entry point of `ledger init`); an existing ledger is kept as it is. */
export function initLedger(file: string = DEFAULT_LEDGER): { created: boolean } {
  return Ledger.init(file);
}
