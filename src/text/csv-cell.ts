import { safeText } from './safe-text.js';

/**
 * Text cells of CSV reports meant for spreadsheets: a value that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula by
 * a spreadsheet, so it gets a leading `'` (OWASP's advice on CSV injection).
 * Only for free text such as account ids and messages, never for amounts,
 * whose minus sign must stay. Control characters are escaped first
 * (`safeText`), as on a terminal: a CSV file is often shown with `cat`.
 */
export function csvText(value: string): string {
  const v = safeText(value);
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}
