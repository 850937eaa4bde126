/**
 * The month-end report as Markdown (for the ticket or the wiki), HTML (one
 * self-contained page) or JSON, chosen by the file's extension. Input text is
 * escaped for each form.
 */
import { extname } from 'node:path';
import { money } from '../text/money-text.js';
import { safeText } from '../text/safe-text.js';
import type { MonthEndReport } from './month-end.js';

/** The report's forms. */
export type ReportFormat = 'markdown' | 'html' | 'json';

/** The form a file name asks for, or undefined. */
export function reportFormatOf(file: string): ReportFormat | undefined {
  const e = extname(file).toLowerCase();
  return e === '.md' || e === '.markdown' ? 'markdown' : e === '.html' || e === '.htm' ? 'html' : e === '.json' ? 'json' : undefined;
}

/** A Markdown table cell: no line break, no pipe, no markup start. */
const md = (s: string) => safeText(s).replace(/([\\|*_`[\]<>#])/g, '\\$1');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The report's sections as heading + table rows, shared by Markdown and HTML. */
function sections(r: MonthEndReport): { title: string; head: string[]; rows: string[][] }[] {
  return [
    { title: 'Run', head: ['', ''], rows: [
      ['period', r.period], ['run', r.run.id], ['operator', r.run.operator], ['recorded', r.run.recordedAt ?? '(nothing recorded)'],
      ['committed', String(r.run.committed)], ['last entry of the run', r.run.lastEntry ?? '—'], ['ledger head', `${r.head.hash} (${r.head.count} entries)`],
    ] },
    { title: 'Inputs', head: ['file', 'bytes', 'sha256'], rows: r.inputs.map((i) => [i.file, i.bytes === null ? '—' : String(i.bytes), i.sha256 ?? '(not a file)']) },
    { title: 'Rule sets', head: ['rule set', 'sha256', 'statements'], rows: r.rules.map((x) => [x.id, x.sha256, String(x.accounts)]) },
    { title: 'Counts', head: ['records', 'issued', 'unchanged', 'adjusted', 'errors', 'statements', 'credit 0'], rows: [[
      r.counts.records, r.counts.issued, r.counts.unchanged, r.counts.adjusted, r.counts.errors, r.counts.statements, r.counts.zeroCredit].map(String)] },
    { title: 'Totals', head: ['currency', 'credits issued', 'adjustments carried', 'net credit', 'amount due', 'adjustments pending'], rows: r.totals.map((t) => [
      t.currency, money(t.creditsIssued, t.currency), money(t.adjustmentsCarried, t.currency), money(t.netCredit, t.currency), money(t.amountDue, t.currency),
      `${money(t.adjustmentsPending, t.currency)} (${t.pendingCount})`]) },
    { title: `Accounts that moved tier since ${r.tierChanges[0]?.previousPeriod ?? 'the previous period'}`, head: ['account', 'from', 'to'], rows: r.tierChanges.map((c) => [c.account, c.from, c.to]) },
    { title: 'Error records', head: ['account', 'error'], rows: r.errors.map((e) => [e.account ?? '', e.text]) },
  ];
}

/** The report in `format`. */
export function renderMonthEnd(r: MonthEndReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(r, null, 2)}\n`;
  const secs = sections(r);
  if (format === 'markdown') {
    const out = [`# Month-end report: ${md(r.period)}`, ''];
    for (const s of secs) {
      out.push(`## ${s.title}`, '');
      if (!s.rows.length) { out.push('None.', ''); continue; }
      out.push(`| ${s.head.map(md).join(' | ')} |`, `| ${s.head.map(() => '---').join(' | ')} |`);
      for (const row of s.rows) out.push(`| ${row.map(md).join(' | ')} |`);
      out.push('');
    }
    return out.join('\n');
  }
  const body = secs.map((s) => `<h2>${esc(s.title)}</h2>\n${s.rows.length ? `<table><thead><tr>${s.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${s.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}\n</tbody></table>` : '<p>None.</p>'}`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Month-end report ${esc(r.period)}</title>
<style>body{font-family:"DejaVu Sans",Verdana,sans-serif;margin:2em;font-size:13px;color:#111}table{border-collapse:collapse;margin:.5em 0 1.2em}th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;word-break:break-all}th{background:#f3f6fa}</style>
</head><body><h1>Month-end report: ${esc(r.period)}</h1>
${body}
</body></html>
`;
}
