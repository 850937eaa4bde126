/**
 * Our own json-rules-engine operators. The built-in numeric ones compare
 * through parseFloat/`<` and silently misjudge decimal strings and Decimal
 * objects (SPEC §8), so money is only ever compared here, with decimal.js.
 * Registered as `Operator` instances: the `addOperator(name, cb, validator)`
 * form drops the validator.
 */
import { Operator } from 'json-rules-engine';
import { Dec } from '../money/decimal.js';

const parsed = new Map<string, Dec>();
/** Rule values are decimal strings; each is parsed once. */
function dec(text: string): Dec {
  let d = parsed.get(text);
  if (!d) {
    d = new Dec(text);
    parsed.set(text, d);
  }
  return d;
}

const isDec = (v: unknown): v is Dec => Dec.isDecimal(v);
const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

/** Every operator the compiled rules use, by name. */
export const OPERATORS = {
  /** fact (a Decimal) ≥ value (a decimal string) */
  decimalAtLeast: new Operator<Dec, string>('decimalAtLeast', (f, v) => f.gte(dec(v)), isDec),
  /** fact (a whole count) ≥ value */
  countAtLeast: new Operator<number, number>('countAtLeast', (f, v) => f >= v, Number.isInteger),
  /** fact is exactly the boolean value */
  is: new Operator<boolean, boolean>('is', (f, v) => f === v, (f) => typeof f === 'boolean'),
  /** fact (YYYY-MM-DD) is the same day as or later than value (YYYY-MM-DD); false when either is missing */
  onOrAfter: new Operator<string, string>('onOrAfter', (f, v) => isDate(v) && f >= v, isDate),
  /** like onOrAfter, but true when there is no date to compare with (approval not required) */
  onOrAfterIfDated: new Operator<string, string | undefined>('onOrAfterIfDated', (f, v) => v === undefined || (isDate(v) && f >= v), isDate),
} as const;

/** Names of our operators, for the compiler. */
export type OperatorName = keyof typeof OPERATORS;
