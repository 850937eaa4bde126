/**
 * The few lines a finance manager reads first (issue 19): what the change
 * costs a month and a year on the portfolio, the % change, and who gains and
 * who loses — above the hashes and the checks, which are for the reviewer.
 */
import { Dec, ZERO } from '../../money/decimal.js';
import type { ReviewReport } from '../review.js';
import type { WhatIfAccount } from '../../whatif/compare.js';
import { amount, signed } from '../../text/money-text.js';
import type { Block } from './block.js';

/** The finance summary of a review: a heading and a list (or a sentence when no portfolio was given). */
export function financeBlocks(r: ReviewReport): Block[] {
  const out: Block[] = [{ kind: 'h', level: 2, text: 'For finance' }];
  const im = r.impact;
  const cur = r.candidate.currency;
  const $ = (d: Dec, scale: number) => amount(d.toFixed(scale), cur);
  const sign = (d: Dec, scale: number) => signed(d.toFixed(scale), cur);
  if (!im) {
    out.push({ kind: 'p', text: 'No portfolio given: the cost of the change is not known. Name portfolio files after the candidate to see it.' });
    return out;
  }
  const s = im.summary;
  const scale = (s.baselineCredit.split('.')[1] ?? '').length;
  const periods = new Set(im.accounts.map((a) => a.period));
  const n = Math.max(periods.size, 1);
  const [before, after] = [new Dec(s.baselineCredit).div(n), new Dec(s.candidateCredit).div(n)];
  const change = after.minus(before);
  const percent = before.isZero() ? (after.isZero() ? '0%' : 'new cost') : `${change.div(before).times(100).toDecimalPlaces(1).toFixed(1)}%`;
  const over = periods.size > 1 ? `, the average of the portfolio's ${periods.size} months` : periods.size === 1 ? ` (${[...periods][0]})` : '';
  const items = [
    `Credit a month: ${$(before, scale)} under ${r.baseline.id} → ${$(after, scale)} under ${r.candidate.id} (${sign(change, scale)}, ${percent.startsWith('-') || !/\d/.test(percent) ? percent : `+${percent}`})${over}`,
    `Credit a year (12 such months): ${$(before.times(12), scale)} → ${$(after.times(12), scale)} (${sign(change.times(12), scale)})`,
    side(im.accounts, 'gain', cur, scale, s.gaining),
    side(im.accounts, 'lose', cur, scale, s.losing),
    `Unchanged: ${s.unchanged} account(s)${s.errors ? `; ${s.errors} record(s) could not be evaluated, so these figures are incomplete` : ''}`,
  ];
  out.push({ kind: 'list', items });
  return out;
}

/** `Gain: 2 account(s), +$24.50 in total; most: P-009 (+$12.50)`. */
function side(accounts: readonly WhatIfAccount[], which: 'gain' | 'lose', cur: string, scale: number, count: number): string {
  const list = accounts.filter((a) => (which === 'gain' ? new Dec(a.delta).gt(0) : new Dec(a.delta).lt(0)));
  if (!list.length) return `${which === 'gain' ? 'Gain' : 'Lose'}: no account`;
  let total = ZERO;
  let most = list[0]!;
  for (const a of list) {
    total = total.plus(a.delta);
    if (new Dec(a.delta).abs().gt(new Dec(most.delta).abs())) most = a;
  }
  return `${which === 'gain' ? 'Gain' : 'Lose'}: ${count} account(s), ${signed(total.toFixed(scale), cur)} in total; most: ${most.account} ${most.period} (${signed(new Dec(most.delta).toFixed(scale), cur)})`;
}
