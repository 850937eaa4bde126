/**
 * `ledger pending`: adjustments that no statement carries yet (SPEC §12) —
 * of an account that left, or recorded after the account's last statement —
 * so that they can be posted or written off. Read from the ledger; the
 * words are the statements'.
 */
import { stringify } from 'csv-stringify/sync';
import { Dec } from '../money/decimal.js';
import { csvText } from '../text/csv-cell.js';
import { safeText } from '../text/safe-text.js';
import { reasonWords, signedMoney } from './render.js';
import type { Ledger } from './store.js';
import { pendingOf } from './issue.js';

/** One pending adjustment. */
export interface Pending { account: string; origin: string; amount: string; currency: string; reason: string; entry: string; recordedAt: string }

/** Every adjustment not carried by any statement, oldest first. */
export function pendingAdjustments(l: Ledger): Pending[] {
  const out: Pending[] = [];
  // pendingBefore(P) lists adjustments of origin periods before P; past every period it lists them all
  for (const list of pendingOf(l, '9999-12').values()) {
    for (const p of list) {
      const e = l.entryById(p.entry)!;
      out.push({ account: p.account, origin: p.origin, amount: p.amount, currency: e.currency, reason: p.reason, entry: p.entry, recordedAt: e.recordedAt });
    }
  }
  return out.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.entry.localeCompare(b.entry));
}

/** Totals by currency: `+$2.50` (or `none`). */
function totals(list: readonly Pending[]): string {
  const by = new Map<string, Dec>();
  for (const p of list) by.set(p.currency, (by.get(p.currency) ?? new Dec(0)).plus(p.amount));
  return [...by].map(([c, t]) => signedMoney(t.toFixed(Math.max(2, ...list.filter((p) => p.currency === c).map((p) => (p.amount.split('.')[1] ?? '').length))), c)).join(', ') || 'none';
}

/** The list as text, one line each and a total. */
export function pendingText(list: readonly Pending[]): string {
  const lines = list.map((p) => `${safeText(p.account)} adjustment for ${p.origin}: ${signedMoney(p.amount, p.currency)}, ${reasonWords(p.reason as never)} (entry ${p.entry}, recorded ${p.recordedAt}); not carried by any statement`);
  lines.push(`${list.length} pending adjustment(s), total ${totals(list)}`);
  return `${lines.join('\n')}\n`;
}

/** The list as CSV (account guarded for spreadsheets). */
export function pendingCsv(list: readonly Pending[]): string {
  return stringify([['account', 'origin', 'amount', 'currency', 'reason', 'entry', 'recordedAt'],
    ...list.map((p) => [csvText(p.account), p.origin, p.amount, p.currency, p.reason, p.entry, p.recordedAt])]);
}
