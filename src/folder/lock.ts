/**
 * `rules/rules.lock`: `{ "<id>": "<sha256>" }` for every published version
 * (SPEC §6). Read with positions so a stray entry can be pointed at.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RcError } from '../errors.js';
import { fsError, isSymlink } from '../read/fs-errors.js';
import { nodeWriter, replaceFile, type FsWriter } from './fs-writer.js';
import { resolveLimits } from '../limits.js';
import { quoteInput } from '../text/safe-text.js';
import { parseYamlDocuments, type Position } from '../parse/source-doc.js';

/** The lock file name inside the rules folder. */
export const LOCK_FILE = 'rules.lock';

/** The lock's entries and where each stands in the file. */
export interface Lock {
  file: string;
  entries: Record<string, string>;
  positions?: Record<string, Position>;
}

/** Reads the lock of `dir`; a missing lock is an empty one. */
export function readLock(dir: string): { lock: Lock; errors: RcError[] } {
  const file = join(dir, LOCK_FILE);
  const empty: Lock = { file, entries: {} };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // No lock yet is an empty lock; a dangling link is not "no lock".
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !isSymlink(file)) return { lock: empty, errors: [] };
    // LOCK_INVALID, not READ_FAILED: publish refuses to touch anything while
    // the lock is invalid, and an unreadable lock (a folder, no permission)
    // could not be written back either.
    const e = fsError(err, file);
    return { lock: empty, errors: [new RcError('LOCK_INVALID', e.message, { file })] };
  }
  return parseLockText(file, text);
}

/** The lock read from `text` (the content of `file`). */
export function parseLockText(file: string, text: string): { lock: Lock; errors: RcError[] } {
  const empty: Lock = { file, entries: {} };
  try {
    JSON.parse(text);
  } catch (err) {
    return { lock: empty, errors: [new RcError('LOCK_INVALID', `not valid JSON: ${(err as Error).message}`, { file })] };
  }
  const [doc] = parseYamlDocuments(text, { file, limits: resolveLimits() });
  if (doc && !doc.ok) {
    // JSON.parse keeps the last of two equal keys; the lock must not: say which key, where
    const dup = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    if (dup.length) {
      return { lock: empty, errors: dup.map((e) => new RcError('LOCK_INVALID',
        `duplicate key${e.path ? ` ${quoteInput(keyOfPath(e.path))}` : ''}: each version has one entry`, { file, line: e.line, column: e.column })) };
    }
  }
  if (!doc?.ok || !doc.doc.value || typeof doc.doc.value !== 'object' || Array.isArray(doc.doc.value)) {
    return { lock: empty, errors: [new RcError('LOCK_INVALID', 'must be a JSON object { "<id>": "<sha256>" }', { file, line: 1, column: 1 })] };
  }
  const entries: Record<string, string> = {};
  const positions: Record<string, Position> = {};
  const errors: RcError[] = [];
  for (const [id, hash] of Object.entries(doc.doc.value as Record<string, unknown>)) {
    const pos = doc.doc.locate([id], true);
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
      errors.push(new RcError('LOCK_INVALID', 'must be a lower-case hex sha256', { file, ...pos, path: id }));
      continue;
    }
    Object.defineProperty(entries, id, { value: hash, enumerable: true, writable: true, configurable: true });
    if (pos) positions[id] = pos;
  }
  return { lock: { file, entries, positions }, errors };
}

/** The key a one-segment data path names: `["2026-01"]` or `v1` → the key itself. */
function keyOfPath(path: string): string {
  try {
    return path.startsWith('["') ? (JSON.parse(path.slice(1, -1)) as string) : path;
  } catch {
    return path;
  }
}

/** Writes the lock with sorted ids, one per line, so diffs stay readable. */
export function writeLock(lock: Lock, writer: FsWriter = nodeWriter): void {
  writeAtomically(lock.file, lockText(lock.entries), writer);
}

/** The text of a lock file holding `entries`: sorted ids, one per line. */
export function lockText(entries: Record<string, string>): string {
  const ids = Object.keys(entries).sort();
  const body = ids.map((id) => `  ${JSON.stringify(id)}: ${JSON.stringify(entries[id])}`).join(',\n');
  return ids.length ? `{\n${body}\n}\n` : '{}\n';
}

/**
 * Replaces `file` with `text` through a temporary file and a rename, so that
 * a failed write never leaves half a file; a failure is a coded error.
 */
export function writeAtomically(file: string, text: string, writer: FsWriter = nodeWriter): void {
  try {
    replaceFile(file, text, writer);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new RcError('WRITE_FAILED', `cannot write (${code})`, { file });
  }
}
