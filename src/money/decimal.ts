/**
 * Exact money. A private decimal.js clone (never the global one) with enough
 * precision that sums of millions of cent amounts stay exact, and strict
 * parsers that decide what text may become a Decimal before decimal.js sees it
 * (decimal.js itself accepts "1e3", "0x10", "NaN", ".5", "+5" …).
 */
import { Decimal } from 'decimal.js';
import { quoteInput } from '../text/safe-text.js';

/**
 * The project's Decimal. An input amount has at most 15 + 6 digits, so a
 * charge (quantity × unit price) has at most 42, a sum of 100,000 lines 47,
 * and a percentage of it 56: 64 significant digits keep every intermediate
 * figure exact. No exponent notation in output.
 */
export const Dec = Decimal.clone({
  precision: 64,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Dec = Decimal;

/** Most decimals an input amount may have. */
export const MAX_INPUT_DECIMALS = 6;
/** Most significant digits a JSON/YAML *number* may carry (doubles hold 15 exactly). */
export const MAX_NUMBER_DIGITS = 15;
/** Most digits before the decimal point of an amount written as a string. */
export const MAX_INTEGER_DIGITS = 15;

const DECIMAL_TEXT = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
/** The common case, decided by one regular expression: a plain decimal with at most 6 decimals. */
const FAST_OK = /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$/;

export const ZERO = new Dec(0);
export const HUNDRED = new Dec(100);

/** Why a piece of text or number is not an acceptable amount, or undefined when it is. */
export function amountProblem(value: unknown, maxDecimals = MAX_INPUT_DECIMALS): string | undefined {
  if (typeof value === 'number') return numberProblem(value, maxDecimals);
  if (typeof value !== 'string') return 'must be a decimal string such as "4.00"';
  if (maxDecimals === MAX_INPUT_DECIMALS && FAST_OK.test(value)) return undefined;
  const text = value;
  if (text.length > 40) return 'is too long for an amount';
  if (!DECIMAL_TEXT.test(text)) return textProblem(text);
  if (text.split('.')[0]!.length > MAX_INTEGER_DIGITS) {
    return `${quoteInput(text)} has more than ${MAX_INTEGER_DIGITS} digits before the decimal point`;
  }
  const frac = text.split('.')[1];
  if (frac !== undefined && frac.length > maxDecimals) {
    return `has ${frac.length} decimals; at most ${maxDecimals} are allowed`;
  }
  return undefined;
}

function textProblem(raw: string): string {
  const t = raw.trim();
  const text = raw; // quoted below through quoteInput: escaped and cut (SPEC §4, §5)
  if (t !== text) return `${quoteInput(text)} has spaces around it; write ${quoteInput(t)}`;
  if (/^-/.test(t)) return `${quoteInput(text)} is negative; amounts are ≥ 0`;
  if (/^[+]/.test(t)) return `${quoteInput(text)} has a sign; write ${quoteInput(t.slice(1))}`;
  if (/^(nan|[+-]?inf(inity)?|[+-]?\.inf)$/i.test(t)) return `${quoteInput(text)} is not a number`;
  if (/^0[xob]/i.test(t)) return `${quoteInput(text)} is hex/octal/binary; write a plain decimal`;
  if (/^[0-9.]+[eE][+-]?[0-9]+$/.test(t)) return `${quoteInput(text)} uses exponent notation; write the plain decimal`;
  if (/[,_ ]/.test(t)) return `${quoteInput(text)} has separators; write digits with a "." for decimals, e.g. "1234.50"`;
  if (/^\./.test(t)) return `${quoteInput(text)} needs a leading zero: ${quoteInput(`0${t}`)}`;
  if (/^0[0-9]/.test(t)) return `${quoteInput(text)} has leading zeros`;
  return `${quoteInput(text)} is not a decimal amount such as "4.00"`;
}

function numberProblem(n: number, maxDecimals: number): string | undefined {
  if (Number.isInteger(n) && n >= 0 && n <= 999_999_999_999_999) return undefined;
  if (!Number.isFinite(n)) return 'is not a finite number';
  if (n < 0) return `${n} is negative; amounts are ≥ 0`;
  const s = String(n);
  if (/e/i.test(s)) {
    // String() writes numbers below 1e-6 in exponent form: they have more decimals than allowed
    return n < 1 ? `${s} has more than ${maxDecimals} decimals; at most ${maxDecimals} are allowed`
      : `${s} is too large for a number; write it as a decimal string`;
  }
  const digits = s.replace('.', '').replace(/^0+/, '');
  if (digits.length > MAX_NUMBER_DIGITS) {
    return `the number ${s} has more than ${MAX_NUMBER_DIGITS} significant digits and may have lost precision; write it as a decimal string`;
  }
  const frac = s.split('.')[1];
  if (frac !== undefined && frac.length > maxDecimals) {
    return `has ${frac.length} decimals; at most ${maxDecimals} are allowed`;
  }
  return undefined;
}

const amounts = new Map<string | number, Dec>();
/** Most distinct amounts `toDec` keeps; when full, it starts afresh. */
const AMOUNTS_MAX = 4096;

/**
 * Builds a Decimal from an amount already accepted by `amountProblem`. The
 * same amount text (or number) gives the same Decimal, parsed once: Decimals
 * are immutable, and line items repeat their prices and quantities.
 */
export function toDec(value: string | number): Dec {
  let d = amounts.get(value);
  if (d === undefined) {
    d = new Dec(typeof value === 'number' ? String(value) : value);
    if (amounts.size >= AMOUNTS_MAX) amounts.clear();
    amounts.set(value, d);
  }
  return d;
}

/**
 * a + b, exactly. Adding zero gives the other operand itself (the same exact
 * value; decimal.js would allocate an equal copy): sums over sources and
 * terms are mostly of zeros.
 */
export function plus(a: Dec, b: Dec): Dec {
  if (b.isZero()) return a;
  if (a.isZero()) return b;
  return a.plus(b);
}

/** Decimal rounding modes a rule set may name. */
export type RoundingMode = 'half-up' | 'half-even' | 'down';

const MODES: Record<RoundingMode, Decimal.Rounding> = {
  'half-up': Decimal.ROUND_HALF_UP,
  'half-even': Decimal.ROUND_HALF_EVEN,
  down: Decimal.ROUND_DOWN,
};

/** Rounds to `scale` decimals with the rule set's mode. */
export function roundMoney(d: Dec, scale: number, mode: RoundingMode): Dec {
  return d.toDecimalPlaces(scale, MODES[mode]);
}

/**
 * Money as text: at least `scale` decimals, more only when the exact value
 * needs them ("24.9975"), never exponent notation.
 */
export function formatMoney(d: Dec, scale: number): string {
  const exact = d.toFixed();
  const dot = exact.indexOf('.');
  const frac = dot < 0 ? 0 : exact.length - dot - 1;
  if (frac >= scale) return exact;
  const pad = PADS[scale - frac] ?? '0'.repeat(scale - frac);
  return dot < 0 ? `${exact}.${pad}` : exact + pad;
}

const PADS = ['', '0', '00', '000', '0000', '00000', '000000'];

/** A percentage or threshold as written: the exact value, no padding ("12.5", "50"). */
export function formatPlain(d: Dec): string {
  return d.toFixed();
}
