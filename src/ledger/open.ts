/**
 * Opening a ledger file, and making one (`ledger init`): the path looked at
 * first (file-check.ts), then SQLite's view of it (schema.ts `classify`), a
 * `quick_check` where it is cheap, and the connection set up for a run.
 * A ledger is never created by accident: only `createLedgerFile` makes one.
 */
import { closeSync, openSync, unlinkSync } from 'node:fs';
import Database from 'better-sqlite3';
import { RcError } from '../errors.js';
import { checkLedgerPath, noLedger, notALedger } from './file-check.js';
import { SCHEMA_VERSION, classify, migrate } from './schema.js';
import { isBusy, ledgerError } from './sqlite-errors.js';

type Db = Database.Database;

/** SQLite's page cache for a writing connection, KiB (its default is 2,000). */
export const RUN_CACHE_KIB = 16_384;

/** Files up to this size get SQLite's `quick_check` on open (it reads every page); `verify` always runs `integrity_check`. */
export const QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024;

/** How to open a ledger. */
export interface OpenOptions {
  /** Read only (show, export, verify, replay): never migrated. */
  readonly?: boolean;
  /** An in-memory copy of the file (or an empty ledger when there is none): `issue --dry-run`. */
  scratch?: boolean;
}

/** An open connection and what it is. */
export interface OpenedFile { db: Db; version: number; readonly: boolean; scratch: boolean; missing?: boolean }

/** Opens `file` with SQLite and checks that it is a ledger this program can use (never for a missing file). */
function openChecked(file: string, readonly: boolean, size: number): { db: Db; version: number } {
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly, fileMustExist: true });
    db.pragma('busy_timeout = 10000');
    const k = classify(db);
    if (k.kind === 'newer') {
      throw new RcError('LEDGER_UNUSABLE',
        `ledger has schema version ${k.version}, newer than this program's (${SCHEMA_VERSION}); use a newer reseller-credits; nothing was written`, { file });
    }
    if (k.kind === 'blank') throw notALedger(file, 'an empty SQLite database (user_version 0, no tables); create a ledger with reseller-credits ledger init');
    if (k.kind === 'foreign') throw notALedger(file, k.why);
    if (size <= QUICK_CHECK_MAX_BYTES) {
      const r = db.pragma('quick_check(1)', { simple: true }) as string;
      if (r !== 'ok') throw new RcError('LEDGER_UNUSABLE', `ledger is damaged (SQLite's quick_check: ${r}); nothing was written`, { file });
    }
    return { db, version: k.version };
  } catch (err) {
    db?.close();
    throw ledgerError(file, err);
  }
}

/**
 * Opens the ledger `file`, which must exist and be a ledger (a legacy
 * version-1 one included). Throws `RcError` LEDGER_NOT_FOUND with the
 * `ledger init` command to run, or LEDGER_UNUSABLE naming what the file is.
 */
export function openLedgerFile(file: string, opts: OpenOptions = {}): OpenedFile {
  const st = checkLedgerPath(file);
  if (opts.scratch) {
    if (!st) return { db: new Database(':memory:'), version: 0, readonly: false, scratch: true, missing: true };
    const { db: src, version } = openChecked(file, true, st.size);
    try {
      const image = src.serialize();
      // header bytes 18–19 say "WAL" (2); an in-memory copy has no WAL file: mark it a rollback-journal database (1)
      image[18] = 1;
      image[19] = 1;
      return { db: new Database(image), version, readonly: false, scratch: true };
    } catch (err) {
      throw ledgerError(file, err);
    } finally {
      src.close();
    }
  }
  if (!st) throw noLedger(file, !opts.readonly);
  const { db, version } = openChecked(file, Boolean(opts.readonly), st.size);
  if (opts.readonly) return { db, version, readonly: true, scratch: false };
  try {
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
    return { db, version, readonly: false, scratch: false };
  } catch (err) {
    db.close();
    throw ledgerError(file, err);
  }
}

/**
 * `ledger init`: creates a ledger at `file` (never overwriting anything).
 * An existing ledger is left as it is (`created: false`); any other file
 * is refused naming what it is.
 */
export function createLedgerFile(file: string): { created: boolean } {
  if (checkLedgerPath(file)) {
    openLedgerFile(file, { readonly: true }).db.close();
    return { created: false };
  }
  try {
    closeSync(openSync(file, 'wx')); // exclusive: two inits at once make one ledger
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return createLedgerFile(file);
    throw new RcError('LEDGER_UNUSABLE', `ledger cannot be created (${(err as Error).message})`, { file });
  }
  let db: Db | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.transaction(() => migrate(db!, 0)).immediate();
    db.close();
    return { created: true };
  } catch (err) {
    db?.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) { try { unlinkSync(f); } catch { /* not there */ } }
    throw ledgerError(file, err);
  }
}
