/**
 * For the publish tests: rules folders with several drafts, a byte-exact
 * picture of a folder, and the CLI run asynchronously so runs can overlap.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulesCopy, type CliRun } from './versions-cli.js';

/** A draft copy of the shipped example 2027-01 under another id and window. */
export function addDraft(dir: string, id: string, from: string, until: string): string {
  const text = readFileSync('rules/2027-01.yaml', 'utf8');
  const next = text.replace('id: "2027-01"', `id: "${id}"`)
    .replace('effective: { from: 2027-01-01, until: 2028-01-01 }', `effective: { from: ${from}, until: ${until} }`);
  if (next === text) throw new Error('the example draft changed: update addDraft');
  const file = join(dir, `${id}.yaml`);
  writeFileSync(file, next);
  return file;
}

/** A rules folder with the shipped 2026-01 and three drafts for consecutive years (2027-01, 2028-01, 2029-01). */
export function threeDrafts(): string {
  const dir = rulesCopy(['2027-01.yaml']);
  addDraft(dir, '2028-01', '2028-01-01', '2029-01-01');
  addDraft(dir, '2029-01', '2029-01-01', '2030-01-01');
  return dir;
}

/** Every file of a folder (hidden ones too) with its exact content. */
export function folderPicture(dir: string): Record<string, string> {
  const picture: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) picture[name] = readFileSync(join(dir, name), 'utf8');
  return picture;
}

/** Runs the built CLI without waiting, so several runs overlap. */
export function cliAsync(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/reseller-credits.js', ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** sha256 of text, hex. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
