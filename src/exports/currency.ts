/**
 * Currency exponents (digits after the decimal point of the minor unit), from
 * the ISO 4217 list as the maintained `currency-codes` package ships it
 * (pinned in package.json; its `publishDate` says which ISO list), plus the
 * few places where a target's documentation departs from ISO. Amounts move
 * between decimal text and integer minor units here only: exactly, with a
 * value that is not a whole minor unit refused, never rounded.
 */
import { createRequire } from 'node:module';
import { Dec } from '../money/decimal.js';

const require = createRequire(import.meta.url);
const codes = require('currency-codes') as {
  code(c: string): { code: string; digits: number } | undefined;
  publishDate: string;
};

/** The date of the ISO 4217 list the package carries. */
export const ISO_4217_PUBLISHED: string = codes.publishDate;

/** ISO 4217's exponent of `currency`, or undefined for a code ISO does not list. */
export function isoExponent(currency: string): number | undefined {
  const c = /^[A-Z]{3}$/.test(currency) ? codes.code(currency) : undefined;
  return c ? c.digits : undefined;
}

/** A target's exponent rule for one currency: its exponent and whether only whole units are accepted. */
export interface ExponentRule { exponent: number; wholeUnitsOnly?: boolean; note?: string }

/**
 * Where Stripe's documentation (https://docs.stripe.com/currencies, "Zero-decimal
 * currencies" and "Special cases") departs from ISO 4217. Every other
 * currency follows ISO.
 */
export const STRIPE_EXCEPTIONS: Readonly<Record<string, ExponentRule>> = Object.freeze({
  // ISO says 2; Stripe lists MGA among its zero-decimal currencies
  MGA: { exponent: 0, note: 'zero-decimal in Stripe (ISO 4217: 2)' },
  // ISO says 0; Stripe keeps the two-decimal form for backwards compatibility, the decimals always 00
  ISK: { exponent: 2, wholeUnitsOnly: true, note: 'two-decimal in Stripe, decimals always 00 (ISO 4217: 0)' },
  // two-decimal as ISO, but Stripe pays them out in whole units only
  HUF: { exponent: 2, wholeUnitsOnly: true, note: 'Stripe pays out whole forints only: amounts divisible by 100' },
  TWD: { exponent: 2, wholeUnitsOnly: true, note: 'Stripe pays out whole dollars only: amounts divisible by 100' },
  // ISO says 0, and Stripe lists UGX as zero-decimal: restated so that the special case is visible here
  UGX: { exponent: 0, note: 'zero-decimal in Stripe (as ISO 4217)' },
});

/** Stripe's exponent rule for `currency` (upper case), or undefined when neither ISO nor Stripe knows it. */
export function stripeExponent(currency: string): ExponentRule | undefined {
  const ex = STRIPE_EXCEPTIONS[currency];
  if (ex) return ex;
  const iso = isoExponent(currency);
  return iso === undefined ? undefined : { exponent: iso };
}

/** ISO's rule (every target but Stripe). */
export function isoRule(currency: string): ExponentRule | undefined {
  const iso = isoExponent(currency);
  return iso === undefined ? undefined : { exponent: iso };
}

/**
 * `amount` (decimal text, may be negative) in integer minor units of
 * exponent `rule.exponent`, as decimal text; or the reason it cannot be
 * (not a whole minor unit, or not a whole unit where only those are taken).
 */
export function toMinorUnits(amount: string, rule: ExponentRule): { minor: string } | { problem: string } {
  const d = new Dec(amount);
  const scaled = d.times(new Dec(10).pow(rule.exponent));
  if (!scaled.isInteger()) {
    return { problem: `${amount} is not a whole number of minor units (${rule.exponent} decimal${rule.exponent === 1 ? '' : 's'}); it is refused, not rounded` };
  }
  if (rule.wholeUnitsOnly && !d.isInteger()) {
    return { problem: `${amount} is not a whole unit, and only whole units are taken here${rule.note ? ` (${rule.note})` : ''}` };
  }
  return { minor: scaled.isZero() ? '0' : scaled.toFixed(0) };
}

/** Integer minor units back to decimal text with exactly `exponent` decimals (the inverse of `toMinorUnits`). */
export function fromMinorUnits(minor: string, exponent: number): string {
  return new Dec(minor).dividedBy(new Dec(10).pow(exponent)).toFixed(exponent);
}

/** `amount` with exactly `exponent` decimals when it has no more than that; the reason otherwise. */
export function toExponent(amount: string, rule: ExponentRule): { text: string } | { problem: string } {
  const m = toMinorUnits(amount, rule);
  if ('problem' in m) return m;
  return { text: fromMinorUnits(m.minor, rule.exponent) };
}
