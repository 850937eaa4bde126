import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RcError } from '../src/errors.js';
import { NoRuleSetError } from '../src/compose/resolve-rule-set.js';
import { loadRules } from '../src/compose/rules-dir.js';
import { PublishRefused, publishVersion } from '../src/publish/publish.js';
import { setStatusText } from '../src/publish/status-edit.js';
import { runCli as cli } from './support/run-cli.js';
import { rulesCopy } from './support/versions-cli.js';
import { sortedJson } from './support/sorted-json.js';

const read = (f: string) => readFileSync(f, 'utf8');
const lockOf = (dir: string) => JSON.parse(read(join(dir, 'rules.lock'))) as Record<string, string>;
const independentHash = (file: string) => createHash('sha256').update(sortedJson(parse(read(file), { schema: 'core' }))).digest('hex');

/** A rules folder with the shipped 2026-01 and the example draft 2027-01. */
const withDraft = () => rulesCopy(['2027-01.yaml']);

describe('reseller-credits publish', () => {
  it('changes only the status value, keeping every comment and the layout, and records the hash', async () => {
    const dir = withDraft();
    const file = join(dir, '2027-01.yaml');
    const before = read(file);
    const r = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Test Approver']);
    // the one notice of SPEC §11 (no signers configured), and nothing else
    expect(r.stderr).toBe('approvals are not verified: names are typed and anyone can write any name (see docs/approvals.md)\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('published 2027-01');
    const after = read(file);
    expect(after).toBe(before.replace('\nstatus: draft\n', '\nstatus: published\n'));
    const comments = (t: string) => t.split('\n').filter((l) => /#/.test(l));
    expect(comments(after)).toEqual(comments(before));
    expect(comments(after).length).toBeGreaterThan(40);
    expect(lockOf(dir)).toEqual({ '2026-01': lockOf('rules')['2026-01'], '2027-01': independentHash(file) });
    expect((await cli(['--rules-dir', dir, 'validate'])).status).toBe(0);
  });

  it('is idempotent on a published version: nothing changes, exit 0', async () => {
    const dir = withDraft();
    expect((await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Test Approver'])).status).toBe(0);
    const file = read(join(dir, '2027-01.yaml'));
    const lock = read(join(dir, 'rules.lock'));
    const again = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Test Approver']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already published');
    expect(read(join(dir, '2027-01.yaml'))).toBe(file);
    expect(read(join(dir, 'rules.lock'))).toBe(lock);
    expect((await cli(['--rules-dir', dir, 'publish', '2026-01', '--approved-by', 'Test Approver'])).status).toBe(0);
  });

  it('is refused when the window overlaps a published one; nothing is written', async () => {
    const dir = withDraft();
    const file = join(dir, '2027-01.yaml');
    writeFileSync(file, read(file).replace('from: 2027-01-01, until: 2028-01-01', 'from: 2026-10-01, until: 2028-01-01'));
    const before = read(file);
    const lock = read(join(dir, 'rules.lock'));
    const r = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Test Approver']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/2027-01\.yaml:\d+:\d+: effective: 2027-01 \(2026-10-01 to 2028-01-01\) would overlap published version "2026-01" \(2026-01-01 to 2027-01-01\).*start 2027-01 on or after 2027-01-01/);
    expect(r.stderr).toContain('2027-01 was not published; nothing was changed');
    expect(read(file)).toBe(before);
    expect(read(join(dir, 'rules.lock'))).toBe(lock);
  });

  it('is refused for an invalid draft, listing every error with its position', async () => {
    const dir = withDraft();
    const file = join(dir, '2027-01.yaml');
    writeFileSync(file, read(file).replace('from: "400",', 'from: "40",').replace('commissionable: 50 }', 'commissionable: 60 }'));
    const before = read(file);
    const r = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Test Approver']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/2027-01\.yaml:\d+:\d+: tiers\[2\]\.from: tiers must be strictly ascending/);
    expect(r.stderr).toMatch(/2027-01\.yaml:\d+:\d+: services\.training\.commissionable: 60% is not one of the commissionClasses/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(read(file)).toBe(before);
    expect(lockOf(dir)['2027-01']).toBeUndefined();
  });

  it('is refused when rules.lock already holds other content for the id', async () => {
    const dir = withDraft();
    writeFileSync(join(dir, 'rules.lock'), JSON.stringify({ ...lockOf(dir), '2027-01': 'a'.repeat(64) }));
    expect(() => publishVersion('2027-01', { rulesDir: dir, approvedBy: 'Test Approver' })).toThrow(PublishRefused);
    const r = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Test Approver']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('rules.lock already records "2027-01" with other content');
  });

  it('an unknown id or a path is a usage error (exit 2)', async () => {
    const dir = withDraft();
    expect(() => publishVersion('2099-01', { rulesDir: dir, approvedBy: 'Test Approver' })).toThrow(NoRuleSetError);
    const r = await cli(['--rules-dir', dir, 'publish', '2099-01', '--approved-by', 'Test Approver']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no rule set "2099-01"');
    expect((await cli(['--rules-dir', dir, 'publish', join(dir, '2027-01.yaml'), '--approved-by', 'Test Approver'])).status).toBe(2);
  });

  it('records the missing lock entry of a file already marked published', () => {
    const dir = withDraft();
    const file = join(dir, '2027-01.yaml');
    writeFileSync(file, read(file).replace('status: draft', 'status: published'));
    expect(loadRules(dir).errors.map((e) => e.code)).toEqual(['LOCK_MISSING']);
    const out = publishVersion('2027-01', { rulesDir: dir, approvedBy: 'Test Approver' });
    expect(out.action).toBe('lock-recorded');
    expect(loadRules(dir).errors).toEqual([]);
  });

  it('warns about an open end, and un-retires a retired version', () => {
    const dir = withDraft();
    const file = join(dir, '2027-01.yaml');
    writeFileSync(file, read(file).replace('from: 2027-01-01, until: 2028-01-01', 'from: 2027-01-01'));
    const out = publishVersion('2027-01', { rulesDir: dir, approvedBy: 'Test Approver' });
    expect(out.action).toBe('published');
    expect(out.warnings.join('\n')).toContain('has no end date');

    const shipped = join(dir, '2026-01.yaml');
    writeFileSync(shipped, read(shipped).replace('status: published', 'status: retired'));
    expect(loadRules(dir).errors).toEqual([]);
    const back = publishVersion('2026-01', { rulesDir: dir, approvedBy: 'Test Approver' });
    expect(back).toMatchObject({ action: 'published', previousStatus: 'retired', sha256: lockOf('rules')['2026-01'] });
    expect(read(shipped)).toBe(read('rules/2026-01.yaml'));
  });
});

describe('setStatusText', () => {
  it('keeps the quoting style and every other byte', () => {
    const text = '# head\nid: "x"   # c\nstatus: "draft"  # why\nother: 1\n';
    expect(setStatusText(text, 'x.yaml', 'published')).toBe('# head\nid: "x"   # c\nstatus: "published"  # why\nother: 1\n');
    expect(setStatusText("status: 'draft'\n", 'x.yaml', 'published')).toBe("status: 'published'\n");
    expect(setStatusText('status: draft\n', 'x.yaml', 'retired')).toBe('status: retired\n');
  });

  it('refuses forms it cannot change safely, with a position', () => {
    let err: unknown;
    try { setStatusText('id: x\nstatus: !!str draft\n', 'x.yaml', 'published'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(RcError);
    expect(err).toMatchObject({ path: 'status', line: 2, column: 15 });
    expect(() => setStatusText('status: |\n  draft\n', 'x.yaml', 'published')).toThrow(/write the status plainly/);
  });
});
