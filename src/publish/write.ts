/**
 * Writing a planned publish through its journal (SPEC §6): the journal
 * first, then each file, then the journal goes; a failed write is undone here
 * when it can be, and the error says exactly what the folder holds.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RcError, RcErrors } from '../errors.js';
import { removeFile, replaceFile, type FsWriter } from '../folder/fs-writer.js';
import { writeAtomically } from '../folder/lock.js';
import { JOURNAL_FILE, journalEntry, journalText, readBytes, sha256Of, type Journal } from '../folder/publish-journal.js';

/** The publish could not be carried out (lock busy, a write failed); `message`-level detail in the errors (exit status 1). */
export class PublishFailed extends RcErrors {
  /** Whether the folder is exactly as before the run. */
  readonly unchanged: boolean;
  constructor(errors: RcError[], unchanged: boolean) {
    super(errors);
    this.unchanged = unchanged;
  }
}

/** What a publish writes: every file's complete new content, in order. */
export interface PlannedWrites {
  id: string;
  approvedBy: string;
  /** The log line's publishedAt. */
  startedAt: string;
  writes: { name: string; text: string }[];
  /** Where a warning about the journal's removal goes. */
  warnings: string[];
  /** The change: recovery checks the journal has exactly its shape (SPEC §6). */
  action: 'publish' | 'retire';
}

/**
 * Writes the planned files through the journal: the journal first (so an
 * interruption from then on is completed by the next writing command), then
 * each file, then the journal is removed. A write that fails is undone here
 * (the files already written get their content back) when that is possible;
 * the error says exactly what the folder holds.
 */
export function writeThroughJournal(dir: string, p: PlannedWrites, writer: FsWriter, step: () => void): void {
  const journalFile = join(dir, JOURNAL_FILE);
  const journal: Journal = {
    format: 1, id: p.id, action: p.action, approvedBy: p.approvedBy, startedAt: p.startedAt, pid: process.pid, host: hostname(),
    files: p.writes.map((w) => journalEntry(dir, w.name, w.text)),
  };
  const code = (err: unknown) => (err instanceof RcError ? /\((\w+)\)/.exec(err.message)?.[1] : (err as NodeJS.ErrnoException).code) ?? 'error';
  try {
    writeAtomically(journalFile, journalText(journal), writer);
  } catch (err) {
    // the rename may have happened before a later step failed: the journal must not stay
    let gone = true;
    if (existsSync(journalFile)) {
      try { removeFile(journalFile, writer); } catch { gone = !existsSync(journalFile); }
    }
    if (gone) throw new PublishFailed([new RcError('WRITE_FAILED', `cannot write the publish journal (${code(err)}); ${p.id} was not published; nothing was changed`, { file: journalFile })], true);
    throw new PublishFailed([new RcError('WRITE_FAILED', `cannot write the publish journal completely (${code(err)}) nor remove it; no rule file was changed, but the next \`publish\` will complete the publish of ${p.id} from it: delete ${journalFile} first if it must not be published`, { file: journalFile })], false);
  }
  step();
  for (let i = 0; i < journal.files.length; i++) {
    const entry = journal.files[i]!;
    const path = join(dir, entry.name);
    try {
      writeAtomically(path, entry.after, writer);
    } catch (err) {
      throw undo(dir, journal, journalFile, i, path, code(err), writer);
    }
    step();
  }
  try {
    removeFile(journalFile, writer);
  } catch (err) {
    if (existsSync(journalFile)) {
      p.warnings.push(`${p.id} is published, but its journal could not be removed (${code(err)}); the next \`publish\` removes it, and until then other commands mention it`);
    }
  }
}

/** Puts back the files written before file `failed` (and it, if it was replaced after all), then removes the journal. */
function undo(dir: string, journal: Journal, journalFile: string, failed: number, failedPath: string, why: string, writer: FsWriter): PublishFailed {
  const problems: string[] = [];
  for (let i = failed; i >= 0; i--) {
    const entry = journal.files[i]!;
    const path = join(dir, entry.name);
    const now = readBytesOrNull(path);
    if (now === undefined) {
      problems.push(`${path} (unreadable)`);
      continue;
    }
    if ((now === null ? null : sha256Of(now)) !== entry.afterSha256) continue; // not written
    try {
      if (entry.beforeBase64 === null) removeFile(path, writer);
      else replaceFile(path, Buffer.from(entry.beforeBase64, 'base64'), writer);
    } catch (err) {
      problems.push(`${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (!problems.length) {
    try {
      removeFile(journalFile, writer);
    } catch (err) {
      problems.push(`${journalFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (!problems.length) {
    return new PublishFailed([new RcError('WRITE_FAILED', `cannot write (${why}); ${journal.id} was not published: the files already written were put back, nothing was changed`, { file: failedPath })], true);
  }
  return new PublishFailed([new RcError('WRITE_FAILED',
    `cannot write (${why}), and cannot put back ${problems.join(', ')}: the publish of ${journal.id} is half done; the next \`publish\` (of any version) completes it from its journal ${journalFile} once the cause is fixed; until then \`validate\` and the other commands read the folder as published`,
    { file: failedPath })], false);
}

function readBytesOrNull(path: string): Buffer | null | undefined {
  try { return readBytes(path); } catch { return undefined; }
}

