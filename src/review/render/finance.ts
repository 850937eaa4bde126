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
  // one pass over the accounts (a spool on disk for a large portfolio): the months, and who gains and loses
  const periods = new Set<string>();
  const gain = { total: ZERO, most: undefined as WhatIfAccount | undefined };
  const lose = { total: ZERO, most: undefined as WhatIfAccount | undefined };
  for (const a of im.accounts) {
    periods.add(a.period);
    const d = new Dec(a.delta);
    const side = d.gt(0) ? gain : d.lt(0) ? lose : undefined;
    if (!side) continue;
    side.total = side.total.plus(d);
    if (!side.most || d.abs().gt(new Dec(side.most.delta).abs())) side.most = a;
  }
  const n = Math.max(periods.size, 1);
  const [before, after] = [new Dec(s.baselineCredit).div(n), new Dec(s.candidateCredit).div(n)];
  const change = after.minus(before);
  const percent = before.isZero() ? (after.isZero() ? '0%' : 'new cost') : `${change.div(before).times(100).toDecimalPlaces(1).toFixed(1)}%`;
  const over = periods.size > 1 ? `, the average of the portfolio's ${periods.size} months` : periods.size === 1 ? ` (${[...periods][0]})` : '';
  const sideText = (name: string, x: typeof gain, count: number) => (x.most
    ? `${name}: ${count} account(s), ${signed(x.total.toFixed(scale), cur)} in total; most: ${x.most.account} ${x.most.period} (${signed(new Dec(x.most.delta).toFixed(scale), cur)})`
    : `${name}: no account`);
  const items = [
    `Credit a month: ${$(before, scale)} under ${r.baseline.id} → ${$(after, scale)} under ${r.candidate.id} (${sign(change, scale)}, ${percent.startsWith('-') || !/\d/.test(percent) ? percent : `+${percent}`})${over}`,
    `Credit a year (12 such months): ${$(before.times(12), scale)} → ${$(after.times(12), scale)} (${sign(change.times(12), scale)})`,
    sideText('Gain', gain, s.gaining),
    sideText('Lose', lose, s.losing),
    `Unchanged: ${s.unchanged} account(s)${s.errors ? `; ${s.errors} record(s) could not be evaluated, so these figures are incomplete` : ''}`,
  ];
  out.push({ kind: 'list', items });
  return out;
}
