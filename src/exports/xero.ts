/**
 * Xero: the credit note import CSV (Sales → Credit notes → Import), one row
 * per statement, the columns of Xero's template (those marked `*` are
 * required), positive amounts, the entry id in `Reference`. A credit note
 * cannot be negative: a charge back is refused with a reason (raise an
 * invoice for it). The columns and their source: test/fixtures/vendors/xero-*.
 */
import { isoRule } from './currency.js';
import { describe, recordedDate, type ExportTarget, type Mapping } from './types.js';

/** Xero's credit note import template, in its order. */
export const XERO_COLUMNS = Object.freeze([
  '*ContactName', 'EmailAddress', 'POAddressLine1', 'POAddressLine2', 'POAddressLine3', 'POAddressLine4', 'POCity', 'PORegion',
  'POPostalCode', 'POCountry', '*CreditNoteNumber', 'Reference', '*CreditNoteDate', 'InventoryItemCode', '*Description',
  '*Quantity', '*UnitAmount', 'Discount', '*AccountCode', '*TaxType', 'TrackingName1', 'TrackingOption1', 'TrackingName2',
  'TrackingOption2', 'Currency', 'BrandingTheme',
] as const);

/** A date as the mapping's `xero.dateFormat` says (default DD/MM/YYYY, Xero's template's form outside the US). */
export function xeroDate(iso: string, format: NonNullable<Mapping['xero']>['dateFormat'] = 'DD/MM/YYYY'): string {
  const [y, mo, d] = iso.split('-');
  return format === 'YYYY-MM-DD' ? iso : format === 'MM/DD/YYYY' ? `${mo}/${d}/${y}` : `${d}/${mo}/${y}`;
}

export const xero: ExportTarget = {
  name: 'xero',
  format: 'csv',
  columns: XERO_COLUMNS,
  minorUnits: false,
  exponent: isoRule,
  mappingProblem: (m) => (m.xero ? undefined : 'the mapping has no "xero" section (accountCode and taxType are required for Xero)'),
  build(s, amount, customer, m) {
    if (amount.chargeBack) {
      return { refused: `net ${amount.net} is a charge back; a Xero credit note cannot be negative: raise an invoice for it` };
    }
    const x = m.xero!;
    const row: Record<(typeof XERO_COLUMNS)[number], string> = Object.fromEntries(XERO_COLUMNS.map((c) => [c, ''])) as never;
    row['*ContactName'] = customer;
    row['*CreditNoteNumber'] = `${x.numberPrefix ?? 'RC-'}${s.period}-${s.entry.slice(0, 12)}`;
    row.Reference = s.entry;
    row['*CreditNoteDate'] = xeroDate(recordedDate(s), x.dateFormat);
    row['*Description'] = describe(s);
    row['*Quantity'] = '1';
    row['*UnitAmount'] = amount.magnitude;
    row['*AccountCode'] = x.accountCode;
    row['*TaxType'] = x.taxType;
    row.Currency = s.currency;
    return { record: XERO_COLUMNS.map((c) => row[c]) };
  },
};
