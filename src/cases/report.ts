/**
 * The report of `reseller-credits test`, in the manner of `opa test`: a block
 * per failing case (expected vs actual, each at its file:line:column and
 * field), and last the line `N passed, N failed`.
 */
import { formatError } from '../errors.js';
import { safeText } from '../text/safe-text.js';
import type { CaseOutcome } from './runner.js';

/** The lines about one case: nothing for a pass unless `verbose`. */
export function formatOutcome(o: CaseOutcome, verbose = false): string {
  const title = o.name ? ` (${safeText(o.name)})` : '';
  const file = safeText(o.file);
  switch (o.status) {
    case 'passed':
      return verbose ? `ok     ${file}${title}\n` : '';
    case 'failed':
      return `FAIL   ${file}${title}\n${o.failures.map((f) => `  ${formatError(f)}\n`).join('')}`;
    case 'broken':
      return `BROKEN ${file}${title}: the case file is malformed; fix it to run the case\n${o.errors.map((e) => `  ${formatError(e)}\n`).join('')}`;
  }
}

/** The counts and the closing line. */
export function summarize(outcomes: readonly CaseOutcome[]): { passed: number; failed: number; line: string } {
  const passed = outcomes.filter((o) => o.status === 'passed').length;
  const failed = outcomes.length - passed;
  return { passed, failed, line: `${passed} passed, ${failed} failed` };
}
