import { safeText } from './safe-text.js';

const FORMULA_START = /^[=+\-@\t\r']/;

/**
 * Text cells of CSV reports meant for spreadsheets (`evaluate`, `whatif`,
 * `ledger show`): a value that starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return would be run as a formula by a spreadsheet, so it gets a
 * leading `'` (OWASP's advice on CSV injection). A value that already starts
 * with `'` gets one too, so the guard is reversible (`csvTextUnguarded`
 * drops exactly one) and never makes two values equal: `=ACME-1` →
 * `'=ACME-1`, `'=ACME-1` → `''=ACME-1`. Only for free text such as account
 * ids and messages, never for amounts, whose minus sign must stay. Control
 * characters are escaped first (`safeText`), as on a terminal: a CSV file is
 * often shown with `cat` (identifiers cannot hold them, SPEC §4).
 *
 * Machine exports (`ledger export`, the file invoicing reads) use no guard:
 * their identifiers stay exact.
 */
export function csvText(value: string): string {
  const v = safeText(value);
  return FORMULA_START.test(v) ? `'${v}` : v;
}

/** The value `csvText` guarded: one leading `'` dropped when the guard put it there. */
export function csvTextUnguarded(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}
