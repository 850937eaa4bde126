/**
 * The running summary of a what-if: totals under each rule set, who gains and
 * who loses, the tier migration matrix, and the largest movers — kept in
 * constant memory however many accounts stream through.
 */
import { Dec } from '../money/decimal.js';
import type { WhatIfAccount, WhatIfRow } from './compare.js';

/** SPEC §5 `summary`, plus the gain/lose counts. */
export interface WhatIfSummary {
  accounts: number;
  errors: number;
  baselineCredit: string;
  candidateCredit: string;
  delta: string;
  gaining: number;
  losing: number;
  unchanged: number;
  /** "<from> -> <to>": number of accounts, for accounts whose tier changed */
  tierChanges: Record<string, number>;
}

/** Accumulates rows; `summary()` may be called at any time. */
export class WhatIfTally {
  private baseline = new Dec(0);
  private candidate = new Dec(0);
  private scale = 0;
  private counts = { accounts: 0, errors: 0, gaining: 0, losing: 0, unchanged: 0 };
  private changes = new Map<string, number>();
  private movers: WhatIfAccount[] = [];

  /**
   * @param keepMovers how many of the largest |delta| accounts to keep
   * @param minScale the fewest decimals of the totals (the rule sets' rounding scale)
   */
  constructor(private readonly keepMovers = 10, minScale = 2) {
    this.scale = minScale;
  }

  add(r: WhatIfRow): void {
    if (!r.ok) { this.counts.errors++; return; }
    const a = r.row;
    this.counts.accounts++;
    this.baseline = this.baseline.plus(a.baseline.credit);
    this.candidate = this.candidate.plus(a.candidate.credit);
    for (const m of [a.baseline.credit, a.candidate.credit, a.delta]) this.scale = Math.max(this.scale, (m.split('.')[1] ?? '').length);
    const d = new Dec(a.delta);
    if (d.gt(0)) this.counts.gaining++;
    else if (d.lt(0)) this.counts.losing++;
    else this.counts.unchanged++;
    const k = `${a.baseline.tier} -> ${a.candidate.tier}`;
    this.changes.set(k, (this.changes.get(k) ?? 0) + 1);
    if (!d.isZero()) this.keepMover(a);
  }

  private keepMover(a: WhatIfAccount): void {
    const mag = (x: WhatIfAccount) => new Dec(x.delta).abs();
    if (this.movers.length < this.keepMovers) this.movers.push(a);
    else if (mag(a).gt(mag(this.movers[this.movers.length - 1]!))) this.movers[this.movers.length - 1] = a;
    else return;
    this.movers.sort((x, y) => mag(y).comparedTo(mag(x)) || (x.account < y.account ? -1 : x.account > y.account ? 1 : 0));
  }

  /** Accounts per (baseline tier, candidate tier), the unchanged included. */
  matrix(): Map<string, number> {
    return new Map(this.changes);
  }

  /** The largest movers so far, largest |delta| first. */
  largestMovers(): WhatIfAccount[] {
    return [...this.movers];
  }

  summary(): WhatIfSummary {
    const tierChanges: Record<string, number> = {};
    for (const k of [...this.changes.keys()].sort()) {
      const [from, to] = k.split(' -> ');
      if (from === to) continue;
      Object.defineProperty(tierChanges, k, { value: this.changes.get(k), enumerable: true, writable: true, configurable: true });
    }
    return {
      accounts: this.counts.accounts,
      errors: this.counts.errors,
      baselineCredit: this.baseline.toFixed(this.scale),
      candidateCredit: this.candidate.toFixed(this.scale),
      delta: this.candidate.minus(this.baseline).toFixed(this.scale),
      gaining: this.counts.gaining,
      losing: this.counts.losing,
      unchanged: this.counts.unchanged,
      tierChanges,
    };
  }
}
