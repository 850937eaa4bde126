/**
 * The publish journal, `.rc-publish-journal.json` in the rules folder: the
 * intent of one publish, written (atomically) before any file it changes.
 * For every file the publish writes (rules.lock, the rule file,
 * publish-log.ndjson) it holds the sha256 of the content before, the content
 * before (base64, for undoing) and the complete content after.
 *
 * While the journal exists, each of its files is in one of three states:
 * `before` (not yet written), `after` (written) or `other` (changed by
 * someone else since: the journal cannot be applied). A journal whose files
 * are all `before` or `after` is completed by the next writing command (roll
 * forward) and read as completed by every reading command.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RcError } from '../errors.js';

/** The journal's file name inside the rules folder. */
export const JOURNAL_FILE = '.rc-publish-journal.json';

/** One file a publish writes. */
export interface JournalEntry {
  /** The file's name inside the rules folder. */
  name: string;
  /** sha256 of the bytes before; null when the file did not exist. */
  beforeSha256: string | null;
  /** The bytes before, base64; null when the file did not exist. */
  beforeBase64: string | null;
  /** sha256 of `after` (UTF-8). */
  afterSha256: string;
  /** The content after the publish. */
  after: string;
}

/** The intent of one publish. */
export interface Journal {
  format: 1;
  /** The version being published (or retired). */
  id: string;
  /** `publish` or `retire`; absent in journals written before retiring existed (a publish). */
  action?: 'publish' | 'retire';
  approvedBy: string;
  /** When the publish started (the log line's publishedAt). */
  startedAt: string;
  pid: number;
  host: string;
  /** In the order they are written. */
  files: JournalEntry[];
}

/** Where each file of a journal stands now. */
export interface JournalFileState {
  entry: JournalEntry;
  path: string;
  state: 'before' | 'after' | 'other';
}

/** A journal found in a folder, with the state of each of its files. */
export interface JournalView {
  file: string;
  journal: Journal;
  files: JournalFileState[];
  /** Whether every file is `before` or `after`, so the publish can be completed. */
  completable: boolean;
  /**
   * Why the journal is not one this program writes (journal-shape.ts), or
   * undefined: a refused journal is never completed nor read as completed.
   */
  refused?: string;
}

/** sha256 of bytes or of a string's UTF-8, hex. */
export function sha256Of(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The journal's text. */
export function journalText(j: Journal): string {
  return `${JSON.stringify(j, null, 2)}\n`;
}

/** A journal entry for writing `after` to `name` of `dir` (read now for its before state). */
export function journalEntry(dir: string, name: string, after: string): JournalEntry {
  const before = readBytes(join(dir, name));
  return {
    name,
    beforeSha256: before === null ? null : sha256Of(before),
    beforeBase64: before === null ? null : before.toString('base64'),
    afterSha256: sha256Of(after),
    after,
  };
}

/** The bytes of `file`, null when there is none. Other read errors are thrown. */
export function readBytes(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The journal of `dir` and where its files stand; undefined when there is
 * none. Throws a positioned `RcError` (JOURNAL_INVALID) for a journal that
 * cannot be read: never expected, since it is replaced atomically.
 */
export function viewJournal(dir: string): JournalView | undefined {
  const file = join(dir, JOURNAL_FILE);
  let bytes: Buffer | null;
  try {
    if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new RcError('JOURNAL_INVALID', 'the publish journal is a symbolic link: this program never writes one; remove it', { file });
    }
    bytes = readBytes(file);
  } catch (err) {
    if (err instanceof RcError) throw err;
    throw new RcError('JOURNAL_INVALID', `cannot read the publish journal (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file });
  }
  if (bytes === null) return undefined;
  const journal = parseJournal(bytes.toString('utf8'), file);
  const files = journal.files.map((entry): JournalFileState => {
    const path = join(dir, entry.name);
    let now: Buffer | null;
    try { now = readBytes(path); } catch { return { entry, path, state: 'other' }; }
    const hash = now === null ? null : sha256Of(now);
    const state = hash === entry.afterSha256 ? 'after' : hash === entry.beforeSha256 ? 'before' : 'other';
    return { entry, path, state };
  });
  return { file, journal, files, completable: files.every((f) => f.state !== 'other') };
}

function parseJournal(text: string, file: string): Journal {
  const bad = (why: string) => new RcError('JOURNAL_INVALID', `the publish journal is not usable (${why}); check the files it names by hand, then delete it`, { file });
  let v: unknown;
  try { v = JSON.parse(text); } catch { throw bad('not valid JSON'); }
  const j = v as Partial<Journal>;
  if (!j || typeof j !== 'object' || j.format !== 1 || typeof j.id !== 'string' || !Array.isArray(j.files)) throw bad('not a journal of this version of reseller-credits');
  for (const f of j.files as Partial<JournalEntry>[]) {
    const ok = f && typeof f.name === 'string' && /^[^/\\]+$/.test(f.name) && f.name !== '..' && typeof f.after === 'string'
      && typeof f.afterSha256 === 'string' && sha256Of(f.after) === f.afterSha256
      && (f.beforeSha256 === null || typeof f.beforeSha256 === 'string')
      && (f.beforeBase64 === null || typeof f.beforeBase64 === 'string');
    if (!ok) throw bad('a file entry is damaged');
  }
  return j as Journal;
}

/** What a journal is about: `publish of 2027-01 (approved by …, started … by process … on …)`. */
export function journalSubject(j: Journal): string {
  return `${j.action === 'retire' ? 'retire' : 'publish'} of ${j.id} (approved by ${JSON.stringify(j.approvedBy)}, started ${j.startedAt} by process ${j.pid} on ${j.host})`;
}
