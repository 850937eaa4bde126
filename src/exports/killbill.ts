/**
 * Kill Bill: one `POST /1.0/kb/credits?autoCommit=true` per statement, its body
 * an array of one InvoiceItem (Kill Bill's Swagger document, kept in
 * test/fixtures/vendors/), the amount positive in major units with the
 * currency's ISO 4217 decimals, the entry id in `X-Killbill-Comment`. Kill
 * Bill's credit endpoint takes only credits: a charge back is refused with a
 * reason (post it as an external charge).
 */
import { isoRule } from './currency.js';
import { JsonNumber } from './json-line.js';
import { describe, type ExportTarget } from './types.js';

export const killbill: ExportTarget = {
  name: 'killbill',
  format: 'ndjson',
  minorUnits: false,
  exponent: isoRule,
  mappingProblem: () => undefined,
  build(s, amount, customer, m) {
    if (amount.chargeBack) {
      return { refused: `net ${amount.net} is a charge back; Kill Bill's credit endpoint takes only positive credits: post it as an external charge` };
    }
    return {
      record: {
        method: 'POST',
        path: '/1.0/kb/credits?autoCommit=true',
        headers: {
          'Content-Type': 'application/json',
          'X-Killbill-CreatedBy': m.killbill?.createdBy ?? 'reseller-credits',
          'X-Killbill-Reason': m.killbill?.reason ?? 'Reseller credit',
          'X-Killbill-Comment': s.entry,
        },
        body: [{
          accountId: customer,
          amount: new JsonNumber(amount.magnitude),
          currency: s.currency,
          description: describe(s),
          itemDetails: JSON.stringify({ entry: s.entry, account: s.account, period: s.period, rules: s.rules.id }),
        }],
      },
    };
  },
};
