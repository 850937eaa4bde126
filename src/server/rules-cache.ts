/**
 * The rules folder for a request. Each request is one run and sees the folder
 * as it is on disk (a publish is seen by the next request), but reading and
 * validating every rule file costs ~11 ms: the folder is read again only when
 * it changed. Two ways of knowing that:
 *
 * - `current()` (every route): a fingerprint of the folder — the name, size,
 *   inode, mtime and ctime of every entry — which costs one `readdir` and a
 *   `stat` per entry (~19 µs idle, 40–80 µs of a busy server's time).
 * - `fresh()` (evaluate and what-if, the routes under load): on Linux, an
 *   inotify watch of the folder (`fs.watch`) marks it changed, and a request
 *   costs one `stat` of the folder (that it is still the folder watched) plus
 *   one turn of the event loop. Why that keeps "a publish made before the
 *   request started is seen by it": inotify queues its event when the
 *   publish's rename or write returns, before the client can send the request,
 *   so the watch's descriptor is ready no later than the request's socket;
 *   libuv runs every ready descriptor's callback in its poll phase, and
 *   `fresh()` waits for the check phase after it (`setImmediate`), by which
 *   time the watch's callback has marked the folder changed. Any event forces
 *   a read, even one the fingerprint could not tell (a same-size rewrite in
 *   the same clock tick). Where inotify may miss a change the watch is not
 *   used and `fresh()` is `current()`: not Linux, a file system that is not
 *   local (NFS, SMB, FUSE: changes made elsewhere raise no event), an entry
 *   that is a symbolic link, a folder or a file with other hard links (its
 *   content changes under another name), a watch that failed (inotify limits)
 *   or reported an error, the folder replaced by another (renamed, a symbolic
 *   link re-pointed: its inode differs) — each read decides again.
 */
import { lstatSync, readdirSync, statSync, statfsSync, watch, type FSWatcher } from 'node:fs';
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

/** Local file systems whose every change raises an inotify event (statfs magic numbers). */
const LOCAL_FS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x794c7630, // overlayfs
  0x2fc12fc2, // zfs
  0xf2f52010, // f2fs
  0x858458f6, // ramfs
]);

/** Why `dir` cannot be watched for changes, or undefined when it can (see the module's comment). */
export function watchRefusal(dir: string): string | undefined {
  if (process.platform !== 'linux') return `${process.platform} is not Linux (inotify)`;
  try {
    const type = Number(statfsSync(dir).type);
    if (!LOCAL_FS.has(type)) return `file system 0x${type.toString(16)} is not a local one`;
    for (const name of readdirSync(dir)) {
      const s = lstatSync(join(dir, name));
      if (s.isSymbolicLink()) return `${name} is a symbolic link`;
      if (s.isDirectory()) return `${name} is a folder`;
      if (s.nlink > 1) return `${name} has other hard links`;
    }
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unreadable';
  }
  return undefined;
}

/** The folder's identity: device and inode (another folder put in its place differs). */
function identity(dir: string): string | undefined {
  try {
    const s = statSync(dir);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** Resolves in the event loop's check phase: every callback of the poll phase before it has run. */
const afterPoll = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A rules folder read at most once per change. */
export class RulesCache {
  private fingerprint: string | undefined;
  private repo: RuleRepository | undefined;
  private readonly dir: string;
  private readonly watchable: boolean;
  private watcher: FSWatcher | undefined;
  private watched: string | undefined;
  private changed = true;
  /** How many times the folder was actually read (for tests and the log). */
  reads = 0;
  /** Why the folder is not watched now (undefined while it is), for tests and the log. */
  unwatched: string | undefined = 'not read yet';

  /** `watch: false` keeps to the fingerprint (tests of it, and any platform in doubt). */
  constructor(dir: string, options: { watch?: boolean } = {}) {
    this.dir = dir;
    this.watchable = options.watch ?? true;
  }

  /** The folder as it is now, by its fingerprint. */
  current(): RuleRepository {
    const fp = folderFingerprint(this.dir);
    if (this.repo && fp === this.fingerprint) return this.repo;
    return this.read(fp);
  }

  /**
   * The folder as it is now, with every change made before this call seen;
   * by the watch when there is one (see the module's comment), else `current()`.
   */
  async fresh(): Promise<RuleRepository> {
    if (!this.watchable) return this.current();
    await afterPoll();
    if (this.watcher) {
      if (identity(this.dir) === this.watched) {
        if (this.repo && !this.changed) return this.repo;
        return this.read(folderFingerprint(this.dir));
      }
      this.unwatch('the folder was replaced');
    }
    return this.current();
  }

  /** Stops watching (the server's `onClose`). */
  close(): void {
    this.unwatch('closed');
  }

  /** Reads the folder, watching it first when it can be (a change during the read marks it again). */
  private read(fp: string): RuleRepository {
    this.changed = false;
    if (this.watchable && !this.watcher) this.watchIfSafe();
    else if (this.watcher) {
      const why = watchRefusal(this.dir);
      if (why) this.unwatch(why);
    }
    this.repo = loadRules(this.dir);
    this.fingerprint = fp;
    this.reads++;
    return this.repo;
  }

  private watchIfSafe(): void {
    const why = watchRefusal(this.dir);
    if (why) { this.unwatched = why; return; }
    const id = identity(this.dir);
    try {
      const w = watch(this.dir, { persistent: false });
      w.on('change', () => { this.changed = true; });
      w.on('error', (err) => {
        this.changed = true;
        this.unwatch(`the watch failed: ${err.message}`);
      });
      this.watcher = w;
      this.watched = id;
      this.unwatched = undefined;
    } catch (err) {
      this.unwatched = `the watch failed: ${(err as Error).message}`;
    }
  }

  private unwatch(why: string): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watched = undefined;
    this.changed = true;
    this.unwatched = why;
  }
}
