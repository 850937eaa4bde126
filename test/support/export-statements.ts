/** Statements (issue entries, as an export reads them) built by hand for the export tests. */
import { createHash } from 'node:crypto';
import type { ExportStatement } from '../../src/exports/types.js';

/** A statement of `account`: its credit, adjustments carried (amounts), currency. Entry ids as the ledger makes them. */
export function stmt(account: string, credit: string, adjustments: string[] = [], currency = 'USD', period = '2026-11'): ExportStatement {
  const id = createHash('sha256').update(`issue|${account}|${period}|1`).digest('hex');
  return {
    entry: id, account, period, currency,
    rules: { id: '2026-01', sha256: 'a'.repeat(64) },
    recordedAt: '2026-12-01T09:30:00.000Z',
    statement: {
      charges: '1000.00', credit,
      adjustments: adjustments.map((amount, i) => ({ entry: createHash('sha256').update(`adjustment|${account}|2026-10|${i + 1}`).digest('hex'), origin: '2026-10', amount })),
      amountDue: '0.00',
    },
  };
}

/** Account ids an attacker or a careless export would choose (each distinct from the others). */
export const HOSTILE_ACCOUNTS = [
  '=HYPERLINK("http://evil.example","click")',
  '+1+1', '-2+3', '@SUM(A1:A9)',
  'comma, "quoted" and\nnewline',
  'tab\there\r\nCRLF',
  '\u202Eevil\u202C right-to-left override',
  'P-001', 'P-001 ', 'P-001\u200B',
  '__proto__', 'constructor', 'toString',
  '../../etc/passwd', '<script>alert(1)</script>', '\u0000nul',
  'ünïcødé 日本語 🧾',
  'x'.repeat(200),
];

/**
 * The hostile ids that `issue` refuses since issue 19 (docs/rules.md, "Account ids"), with the code of
 * each one's error record: a control or invisible character, or two ids of one account key in one run
 * (`P-001` and `P-001 `: both refused, SPEC §4 "In one run", neither is issued). The export code still takes them (exports.test.ts);
 * a ledger never holds them.
 */
export const REFUSED_AT_ISSUE: Readonly<Record<string, string>> = {
  'comma, "quoted" and\nnewline': 'CONTROL_CHARACTER',
  'tab\there\r\nCRLF': 'CONTROL_CHARACTER',
  '\u202Eevil\u202C right-to-left override': 'INVISIBLE_CHARACTER',
  'P-001': 'DUPLICATE_IN_RUN',
  'P-001 ': 'DUPLICATE_IN_RUN',
  'P-001\u200B': 'INVISIBLE_CHARACTER',
  '\u0000nul': 'CONTROL_CHARACTER',
};

/** The hostile ids a ledger can hold: every one `issue` does not refuse (own keys only: `'__proto__' in {}` is true). */
export const ISSUABLE_HOSTILE_ACCOUNTS = HOSTILE_ACCOUNTS.filter((a) => !Object.hasOwn(REFUSED_AT_ISSUE, a));

/** The error records of `issue --format ndjson` output, account → code. */
export function errorCodes(ndjson: string): Record<string, string> {
  const rows = ndjson.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { account?: string; error?: { code: string } });
  return Object.fromEntries(rows.filter((r) => r.error).map((r) => [r.account ?? '', r.error!.code]));
}
