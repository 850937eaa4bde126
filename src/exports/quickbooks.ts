/**
 * QuickBooks Online: one `CreditMemo` object per statement as NDJSON, to be
 * POSTed to `/v3/company/{realmId}/creditmemo` (element names and types from
 * Intuit's published XSD, kept in test/fixtures/vendors/). Positive amounts,
 * `DocNumber` at most 21 characters, the entry id in `PrivateNote`; a credit
 * memo cannot be negative, so a charge back is refused with a reason.
 */
import { isoRule } from './currency.js';
import { JsonNumber } from './json-line.js';
import { describe, recordedDate, type ExportTarget } from './types.js';

/** QuickBooks Online's limit on DocNumber. */
export const QBO_DOC_NUMBER_MAX = 21;

/** `RC202611-` + the first hex digits of the entry id, at most 21 characters. */
export function docNumber(period: string, entry: string, prefix = 'RC'): string {
  const head = `${prefix}${period.replace('-', '')}-`;
  return `${head}${entry.slice(0, Math.max(0, QBO_DOC_NUMBER_MAX - head.length))}`.slice(0, QBO_DOC_NUMBER_MAX);
}

export const quickbooks: ExportTarget = {
  name: 'quickbooks',
  format: 'ndjson',
  minorUnits: false,
  exponent: isoRule,
  mappingProblem: (m) => (m.quickbooks ? undefined : 'the mapping has no "quickbooks" section (itemId is required for QuickBooks)'),
  build(s, amount, customer, m) {
    if (amount.chargeBack) {
      return { refused: `net ${amount.net} is a charge back; a QuickBooks credit memo cannot be negative: post it as an invoice` };
    }
    const q = m.quickbooks!;
    const value = new JsonNumber(amount.magnitude);
    return {
      record: {
        CustomerRef: { value: customer },
        TxnDate: recordedDate(s),
        DocNumber: docNumber(s.period, s.entry, q.docNumberPrefix),
        PrivateNote: s.entry,
        CurrencyRef: { value: s.currency },
        Line: [{
          Amount: value,
          DetailType: 'SalesItemLineDetail',
          Description: describe(s),
          SalesItemLineDetail: { ItemRef: { value: q.itemId }, Qty: new JsonNumber('1'), UnitPrice: value },
        }],
      },
    };
  },
};
