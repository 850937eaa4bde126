/**
 * Output of `issue` and the `ledger` commands: an issue record as evaluate
 * prints its result (with the statement as recorded) plus `ledger`, the
 * statement in words, entries and credit notes as text, JSON and CSV.
 */
import { stringify } from 'csv-stringify/sync';
import { Dec } from '../money/decimal.js';
import type { IssueRecord } from './issue.js';
import type { AdjustmentReason, LedgerEntry, Statement } from './entry.js';
import { CSV_COLUMNS, createFramer, csvRow, type Framer, type OutputFormat } from '../report/formats.js';
import { explain, explainError } from '../report/text.js';
import { csvText } from '../text/csv-cell.js';
import { money } from '../text/money-text.js';

/** The words of an adjustment's reason. */
export function reasonWords(reason: AdjustmentReason | undefined): string {
  return reason === 'rules changed' ? 'rule set changed after issue'
    : reason === 'snapshot changed' ? 'snapshot corrected after issue' : '';
}

/** `+$2.50`, `-$2.50`. */
export function signedMoney(amount: string, currency: string): string {
  const neg = amount.startsWith('-');
  return `${neg ? '-' : '+'}${money(neg ? amount.slice(1) : amount, currency)}`;
}

/** The Σ of a statement's adjustments (positive = more credit). */
export function adjustmentsTotal(s: Statement, scale: number): string {
  const t = s.adjustments.reduce((x, a) => x.plus(a.amount), new Dec(0));
  return t.toFixed(scale);
}

/** The statement in words: one line, the carried adjustments, a credit balance said as such. */
export function statementLines(s: Statement, currency: string, entry: string | undefined, reasons: Record<string, AdjustmentReason> = {}): string[] {
  const $ = (a: string) => money(a, currency);
  const scale = (s.credit.split('.')[1] ?? '').length;
  const adj = s.adjustments.length ? ` − adjustments ${signedMoney(adjustmentsTotal(s, scale), currency)}` : '';
  const out = [`Statement as issued${entry ? ` (entry ${entry})` : ''}: charges ${$(s.charges)} − credit ${$(s.credit)}${adj} = amount due ${s.amountDue.startsWith('-') ? `-${$(s.amountDue.slice(1))}` : $(s.amountDue)}`];
  for (const a of s.adjustments) {
    const why = reasonWords(reasons[a.entry]);
    out.push(`  adjustment for ${a.origin}: ${signedMoney(a.amount, currency)}${why ? `, ${why}` : ''} (entry ${a.entry})`);
  }
  if (s.amountDue.startsWith('-')) out.push(`  a credit balance: ${$(s.amountDue.slice(1))} in the reseller's favour, nothing to pay`);
  return out;
}

/** The text of an issue record: evaluate's explanation, then what the ledger did and the statement as issued. */
export function explainIssue(r: IssueRecord): string {
  if (!r.ok) return explainError(r.error);
  const x = r.result;
  const lines = [explain({ ...x, statement: r.notes.evaluated })];
  const l = r.ledger;
  if (l.status === 'issued') lines.push(`Ledger: issued (entry ${l.entry})`);
  else if (l.status === 'unchanged') lines.push(`Ledger: unchanged, already issued with this snapshot and rule set (latest entry ${l.entry}); nothing recorded`);
  else {
    const why = reasonWords(r.notes.reason);
    lines.push(`Ledger: adjustment for ${x.period}: ${signedMoney(l.adjustment!, x.currency)}${why ? `, ${why}` : ''} (entry ${l.entry}); carried by the account's next statement`);
  }
  lines.push(...statementLines(x.statement, x.currency, r.notes.statementEntry, r.notes.reasons));
  return lines.join('\n');
}

/** The printed object of an issue record. */
export function issueObject(r: IssueRecord, trace = false): object {
  if (!r.ok) return r.error;
  const { trace: t, ...rest } = r.result;
  return { ...rest, ...(trace && t ? { trace: t } : {}), ledger: r.ledger };
}

const ISSUE_CSV_COLUMNS = [...CSV_COLUMNS.slice(0, -1), 'adjustments', 'status', 'entry', 'adjustment', 'error'];

function issueCsvRow(r: IssueRecord): string[] {
  if (!r.ok) {
    const base = csvRow(r);
    return [...base.slice(0, -1), '', '', '', '', base[base.length - 1]!];
  }
  const base = csvRow({ seq: r.seq, ok: true, result: r.result });
  const scale = (r.result.credit.split('.')[1] ?? '').length;
  return [...base.slice(0, -1), adjustmentsTotal(r.result.statement, scale), r.ledger.status, r.ledger.entry, r.ledger.adjustment ?? '', ''];
}

/** One CSV field as csv-stringify writes it: quoted when it holds a quote, comma or line break. */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Writes issue records in `format` (framing as `evaluate`'s). */
export function createIssueWriter(format: OutputFormat, opts: { trace?: boolean } = {}): { record(r: IssueRecord): string; end(): string } {
  if (format === 'csv') {
    let first = true;
    const head = stringify([ISSUE_CSV_COLUMNS]);
    return {
      record: (r) => { const h = first ? head : ''; first = false; return `${h}${issueCsvRow(r).map(csvField).join(',')}\n`; },
      end: () => (first ? head : ''),
    };
  }
  const framer: Framer = createFramer(format);
  const body = (r: IssueRecord) => format === 'text' ? explainIssue(r)
    : format === 'ndjson' ? JSON.stringify(issueObject(r, opts.trace)) : JSON.stringify(issueObject(r, opts.trace), null, 2);
  return { record: (r) => framer.body(body(r)), end: () => framer.end() };
}

// ------------------------------------------------------------ ledger show

const SHOW_CSV = ['seq', 'id', 'kind', 'n', 'account', 'period', 'rulesId', 'rulesSha256', 'snapshotSha256', 'currency', 'credit',
  'amount', 'reason', 'charges', 'adjustments', 'amountDue', 'carried', 'programVersion', 'runId', 'recordedAt', 'prev', 'hash'];

/** `ledger show --format csv`: the header. */
export function showCsvHeader(): string {
  return stringify([SHOW_CSV]);
}

/** One entry as a CSV row. */
export function showCsvRow(e: LedgerEntry): string {
  const s = e.statement;
  const scale = (e.result.credit.split('.')[1] ?? '').length;
  return stringify([[e.seq, e.id, e.kind, e.n, csvText(e.account), e.period, e.rules.id, e.rules.sha256, e.snapshotSha256, e.currency,
    e.result.credit, e.amount ?? '', e.reason ?? '', s?.charges ?? '', s ? adjustmentsTotal(s, scale) : '', s?.amountDue ?? '',
    s ? s.adjustments.map((a) => a.entry).join(';') : '', e.programVersion, e.runId, e.recordedAt, e.prev, e.hash]]);
}

/** One entry as a line of text. */
export function showText(e: LedgerEntry): string {
  const $ = (a: string) => money(a, e.currency);
  const what = e.kind === 'issue'
    ? `issue      credit ${$(e.result.credit)}, amount due ${e.statement!.amountDue.startsWith('-') ? `-${$(e.statement!.amountDue.slice(1))} (credit balance)` : $(e.statement!.amountDue)}${e.statement!.adjustments.length ? `, carries ${e.statement!.adjustments.length} adjustment(s)` : ''}`
    : `adjustment ${signedMoney(e.amount!, e.currency)} (${e.reason}), credit now ${$(e.result.credit)}`;
  return `#${e.seq} ${e.recordedAt} ${e.account} ${e.period} ${what} · rules ${e.rules.id} · entry ${e.id}`;
}

// ------------------------------------------------------------ ledger export

/** One credit note for the invoicing system. */
export interface CreditNote {
  account: string; period: string; charges: string; credit: string; adjustmentsTotal: string; amountDue: string; currency: string;
  rulesId: string; rulesSha256: string; entry: string; adjustments: string[];
}

export const EXPORT_COLUMNS = ['account', 'period', 'charges', 'credit', 'adjustmentsTotal', 'amountDue', 'currency', 'rulesId', 'rulesSha256', 'entry', 'adjustments'];

/** The credit note of an issue entry, as issued. */
export function creditNote(e: LedgerEntry): CreditNote {
  const s = e.statement!;
  const scale = (s.credit.split('.')[1] ?? '').length;
  return {
    account: e.account, period: e.period, charges: s.charges, credit: s.credit, adjustmentsTotal: adjustmentsTotal(s, scale),
    amountDue: s.amountDue, currency: e.currency, rulesId: e.rules.id, rulesSha256: e.rules.sha256, entry: e.id,
    adjustments: s.adjustments.map((a) => a.entry),
  };
}

/** The CSV header of an export. */
export function exportCsvHeader(): string {
  return stringify([EXPORT_COLUMNS]);
}

/** A credit note as a CSV row: a machine export, so the account id is exact (no spreadsheet formula guard). */
export function exportCsvRow(n: CreditNote): string {
  return stringify([[n.account, n.period, n.charges, n.credit, n.adjustmentsTotal, n.amountDue, n.currency, n.rulesId, n.rulesSha256, n.entry, n.adjustments.join(';')]]);
}
