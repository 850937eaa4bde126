/**
 * The files a portfolio's inputs name: a file as given, or every snapshot
 * file below a folder, sorted; `-` (standard input) and pipes named on the
 * command line as streams. An entry that cannot be looked at (a dangling
 * symlink, a file deleted while the folder is read, a folder without
 * permission) or must not be read (a FIFO, socket or device inside a folder,
 * which would block or never end; a socket or device named) comes back with
 * its error instead of ending the run or hanging it.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { RcError } from '../errors.js';
import { fsError, specialKind } from './fs-errors.js';

/** How standard input is named in messages and error records (`file`). */
export const STDIN_NAME = '<stdin>';

/** The kinds of snapshot file, by extension (lower case). */
export const KINDS: Readonly<Record<string, 'ndjson' | 'json' | 'yaml'>> = Object.freeze({
  '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml',
});

/** The kind of snapshot file `name` is, by its extension. */
export const kindOf = (name: string): 'ndjson' | 'json' | 'yaml' | undefined => KINDS[extname(name).toLowerCase()];

/**
 * One file of the portfolio, or an entry that could not be read, with why.
 * `stream` marks input read as it arrives: standard input (`file` is
 * `<stdin>`) or a pipe named on the command line (`<(psql …)`, a FIFO).
 */
export interface InputFile { file: string; error?: RcError; stream?: 'stdin' | 'pipe' }

/**
 * Every file `inputs` name, in order. Inside folders only snapshot files are
 * taken; an entry that cannot be stat'ed is reported only when its name says
 * it would have been read (a snapshot extension), as a readable file of
 * another kind would have been skipped too. Within one input, a folder
 * reached twice through symlinks (a link loop) is read once; an input named
 * twice is read twice, as a file named twice is.
 */
export function listInputs(inputs: readonly string[]): InputFile[] {
  const out: InputFile[] = [];
  let seen = new Set<string>();
  let stdinNamed = false;
  const walk = (p: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      if (top || kindOf(p)) out.push({ file: p, error: fsError(err, p) });
      return;
    }
    if (!st.isDirectory()) {
      const special = specialKind(st);
      if (!special) {
        if (top || kindOf(p)) out.push({ file: p });
      } else if (top && st.isFIFO()) {
        out.push({ file: p, stream: 'pipe' });
      } else {
        out.push({ file: p, error: new RcError('READ_FAILED', top
          ? `is ${special}, not a file: not read (name a file, a folder, a pipe, or - for standard input)`
          : `is ${special}, not a regular file: only regular files are read from a folder; not read`, { file: p }) });
      }
      return;
    }
    const names = listFolderOnce(p, seen);
    if (names instanceof RcError) out.push({ file: p, error: names });
    else for (const name of names) walk(join(p, name), false);
  };
  for (const i of inputs) {
    seen = new Set<string>();
    if (i === '-') {
      out.push(stdinNamed
        ? { file: STDIN_NAME, error: new RcError('READ_FAILED', 'standard input (-) is named twice; it can be read only once', { file: STDIN_NAME }) }
        : { file: STDIN_NAME, stream: 'stdin' });
      stdinNamed = true;
      continue;
    }
    const before = out.length;
    walk(i, true);
    // a named folder with no snapshot file in it is an error naming it (SPEC §5)
    if (out.length === before) {
      out.push({ file: i, error: new RcError('NO_SNAPSHOT', 'the folder holds no snapshot file (.yaml, .yml, .json, .ndjson, .jsonl)', { file: i }) });
    }
  }
  return out;
}

/**
 * The sorted entry names of `dir`, or [] when `seen` already holds its real
 * path (a symlink loop is walked once), or the coded error when it cannot be read.
 */
export function listFolderOnce(dir: string, seen: Set<string>): string[] | RcError {
  try {
    const real = realpathSync(dir);
    if (seen.has(real)) return [];
    seen.add(real);
    return readdirSync(dir).sort();
  } catch (err) {
    return fsError(err, dir);
  }
}
