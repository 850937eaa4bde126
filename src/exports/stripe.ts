/**
 * Stripe: one Customer Balance Transaction create request per statement
 * (POST /v1/customers/{customer}/balance_transactions), as NDJSON for any
 * HTTP client to replay with its `Idempotency-Key`. Stripe's sign: a negative
 * amount is a credit to the customer, so the net credit is posted negated and
 * a charge back is positive. Amounts are integer minor units under Stripe's
 * exponents (ISO 4217 except where Stripe's documentation says otherwise),
 * the currency lower case (test/fixtures/vendors/stripe-*.json is the
 * request's schema from Stripe's OpenAPI document).
 */
import { stripeExponent } from './currency.js';
import { JsonNumber } from './json-line.js';
import { describe, type ExportTarget } from './types.js';

/** Stripe's limit on a metadata value (docs.stripe.com/api/metadata). */
export const STRIPE_METADATA_VALUE_MAX = 500;
/** The OpenAPI document's `maxLength` of `description`. */
export const STRIPE_DESCRIPTION_MAX = 350;

export const stripe: ExportTarget = {
  name: 'stripe',
  format: 'ndjson',
  minorUnits: true,
  exponent: stripeExponent,
  mappingProblem: () => undefined,
  build(s, amount, customer, m) {
    if (s.account.length > STRIPE_METADATA_VALUE_MAX) {
      return { refused: `the account id is ${s.account.length} characters; Stripe takes at most ${STRIPE_METADATA_VALUE_MAX} in metadata.account` };
    }
    const description = describe(s, m.stripe?.descriptionPrefix);
    if (description.length > STRIPE_DESCRIPTION_MAX) return { refused: `the description would be ${description.length} characters; Stripe takes at most ${STRIPE_DESCRIPTION_MAX}` };
    return {
      record: {
        method: 'POST',
        path: `/v1/customers/${encodeURIComponent(customer)}/balance_transactions`,
        idempotencyKey: s.entry,
        body: {
          amount: new JsonNumber(amount.chargeBack ? amount.magnitude : amount.magnitude === '0' ? '0' : `-${amount.magnitude}`),
          currency: s.currency.toLowerCase(),
          description,
          metadata: { entry: s.entry, account: s.account, period: s.period, rules: s.rules.id, rulesSha256: s.rules.sha256 },
        },
      },
    };
  },
};
