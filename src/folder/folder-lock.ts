/**
 * Mutual exclusion on a rules folder for the commands that write it
 * (`publish`): a lock file `.rc-publish.lock` created exclusively, holding
 * who holds it (pid, host, a random token, since when).
 *
 * - Taken with `link(2)` from a complete temporary file, so the lock file
 *   never exists half-written: it either names its holder or is absent.
 * - A holder on this host whose process is gone is taken over at once; any
 *   holder whose lock was not refreshed for `staleMs` (10 s) is taken over
 *   (a holder on another host sharing the folder, or a pid reused since).
 *   The holder refreshes the file's time at every step it writes.
 * - Taking over goes through a guard folder (`mkdir` is exclusive), and the
 *   lock is re-read under the guard, so two runs that both find the same dead
 *   holder cannot both win.
 * - A run that cannot get the lock within `timeoutMs` (10 s) gives up.
 *
 * proper-lockfile was considered: it has no holder check (a killed holder
 * blocks everyone for the whole stale time, which is as long as the wait) and
 * takes stale locks over without re-checking them under a guard.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RcError } from '../errors.js';

/** The lock file of a rules folder. */
export const FOLDER_LOCK_FILE = '.rc-publish.lock';

/** Options of `acquireFolderLock`. */
export interface FolderLockOptions {
  /** How long to wait for the lock. Default 10 s (SPEC §6). */
  timeoutMs?: number;
  /** A lock not refreshed for this long is taken over. Default 10 s (SPEC §6). */
  staleMs?: number;
}

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  token: string;
  since: string;
}

/** A held lock. */
export interface FolderLock {
  file: string;
  holder: LockHolder;
  /** Marks the lock as alive (its file time is what staleness is judged by). */
  refresh(): void;
  /** Gives the lock up (only if it is still ours). */
  release(): void;
}

/** The lock could not be had in time: nothing was changed. */
export class FolderBusy extends Error {
  readonly error: RcError;
  constructor(error: RcError) {
    super(error.message);
    this.name = 'FolderBusy';
    this.error = error;
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => { Atomics.wait(sleepCell, 0, 0, ms); };

/** Takes the lock of `dir`, waiting up to `timeoutMs`. Throws `FolderBusy`, or `RcError` WRITE_FAILED when the folder cannot hold a lock file. */
export function acquireFolderLock(dir: string, options: FolderLockOptions = {}): FolderLock {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 10_000;
  const file = join(dir, FOLDER_LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, host: hostname(), token: randomBytes(12).toString('hex'), since: new Date().toISOString() };
  const mine = `${file}.${holder.token}`;
  const deadline = Date.now() + timeoutMs;
  let wait = 20;
  let last: LockHolder | undefined;
  try {
    writeFileSync(mine, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
  } catch (err) {
    try { unlinkSync(mine); } catch { /* never created */ }
    throw cannotLock(file, err);
  }
  try {
    for (;;) {
      try {
        linkSync(mine, file);
        return held(file, holder);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotLock(file, err);
      }
      const found = readHolder(file);
      if (found && found.holder) last = found.holder;
      if (found && isStale(found, staleMs)) {
        takeOver(file, found, staleMs);
        continue;
      }
      if (Date.now() >= deadline) throw busy(dir, file, last, timeoutMs, staleMs);
      sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
      wait = Math.min(wait * 2, 250);
    }
  } finally {
    try { unlinkSync(mine); } catch { /* already gone */ }
  }
}

function held(file: string, holder: LockHolder): FolderLock {
  let released = false;
  return {
    file,
    holder,
    refresh() {
      if (released) return;
      try { const now = new Date(); utimesSync(file, now, now); } catch { /* judged stale later at worst */ }
    },
    release() {
      if (released) return;
      released = true;
      if (readHolder(file)?.holder?.token === holder.token) {
        try { unlinkSync(file); } catch { /* gone already */ }
      }
    },
  };
}

interface Found { holder: LockHolder | undefined; mtimeMs: number; text: string }

/** The lock file's holder and time; undefined when there is no lock file (any more). */
function readHolder(file: string): Found | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    const mtimeMs = statSync(file).mtimeMs;
    let holder: LockHolder | undefined;
    try {
      const v = JSON.parse(text) as Partial<LockHolder>;
      if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string') holder = v as LockHolder;
    } catch { /* unreadable: judged by its age alone */ }
    return { holder, mtimeMs, text };
  } catch {
    return undefined;
  }
}

function isStale(found: Found, staleMs: number): boolean {
  if (Date.now() - found.mtimeMs > staleMs) return true;
  const h = found.holder;
  return h !== undefined && h.host === hostname() && !processAlive(h.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/** Removes a stale lock, under a guard, only if it is still the one judged stale. */
function takeOver(file: string, stale: Found, staleMs: number): void {
  const guard = `${file}.takeover`;
  try {
    mkdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return;
    // a guard left by a run killed while taking over: old guards are removed
    try {
      if (Date.now() - statSync(guard).mtimeMs > staleMs) rmdirSync(guard);
    } catch { /* another run removed it */ }
    sleep(10);
    return;
  }
  try {
    const now = readHolder(file);
    if (now && now.text === stale.text && now.mtimeMs === stale.mtimeMs) unlinkSync(file);
  } catch { /* gone already */ } finally {
    try { rmdirSync(guard); } catch { /* nothing more to do */ }
  }
}

function cannotLock(file: string, err: unknown): RcError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new RcError('WRITE_FAILED', `cannot create the folder's lock file (${code}): the rules folder cannot be written; nothing was changed`, { file });
}

function busy(dir: string, file: string, h: LockHolder | undefined, timeoutMs: number, staleMs: number): FolderBusy {
  const who = h ? `process ${h.pid} on ${h.host}, since ${h.since}` : 'another process';
  return new FolderBusy(new RcError('FOLDER_LOCKED',
    `another publish holds the lock of ${dir}/ (${who}); gave up after ${seconds(timeoutMs)}; nothing was changed; try again when it has finished (a lock whose holder has stopped is taken over at once on the same machine, otherwise ${seconds(staleMs)} after it was last refreshed)`,
    { file }));
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
