/**
 * Every target's records checked against the vendor's own published
 * contract (test/fixtures/vendors/, ORIGIN.md says where and when each came
 * from): Stripe's OpenAPI request schema and Kill Bill's Swagger definition
 * compiled with AJV, QuickBooks Online's CreditMemo with Intuit's XSD, Xero's
 * import template's columns. Each check is first shown to reject a record
 * that breaks the contract, so that it cannot pass by accident.
 */
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportStatements } from '../src/exports/run-export.js';
import { TARGETS } from '../src/exports/targets.js';
import type { ExportStatement, Mapping } from '../src/exports/types.js';
import { HOSTILE_ACCOUNTS, stmt } from './support/export-statements.js';
import { conform, members, readXsd, type Xsd } from './support/xsd.js';

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const V = 'test/fixtures/vendors/';
const json = (f: string) => JSON.parse(readFileSync(V + f, 'utf8'));

const accounts = ['P-001', 'P-002', 'P-003', ...HOSTILE_ACCOUNTS];
const statements: ExportStatement[] = [
  stmt('P-001', '784.00'), stmt('P-002', '25.00', ['2.50', '-0.75']), stmt('P-003', '1500', [], 'JPY'),
  ...HOSTILE_ACCOUNTS.map((a, i) => stmt(a, `${i + 1}.0${i % 10}`, [], i % 3 ? 'EUR' : 'USD')),
];
const mapping: Mapping = {
  schemaVersion: 1,
  accounts: new Map(accounts.map((a, i) => [a, { stripe: `cus_V${i}`, killbill: `5e1f3a2b-0000-4000-8000-${String(i).padStart(12, '0')}`, xero: `Contact ${i}`, quickbooks: String(200 + i) }])),
  xero: { accountCode: '200', taxType: 'Tax Exempt' }, quickbooks: { itemId: '42' }, killbill: { createdBy: 'month-end operator' },
};
const run = (t: keyof typeof TARGETS) => {
  const r = exportStatements(statements, TARGETS[t], mapping);
  expect(r.errors).toEqual([]);
  expect(r.entries).toHaveLength(statements.length);
  return r.lines;
};

describe('Stripe: POST /v1/customers/{customer}/balance_transactions (OpenAPI, API 2023-08-16)', () => {
  const doc = json('stripe-balance-transaction-create.json');
  let validate: ValidateFunction;
  beforeAll(() => { validate = new Ajv({ strict: false, allErrors: true }).compile(doc.schema); });

  it('the contract rejects what Stripe would (no amount, a decimal amount, an unknown field, a long description)', () => {
    for (const bad of [{ currency: 'usd' }, { amount: 1.5, currency: 'usd' }, { amount: 1, currency: 'usd', memo: 'x' }, { amount: 1, currency: 'usd', description: 'x'.repeat(351) }]) {
      expect(validate(bad)).toBe(false);
    }
  });

  it('every request body conforms; path, key and currency as Stripe takes them', () => {
    const lines = run('stripe');
    expect(doc.operationId).toBe('PostCustomersCustomerBalanceTransactions');
    for (const l of lines) {
      const r = JSON.parse(l);
      expect(validate(r.body), JSON.stringify(validate.errors)).toBe(true);
      expect(Number.isSafeInteger(r.body.amount)).toBe(true);
      expect(r.body.currency).toMatch(/^[a-z]{3}$/);
      expect(r.method.toLowerCase()).toBe(doc.method);
      const customer = decodeURIComponent(r.path.match(/^\/v1\/customers\/([^/]+)\/balance_transactions$/)[1]);
      expect(customer.length).toBeLessThanOrEqual(doc.parameters[0].schema.maxLength);
      expect(r.idempotencyKey).toBe(r.body.metadata.entry);
      for (const v of Object.values(r.body.metadata) as string[]) expect(v.length).toBeLessThanOrEqual(500);
    }
  });
});

describe('Kill Bill: POST /1.0/kb/credits (Swagger 2.0, API 0.24.10)', () => {
  const doc = json('killbill-credits.json');
  const body = doc.operation.parameters.find((p: { in: string }) => p.in === 'body').schema;
  // the one place we depart from the document: InvoiceItem lists invoiceItemId as required because the same
  // definition describes stored items; a credit to create has none yet (Kill Bill assigns it)
  const definitions = structuredClone(doc.definitions);
  definitions.InvoiceItem.required = definitions.InvoiceItem.required.filter((r: string) => r !== 'invoiceItemId');
  let validate: ValidateFunction;
  beforeAll(() => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    validate = ajv.compile({ ...JSON.parse(JSON.stringify(body).replaceAll('#/definitions/', '#/$defs/')), $defs: JSON.parse(JSON.stringify(definitions).replaceAll('#/definitions/', '#/$defs/')) });
  });

  it('the departure is exactly one field, and the contract still rejects what Kill Bill would', () => {
    expect(doc.definitions.InvoiceItem.required).toEqual(['accountId', 'invoiceItemId']);
    expect(validate([{ amount: 1, currency: 'USD' }])).toBe(false); // no accountId
    expect(validate([{ accountId: 'not-a-uuid', amount: 1 }])).toBe(false);
    expect(validate([{ accountId: '5e1f3a2b-0000-4000-8000-000000000001', amount: 1, currency: 'XYZ' }])).toBe(false);
  });

  it('every request conforms: body, headers (required CreatedBy; Comment = entry id), query', () => {
    const lines = run('killbill');
    const headers = doc.operation.parameters.filter((p: { in: string }) => p.in === 'header');
    for (const l of lines) {
      const r = JSON.parse(l);
      expect(validate(r.body), JSON.stringify(validate.errors)).toBe(true);
      expect(r.path).toBe(`${doc.path}?autoCommit=true`);
      for (const h of headers) if (h.required) expect(typeof r.headers[h.name]).toBe('string');
      for (const name of Object.keys(r.headers)) expect(name === 'Content-Type' || headers.some((h: { name: string }) => h.name === name)).toBe(true);
      for (const v of Object.values(r.headers) as string[]) expect(v).toMatch(/^[\x20-\x7e]+$/);
      expect(r.headers['X-Killbill-Comment']).toBe(JSON.parse(r.body[0].itemDetails).entry);
      expect(r.body[0].amount).toBeGreaterThan(0);
    }
  });
});

describe('QuickBooks Online: CreditMemo (Intuit XSD, Finance.xsd)', () => {
  let xsd: Xsd;
  beforeAll(() => { xsd = readXsd([`${V}quickbooks-IntuitBaseTypes.xsd`, `${V}quickbooks-Finance.xsd`]); });

  it('the XSD reader sees CreditMemo\'s chain, and rejects an unknown element or a wrong kind', () => {
    const names = members(xsd, 'CreditMemo').elements.map((e) => e.name);
    for (const n of ['CustomerRef', 'TxnDate', 'DocNumber', 'PrivateNote', 'Line', 'CurrencyRef']) expect(names).toContain(n);
    expect(conform(xsd, { Memo: 'x' }, 'CreditMemo')).toEqual(['$.Memo: CreditMemo has no element or attribute Memo']);
    expect(conform(xsd, { TxnDate: '01/12/2026' }, 'CreditMemo')[0]).toMatch(/not an xs:date/);
    expect(conform(xsd, { Line: [{ DetailType: 'Nonsense' }] }, 'CreditMemo')[0]).toMatch(/not one of LineDetailTypeEnum/);
  });

  it('every record conforms; DocNumber ≤ 21; amounts positive and written exactly', () => {
    for (const l of run('quickbooks')) {
      const r = JSON.parse(l);
      expect(conform(xsd, r, 'CreditMemo')).toEqual([]);
      expect(r.DocNumber.length).toBeLessThanOrEqual(21);
      expect(r.Line[0].Amount).toBeGreaterThan(0);
      expect(l).toMatch(/"Amount":[0-9]+\.?[0-9]*,/);
    }
  });
});

describe('Xero: credit note import CSV (template columns from Xero\'s help pages)', () => {
  const doc = json('xero-credit-note-import.json');

  it('the header is the template; every required column is filled; amounts positive; dates as the template takes them', () => {
    const lines = run('xero');
    const rows = parseCsv(lines.join(''), { columns: false }) as string[][];
    expect(rows[0]).toEqual(doc.columns);
    const required = doc.columns.map((c: string, i: number) => (c.startsWith('*') ? i : -1)).filter((i: number) => i >= 0);
    expect(required.length).toBe(8);
    expect(rows.length - 1).toBeLessThanOrEqual(doc.rules.maxRowsPerFile);
    for (const row of rows.slice(1)) {
      expect(row).toHaveLength(doc.columns.length);
      for (const i of required) expect(row[i], doc.columns[i]).not.toBe('');
      expect(Number(row[doc.columns.indexOf('*UnitAmount')])).toBeGreaterThan(0);
      expect(row[doc.columns.indexOf('*CreditNoteDate')]).toMatch(/^[0-9]{2}\/[0-9]{2}\/[0-9]{4}$/);
      expect(row[doc.columns.indexOf('Reference')]).toMatch(/^[0-9a-f]{64}$/);
      expect(row[doc.columns.indexOf('*CreditNoteNumber')].length).toBeLessThanOrEqual(doc.rules.creditNoteNumberMaxLength);
    }
  });
});
