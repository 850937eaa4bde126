import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../src/compose/rules-dir.js';
import { publishVersion } from '../src/publish/publish.js';
import { findCaseFiles, runCaseFile } from '../src/cases/runner.js';
import { runCli as cli } from './support/run-cli.js';
import { rulesCopy } from './support/versions-cli.js';
import { tempDir } from './support/temp.js';

// Lines 3-11; `expect:` is line 12 and its first key line 13 (one more with a rulesSha256 line).
const SNAPSHOT = `snapshot:
  schemaVersion: 1
  account: R-1001
  period: 2026-11
  reseller: { approved: true, approvedOn: 2026-03-15 }
  subClients: [a.example, b.example, c.example]
  lineItems:
    - { service: starter-plus-user, quantity: 25, unitPrice: "4.00" }
    - { service: px2-dedicated-server, quantity: 1, unitPrice: "200.00" }
`;
const caseText = (expect: string, opts: { head?: string; rules?: string; snapshot?: string } = {}) =>
  `name: seed example\nrules: "${opts.rules ?? '2026-01'}"\n${opts.head ?? ''}${opts.snapshot ?? SNAPSHOT}expect:\n${expect}`;
const lastLine = (s: string) => s.trimEnd().split('\n').at(-1);

function caseDir(files: Record<string, string>): string {
  const dir = tempDir('rc-cases-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('reseller-credits test', () => {
  it('reports passing, failing, wrongly pinned and malformed cases, and ends with the counts', async () => {
    const dir = caseDir({
      'a-pass.yaml': caseText('  tier: tier-10\n  credit: "25.00"\n  eligible: true\n'),
      'b-fail.yaml': caseText('  tier: tier-10\n  credit: "26.00"\n  amountDue: "275.00"\n'),
      'c-pinned.yaml': caseText('  credit: "25.00"\n', { head: `rulesSha256: "${'0'.repeat(64)}"\n` }),
      'd-malformed.yaml': caseText('  credit: 25.00\n  colour: red\n'),
      'snapshots/not-a-case.yaml': 'schemaVersion: 1\n',
    });
    const r = await cli(['test', dir]);
    expect(r.status).toBe(1);
    expect(lastLine(r.stdout)).toBe('1 passed, 3 failed');
    expect(r.stdout).not.toContain('a-pass.yaml');
    expect(r.stdout).toContain(`FAIL   ${dir}/b-fail.yaml (seed example)\n  ${dir}/b-fail.yaml:14:11: expect.credit: expected "26.00", actual "25.00"\n`);
    expect(r.stdout).not.toContain('expect.amountDue'); // a field that matches is not reported
    expect(r.stdout).toContain(`${dir}/c-pinned.yaml:3:14: rulesSha256: the case is pinned to sha256 ${'0'.repeat(64)} but rule set "2026-01" (rules/2026-01.yaml) now has sha256 `);
    expect(r.stdout).toContain(`BROKEN ${dir}/d-malformed.yaml (seed example): the case file is malformed`);
    expect(r.stdout).toContain(`${dir}/d-malformed.yaml:13:11: expect.credit: write the figure in quotes, exactly as the result prints it: credit: "25"`);
    expect(r.stdout).toContain(`${dir}/d-malformed.yaml:14:3: expect.colour: unknown key "colour"`);
    expect(r.stdout).not.toContain('not-a-case');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 0 when every case passes; --verbose lists them', async () => {
    const dir = caseDir({ 'ok.yaml': caseText('  credit: "25.00"\n') });
    const r = await cli(['test', '--verbose', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`ok     ${dir}/ok.yaml (seed example)\n1 passed, 0 failed\n`);
  });

  it('passes on the shipped cases', async () => {
    const n = findCaseFiles(['test/cases']).files.length;
    expect(n).toBeGreaterThanOrEqual(20);
    const r = await cli(['test']);
    expect(r.stdout).toBe(`${n} passed, 0 failed\n`);
    expect(r.status).toBe(0);
  });

  it('exits 1 with a readable expected-vs-actual report when a shipped case is broken', async () => {
    const dir = tempDir('rc-shipped-');
    cpSync('test/cases', dir, { recursive: true });
    const file = join(dir, '2026-01', 'tiers', 'at-500.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('tier: tier-15', 'tier: tier-10'));
    const n = findCaseFiles([dir]).files.length;
    const r = await cli(['test', dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^FAIL   ${file} \\(tier basis exactly 500\\.00 is tier-15\\)\n  ${file}:\\d+:9: expect\\.tier: expected "tier-10", actual "tier-15" \\(from 500, 15%\\)\n${n - 1} passed, 1 failed\n$`));
  });

  it('a missing path or an empty folder is an error naming it: 1 (SPEC §5 "Exit status in detail")', async () => {
    const missing = await cli(['test', 'no/such/folder']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no/such/folder: no such case file or folder');
    const empty = tempDir('rc-empty-');
    const r = await cli(['test', empty]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${empty}: holds no case file`);
    expect(lastLine(r.stdout)).toBe('0 passed, 0 failed; 1 path(s) gave no case');
  });
});

describe('runCaseFile', () => {
  const repo = loadRules('rules');
  const run = async (text: string, r = repo) => runCaseFile(join(caseDir({ 'c.yaml': text }), 'c.yaml'), r);

  it('checks rejected snapshots: the error must appear; an evaluation is a failure', async () => {
    const bad = SNAPSHOT.replace('unitPrice: "4.00"', 'unitPrice: "4,00"');
    expect((await run(caseText('  error: has separators\n', { snapshot: bad }))).status).toBe('passed');
    const wrongText = await run(caseText('  error: something else\n', { snapshot: bad }));
    expect(wrongText).toMatchObject({ status: 'failed', failures: [{ path: 'expect.error' }] });
    expect(wrongText.status === 'failed' && wrongText.failures[0]!.message).toContain('snapshot.lineItems[0].unitPrice: "4,00" has separators');
    const evaluated = await run(caseText('  error: has separators\n'));
    expect(evaluated.status === 'failed' && evaluated.failures[0]!.message).toContain('actual: it was evaluated (tier tier-10, credit "25.00")');
    const rejected = await run(caseText('  credit: "25.00"\n', { snapshot: bad }));
    expect(rejected).toMatchObject({ status: 'failed', failures: [{ path: 'snapshot', line: 4 }] });
  });

  it('checks reasons by text, and [] as "no reasons"', async () => {
    const late = SNAPSHOT.replace('approvedOn: 2026-03-15', 'approvedOn: 2026-11-10');
    expect((await run(caseText('  reasons: ["no retroactive credits"]\n  eligible: false\n', { snapshot: late }))).status).toBe('passed');
    const none = await run(caseText('  reasons: []\n', { snapshot: late }));
    expect(none).toMatchObject({ status: 'failed', failures: [{ path: 'expect.reasons' }] });
  });

  it('fails a case pinned to an unknown version, or to one that no longer passes validate', async () => {
    expect(await run(caseText('  credit: "25.00"\n', { rules: '1999-01' }))).toMatchObject({ status: 'failed', failures: [{ path: 'rules', line: 2 }] });
    const dir = rulesCopy();
    const file = join(dir, '2026-01.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('from: "500",', 'from: "450",'));
    const o = await run(caseText('  credit: "25.00"\n'), loadRules(dir));
    expect(o.status).toBe('failed');
    expect(o.status === 'failed' && o.failures[0]!.message).toMatch(/does not pass validate[\s\S]*no longer matches rules\.lock/);
  });

  it('a pin survives publishing: the status is not part of it', async () => {
    const dir = rulesCopy(['2027-01.yaml']);
    const draftHash = loadRules(dir).ruleSets.find((r) => r.id === '2027-01')!.sha256;
    const text = caseText('  tier: tier-10\n  credit: "25.00"\n', { rules: '2027-01', head: `rulesSha256: "${draftHash}"\n` });
    expect((await run(text, loadRules(dir))).status).toBe('passed');
    publishVersion('2027-01', { rulesDir: dir, approvedBy: 'Test Approver' });
    const after = loadRules(dir);
    expect(after.ruleSets.find((r) => r.id === '2027-01')!.sha256).not.toBe(draftHash);
    expect((await run(text, after)).status).toBe('passed');
  });
});
