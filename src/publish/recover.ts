/**
 * Completing an interrupted publish (SPEC §6). Run by every command that
 * writes the rules folder, holding the folder's lock, before anything else.
 *
 * Recovery rolls forward: the journal is only in place once it is complete
 * (it is written to a temporary file and renamed), and the publish it
 * describes was fully checked, under the lock, before the journal was
 * written; nothing can have been published since without completing it
 * first. So every file still at its `before` content gets its `after`
 * content; the files already written are left alone; then the journal goes.
 * Recovery is itself idempotent: killed half-way, it is simply run again.
 * When a file has neither content (edited by hand since), nothing is written
 * and the user is told which file to look at.
 */
import { readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RcError } from '../errors.js';
import { nodeWriter, removeFile, tempPath, writeTarget, type FsWriter } from '../folder/fs-writer.js';
import { writeAtomically } from '../folder/lock.js';
import { JOURNAL_FILE, journalSubject } from '../folder/publish-journal.js';
import { judgedJournal } from '../folder/journal-shape.js';
import { conflictError, refusedError } from '../compose/rules-dir.js';
import { signedLineCheck } from '../compose/approval-policy.js';

/** What recovery did. */
export interface Recovery {
  id: string;
  /** One line for stderr. */
  message: string;
  /** Files written now. */
  written: string[];
  /** Files the interrupted publish had written already. */
  already: string[];
}

/** A journal that cannot be applied, or recovery failing to write: the folder is not usable for writing (exit 2). */
export class RecoveryFailed extends Error {
  readonly errors: RcError[];
  constructor(errors: RcError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'RecoveryFailed';
    this.errors = errors;
  }
}

/**
 * Completes the interrupted publish of `dir`, if any; undefined when there
 * was none. `step` is called after each file (the caller refreshes its lock).
 */
export function recoverInterrupted(dir: string, writer: FsWriter = nodeWriter, step: () => void = () => undefined): Recovery | undefined {
  let view;
  try {
    view = judgedJournal(dir, signedLineCheck(dir));
  } catch (err) {
    if (err instanceof RcError) throw new RecoveryFailed([err]);
    throw err;
  }
  if (!view) {
    removeJournalTemps(dir);
    return undefined;
  }
  if (view.refused) throw new RecoveryFailed([refusedError(view)]);
  if (!view.completable) throw new RecoveryFailed([conflictError(view)]);
  const written: string[] = [];
  const already: string[] = [];
  for (const f of view.files) {
    if (f.state === 'after') {
      already.push(f.entry.name);
      continue;
    }
    try {
      writeAtomically(f.path, f.entry.after, writer);
    } catch (err) {
      const e = err instanceof RcError ? err : new RcError('WRITE_FAILED', String(err), { file: f.path });
      throw new RecoveryFailed([new RcError('WRITE_FAILED',
        `${e.message}: cannot complete the interrupted ${journalSubject(view.journal)}; fix the cause and run publish again (the journal ${view.file} is kept)`,
        { file: f.path })]);
    }
    written.push(f.entry.name);
    step();
  }
  for (const f of view.files) {
    try { rmSync(tempPath(writeTarget(f.path).target, view.journal.pid), { force: true }); } catch { /* best effort */ }
  }
  try {
    removeFile(view.file, writer);
  } catch (err) {
    throw new RecoveryFailed([new RcError('WRITE_FAILED',
      `completed the interrupted publish of ${view.journal.id} but cannot remove its journal (${(err as NodeJS.ErrnoException).code ?? 'error'}); delete it by hand`, { file: view.file })]);
  }
  removeJournalTemps(dir);
  const list = (names: string[]) => names.join(', ') || 'nothing';
  return {
    id: view.journal.id,
    written,
    already,
    message: `completed the interrupted ${journalSubject(view.journal)}: wrote ${list(written)}${already.length ? ` (already written: ${list(already)})` : ''}`,
  };
}

/** Journals never renamed into place (their writer was stopped first) changed nothing: removed. */
function removeJournalTemps(dir: string): void {
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    if (n.startsWith(`${JOURNAL_FILE}.tmp-`)) {
      try { rmSync(join(dir, basename(n)), { force: true }); } catch { /* best effort */ }
    }
  }
}
