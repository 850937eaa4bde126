/**
 * The export targets as pure functions (src/exports/): the amount to post,
 * exponents and signs per target, zero rows, unmapped accounts and charge
 * backs as error records, hostile account names kept exact, and the
 * properties every export keeps (fast-check): Σ exported = Σ net credit, no
 * two records share an idempotency key, minor units round-trip exactly.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { fromMinorUnits, isoExponent, stripeExponent, toMinorUnits } from '../src/exports/currency.js';
import { parseMapping, MappingErrors } from '../src/exports/mapping.js';
import { exportStatements, netCredit } from '../src/exports/run-export.js';
import { TARGETS, TARGET_NAMES } from '../src/exports/targets.js';
import { docNumber } from '../src/exports/quickbooks.js';
import type { ExportStatement, Mapping, TargetName } from '../src/exports/types.js';
import { formatError } from '../src/errors.js';
import { HOSTILE_ACCOUNTS, stmt } from './support/export-statements.js';

const D = Decimal.clone({ precision: 80 });

function mappingFor(accounts: string[]): Mapping {
  return {
    schemaVersion: 1,
    accounts: new Map(accounts.map((a, i) => [a, {
      stripe: `cus_T${i}`, killbill: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, xero: `Contact ${i}`, quickbooks: String(100 + i),
    }])),
    xero: { accountCode: '200', taxType: 'Tax Exempt' },
    quickbooks: { itemId: '42' },
  };
}

/** The signed net credit a written record posts, read back from the target's own form. */
function postedNet(target: TargetName, line: string, currency: string): string {
  if (target === 'xero') return parseCsv(line)[0][16];
  const r = JSON.parse(line);
  if (target === 'stripe') return fromMinorUnits(String(-r.body.amount), stripeExponent(currency)!.exponent);
  if (target === 'killbill') return String(line.match(/"amount":(-?[0-9.]+)/)![1]);
  return String(line.match(/"Amount":(-?[0-9.]+)/)![1]);
}

describe('the amount to post', () => {
  const cases: { name: string; s: ExportStatement; stripe: number; killbill: string }[] = [
    { name: 'credit only', s: stmt('A', '784.00'), stripe: -78400, killbill: '784.00' },
    { name: 'credit + a positive adjustment', s: stmt('A', '25.00', ['2.50']), stripe: -2750, killbill: '27.50' },
    { name: 'credit + a negative adjustment', s: stmt('A', '25.00', ['-5.25']), stripe: -1975, killbill: '19.75' },
    { name: 'two adjustments, four decimals exact', s: stmt('A', '0.00', ['0.10', '0.20']), stripe: -30, killbill: '0.30' },
    { name: 'JPY: zero-decimal', s: stmt('A', '1500', [], 'JPY'), stripe: -1500, killbill: '1500' },
    { name: 'KWD: three decimals', s: stmt('A', '12.345', [], 'KWD'), stripe: -12345, killbill: '12.345' },
    { name: 'ISK: ISO 0, Stripe two-decimal with 00', s: stmt('A', '990', [], 'ISK'), stripe: -99000, killbill: '990' },
    { name: 'MGA: ISO 2, Stripe zero-decimal', s: stmt('A', '5000', [], 'MGA'), stripe: -5000, killbill: '5000.00' },
  ];
  it.each(cases)('$name', ({ s, stripe, killbill }) => {
    const m = mappingFor(['A']);
    const st = exportStatements([s], TARGETS.stripe, m);
    expect(st.errors).toEqual([]);
    expect(JSON.parse(st.lines[0]!).body.amount).toBe(stripe);
    const kb = exportStatements([s], TARGETS.killbill, m);
    expect(kb.lines[0]).toContain(`"amount":${killbill},`);
    expect(JSON.parse(kb.lines[0]!).body[0].currency).toBe(s.currency);
  });

  it('a value that is not a whole minor unit is refused, never rounded (per target exponent)', () => {
    const m = mappingFor(['A']);
    for (const [s, target] of [[stmt('A', '10.005'), 'stripe'], [stmt('A', '10.5', [], 'JPY'), 'killbill'], [stmt('A', '10.50', [], 'ISK'), 'stripe'], [stmt('A', '0.999', [], 'USD'), 'xero']] as const) {
      const r = exportStatements([s], TARGETS[target], m);
      expect(r.lines.filter((l) => !l.startsWith('*Contact'))).toEqual([]);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]!.code).toBe('EXPORT_REFUSED');
      expect(r.errors[0]!.message).toMatch(/refused, not rounded|only whole units/);
      expect(r.errors[0]!.account).toBe('A');
    }
  });

  it('a currency that ISO 4217 does not list is refused naming it', () => {
    const r = exportStatements([stmt('A', '1.00', [], 'XYZ')], TARGETS.stripe, mappingFor(['A']));
    expect(r.errors[0]!.message).toContain('does not know the currency "XYZ"');
  });

  it('exponents come from the maintained ISO list (currency-codes), with Stripe departing only where its docs say', () => {
    expect([isoExponent('USD'), isoExponent('JPY'), isoExponent('BHD'), isoExponent('ISK'), isoExponent('CLF')]).toEqual([2, 0, 3, 0, 4]);
    expect(isoExponent('usd')).toBeUndefined();
    expect(stripeExponent('ISK')).toMatchObject({ exponent: 2, wholeUnitsOnly: true });
    expect(stripeExponent('HUF')).toMatchObject({ exponent: 2, wholeUnitsOnly: true });
    expect(stripeExponent('UGX')!.exponent).toBe(0);
    expect(stripeExponent('EUR')).toEqual({ exponent: 2 });
  });
});

describe('signs, zero rows and charge backs', () => {
  const m = mappingFor(['A', 'B', 'C', 'D']);
  const statements = [stmt('A', '100.00'), stmt('B', '0.00'), stmt('C', '10.00', ['-10.00']), stmt('D', '0.00', ['-4.00'])];

  it('stripe: a credit is negative, a charge back positive; zero nets left out and counted', () => {
    const r = exportStatements(statements, TARGETS.stripe, m);
    expect(r.lines.map((l) => JSON.parse(l).body.amount)).toEqual([-10000, 400]);
    expect(r.zero).toBe(2);
    expect(r.errors).toEqual([]);
    expect(r.total).toBe('96');
  });

  it('--include-zero keeps the zero rows (stripe amount 0)', () => {
    const r = exportStatements(statements, TARGETS.stripe, m, { includeZero: true });
    expect(r.lines.map((l) => JSON.parse(l).body.amount)).toEqual([-10000, 0, 0, 400]);
    expect(r.zero).toBe(0);
  });

  it.each(['killbill', 'xero', 'quickbooks'] as const)('%s: positive amounts; a charge back is an error record with a reason', (t) => {
    const r = exportStatements(statements, TARGETS[t], m);
    expect(r.entries).toEqual([statements[0]!.entry]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!).toMatchObject({ code: 'EXPORT_REFUSED', account: 'D' });
    expect(r.errors[0]!.message).toMatch(/net -4\.00 is a charge back; .*: (post it as|raise an invoice)/);
  });

  it('an account without a mapping (or without this target) is an error record; the rest are written', () => {
    const mm = mappingFor(['A']);
    mm.accounts.set('C', { stripe: 'cus_C' });
    const r = exportStatements([stmt('A', '1.00'), stmt('B', '2.00'), stmt('C', '3.00')], TARGETS.quickbooks, mm);
    expect(r.entries).toHaveLength(1);
    expect(r.errors.map((e) => [e.code, e.account])).toEqual([['EXPORT_UNMAPPED', 'B'], ['EXPORT_UNMAPPED', 'C']]);
    expect(r.errors[0]!.message).toContain('the mapping has no quickbooks id for this account');
  });

  it('xero and quickbooks refuse to run without their mapping section (not one error per row)', () => {
    const mm = mappingFor(['A']);
    delete mm.xero;
    expect(() => exportStatements([stmt('A', '1.00')], TARGETS.xero, mm)).toThrow(/no "xero" section/);
  });
});

describe('identifiers and dates', () => {
  it('the entry id is the idempotency key / reference in every target; the date is the statement\'s recorded date', () => {
    const s = stmt('A', '5.00');
    const m = mappingFor(['A']);
    const st = JSON.parse(exportStatements([s], TARGETS.stripe, m).lines[0]!);
    expect(st).toMatchObject({ method: 'POST', path: '/v1/customers/cus_T0/balance_transactions', idempotencyKey: s.entry, body: { currency: 'usd', metadata: { entry: s.entry, account: 'A', period: '2026-11', rules: '2026-01' } } });
    const kb = JSON.parse(exportStatements([s], TARGETS.killbill, m).lines[0]!);
    expect(kb.headers['X-Killbill-Comment']).toBe(s.entry);
    const xr = parseCsv(exportStatements([s], TARGETS.xero, m).lines.join(''), { columns: true })[0];
    expect(xr).toMatchObject({ Reference: s.entry, '*CreditNoteDate': '01/12/2026', '*UnitAmount': '5.00', '*Quantity': '1', Currency: 'USD' });
    const qb = JSON.parse(exportStatements([s], TARGETS.quickbooks, m).lines[0]!);
    expect(qb).toMatchObject({ PrivateNote: s.entry, TxnDate: '2026-12-01', CustomerRef: { value: '100' } });
    expect(qb.DocNumber.length).toBeLessThanOrEqual(21);
  });

  it.each([['DD/MM/YYYY', '01/12/2026'], ['MM/DD/YYYY', '12/01/2026'], ['YYYY-MM-DD', '2026-12-01']] as const)('Xero dates as the mapping says: %s', (format, date) => {
    const m = mappingFor(['A']);
    m.xero = { accountCode: '200', taxType: 'Tax Exempt', dateFormat: format, numberPrefix: 'CN-' };
    const row = parseCsv(exportStatements([stmt('A', '5.00')], TARGETS.xero, m).lines.join(''), { columns: true })[0];
    expect(row['*CreditNoteDate']).toBe(date);
    expect(row['*CreditNoteNumber']).toMatch(/^CN-2026-11-[0-9a-f]{12}$/);
  });

  it('the description names the months whose corrections a statement carries; Stripe refuses an account id beyond its metadata limit', () => {
    const m = mappingFor(['A', 'x'.repeat(501)]);
    const st = JSON.parse(exportStatements([stmt('A', '5.00', ['1.00', '2.00'])], TARGETS.stripe, { ...m, stripe: { descriptionPrefix: 'Credit' } }).lines[0]!);
    expect(st.body.description).toBe('Credit 2026-11 incl. adjustments for 2026-10');
    const long = exportStatements([stmt('x'.repeat(501), '5.00')], TARGETS.stripe, m);
    expect(long.errors[0]!.message).toContain('Stripe takes at most 500 in metadata.account');
  });

  it('QuickBooks DocNumber stays within 21 characters for any prefix the schema allows', () => {
    for (const p of ['', 'R', 'RC', 'ABCD']) expect(docNumber('2026-11', 'f'.repeat(64), p).length).toBeLessThanOrEqual(21);
    expect(docNumber('2026-11', 'abcdef0123456789'.repeat(4))).toBe('RC202611-abcdef012345');
  });

  it('hostile account ids export exactly and stay distinct in every target', () => {
    const m = mappingFor(HOSTILE_ACCOUNTS);
    const statements = HOSTILE_ACCOUNTS.map((a) => stmt(a, '1.00'));
    const st = exportStatements(statements, TARGETS.stripe, m);
    expect(st.errors).toEqual([]);
    expect(st.lines.map((l) => JSON.parse(l).body.metadata.account)).toEqual(HOSTILE_ACCOUNTS);
    const kb = exportStatements(statements, TARGETS.killbill, m);
    expect(kb.lines.map((l) => JSON.parse(JSON.parse(l).body[0].itemDetails).account)).toEqual(HOSTILE_ACCOUNTS);
    for (const l of [...st.lines, ...kb.lines]) expect(l.slice(0, -1)).not.toMatch(/[\n\r\u2028\u2029]/);
    // contact names are the operator's text: a hostile one comes back exactly through CSV quoting
    const names = new Map(HOSTILE_ACCOUNTS.map((a, i) => [a, { xero: `${a.trim() || 'x'} ${i}` }]));
    const xr = exportStatements(statements, TARGETS.xero, { ...m, accounts: names });
    const rows = parseCsv(xr.lines.join(''), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r['*ContactName'])).toEqual(HOSTILE_ACCOUNTS.map((a, i) => `${a.trim() || 'x'} ${i}`));
  });

  it('a customer id cannot break out of Stripe\'s path (encoded)', () => {
    const m: Mapping = { schemaVersion: 1, accounts: new Map([['A', { stripe: '../x?y#z' }]]) };
    expect(JSON.parse(exportStatements([stmt('A', '1.00')], TARGETS.stripe, m).lines[0]!).path).toBe('/v1/customers/..%2Fx%3Fy%23z/balance_transactions');
  });
});

describe('properties (fast-check)', () => {
  const currencies = ['USD', 'EUR', 'JPY', 'KWD', 'ISK', 'MGA', 'CLF', 'HUF'];
  const amount = (exp: number) => fc.integer({ min: -5_000_000, max: 50_000_000 }).map((n) => fromMinorUnits(String(n), exp));
  const statementArb = fc.constantFrom(...currencies).chain((cur) => {
    const exp = Math.max(isoExponent(cur)!, 0);
    // Stripe takes whole ISK/HUF only: keep amounts to what every target can take so that the sums compare
    const e = cur === 'ISK' || cur === 'HUF' || cur === 'MGA' ? 0 : exp;
    return fc.record({ credit: amount(e).map((a) => (a.startsWith('-') ? a.slice(1) : a)), adj: fc.array(amount(e), { maxLength: 3 }), cur: fc.constant(cur) });
  });

  it('Σ exported amounts = Σ net credits (refused charge backs and zero rows accounted); no two rows share a key', () => {
    fc.assert(fc.property(fc.array(statementArb, { minLength: 1, maxLength: 25 }), fc.constantFrom(...TARGET_NAMES), (specs, t) => {
      const statements = specs.map((x, i) => stmt(`R-${i}`, x.credit, x.adj, x.cur));
      const m = mappingFor(statements.map((s) => s.account));
      const r = exportStatements(statements, TARGETS[t], m);
      const lines = TARGETS[t].format === 'csv' ? r.lines.slice(1) : r.lines;
      expect(lines).toHaveLength(r.entries.length);
      let exported = new D(0);
      lines.forEach((l, i) => { exported = exported.plus(postedNet(t, l, statements.find((s) => s.entry === r.entries[i])!.currency)); });
      const refused = statements.filter((s) => r.errors.some((e) => e.account === s.account));
      const all = statements.reduce((x, s) => x.plus(netCredit(s)), new D(0));
      const refusedSum = refused.reduce((x, s) => x.plus(netCredit(s)), new D(0));
      expect(exported.toFixed()).toBe(all.minus(refusedSum).toFixed());
      expect(exported.toFixed()).toBe(new D(r.total).toFixed());
      expect(new Set(r.entries).size).toBe(r.entries.length);
      expect(r.entries.length + r.errors.length + r.zero).toBe(statements.length);
      // every refusal is a charge back (for the targets that take none); Stripe refuses nothing here
      if (t === 'stripe') expect(r.errors).toEqual([]);
      else for (const s of refused) expect(netCredit(s).isNegative()).toBe(true);
    }), { numRuns: 150 });
  });

  it('minor units round-trip exactly (any exponent 0–4, amounts up to 15 integer digits)', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 19n), max: 10n ** 19n }), fc.integer({ min: 0, max: 4 }), (n, exp) => {
      const text = fromMinorUnits(n.toString(), exp);
      const back = toMinorUnits(text, { exponent: exp });
      expect(back).toEqual({ minor: n.toString() });
    }), { numRuns: 500 });
  });
});

describe('the mapping file', () => {
  it('reads YAML into a Map (an account named __proto__ is an ordinary key)', () => {
    const m = parseMapping('schemaVersion: 1\naccounts:\n  __proto__: { stripe: cus_X }\n  P-1: { xero: "A B" }\n', 'm.yaml');
    expect(m.accounts.get('__proto__')).toEqual({ stripe: 'cus_X' });
    expect(({} as Record<string, unknown>).stripe).toBeUndefined();
  });

  it('a JSON mapping reads the same as YAML (the JSON.parse path), and its duplicate keys are still refused, positioned', () => {
    const y = parseMapping('schemaVersion: 1\naccounts:\n  P-1: { stripe: cus_A, xero: "A B" }\nxero: { accountCode: "200", taxType: "Tax Exempt" }\n', 'm.yaml');
    const j = parseMapping(JSON.stringify({ schemaVersion: 1, accounts: { 'P-1': { stripe: 'cus_A', xero: 'A B' } }, xero: { accountCode: '200', taxType: 'Tax Exempt' } }), 'm.json');
    expect(j).toEqual(y);
    let err: unknown;
    try { parseMapping('{"schemaVersion": 1, "accounts": {"P-1": {"stripe": "cus_A"}, "P-1": {"stripe": "cus_B"}}}', 'm.json'); } catch (e) { err = e; }
    expect((err as MappingErrors).errors.map((e) => formatError(e))).toEqual(['m.json:1:63: accounts.P-1: duplicate key (keys must be unique)']);
    expect(() => parseMapping('{"schemaVersion": 1, "accounts": {"P-1": {"stripe": "x"}}}', 'm.json')).toThrow(MappingErrors);
  });

  const bad: [string, string, RegExp][] = [
    ['a Stripe id that is not cus_…', 'schemaVersion: 1\naccounts:\n  P-1: { stripe: "acct_1" }\n', /m\.yaml:3:\d+: accounts\.P-1\.stripe: "acct_1" has the wrong form \(expected a Stripe customer id/],
    ['an unknown target', 'schemaVersion: 1\naccounts:\n  P-1: { sage: "1" }\n', /sage/],
    ['a Kill Bill id that is not a UUID', 'schemaVersion: 1\naccounts:\n  P-1: { killbill: "x" }\n', /killbill/],
    ['xero without taxType', 'schemaVersion: 1\naccounts: {}\nxero: { accountCode: "200" }\n', /taxType/],
    ['schemaVersion 2', 'schemaVersion: 2\naccounts: {}\n', /schemaVersion/],
    ['a duplicate account', 'schemaVersion: 1\naccounts:\n  P-1: { stripe: cus_A }\n  P-1: { stripe: cus_B }\n', /P-1/],
    ['a contact name with spaces around it', 'schemaVersion: 1\naccounts:\n  P-1: { xero: " A " }\n', /xero/],
  ];
  it.each(bad)('refuses %s, positioned', (_n, text, msg) => {
    let err: unknown;
    try { parseMapping(text, 'm.yaml'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(MappingErrors);
    expect((err as MappingErrors).errors.map((e) => formatError(e)).join('\n')).toMatch(msg);
  });
});
