/**
 * What is at a ledger path, looked at *before* SQLite opens it: SQLite would
 * block forever reading a FIFO, and it happily turns an empty file or a
 * folder's neighbour into a new database. Also the file's identity
 * (device, inode, size), recorded when a run starts and checked before it
 * commits (SPEC §9 Integrity: a ledger replaced, moved or truncated during
 * a run fails the run).
 */
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { RcError } from '../errors.js';

/** The first 16 bytes of every SQLite 3 database. */
const MAGIC = 'SQLite format 3\u0000';

/** The identity of the file a run writes. */
export interface FileIdentity { dev: number; ino: number; size: number }

/** The error for a path where no ledger exists, with the command that makes one. */
export function noLedger(file: string, forWrite: boolean): RcError {
  const abs = resolve(file);
  return new RcError('LEDGER_NOT_FOUND', forWrite
    ? `no ledger at ${abs}; create one with reseller-credits ledger init ${abs}`
    : `no ledger at ${abs} (create one with reseller-credits ledger init, or name it with --ledger)`, { file });
}

/** "not a ledger: …; nothing was written" naming the file. */
export function notALedger(file: string, why: string): RcError {
  return new RcError('LEDGER_UNUSABLE', `not a ledger: ${why}; nothing was written`, { file });
}

function kindOf(st: Stats): string | undefined {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (!st.isFile()) return 'not a regular file';
  return undefined;
}

/**
 * Checks that `file` is a regular, non-empty file starting with SQLite's
 * header. Returns its stats, or undefined when nothing is there. Throws
 * `RcError` LEDGER_UNUSABLE naming the file otherwise.
 */
export function checkLedgerPath(file: string): Stats | undefined {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RcError('LEDGER_UNUSABLE', `ledger cannot be opened (${(err as Error).message}); nothing was written`, { file });
  }
  const other = kindOf(st);
  if (other) throw notALedger(file, other);
  if (st.size === 0) throw notALedger(file, 'the file is empty (0 bytes)');
  const head = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const got = readSync(fd, head, 0, 16, 0);
    if (got < 16 || head.toString('latin1') !== MAGIC) throw notALedger(file, 'not an SQLite database');
  } catch (err) {
    if (err instanceof RcError) throw err;
    throw new RcError('LEDGER_UNUSABLE', `ledger cannot be read (${(err as Error).message}); nothing was written`, { file });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return st;
}

/** The identity of `file` now (undefined when it is gone). */
export function identityOf(file: string): FileIdentity | undefined {
  try {
    const st = statSync(file);
    return { dev: st.dev, ino: st.ino, size: st.size };
  } catch {
    return undefined;
  }
}

/**
 * Why the file at `file` is no longer the one a run opened, or undefined.
 * Its size may grow (another connection's checkpoint writes committed pages
 * into it); it never shrinks while a run holds the write lock.
 */
export function identityChange(file: string, was: FileIdentity): string | undefined {
  const now = identityOf(file);
  if (!now) return 'the ledger file was moved or deleted during the run';
  if (now.dev !== was.dev || now.ino !== was.ino) return 'the ledger file was replaced during the run';
  if (now.size < was.size) return `the ledger file was truncated during the run (${was.size} → ${now.size} bytes)`;
  return undefined;
}
