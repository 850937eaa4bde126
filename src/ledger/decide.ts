/**
 * The ledger's domain rules (SPEC §9) as plain functions, without a database,
 * so that tables of cases can call them: what a snapshot does to its
 * account-period (`issued`, `unchanged`, `adjusted`, or refused), the
 * statement of an issue entry, and which adjustments are pending — read from
 * the hashed entries, never from a side table.
 */
import { Dec, formatMoney, roundMoney, type RoundingMode } from '../money/decimal.js';
import type { AdjustmentReason, CarriedAdjustment, EntryBody, Statement } from './entry.js';

/** A pending adjustment (not yet carried by a statement). */
export interface PendingAdjustment extends CarriedAdjustment { account: string; reason: AdjustmentReason }

/** What an account-period holds so far (store.ts `accountState`). */
export interface PriorState {
  issue?: { id: string; statement: Statement };
  latest: { id: string; snapshotSha256: string; rulesSha256: string };
  /** issued credit + every adjustment so far, as exact decimal texts */
  credited: readonly string[];
  adjustments: number;
}

/** The snapshot now: what it hashes to and what it is credited. */
export interface Incoming {
  snapshotSha256: string;
  rulesSha256: string;
  credit: string;
  currency: string;
  /** the rule set's rounding scale (decimals) */
  scale: number;
}

/** What to record for one account-period. */
export type Decision =
  | { status: 'issued' }
  | { status: 'unchanged'; entry: string; statementEntry: string; statement: Statement }
  | { status: 'adjusted'; n: number; amount: string; reason: AdjustmentReason; statementEntry: string; statement: Statement }
  | { status: 'refused'; message: string };

/** Σ of decimal texts, exact. */
export const sumOf = (xs: readonly string[]) => xs.reduce((s, x) => s.plus(x), new Dec(0));

/**
 * The decision for a snapshot of an account-period: not yet issued → issued;
 * the latest entry's snapshot and rules hashes both equal → unchanged;
 * otherwise an adjustment of (credit now − everything credited so far), also
 * when 0 — unless the currency changed, which no adjustment can bridge
 * (`latestCurrency` is asked only then, since it needs the hashed body).
 */
export function decide(prior: PriorState | undefined, now: Incoming, latestCurrency: () => string): Decision {
  if (!prior?.issue) return { status: 'issued' };
  const issue = prior.issue;
  if (prior.latest.snapshotSha256 === now.snapshotSha256 && prior.latest.rulesSha256 === now.rulesSha256) {
    return { status: 'unchanged', entry: prior.latest.id, statementEntry: issue.id, statement: issue.statement };
  }
  const was = latestCurrency();
  if (was !== now.currency) {
    return {
      status: 'refused',
      message: `the period was issued in ${was} and the rules now give ${now.currency}: an adjustment between currencies is refused (rules that change currency start a new program; correct this period under rules in ${was}); nothing was recorded for this account`,
    };
  }
  const amount = formatMoney(new Dec(now.credit).minus(sumOf(prior.credited)), now.scale);
  const reason: AdjustmentReason = prior.latest.snapshotSha256 !== now.snapshotSha256 ? 'snapshot changed' : 'rules changed';
  return { status: 'adjusted', n: prior.adjustments + 1, amount, reason, statementEntry: issue.id, statement: issue.statement };
}

/** The statement of an issue entry: amountDue = charges − credit − Σ adjustments, rounded once. */
export function makeStatement(charges: string, credit: string, adjustments: readonly CarriedAdjustment[], scale: number, mode: RoundingMode): Statement {
  const due = roundMoney(new Dec(charges).minus(credit).minus(sumOf(adjustments.map((a) => a.amount))), scale, mode);
  return {
    charges, credit,
    adjustments: adjustments.map((a) => ({ entry: a.entry, origin: a.origin, amount: a.amount })),
    amountDue: formatMoney(due, scale),
  };
}

/** An adjustment as the carry rule sees it: its stored columns and its hashed body, and the statement that may carry it. */
export interface CarryInput {
  adjustment: { id: string; account: string; origin: string; amount: string; body: EntryBody };
  /** pending only: what its account-period was credited before it (the issue's credit, earlier adjustments' amounts) */
  before?: readonly string[];
  /** the first issue entry of the account recorded after it with a later period (hashed body) */
  carrier?: { id: string; body: EntryBody };
}

/** Pending adjustments by account, oldest first, and what in the chain contradicts its own columns. */
export interface CarryOver { pending: Map<string, PendingAdjustment[]>; problems: string[] }

/**
 * SPEC §9: an adjustment is carried by the first issue entry recorded after it
 * whose period is later than its origin, and by no other. So it is pending
 * exactly when there is no such entry; when there is one, that statement's
 * hashed `adjustments` must list it. Amounts and reasons come from the hashed
 * adjustment, and a pending amount must equal its recorded credit minus what
 * was credited before it; a column that disagrees with its hashed content, or
 * an amount that does not add up, is a problem (the run must not go on:
 * `ledger verify` names it).
 */
export function carryOver(rows: Iterable<CarryInput>): CarryOver {
  const pending = new Map<string, PendingAdjustment[]>();
  const problems: string[] = [];
  for (const { adjustment: a, carrier, before } of rows) {
    const b = a.body;
    if (b.id !== a.id || b.kind !== 'adjustment' || b.account !== a.account || b.period !== a.origin || b.amount !== a.amount) {
      problems.push(`adjustment ${a.id}: its stored columns differ from its hashed content`);
      continue;
    }
    if (carrier) {
      const listed = (carrier.body.statement?.adjustments ?? []).filter((x) => x.entry === a.id).length;
      if (carrier.body.id !== carrier.id || listed !== 1) {
        problems.push(`adjustment ${a.id}: statement ${carrier.id}, the first after it, ${listed ? `lists it ${listed} times` : 'does not carry it'}`);
      }
      continue;
    }
    // about to be paid: its amount must be what its own recorded credit says (a planted adjustment is not)
    if (!before?.length) {
      problems.push(`adjustment ${a.id}: no issue entry of ${b.account} in ${b.period} before it`);
      continue;
    }
    if (!new Dec(b.result.credit).minus(sumOf(before)).eq(b.amount!)) {
      problems.push(`adjustment ${a.id}: its amount ${b.amount} is not its credit ${b.result.credit} − ${sumOf(before).toFixed(Math.max(...before.map((t) => /\.(\d+)$/.exec(t)?.[1]?.length ?? 0)))} credited before`);
      continue;
    }
    const p: PendingAdjustment = { entry: b.id, origin: b.period, amount: b.amount!, account: b.account, reason: b.reason ?? 'snapshot changed' };
    const l = pending.get(b.account);
    if (l) l.push(p);
    else pending.set(b.account, [p]);
  }
  return { pending, problems };
}
