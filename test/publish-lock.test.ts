import { readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { canonicalJson, contentHash } from '../src/parse/canonical.js';
import { loadRules, selectForPeriod, findRuleSet } from '../src/compose/rules-dir.js';
import { readRuleSetFile } from '../src/compose/ruleset-loader.js';
import { runCli as cli } from './support/run-cli.js';
import { rulesCopy } from './support/versions-cli.js';
import { sortedJson, sha256 } from './support/sorted-json.js';

const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'rules.lock'), 'utf8')) as Record<string, string>;
const edit = (file: string, from: string, to: string) => {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
};

describe('rules.lock holds the canonical-JSON sha256 of each published version', () => {
  it('the entry of the shipped 2026-01 equals a hash computed independently here', () => {
    const doc = parse(readFileSync('rules/2026-01.yaml', 'utf8'), { schema: 'core' }) as unknown;
    const expected = sha256(sortedJson(doc));
    expect(lockOf('rules')['2026-01']).toBe(expected);
    expect(readRuleSetFile('rules/2026-01.yaml').ruleSet?.sha256).toBe(expected);
  });

  it('dates stay strings: the hash covers "2026-01-01" as text', () => {
    const doc = parse(readFileSync('rules/2026-01.yaml', 'utf8'), { schema: 'core' }) as { effective: unknown };
    expect(doc.effective).toEqual({ from: '2026-01-01', until: '2027-01-01' });
  });

  it('canonical JSON sorts keys at every level, integer-like keys as text, and has no whitespace', () => {
    const value = { b: 1, a: [{ d: 'x', c: null }, 2], '10': true, '9': 'é' };
    expect(canonicalJson(value)).toBe('{"10":true,"9":"é","a":[{"c":null,"d":"x"},2],"b":1}');
    expect(contentHash(value)).toBe(sha256('{"10":true,"9":"é","a":[{"c":null,"d":"x"},2],"b":1}'));
  });

  it('the shipped rules folder passes validate (so an edited published file fails npm test and CI)', async () => {
    const repo = loadRules('rules');
    expect(repo.errors.map((e) => e.message)).toEqual([]);
    expect((await cli(['validate'])).status).toBe(0);
  });
});

describe('validate catches a drifting published version', () => {
  it('fails when a tier of a published file is edited, naming the version and saying to copy it', async () => {
    const dir = rulesCopy();
    edit(join(dir, '2026-01.yaml'), 'from: "500",', 'from: "450",');
    const r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/2026-01\.yaml:\d+:\d+: id: published version "2026-01" no longer matches rules\.lock .*immutable.*copy the change into a new draft version instead/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('does not count comments, spacing, flow/block layout or key order as edits', async () => {
    const dir = rulesCopy();
    const file = join(dir, '2026-01.yaml');
    edit(file, 'schemaVersion: 1', '# a new comment\n\n\nschemaVersion: 1   # trailing comment');
    edit(file, '{ name: none,    from: "0",    creditPercent: "0" }', '{creditPercent: "0", from: "0", name: none}');
    edit(file, '  - { name: tier-10, from: "50",   creditPercent: "10" }', '  - name: tier-10   # block style now\n    from: "50"\n    creditPercent: "10"');
    const r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.stderr).toContain('0 error(s)');
    expect(r.status).toBe(0);
  });

  it('fails when a published version has no lock entry', async () => {
    const dir = rulesCopy();
    writeFileSync(join(dir, 'rules.lock'), '{}\n');
    const r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/2026-01\.yaml:\d+:\d+: status: published version "2026-01" has no entry in rules\.lock/);
  });

  it('fails when a lock entry has no rules file, pointing into rules.lock', async () => {
    const dir = rulesCopy();
    const lock = lockOf(dir);
    writeFileSync(join(dir, 'rules.lock'), JSON.stringify({ ...lock, '2025-01': lock['2026-01'] }, null, 2));
    const r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/rules\.lock:\d+:\d+: 2025-01: rules\.lock has an entry for "2025-01" but there is no rules file 2025-01\.yaml/);
  });

  it('fails when a locked version file is deleted', async () => {
    // another rule file stays: a folder with no rule file at all is unusable (2, SPEC §5 "Exit status in detail")
    const dir = rulesCopy(['2027-01.yaml']);
    unlinkSync(join(dir, '2026-01.yaml'));
    const r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no rules file 2026-01.yaml');
  });

  it('fails when two published windows overlap; drafts may overlap anything', async () => {
    const dir = rulesCopy();
    const text = readFileSync(join(dir, '2026-01.yaml'), 'utf8')
      .replace('id: "2026-01"', 'id: "2026-07"')
      .replace('effective: { from: 2026-01-01, until: 2027-01-01 }', 'effective: { from: 2026-07-01 }');
    writeFileSync(join(dir, '2026-07.yaml'), text.replace('status: published', 'status: draft'));
    expect((await cli(['--rules-dir', dir, 'validate'])).status).toBe(0);

    writeFileSync(join(dir, '2026-07.yaml'), text);
    const lock = lockOf(dir);
    lock['2026-07'] = readRuleSetFile(join(dir, '2026-07.yaml')).ruleSet!.sha256;
    writeFileSync(join(dir, 'rules.lock'), JSON.stringify(lock));
    const r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/2026-07\.yaml:\d+:\d+: effective: published versions "2026-01" \(2026-01-01 to 2027-01-01\) and "2026-07" \(2026-07-01 to open end\) overlap/);
  });

  it('a draft that rules.lock still names is reported, differently when its content changed', async () => {
    const dir = rulesCopy();
    const file = join(dir, '2026-01.yaml');
    edit(file, 'status: published', 'status: draft');
    let r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('it was published with exactly this content; set it back with `reseller-credits publish 2026-01 --approved-by NAME`');
    edit(file, 'from: "500",', 'from: "450",');
    r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('with other content: published versions are immutable');
  });
});

describe('retiring', () => {
  it('keeps the lock entry valid; a retired version is loadable by id but never auto-selected', async () => {
    const dir = rulesCopy();
    const locked = lockOf(dir)['2026-01'];
    edit(join(dir, '2026-01.yaml'), 'status: published', 'status: retired');
    const repo = loadRules(dir);
    expect(repo.errors).toEqual([]);
    expect(findRuleSet(repo, '2026-01')?.ruleSet?.sha256).toBe(locked);
    expect(selectForPeriod(repo, '2026-05')).toBeUndefined();
    expect((await cli(['--rules-dir', dir, 'validate'])).status).toBe(0);
    const e = await cli(['--rules-dir', dir, 'evaluate', '--rules-version', '2026-01', '--format', 'json', 'examples/seed-px2.yaml']);
    expect(e.status).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ credit: '25.00', rules: { id: '2026-01', sha256: locked } });
  });

  it('the shipped version covers 2026 and nothing later, until a 2027 version is published', () => {
    const repo = loadRules('rules');
    expect(selectForPeriod(repo, '2026-01')?.id).toBe('2026-01');
    expect(selectForPeriod(repo, '2026-12')?.id).toBe('2026-01');
    expect(selectForPeriod(repo, '2027-01')).toBeUndefined();
  });
});
