/**
 * Where a regression case may read from (SPEC §6): only inside the cases
 * folder being run. Cases come from pull requests and run in CI, so a
 * `snapshotFile` of `/etc/passwd`, `../../secret` or a symlink pointing out
 * must be refused before anything of the file is read, and the refusal must
 * name the rule, never the content. Paths are compared after `..` and
 * symbolic links are resolved (`realpath`), on both sides.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fsError, isSymlink, specialKind } from '../read/fs-errors.js';
import { quoteInput } from '../text/safe-text.js';

/** The folder `reseller-credits test` runs without a PATH. */
export const DEFAULT_CASES_DIR = 'test/cases';

/** Whether `child` is `parent` or lies below it (both absolute and normalized). */
export function isInside(child: string, parent: string): boolean {
  if (child === parent) return true;
  return child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/**
 * The cases folder a case file named on its own belongs to: the default
 * folder (`test/cases`) when the file lies inside it, so a shipped case that
 * reads `../snapshots/…` can be run alone; otherwise the file's own folder.
 */
export function casesRootFor(caseFile: string): string {
  const file = real(caseFile);
  const defaults = real(DEFAULT_CASES_DIR);
  if (file && defaults && isInside(file, defaults)) return DEFAULT_CASES_DIR;
  return dirname(caseFile);
}

/**
 * Why the case file itself may not be read — it resolves (through a symbolic
 * link) outside `root` — or undefined when it may (or cannot be resolved at
 * all: reading it then reports why, e.g. a dangling link).
 */
export function caseFileOutside(caseFile: string, root: string): string | undefined {
  const file = real(caseFile);
  const top = real(root);
  if (file === undefined || top === undefined || isInside(file, top)) return undefined;
  return isSymlink(caseFile)
    ? `the case file is a symbolic link to a file outside the cases folder being run (${root}); not read`
    : `the case file resolves through a symbolic link to a place outside the cases folder being run (${root}); not read`;
}

/**
 * The real path of the snapshot file `given` names, relative to `caseFile`,
 * or why it is refused: outside `root` (checked on the path as written
 * first, so nothing outside is even looked at, then on the real path), not
 * found, or not a regular file (a FIFO would block, `/dev/zero` never ends).
 * `file` is the path as written (for messages), `real` the one to read.
 */
export function resolveSnapshotFile(caseFile: string, given: string, root: string): { file: string; real: string } | { problem: string; outside?: true } {
  const outside = {
    outside: true as const,
    problem: `${quoteInput(given)} is outside the cases folder being run (${root}): a snapshotFile is a path relative to the case that must stay inside that folder after ".." and symbolic links are resolved; not read`,
  };
  const top = real(root) ?? resolve(root);
  const written = resolve(dirname(caseFile), given);
  if (!isInside(written, resolve(root)) && !isInside(written, top)) return outside;
  let file: string;
  try {
    file = realpathSync(written);
  } catch (err) {
    return { problem: `${quoteInput(given)}: ${fsError(err, written).message}` };
  }
  if (!isInside(file, top)) return outside;
  let kind: string | undefined;
  try {
    kind = specialKind(statSync(file));
  } catch (err) {
    return { problem: `${quoteInput(given)}: ${fsError(err, file).message}` };
  }
  if (kind) return { problem: `${quoteInput(given)} is ${kind}, not a regular file; not read` };
  return { file: join(dirname(caseFile), given), real: file };
}
