/**
 * The files a portfolio's inputs name: a file as given, or every snapshot
 * file below a folder, sorted. An entry that cannot be looked at (a dangling
 * symlink, a file deleted while the folder is read, a folder without
 * permission) comes back with its error instead of ending the run.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { RcError } from '../errors.js';
import { fsError } from './fs-errors.js';

/** The kinds of snapshot file, by extension (lower case). */
export const KINDS: Readonly<Record<string, 'ndjson' | 'json' | 'yaml'>> = Object.freeze({
  '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml',
});

/** The kind of snapshot file `name` is, by its extension. */
export const kindOf = (name: string): 'ndjson' | 'json' | 'yaml' | undefined => KINDS[extname(name).toLowerCase()];

/** One file of the portfolio, or an entry that could not be read, with why. */
export interface InputFile { file: string; error?: RcError }

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
  const walk = (p: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      if (top || kindOf(p)) out.push({ file: p, error: fsError(err, p) });
      return;
    }
    if (!st.isDirectory()) {
      if (top || kindOf(p)) out.push({ file: p });
      return;
    }
    const names = listFolderOnce(p, seen);
    if (names instanceof RcError) out.push({ file: p, error: names });
    else for (const name of names) walk(join(p, name), false);
  };
  for (const i of inputs) {
    seen = new Set<string>();
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
