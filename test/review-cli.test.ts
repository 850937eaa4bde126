/**
 * `reseller-credits review` as a user runs it (spawned CLI): the shipped
 * example draft passes, failing drafts exit 1 with their counterexamples,
 * no baseline is a usage error, JSON carries the hashes publish relies on,
 * written edge cases pass `reseller-credits test`, and
 * `checkReviewForPublish` holds a report to the content it reviewed.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkReviewForPublish } from '../src/review/approval.js';
import { RcError } from '../src/errors.js';
import { runCli as cli } from './support/run-cli.js';
import { rulesCopy } from './support/versions-cli.js';
import { tempDir } from './support/temp.js';
import { sha256, sortedJson } from './support/sorted-json.js';

const PORTFOLIO = 'examples/portfolio.ndjson';
const json = async (args: string[]) => {
  const r = await cli(['review', ...args, '--format', 'json']);
  return { ...r, report: JSON.parse(r.stdout) as Record<string, any> };
};

describe('reseller-credits review', () => {
  it('the shipped example draft passes: full text review, exit 0', async () => {
    const r = await cli(['review', 'rules/2027-01.yaml', PORTFOLIO]);
    expect(r.status).toBe(0);
    for (const heading of ['== Summary ==', '== Changes ==', '== Checks ==', '== Cliffs ==', '== Where results can differ ==', '== Money impact ==', '== Regression coverage ==']) {
      expect(r.stdout).toContain(heading);
    }
    expect(r.stdout).toContain('PASSED: all 5 checks passed');
    expect(r.stdout).toContain('only for accounts with a tier basis from $400.00 to $499.99 (under $500.00), or with a line, in any source, of Training calls and classes (training)');
    expect(r.stdout).toContain('every basis from $377.79 to $399.99 pays more than the $340.00 due at $400');
    // P-009: px2 2 × $200 + training $99.99 → basis $499.99: 2026-01 tier-10, value 300 + 99.99 = 399.99, 10% → $40.00;
    // 2027-01 tier-15, value 300 + 50% × 99.99 = 349.995, 15% → 52.49925 → $52.50: +$12.50
    expect(r.stdout).toMatch(/P-009 +│ 2026-11 │ tier-10 \$40\.00 │ tier-15 \$52\.50 │ \+\$12\.50/);
    expect(r.stderr).toContain('review passed');
  });

  it('json: candidate hashes as it stands and as it will be locked, the baseline, each check', async () => {
    const { status, report } = await json(['2027-01', PORTFOLIO]);
    expect(status).toBe(0);
    const doc = parse(readFileSync('rules/2027-01.yaml', 'utf8'), { schema: 'core' });
    expect(report.candidate).toMatchObject({ id: '2027-01', sha256: sha256(sortedJson(doc)), publishedSha256: sha256(sortedJson({ ...doc, status: 'published' })) });
    const lock = JSON.parse(readFileSync('rules/rules.lock', 'utf8'));
    expect(report.baseline).toMatchObject({ id: '2026-01', sha256: lock['2026-01'], chosen: 'default' });
    expect(report.checks.map((c: any) => [c.name, c.passed])).toEqual([['monotone', true], ['bounded', true], ['services-kept', true], ['window', true], ['region', true]]);
    expect(report.passed).toBe(true);
    expect(report.impact.summary).toMatchObject({ accounts: 12, errors: 0, gaining: 2, losing: 1, unchanged: 9 });
    expect(report.region.parts.map((p: any) => [p.kind, p.portfolio])).toEqual([['tier-band', 'differs'], ['services', 'differs']]);
  });

  it('markdown: headings and tables for a change-review comment', async () => {
    const r = await cli(['review', '2027-01', '--format', 'markdown', PORTFOLIO]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^# Review of 2027-01 against 2026-01\n/);
    expect(r.stdout).toContain('\n## Money impact\n');
    expect(r.stdout).toContain('| threshold | percentage | due at the threshold | bases that pay more | worst (pays more by) |\n| ---: |');
    expect(r.stdout).toContain('| $5,000 | 15% → 20% (tier-20) | $4,000.00 | $4,705.89 to $4,999.99 |');
  });

  it('a failing check exits 1 with its counterexample', async () => {
    const r = await cli(['review', 'test/fixtures/review/percent-falls.yaml']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAILED: 1 check(s) failed (monotone)');
    expect(r.stdout).toContain('a tier basis of $5,000.00 gets 12% (tier-20) but $4,999.99 gets 15% (tier-15)');
    const gap = await cli(['review', 'test/fixtures/review/window-gap.yaml']);
    expect(gap.status).toBe(1);
    expect(gap.stdout).toContain('gap: 2026-01 ends before 2027-01-01 but window-gap starts on 2027-02-01');
  });

  it('portfolio records that cannot be evaluated are listed and make it exit 1', async () => {
    const dir = tempDir('rc-review-');
    const bad = join(dir, 'p.ndjson');
    writeFileSync(bad, [
      readFileSync(PORTFOLIO, 'utf8').split('\n')[0],
      '{"schemaVersion":1,"account":"X-1","period":"2026-11","reseller":{"approved":true,"approvedOn":"2026-01-01"},"subClients":[],"lineItems":[{"service":"no-such","amount":"1.00"}]}',
      '',
    ].join('\n'));
    const { status, report, stderr } = await json(['2027-01', bad]);
    expect(status).toBe(1);
    expect(report.passed).toBe(false);
    expect(report.impact.errors).toHaveLength(1);
    expect(report.impact.errors[0]).toMatchObject({ account: 'X-1' });
    expect(report.impact.errors[0].error.message).toContain('baseline: service "no-such" is not in rule set 2026-01');
    expect(stderr).toContain('p.ndjson:2');
  });

  it('no default baseline: exit 2 asking for --baseline', async () => {
    const rules = rulesCopy();
    const older = readFileSync('test/fixtures/review/threshold-move.yaml', 'utf8')
      .replace('id: "threshold-move"', 'id: "2025-01"').replace('from: 2027-01-01, until: 2028-01-01', 'from: 2025-01-01, until: 2026-01-01');
    writeFileSync(join(rules, '2025-01.yaml'), older);
    const r = await cli(['--rules-dir', rules, 'review', '2025-01']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--baseline');
    // with a baseline named it runs; 2026-01 starts after 2025-01 ends, so the window check fails (overlap)
    expect((await cli(['--rules-dir', rules, 'review', '2025-01', '--baseline', '2026-01'])).status).toBe(1);
  });

  it('--write-cases writes the missing edge cases, pinned, that `test` passes; never overwrites', async () => {
    const rules = rulesCopy(['2027-01.yaml']);
    const cases = join(tempDir('rc-review-cases-'), 'cases');
    const w = await cli(['--rules-dir', rules, 'review', '2027-01', '--cases', cases, '--write-cases', cases]);
    expect(w.status).toBe(0);
    const files = readdirSync(cases).sort();
    expect(files).toHaveLength(16);
    expect(files).toContain('2027-01-tier-15-at-400.00.yaml');
    expect(files).toContain('2027-01-tier-15-below-399.99.yaml');
    const one = parse(readFileSync(join(cases, '2027-01-tier-15-below-399.99.yaml'), 'utf8'), { schema: 'core' });
    const doc = parse(readFileSync('rules/2027-01.yaml', 'utf8'), { schema: 'core' });
    expect(one.rules).toBe('2027-01');
    expect(one.rulesSha256).toBe(sha256(sortedJson(doc)));
    // $399.99 of a 100% service: tier-10, 10% × 399.99 = 39.999 → $40.00; due $359.99
    expect(one.expect).toEqual({ tierBasis: '399.99', tier: 'tier-10', creditPercent: '10', eligible: true, credit: '40.00', amountDue: '359.99' });
    const t = await cli(['--rules-dir', rules, 'test', cases]);
    expect(t.stdout.trimEnd().split('\n').at(-1)).toBe('16 passed, 0 failed');
    expect(t.status).toBe(0);
    // now covered: nothing left to write; an existing file is never overwritten
    const again = await json(['--rules-dir', rules, '2027-01', '--cases', cases]);
    expect(again.report.coverage.items.filter((i: any) => i.status === 'missing')).toEqual([]);
    const f = join(cases, '2027-01-class-75.yaml');
    writeFileSync(f, 'hand-edited\n');
    const other = join(tempDir('rc-review-cases-'), 'c2');
    mkdirSync(other);
    copyFileSync(f, join(other, '2027-01-class-75.yaml'));
    const w2 = await cli(['--rules-dir', rules, 'review', '2027-01', '--cases', 'test/cases', '--write-cases', other]);
    expect(w2.stderr).toContain('2027-01-class-75.yaml: a file of this name exists; not overwritten');
    expect(readFileSync(join(other, '2027-01-class-75.yaml'), 'utf8')).toBe('hand-edited\n');
  });
});

describe('checkReviewForPublish (publish --review)', () => {
  const dir = tempDir('rc-review-approval-');
  const write = async (name: string, args: string[]) => {
    const file = join(dir, name);
    await cli(['review', ...args, '--format', 'json', '--out', file]);
    return file;
  };
  const doc = parse(readFileSync('rules/2027-01.yaml', 'utf8'), { schema: 'core' });
  const lockHash = sha256(sortedJson({ ...doc, status: 'published' }));

  it('accepts a passing review of exactly this content and returns the sha256 of its bytes', async () => {
    const file = await write('ok.json', ['2027-01', PORTFOLIO]);
    const bytes = readFileSync(file);
    expect(checkReviewForPublish(file, lockHash)).toEqual({ reviewSha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('refuses a review of other content, a failed check, portfolio errors, and a file that is not a review', async () => {
    const ok = await write('ok2.json', ['2027-01', PORTFOLIO]);
    expect(() => checkReviewForPublish(ok, 'f'.repeat(64))).toThrow(/was made for other content/);
    const failed = await write('failed.json', ['test/fixtures/review/percent-falls.yaml']);
    const failedDoc = parse(readFileSync('test/fixtures/review/percent-falls.yaml', 'utf8'), { schema: 'core' });
    expect(() => checkReviewForPublish(failed, sha256(sortedJson({ ...failedDoc, status: 'published' })))).toThrow(/failed checks \(monotone\)/);
    const report = JSON.parse(readFileSync(ok, 'utf8'));
    report.impact.errors = [{ account: 'X', error: { code: 'UNKNOWN_SERVICE', message: 'x' } }];
    const withErrors = join(dir, 'errors.json');
    writeFileSync(withErrors, JSON.stringify(report));
    expect(() => checkReviewForPublish(withErrors, lockHash)).toThrow(/could not be evaluated/);
    const notReview = join(dir, 'not.json');
    writeFileSync(notReview, '{"summary":{}}');
    expect(() => checkReviewForPublish(notReview, lockHash)).toThrow(/is not a review report/);
    writeFileSync(notReview, 'PASSED');
    expect(() => checkReviewForPublish(notReview, lockHash)).toThrow(RcError);
    expect(() => checkReviewForPublish(join(dir, 'missing.json'), lockHash)).toThrow(RcError);
  });
});
