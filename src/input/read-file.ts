/** Reading files with a size cap and coded errors instead of Node's exceptions. */
import { readFileSync, statSync } from 'node:fs';
import { RcError } from '../errors.js';
import { fsError } from './fs-errors.js';

/** The text of `file`, refusing files over `maxBytes` before reading them. */
export function readTextFile(file: string, maxBytes: number): string {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new RcError('READ_FAILED', 'is a folder, not a file', { file });
    size = st.size;
  } catch (err) {
    throw fsError(err, file);
  }
  if (size > maxBytes) {
    throw new RcError('FILE_TOO_LARGE', `file is ${size} bytes; the limit (maxFileBytes) is ${maxBytes}`, { file });
  }
  try {
    return stripBom(readFileSync(file, 'utf8'));
  } catch (err) {
    throw fsError(err, file); // the stat passed, yet reading can fail (no permission, deleted meanwhile)
  }
}

/** Drops a UTF-8 byte-order mark, which editors on some systems add. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Like `readTextFile`, but a user-facing problem comes back as data instead of an exception. */
export function tryReadTextFile(file: string, maxBytes: number): { text: string } | { errors: RcError[] } {
  try {
    return { text: readTextFile(file, maxBytes) };
  } catch (err) {
    if (err instanceof RcError) return { errors: [err] };
    throw err;
  }
}
