/**
 * Running the built project from somewhere else, as an installed package is:
 * a folder (whose path has a space), the project's `node_modules` linked
 * beside it, the CLI and the library run in child processes from there.
 */
import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Links the project's node_modules into `dir` (a full install would cost minutes). */
export function linkNodeModules(dir: string): void {
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
}

/** Runs the bin of the package in `dir` with `args`, from `cwd`. */
export function runBin(dir: string, args: string[], cwd = dir) {
  return spawnSync(process.execPath, [join(dir, 'bin', 'reseller-credits.js'), ...args], { cwd, encoding: 'utf8' });
}

/**
 * Imports the library of the package in `dir` in a child process, loads the
 * shipped rule set, evaluates `example` (the seed) and prints `{ credit, schema }`.
 */
export function useLibrary(dir: string, example: string, cwd = dir) {
  const entry = pathToFileURL(join(dir, 'dist', 'index.js')).href;
  const script = `
    import { readFileSync } from 'node:fs';
    const lib = await import(${JSON.stringify(entry)});
    const rules = lib.loadRuleSet(${JSON.stringify(join(dir, 'rules', '2026-01.yaml'))});
    const file = ${JSON.stringify(example)};
    const { snapshot, doc } = lib.parseSnapshotRecord(
      { seq: 0, file, line: 1, column: 1, format: 'yaml', text: readFileSync(file, 'utf8') }, lib.resolveLimits());
    const result = await lib.evaluate(snapshot, rules, doc);
    process.stdout.write(JSON.stringify({ credit: result.credit, schema: lib.schemaPath('ruleset') }));`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
}
