/**
 * The one way files of the rules folder are written, through a seam: every
 * system call that changes the disk is a method of `FsWriter`, so a test can
 * make any single step fail (ENOSPC, EROFS) or stop the process there, and
 * then look at what was left behind.
 *
 * Replacing a file is four steps: write a temporary file beside it, fsync it,
 * rename it over the file, fsync the folder (so the rename itself survives a
 * power cut). Removing one is two: unlink, fsync the folder.
 */
import { chmodSync, closeSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The steps, each a system call or two, in the order `replaceFile` takes them. */
export interface FsWriter {
  /** Creates (or truncates) `file` with `text`, with permission bits `mode` when given. */
  writeTemp(file: string, text: string | Buffer, mode: number | undefined): void;
  /** Flushes `file`'s content to the disk. */
  fsync(file: string): void;
  rename(from: string, to: string): void;
  /** Flushes the folder's entries (a rename or unlink in it) to the disk. */
  fsyncDir(dir: string): void;
  unlink(file: string): void;
}

/** The real file system. */
export const nodeWriter: FsWriter = {
  writeTemp(file, text, mode) {
    writeFileSync(file, text, mode === undefined ? undefined : { mode });
    if (mode !== undefined) chmodSync(file, mode); // the umask may have narrowed it
  },
  fsync(file) {
    const fd = openSync(file, 'r+');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  },
  rename(from, to) { renameSync(from, to); },
  fsyncDir(dir) {
    let fd: number;
    try { fd = openSync(dir, 'r'); } catch { return; } // not every platform opens folders
    try { fsyncSync(fd); } catch { /* some file systems refuse fsync on a folder */ } finally { closeSync(fd); }
  },
  unlink(file) { unlinkSync(file); },
};

/** The real file a path names (through symbolic links), or the path itself for a new file. */
export function writeTarget(file: string): { target: string; mode: number | undefined } {
  try {
    const target = realpathSync(file);
    return { target, mode: statSync(target).mode & 0o7777 };
  } catch {
    return { target: file, mode: undefined };
  }
}

/** The temporary file `replaceFile` writes beside `target` for process `pid`. */
export function tempPath(target: string, pid = process.pid): string {
  return `${target}.tmp-${pid}`;
}

/**
 * Replaces `file` with `text` (through a symbolic link to the file it names,
 * keeping its permissions): temp, fsync, rename, fsync folder. On a failure
 * the temporary file is removed (best effort) and the error rethrown: the
 * file itself is either untouched or, when only the folder fsync failed,
 * already replaced.
 */
export function replaceFile(file: string, text: string | Buffer, writer: FsWriter = nodeWriter): void {
  const { target, mode } = writeTarget(file);
  const tmp = tempPath(target);
  let renamed = false;
  try {
    writer.writeTemp(tmp, text, mode);
    writer.fsync(tmp);
    writer.rename(tmp, target);
    renamed = true;
    writer.fsyncDir(dirname(target));
  } catch (err) {
    if (!renamed) {
      try { rmSync(tmp, { force: true }); } catch { /* nothing more to do */ }
    }
    throw err;
  }
}

/** Removes `file` (a missing one is fine) and flushes its folder. */
export function removeFile(file: string, writer: FsWriter = nodeWriter): void {
  try {
    writer.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  writer.fsyncDir(dirname(file));
}
