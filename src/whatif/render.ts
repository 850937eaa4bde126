/**
 * What-if reports, streamed: `json` (SPEC §5's shape, with error records in
 * place among the accounts), `csv` (one row per account) and `text` (summary,
 * tier migration matrix and largest movers as terminal tables).
 */
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import type { RuleSet } from '../model/types.js';
import type { WhatIfRow } from './compare.js';
import type { WhatIfTally } from './summary.js';
import { money } from '../text/money-text.js';
import { csvText } from '../text/csv-cell.js';
import { formatError } from '../errors.js';
import { safeText as esc } from '../text/safe-text.js';

/** The formats of `whatif`. */
export type WhatIfFormat = 'text' | 'json' | 'csv';
export const WHATIF_FORMATS: readonly WhatIfFormat[] = ['text', 'json', 'csv'];

/** Writes a what-if report piece by piece. */
export interface WhatIfWriter {
  start(): string;
  row(r: WhatIfRow): string;
  end(tally: WhatIfTally): string;
}

const CSV_COLUMNS = ['account', 'period', 'baselineTier', 'baselinePercent', 'baselineCredit',
  'candidateTier', 'candidatePercent', 'candidateCredit', 'delta', 'error'];

/** A writer for `format`, comparing `baseline` with `candidate`. */
export function createWhatIfWriter(format: WhatIfFormat, baseline: RuleSet, candidate: RuleSet): WhatIfWriter {
  const ids = { baseline: { id: baseline.id, sha256: baseline.sha256 }, candidate: { id: candidate.id, sha256: candidate.sha256 } };
  switch (format) {
    case 'json': {
      let n = 0;
      return {
        start: () => `{\n  "baseline": ${JSON.stringify(ids.baseline)},\n  "candidate": ${JSON.stringify(ids.candidate)},\n  "accounts": [`,
        row: (r) => `${n++ ? ',' : ''}\n    ${JSON.stringify(r.ok ? r.row : r.error)}`,
        end: (t) => `${n ? '\n  ' : ''}],\n  "summary": ${JSON.stringify(t.summary(), null, 2).replace(/\n/g, '\n  ')}\n}\n`,
      };
    }
    case 'csv':
      return {
        start: () => stringify([CSV_COLUMNS]),
        row: (r) => stringify([r.ok
          ? [csvText(r.row.account), r.row.period, csvText(r.row.baseline.tier), r.row.baseline.creditPercent, r.row.baseline.credit,
            csvText(r.row.candidate.tier), r.row.candidate.creditPercent, r.row.candidate.credit, r.row.delta, '']
          : [csvText(r.error.account ?? ''), r.error.period ?? '', '', '', '', '', '', '', '', errorText(r)]]),
        end: () => '',
      };
    case 'text':
      return { start: () => '', row: () => '', end: (t) => textReport(t, baseline, candidate) };
  }
}

function errorText(r: WhatIfRow): string {
  if (r.ok) return '';
  return csvText(formatError(r.error.error));
}

const signed = (d: string, cur: string) => (d.startsWith('-') ? `-${money(d.slice(1), cur)}` : `+${money(d, cur)}`);

function textReport(t: WhatIfTally, b: RuleSet, c: RuleSet): string {
  const s = t.summary();
  const cur = b.currency;
  const out: string[] = [];
  out.push(`What-if: baseline ${esc(b.id)} (${b.sha256.slice(0, 12)}…) → candidate ${esc(c.id)} (${c.sha256.slice(0, 12)}…)`);
  const summary = new Table({ head: ['total credit', esc(b.id), esc(c.id), 'delta'], style: { head: [], border: [] } });
  summary.push(['', money(s.baselineCredit, cur), money(s.candidateCredit, cur), signed(s.delta, cur)]);
  out.push(summary.toString());
  out.push(`Accounts: ${s.accounts} compared, ${s.errors} error(s); ${s.gaining} gain, ${s.losing} lose, ${s.unchanged} unchanged`);

  const rows = [...new Set([...b.tiers.map((x) => x.name), ...c.tiers.map((x) => x.name)])];
  const shown = (name: string) => esc(name);
  const m = t.matrix();
  const matrix = new Table({ head: [`${esc(b.id)} ↓ / ${esc(c.id)} →`, ...rows.map(shown)], style: { head: [], border: [] } });
  for (const from of rows) matrix.push([shown(from), ...rows.map((to) => String(m.get(`${from} -> ${to}`) ?? (from === to ? 0 : '·')))]);
  out.push('Tier migration (accounts; rows: baseline tier, columns: candidate tier)');
  out.push(matrix.toString());

  const movers = t.largestMovers();
  if (movers.length) {
    const table = new Table({ head: ['account', 'period', esc(b.id), esc(c.id), 'delta'], style: { head: [], border: [] } });
    for (const a of movers) {
      table.push([esc(a.account), esc(a.period),
        `${esc(a.baseline.tier)} ${money(a.baseline.credit, cur)}`, `${esc(a.candidate.tier)} ${money(a.candidate.credit, cur)}`, signed(a.delta, cur)]);
    }
    out.push('Largest movers');
    out.push(table.toString());
  } else {
    out.push('No account changes credit.');
  }
  return `${out.join('\n')}\n`;
}
