/**
 * The money invariants of SPEC §9 Integrity, proved on the hashed values
 * (what each entry recorded, not a recomputation by today's program): fed
 * the entries in chain order, it names every entry that breaks one. A plain
 * fold with no database, so `ledger verify` and tests share it.
 *
 * - ids follow their recipe (n counting 1, 2, … per kind, account, period) and are unique;
 * - one issue entry per account and period; every adjustment follows it, in its currency;
 * - each adjustment's amount = its recorded credit − (issued credit + earlier adjustments);
 * - issued credit + Σ adjustments = the latest entry's credit, per account and period;
 * - each statement carries exactly the adjustments pending when it was recorded
 *   (of its account, of an earlier period, not yet carried), each at most once,
 *   with their origin and amount; its own charges and credit are its result's.
 */
import { Dec } from '../money/decimal.js';
import { entryId, runEntryId, type EntryBody, type RunBody } from './entry.js';

/** A broken invariant, naming its entry. */
export interface MoneyProblem { seq: number; entry: string; what: 'ids' | 'money'; message: string }

interface PeriodState { issue: string; currency: string; credited: Dec; scale: number; latest: { id: string; credit: string } }

/** Decimals of a money text ("12.50" → 2), to print sums as the entries write them. */
const decimals = (t: string) => (/\.(\d+)$/.exec(t)?.[1]?.length ?? 0);
interface AdjustmentState { seq: number; account: string; origin: string; amount: string; carriedBy?: string }

/** Checks entries one by one (`add`), then what holds only at the end (`finish`). */
export class MoneyInvariants {
  private readonly problems: MoneyProblem[] = [];
  private readonly ids = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private readonly periods = new Map<string, PeriodState>();
  private readonly adjustments = new Map<string, AdjustmentState>();
  /** pending adjustment ids by account, oldest first */
  private readonly pending = new Map<string, string[]>();

  private flag(seq: number, entry: string, message: string, what: MoneyProblem['what'] = 'money') {
    this.problems.push({ seq, entry, what, message });
  }

  /** One entry, in chain order. */
  add(seq: number, b: EntryBody | RunBody): void {
    const seen = this.ids.get(b.id);
    if (seen !== undefined) this.flag(seq, b.id, `its id is entry #${seen}'s too (ids must be unique)`, 'ids');
    else this.ids.set(b.id, seq);
    if (b.kind === 'run') {
      if (b.id !== runEntryId(b.runId)) this.flag(seq, b.id, 'its id is not sha256("run|" + runId)', 'ids');
      return;
    }
    const countKey = `${b.kind}\u0000${b.account}\u0000${b.period}`;
    const n = (this.counts.get(countKey) ?? 0) + 1;
    this.counts.set(countKey, n);
    if (b.n !== n) this.flag(seq, b.id, `its n is ${b.n}, but it is ${b.kind} number ${n} of ${b.account} in ${b.period}`, 'ids');
    if (b.id !== entryId(b.kind, b.account, b.period, b.n)) this.flag(seq, b.id, 'its id is not sha256(kind|account|period|n)', 'ids');
    if (b.kind === 'issue') this.issue(seq, b);
    else this.adjustment(seq, b);
  }

  private issue(seq: number, b: EntryBody): void {
    const key = `${b.account}\u0000${b.period}`;
    const before = this.periods.get(key);
    if (before) this.flag(seq, b.id, `a second issue entry for ${b.account} in ${b.period} (the first is ${before.issue})`);
    else this.periods.set(key, { issue: b.id, currency: b.currency, credited: new Dec(b.result.credit), scale: decimals(b.result.credit), latest: { id: b.id, credit: b.result.credit } });
    const st = b.statement;
    if (!st) { this.flag(seq, b.id, 'an issue entry without a statement'); return; }
    if (st.credit !== b.result.credit || st.charges !== b.result.charges) {
      this.flag(seq, b.id, `its statement's charges and credit (${st.charges}, ${st.credit}) are not its result's (${b.result.charges}, ${b.result.credit})`);
    }
    const owed = (this.pending.get(b.account) ?? []).filter((id) => this.adjustments.get(id)!.origin < b.period);
    const listed = new Set<string>();
    for (const c of st.adjustments) {
      const a = this.adjustments.get(c.entry);
      if (listed.has(c.entry)) this.flag(seq, b.id, `its statement lists adjustment ${c.entry} twice`);
      listed.add(c.entry);
      if (!a) this.flag(seq, b.id, `its statement carries ${c.entry}, which is no earlier adjustment`);
      else if (a.carriedBy) this.flag(seq, b.id, `its statement carries adjustment ${c.entry}, already carried by ${a.carriedBy}`);
      else if (a.account !== b.account || a.origin !== c.origin || a.origin >= b.period || !new Dec(a.amount).eq(c.amount)) {
        this.flag(seq, b.id, `its statement carries adjustment ${c.entry} as ${c.origin} ${c.amount}, but that adjustment is ${a.account}'s, of ${a.origin}, ${a.amount}`);
      }
      if (a && !a.carriedBy && owed.includes(c.entry)) a.carriedBy = b.id;
    }
    for (const id of owed) {
      const a = this.adjustments.get(id)!;
      if (!listed.has(id)) {
        a.carriedBy = `(missed by ${b.id})`;
        this.flag(seq, b.id, `its statement does not carry adjustment ${id} (${a.origin}, ${a.amount}), pending when it was recorded`);
      }
    }
    this.pending.set(b.account, (this.pending.get(b.account) ?? []).filter((id) => !this.adjustments.get(id)!.carriedBy));
  }

  private adjustment(seq: number, b: EntryBody): void {
    const key = `${b.account}\u0000${b.period}`;
    const p = this.periods.get(key);
    const amount = b.amount ?? '';
    this.adjustments.set(b.id, { seq, account: b.account, origin: b.period, amount });
    this.pending.set(b.account, [...(this.pending.get(b.account) ?? []), b.id]);
    if (!p) { this.flag(seq, b.id, `an adjustment of ${b.account} in ${b.period}, which has no earlier issue entry`); return; }
    if (b.currency !== p.currency) this.flag(seq, b.id, `an adjustment in ${b.currency} of a period issued in ${p.currency}`);
    let ok: boolean;
    try {
      ok = new Dec(b.result.credit).minus(p.credited).eq(amount);
    } catch {
      ok = false;
    }
    if (!ok) {
      this.flag(seq, b.id, `its amount ${amount} is not its credit ${b.result.credit} − ${p.credited.toFixed(p.scale)} credited before (issue and earlier adjustments)`);
    }
    try { p.credited = p.credited.plus(amount); } catch { /* flagged above */ }
    p.scale = Math.max(p.scale, decimals(amount));
    p.latest = { id: b.id, credit: b.result.credit };
  }

  /** Every problem, the end-of-chain sums included. */
  finish(): MoneyProblem[] {
    for (const [key, p] of this.periods) {
      if (!p.credited.eq(p.latest.credit)) {
        const [account, period] = key.split('\u0000');
        this.flag(this.ids.get(p.latest.id) ?? 0, p.latest.id,
          `${account} in ${period}: issued credit + adjustments = ${p.credited.toFixed(p.scale)}, but its latest entry records credit ${p.latest.credit}`);
      }
    }
    return this.problems;
  }
}
