/** SQLite failures as the ledger's coded errors, naming the file (never a stack trace). */
import { existsSync } from 'node:fs';
import { RcError } from '../errors.js';

/** A message for a SQLite failure, naming the file. */
function unusable(file: string, err: unknown): RcError {
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  const why = code === 'SQLITE_NOTADB' ? 'not a ledger: not an SQLite database'
    : code === 'SQLITE_FULL' ? 'ledger cannot be written: the disk is full'
      : code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' && existsSync(file) ? `ledger cannot be written (read-only: ${e.message ?? code})`
        : code.startsWith('SQLITE_CORRUPT') ? `ledger is damaged (SQLite reports it corrupt: ${e.message ?? code})`
          : code.startsWith('SQLITE_IOERR') ? `ledger cannot be read or written (${e.message ?? code})`
            : code === 'SQLITE_CANTOPEN' ? 'ledger cannot be opened'
              : `ledger cannot be used (${e?.message ?? String(err)})`;
  return new RcError('LEDGER_UNUSABLE', `${why}; nothing was written`, { file });
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
