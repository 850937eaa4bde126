/**
 * The billing analyst's frictions of issue 19, each pinned by its exact
 * message: the CLI run as the analyst runs it, on copies of the shipped
 * rules folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { runCli as cli } from './support/run-cli.js';
import { rulesCopy } from './support/versions-cli.js';

const DRAFT = readFileSync('rules/2027-01.yaml', 'utf8');
/** A rules folder with the example draft changed by `edit` (which must change something). */
function withDraft(edit: (text: string) => string): string {
  const dir = rulesCopy();
  const text = edit(DRAFT);
  expect(text).not.toBe(DRAFT);
  writeFileSync(join(dir, '2027-01.yaml'), text);
  return dir;
}

describe('rule file mistakes say what to write', () => {
  it('a copied file that kept status: published is told to be a draft, not to publish unreviewed content', async () => {
    const dir = withDraft((t) => t.replace('\nstatus: draft\n', '\nstatus: published\n'));
    const r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${dir}/2027-01.yaml:31:9: status: published version "2027-01" has no entry in rules.lock: a new version is a draft until it is reviewed and published; ` +
      'write `status: draft` (publish sets the status itself, after review: `reseller-credits review 2027-01`, then `reseller-credits publish 2027-01 --approved-by NAME`)');
  });

  it('creditPercent: "25%" is told to drop the % sign, with a percentage, not a money example', async () => {
    const dir = withDraft((t) => t.replace('creditPercent: "15" }', 'creditPercent: "25%" }'));
    const r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.stderr).toMatch(/2027-01\.yaml:\d+:\d+: tiers\[2\]\.creditPercent: must be a percentage written as a plain number: "25%" has a % sign; write creditPercent: "25"\n/);
    expect(r.stderr).not.toContain('"4.00"');
  });

  it('from: "20,000" is told the exact text to write', async () => {
    const dir = withDraft((t) => t.replace('from: "5000",', 'from: "20,000",'));
    const r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.stderr).toMatch(/tiers\[3\]\.from: must be a decimal amount: "20,000" has thousands separators; write from: "20000"\n/);
  });

  it('a percentage that is no number at all gets a percentage example', async () => {
    const dir = withDraft((t) => t.replace('creditPercent: "15" }', 'creditPercent: "fifteen" }'));
    const r = await cli(['--rules-dir', dir, 'validate']);
    expect(r.stderr).toContain('tiers[2].creditPercent: must be a percentage written as a plain number: "fifteen" is not a decimal amount such as "12.5" (no % sign)');
  });

  it('validate says once, in its summary, that 2026-01 predates the publish log, and prints no warning run after run', async () => {
    for (let run = 0; run < 2; run++) {
      const r = await cli(['validate']);
      expect(r.status).toBe(0);
      expect(r.stderr).not.toContain('warning');
      // SPEC §11's one notice (no signers configured; not a warning), then the summary
      expect(r.stderr).toBe('approvals are not verified: names are typed and anyone can write any name (see docs/approvals.md)\n'
        + '2 rule set(s) in rules/: 2 valid, 0 invalid; 0 error(s); published before the publish log existed, so no approval is recorded (nothing to do): 2026-01\n');
    }
  });

  it('the example draft header gives a publish command that works as written (with its approver)', async () => {
    const line = /^#\s+npx reseller-credits (publish .*)$/m.exec(DRAFT);
    expect(line?.[1]).toBe('publish 2027-01 --approved-by "Dana Reviewer"');
    const args = line![1]!.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
    const dir = rulesCopy(['2027-01.yaml']);
    const r = await cli(['--rules-dir', dir, ...args]);
    expect(r.stderr).not.toContain('required option');
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'rules.lock'), 'utf8'))).toHaveProperty('2027-01');
  });
});

describe('diff and review write amounts one way', () => {
  it('diff writes $20,000.00 where the review writes $20,000.00 (not $20000)', async () => {
    const dir = withDraft((t) => t.replace('from: "5000",', 'from: "20000",'));
    const diff = await cli(['--rules-dir', dir, 'diff', '2026-01', '2027-01']);
    expect(diff.stdout).toContain('  - tier-20 moves: starts at $20,000.00 (was $5,000.00)\n');
    expect(diff.stdout).not.toMatch(/\$20000\b/);
    const review = await cli(['--rules-dir', dir, 'review', '2027-01']);
    expect(review.stdout).toContain('tier-20 moves: starts at $20,000.00 (was $5,000.00)');
  });
});

describe('review for the people who read it', () => {
  const PORTFOLIO = 'examples/portfolio.ndjson';

  it('text and markdown leave out the chart-only "Credit deltas" heading; HTML keeps its chart', async () => {
    const text = await cli(['review', '2027-01', PORTFOLIO]);
    const md = await cli(['review', '2027-01', '--format', 'markdown', PORTFOLIO]);
    const html = await cli(['review', '2027-01', '--format', 'html', PORTFOLIO]);
    expect(text.stdout).not.toContain('Credit deltas');
    expect(md.stdout).not.toContain('Credit deltas');
    expect(html.stdout).toContain('Credit deltas');
    expect(text.stdout).toContain('-- Tier migration\n'); // a heading with a table under its chart stays
  });

  it('the class table shows the credits\' decimals ($140.77, not $140.77399); the JSON keeps the exact figures', async () => {
    const json = JSON.parse((await cli(['review', '2027-01', '--format', 'json', PORTFOLIO])).stdout);
    const full = json.impact.byClass.find((c: { percent: number }) => c.percent === 100);
    expect(full.baseline).toBe('140.77399');
    const text = (await cli(['review', '2027-01', PORTFOLIO])).stdout;
    const table = text.slice(text.indexOf('-- Credit by commission class'), text.indexOf('-- Largest movers'));
    expect(table).toContain('shown rounded to 2 decimals (the JSON report has the exact figures)');
    expect(table).toMatch(/│ 100% +│ \$140\.77 │ \$124\.27 │ -\$16\.50 │/);
    expect(table).toMatch(/│ 75% +│ \$845\.63 │ \$860\.63 │ \+\$15\.00 │/);
    expect(table).not.toMatch(/\$[\d,]+\.\d{3,}/);
  });

  it('a part of the region no portfolio account reaches says plainly that its cost is not shown', async () => {
    const r = await cli(['review', '2027-01', 'examples/seed-px2.yaml']);
    expect(r.stdout).toContain('No account of the portfolio has a tier basis from $400.00 to $499.99 (under $500.00): ' +
      'the money impact cannot show what this part of the change costs; only generated snapshots tried it.');
    expect(r.stdout).toContain('none of its accounts: cost not shown');
    expect(r.stdout).not.toContain('possible only');
  });

  it('puts a finance summary first: a month and a year, the % change, who gains and who loses', async () => {
    const json = JSON.parse((await cli(['review', '2027-01', '--format', 'json', PORTFOLIO])).stdout);
    const s = json.impact.summary;
    const [before, after] = [new Decimal(s.baselineCredit), new Decimal(s.candidateCredit)];
    const pctChange = after.minus(before).div(before).times(100).toDecimalPlaces(1).toFixed(1);
    const text = (await cli(['review', '2027-01', PORTFOLIO])).stdout;
    const finance = text.indexOf('== For finance ==');
    expect(finance).toBeGreaterThan(0);
    expect(finance).toBeLessThan(text.indexOf('candidate'));
    expect(text).toContain(`  - Credit a month: $${s.baselineCredit} under 2026-01 → $${s.candidateCredit} under 2027-01 (+$${s.delta}, +${pctChange}%) (2026-11)\n`);
    expect(text).toContain(`  - Credit a year (12 such months): $${before.times(12).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/, ',')} → $${after.times(12).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/, ',')} (+$${after.minus(before).times(12).toFixed(2)})\n`);
    // P-009 +12.50 and P-012 +8.50 gain; P-010 -7.50 loses (review-cli's table of movers)
    const movers = json.impact.movers as { account: string; delta: string }[];
    const gain = movers.filter((m) => new Decimal(m.delta).gt(0)).reduce((t, m) => t.plus(m.delta), new Decimal(0));
    expect(text).toContain(`  - Gain: ${s.gaining} account(s), +$${gain.toFixed(2)} in total; most: P-009 2026-11 (+$12.50)\n`);
    expect(text).toContain(`  - Lose: ${s.losing} account(s), -$7.50 in total; most: P-010 2026-11 (-$7.50)\n`);
  });
});
