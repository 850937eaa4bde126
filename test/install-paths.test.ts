/**
 * Issue 7 item 11: the built project works from a folder whose path has a
 * space (and other characters a file URL escapes): the CLI and the library
 * find the schemas, the pre-compiled validators and the worker.
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/temp.js';
import { linkNodeModules, runBin, useLibrary } from './support/installed.js';

const root = join(tempDir(), 'with space #1 %20');
mkdirSync(root, { recursive: true });
for (const part of ['bin', 'dist', 'schemas', 'rules', 'examples', 'package.json']) cpSync(part, join(root, part), { recursive: true });
linkNodeModules(root);

describe('installed under a path with a space', () => {
  it('the copy has the pre-compiled validators (so the test exercises the path to them)', () => {
    expect(existsSync(join(root, 'dist', 'validate', 'validators.generated.cjs'))).toBe(true);
  });

  it('the CLI evaluates the seed example from there', () => {
    const r = runBin(root, ['evaluate', '--format', 'json', join(root, 'examples', 'seed-px2.yaml')]);
    expect(r.stderr).not.toContain('    at ');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ account: 'R-1001', credit: '25.00', statement: { amountDue: '275.00' } });
  });

  it('the CLI validates the rules folder and runs workers from there', () => {
    const v = runBin(root, ['validate']);
    expect(v.stderr).not.toContain('    at ');
    expect(v.status).toBe(0);
    const e = runBin(root, ['evaluate', '--format', 'csv', '--jobs', '2', join(root, 'examples')]);
    expect(e.stderr).not.toContain('    at ');
    expect(e.stdout.split('\n')[0]).toContain('account');
  });

  it('the library loads, validates and evaluates from there', () => {
    const r = useLibrary(root, join(root, 'examples', 'seed-px2.yaml'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { credit: string; schema: string };
    expect(out.credit).toBe('25.00');
    expect(out.schema).toBe(join(root, 'schemas', 'ruleset.schema.json'));
    expect(existsSync(out.schema)).toBe(true);
  });
});
