/**
 * Reading files with a size cap, only regular files, as strict UTF-8, and
 * with coded errors instead of Node's exceptions.
 */
import { readFileSync, statSync } from 'node:fs';
import { RcError, RcErrors, asRcErrors } from '../errors.js';
import { fsError, specialKind } from './fs-errors.js';
import { decodeText, utf16Bom, utf16Message, type LineProblem } from './utf8.js';

/**
 * The bytes of `file`, refusing files over `maxBytes` and anything but a
 * regular file (a FIFO would block, a device never end) before reading.
 */
export function readFileBytes(file: string, maxBytes: number): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    const kind = specialKind(st);
    if (st.isDirectory()) throw new RcError('READ_FAILED', 'is a folder, not a file', { file });
    if (kind) throw new RcError('READ_FAILED', `is ${kind}, not a regular file; not read`, { file });
    size = st.size;
  } catch (err) {
    throw fsError(err, file);
  }
  if (size > maxBytes) {
    throw new RcError('FILE_TOO_LARGE', `file is ${size} bytes; the limit (maxFileBytes) is ${maxBytes}`, { file });
  }
  try {
    return readFileSync(file);
  } catch (err) {
    throw fsError(err, file); // the stat passed, yet reading can fail (no permission, deleted meanwhile)
  }
}

/** The coded error of an encoding problem at a line of `file`. */
export function encodingError(file: string, p: LineProblem): RcError {
  return new RcError('ENCODING', p.message, { file, line: p.line, column: p.column });
}

/**
 * `bytes` of `file` as text, possibly with U+FFFD in bad spots: see
 * `decodeText`. A UTF-16 file is refused whole; a UTF-8 BOM is dropped.
 */
export function decodeFile(file: string, bytes: Uint8Array): { text: string; problems: RcError[] } {
  const utf16 = utf16Bom(bytes);
  if (utf16) throw new RcError('ENCODING', utf16Message(utf16), { file, line: 1, column: 1 });
  const { text, problems } = decodeText(bytes);
  return { text, problems: problems.map((p) => encodingError(file, p)) };
}

/**
 * The text of `file`, refusing files over `maxBytes`, non-regular files, and
 * text that is not UTF-8 (every bad line reported, as `RcErrors`).
 */
export function readTextFile(file: string, maxBytes: number): string {
  const { text, problems } = decodeFile(file, readFileBytes(file, maxBytes));
  if (problems.length) throw problems.length === 1 ? problems[0]! : new RcErrors(problems);
  return text;
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
    return { errors: asRcErrors(err) };
  }
}
