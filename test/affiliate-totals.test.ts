/**
 * Affiliate totals with one measure (SPEC §4, issue 7 item 10): a missing
 * measure is an error only under a rule set that counts it, and is shown as
 * not given (JSON null, "not given" in text, an empty CSV cell) otherwise.
 * Expected figures are computed by hand (fixtures' README: own lines 30.00).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli as cli } from './support/run-cli.js';

const F = 'test/fixtures/affiliate';
const json = async (args: string[]) => {
  const r = await cli(['evaluate', '--format', 'json', ...args]);
  return { ...r, value: r.stdout ? JSON.parse(r.stdout) : undefined };
};

describe('linkedAffiliate.totals with only one measure', () => {
  it('value only, under a rule set that counts affiliate value: evaluated, payments not given (null)', async () => {
    const r = await json([`${F}/value-only.json`]);
    expect(r.stderr).toBe('1 record(s): 1 evaluated, 0 error(s)\n');
    expect(r.status).toBe(0);
    // tier basis = own payments 30.00 + affiliate value 25.50 = 55.50 -> tier-10; credit = 10% x own value 30.00
    expect(r.value).toMatchObject({
      monthlyPayments: { own: '30.00', managed: '0.00', affiliate: null, total: '30.00' },
      monthlyValue: { own: '30.00', managed: '0.00', affiliate: '25.50', total: '55.50' },
      tierBasis: '55.50', creditBase: '30.00', tier: { name: 'tier-10' }, credit: '3.00',
    });
  });

  it('payments only, under a rule set that counts affiliate payments: evaluated, value not given', async () => {
    const r = await json(['--rules-file', `${F}/affiliate-payments.yaml`, `${F}/payments-only.json`]);
    expect(r.status).toBe(0);
    expect(r.value).toMatchObject({
      monthlyPayments: { affiliate: '120.00', total: '150.00' },
      monthlyValue: { affiliate: null, total: '30.00' },
      tierBasis: '150.00', credit: '3.00',
    });
  });

  it('a measure the rule set counts but the snapshot does not give is an error naming the field and the rule set', async () => {
    const r = await json([`${F}/payments-only.json`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${F}/payments-only\\.json:13:15: linkedAffiliate\\.totals\\.value: affiliate value is not given, but rule set 2026-01 counts it \\(tierBasis\\); give linkedAffiliate\\.totals\\.value$`, 'm'));
    expect(r.value).toMatchObject({ account: 'R-P', error: { code: 'MEASURE_NOT_GIVEN', path: 'linkedAffiliate.totals.value' } });
  });

  it('empty totals, and value over payments when both are given, are still refused', async () => {
    const e = await json([`${F}/empty-totals.json`]);
    expect(e.status).toBe(1);
    expect(e.stderr).toContain('linkedAffiliate.totals: give payments, value or both');
    const x = await json([`${F}/value-over-payments.json`]);
    expect(x.status).toBe(1);
    expect(x.stderr).toContain('linkedAffiliate.totals.value: value cannot exceed payments');
  });

  it('text says "not given"; CSV leaves the cell empty and the totals add what is given', async () => {
    const t = await cli(['evaluate', `${F}/value-only.json`]);
    expect(t.status).toBe(0);
    expect(t.stdout).toContain('Linked affiliate (totals): payments not given, value $25.50');
    const c = await cli(['evaluate', '--format', 'csv', `${F}/value-only.json`]);
    expect(c.status).toBe(0);
    const [row] = parseCsv(c.stdout, { columns: true }) as Record<string, string>[];
    expect(row).toMatchObject({ affiliatePayments: '', affiliateValue: '25.50', paymentsTotal: '30.00', valueTotal: '55.50', credit: '3.00' });
  });
});

describe('whatif: the missing measure is the error of the side that counts it', () => {
  const run = (file: string) => cli(['whatif', '--baseline', '2026-01', '--candidate', `${F}/affiliate-payments.yaml`, '--format', 'json', file]);

  it('counted by the candidate only', async () => {
    const r = await run(`${F}/value-only.json`);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.accounts).toEqual([{
      account: 'R-V', period: '2026-11',
      error: expect.objectContaining({
        code: 'MEASURE_NOT_GIVEN', path: 'linkedAffiliate.totals.payments',
        message: 'candidate: affiliate payments is not given, but rule set affiliate-payments counts it (tierBasis); give linkedAffiliate.totals.payments',
      }),
    }]);
    expect(out.summary).toMatchObject({ accounts: 0, errors: 1 });
  });

  it('counted by the baseline only', async () => {
    const r = await run(`${F}/payments-only.json`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('linkedAffiliate.totals.value: baseline: affiliate value is not given, but rule set 2026-01 counts it (tierBasis)');
  });
});
