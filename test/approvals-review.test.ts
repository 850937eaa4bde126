/**
 * A review report is evidence, not an opinion (SPEC §11): `request` (and
 * `approve` and `publish`) compute every portfolio-free check again and
 * refuse a report that disagrees — `passed` flipped on a failing review, a
 * one-line invented report, changes edited, a report of another baseline —
 * and a publish refuses a review.json swapped after it was signed.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { copyRules, ok, signedFolder, tree, type SignedFolder } from './support/signed-folder.js';

let f: SignedFolder;
let dir: string;
let failing: Record<string, unknown>;
let good: Record<string, unknown>;
beforeAll(async () => {
  f = await signedFolder();
  dir = copyRules(f, 'review');
  // 2028-01: tier-15 credits 5%, less than tier-10's 10%: the monotone check fails
  const draft = readFileSync(join(dir, '2027-01.yaml'), 'utf8').replace(/^status: published/m, 'status: draft').replace(/^id: "?2027-01"?/m, 'id: "2028-01"')
    .replace('{ from: 2027-01-01, until: 2028-01-01 }', '{ from: 2028-01-01, until: 2029-01-01 }');
  writeFileSync(join(dir, '2028-01.yaml'), draft.replace('creditPercent: "15" }', 'creditPercent: "5" }'));
  writeFileSync(join(dir, '2028-02.yaml'), draft.replace(/^id: "2028-01"/m, 'id: "2028-02"'));
  const out = join(f.base, 'failing.json');
  const r = await runCli(['--rules-dir', dir, 'review', '2028-01', '--baseline', '2027-01', '--format', 'json', '--out', out], { env: f.env });
  expect(r.status).toBe(1);
  failing = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  await ok(['--rules-dir', dir, 'review', '2028-02', '--baseline', '2027-01', '--format', 'json', '--out', join(f.base, 'good.json')], f.env);
  good = JSON.parse(readFileSync(join(f.base, 'good.json'), 'utf8')) as Record<string, unknown>;
}, 120_000);

const request = async (id: string, report: unknown) => {
  const file = join(f.base, `report-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof report === 'string' ? report : JSON.stringify(report));
  return runCli(['--rules-dir', dir, 'request', id, '--review', file, '--sign-key', f.keys.alice.file], { env: f.env });
};

describe('request --review refuses a report that is not evidence', () => {
  it.each([
    ['a failing review with every "passed" flipped to true', '2028-01', () => ({ ...failing, passed: true, checks: (failing.checks as { passed: boolean }[]).map((c) => ({ ...c, passed: true })) }),
      /says the "monotone" check passed, but computed again it fails/],
    ['a one-line invented report', '2028-02', () => `{"kind":"reseller-credits review","candidate":{"publishedSha256":"${(good.candidate as { publishedSha256: string }).publishedSha256}"},"checks":[],"passed":true}`,
      /names a baseline \(undefined, sha256 undefined…\) that is not a rule set of this folder/],
    ['a passing report with a check left out', '2028-02', () => ({ ...good, checks: (good.checks as { name: string }[]).filter((c) => c.name !== 'window') }), /leaves out the "window" check/],
    ['a passing report whose list of changes was edited', '2028-02', () => ({ ...good, changes: { ...(good.changes as { changes: unknown[] }), changes: (good.changes as { changes: unknown[] }).changes.slice(1) } }), /lists other changes than 2027-01 → 2028-02 has/],
    ['the failing report as it is', '2028-01', () => failing, /records failed checks \(monotone\)/],
  ])('%s', async (_name, id, report, message) => {
    const before = tree(dir);
    const r = await request(id, report());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(tree(dir)).toEqual(before);
  });

  it('the genuine passing report is accepted; a review.json swapped in the round after signing stops approve and publish', async () => {
    const r = await request('2028-02', good);
    expect(r.status).toBe(0);
    const round = join(dir, 'approvals', '2028-02', readdirSync(join(dir, 'approvals', '2028-02'))[0]!);
    await ok(['--rules-dir', dir, 'approve', '2028-02', '--sign-key', f.keys.bob.file], f.env);
    writeFileSync(join(round, 'review.json'), `${JSON.stringify(good)}\n`); // same report, other bytes
    const p = await runCli(['--rules-dir', dir, 'publish', '2028-02'], { env: f.env });
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/review\.json is not the review report the request was signed for/);
  });
});

describe('publish --review without signers (typed names) rechecks the report too', () => {
  it.each([
    ['a failing review with "passed" flipped everywhere', true, /says the "monotone" check passed, but computed again it fails/],
    ['a one-line invented report', false, /names a baseline \(undefined, sha256 undefined…\) that is not a rule set of this folder/],
  ])('%s: refused (exit 1), nothing written', async (_name, failingDraft, message) => {
    const plain = join(copyRules(f, `plain-${String(failingDraft)}`), '..', 'plain');
    mkdirSync(plain);
    for (const n of ['2026-01.yaml', 'rules.lock']) copyFileSync(join('rules', n), join(plain, n));
    const draft = readFileSync('rules/2027-01.yaml', 'utf8');
    writeFileSync(join(plain, '2027-01.yaml'), failingDraft ? draft.replace('creditPercent: "15" }', 'creditPercent: "5" }') : draft);
    const out = join(plain, '..', 'r.json');
    await runCli(['--rules-dir', plain, 'review', '2027-01', 'examples/portfolio.ndjson', '--format', 'json', '--out', out]);
    const made = JSON.parse(readFileSync(out, 'utf8')) as { checks: { passed: boolean }[]; candidate: { publishedSha256: string } };
    writeFileSync(out, failingDraft
      ? JSON.stringify({ ...made, passed: true, checks: made.checks.map((c) => ({ ...c, passed: true })) })
      : `{"kind":"reseller-credits review","candidate":{"publishedSha256":"${made.candidate.publishedSha256}"},"checks":[],"passed":true}`);
    const before = tree(plain);
    const r = await runCli(['--rules-dir', plain, 'publish', '2027-01', '--approved-by', 'Dana Lee', '--review', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(tree(plain)).toEqual(before);
  });
});
