/**
 * For the versions tests: the built CLI run as a user runs it, and a
 * throw-away copy of the shipped rules folder to publish into and break.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp.js';

/** What a CLI run left behind. */
export interface CliRun { status: number | null; stdout: string; stderr: string }

/** Runs `node bin/reseller-credits.js …args` from the project root, without colours. */
export function cli(args: readonly string[]): CliRun {
  const r = spawnSync(process.execPath, ['bin/reseller-credits.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temp rules folder holding the shipped `2026-01.yaml` and `rules.lock` (and the given extra files). */
export function rulesCopy(extra: readonly string[] = []): string {
  const dir = join(tempDir('rc-versions-'), 'rules');
  mkdirSync(dir);
  for (const name of ['2026-01.yaml', 'rules.lock', ...extra]) copyFileSync(join('rules', name), join(dir, name));
  return dir;
}
