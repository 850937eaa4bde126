/**
 * Node's file-system exceptions as coded, user-facing errors that name the
 * file. A dangling symlink, a file deleted mid-run, a folder where a file was
 * expected or a permission problem is the user's input, not a bug: it must be
 * reported like any other bad input and never end the run with a stack trace.
 */
import { lstatSync, type Stats } from 'node:fs';
import { RcError } from '../errors.js';

const WHY: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'is not a folder',
  ELOOP: 'too many symbolic links (a link loop?)',
  ENAMETOOLONG: 'the path is too long',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/**
 * `err` (thrown by `node:fs` for `file`) as an `RcError`: FILE_NOT_FOUND for
 * ENOENT, READ_FAILED otherwise. An `RcError` passes through; anything that
 * is not a file-system error is a bug and is rethrown.
 */
export function fsError(err: unknown, file: string): RcError {
  if (err instanceof RcError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw err;
  if (code === 'ENOENT') {
    return new RcError('FILE_NOT_FOUND', isSymlink(file) ? 'broken symbolic link: its target does not exist' : 'no such file', { file });
  }
  const why = WHY[code];
  return new RcError('READ_FAILED', why ? `cannot read: ${why} (${code})` : `cannot read (${code})`, { file });
}

/** True when `file` itself is a symbolic link (whether or not its target exists). */
export function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * What a non-regular file is, in words ("a FIFO (named pipe)", "a socket",
 * "a character device", …), or undefined for a regular file. Reading a FIFO,
 * a socket or a device can block forever or never end (`/dev/zero`), so
 * only regular files are read as files.
 */
export function specialKind(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}
