/**
 * The rules folder for a request. Each request is one run and sees the folder
 * as it is on disk (a publish is seen by the next request), but reading and
 * validating every rule file costs ~11 ms: the folder is read again only when
 * a fingerprint of it changed — the name, size, inode, mtime and ctime
 * of every entry (rule files, lock, publish log, a publish journal) — which
 * costs one `readdir` and a `stat` per entry.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadRules, type RuleRepository } from '../compose/rules-dir.js';

/**
 * The folder's state as names, sizes, inodes and mtimes/ctimes (milliseconds
 * as doubles: sub-microsecond for today's dates, and cheaper than bigint
 * stats); a folder that cannot be read has its error as fingerprint.
 */
export function folderFingerprint(dir: string): string {
  try {
    const d = statSync(dir);
    let out = `.:${d.ino}:${d.mtimeMs}`;
    for (const name of readdirSync(dir).sort()) {
      try {
        const s = statSync(join(dir, name));
        out += `\n${name}:${s.size}:${s.ino}:${s.mtimeMs}:${s.ctimeMs}`;
      } catch (err) {
        out += `\n${name}:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
      }
    }
    return out;
  } catch (err) {
    return `!${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

/** A rules folder read at most once per change. */
export class RulesCache {
  private fingerprint: string | undefined;
  private repo: RuleRepository | undefined;
  private readonly dir: string;
  /** How many times the folder was actually read (for tests and the log). */
  reads = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The folder as it is now. */
  current(): RuleRepository {
    const fp = folderFingerprint(this.dir);
    if (this.repo && fp === this.fingerprint) return this.repo;
    this.repo = loadRules(this.dir);
    this.fingerprint = fp;
    this.reads++;
    return this.repo;
  }
}
