/**
 * Monthly Payment and Monthly Value per source (SPEC §1), exactly: every line
 * is valued as charge × commissionable% / 100 with its service's class from
 * the rule set; an account met under two sources counts once, under the first
 * of own, managed, affiliate.
 */
import { quoteInput } from '../report/safe-text.js';
import { RcError, RcErrors } from '../errors.js';
import { Dec, HUNDRED, ZERO } from '../money/decimal.js';
import type { AccountLines, LineItem, Measure, RuleSet, Snapshot, Source } from '../model/types.js';
import { formatPath, type SourceDoc } from '../load/source-doc.js';

/** A line with its source, class and value. */
export interface ValuedLine {
  account: string;
  source: Source;
  item: LineItem;
  commissionable: number;
  value: Dec;
}

/** Sums per source, and the lines behind them. */
export interface Valuation {
  lines: ValuedLine[];
  payments: Record<Source, Dec>;
  value: Record<Source, Dec>;
  /** The affiliate measures the snapshot's totals do not give (their sums above are 0). */
  notGiven: Measure[];
  warnings: string[];
}

/**
 * Values `snapshot` under `ruleSet`; throws when a service is unknown to the
 * rule set, or when its affiliate totals leave out a measure the rule set
 * counts (SPEC §4). Without `keepLines` only the sums are kept.
 */
export function valuate(snapshot: Snapshot, ruleSet: RuleSet, doc?: SourceDoc, keepLines = true): Valuation {
  const payments: Record<Source, Dec> = { own: ZERO, managed: ZERO, affiliate: ZERO };
  const value: Record<Source, Dec> = { own: ZERO, managed: ZERO, affiliate: ZERO };
  const lines: ValuedLine[] = [];
  const warnings: string[] = [];
  const errors: RcError[] = [];
  const seen = new Map<string, Source>();

  const add = (source: Source, acct: AccountLines) => {
    const first = seen.get(acct.account);
    if (first !== undefined) {
      warnings.push(first === source
        ? `account ${acct.account} is listed twice under ${source}; counted once`
        : `account ${acct.account} appears as ${source} and as ${first}; counted once, as ${first}`);
      return;
    }
    seen.set(acct.account, source);
    for (const item of acct.lineItems) {
      const svc = ruleSet.services.get(item.service);
      if (!svc) {
        const path = [...item.path, 'service'];
        errors.push(new RcError('UNKNOWN_SERVICE',
          `service ${quoteInput(item.service)} is not in rule set ${ruleSet.id}; add it to its services or correct the id`,
          { file: doc?.file, ...doc?.locate(path), path: formatPath(path), account: snapshot.account }));
        continue;
      }
      const v = svc.commissionable === 100 ? item.charge : item.charge.times(classFactor(svc.commissionable));
      if (keepLines) lines.push({ account: acct.account, source, item, commissionable: svc.commissionable, value: v });
      payments[source] = payments[source].plus(item.charge);
      value[source] = value[source].plus(v);
    }
  };

  add('own', { account: snapshot.account, lineItems: snapshot.lineItems, path: [] });
  for (const m of snapshot.managedAccounts) add('managed', m);
  const aff = snapshot.linkedAffiliate;
  if (aff?.referredAccounts) for (const r of aff.referredAccounts) add('affiliate', r);
  const notGiven: Measure[] = [];
  if (aff?.totals) {
    const t = aff.totals;
    if (t.payments) payments.affiliate = payments.affiliate.plus(t.payments);
    else notGiven.push('payments');
    if (t.value) value.affiliate = value.affiliate.plus(t.value);
    else notGiven.push('value');
    for (const m of notGiven) {
      const bases = (['tierBasis', 'creditBase'] as const).filter((b) => ruleSet[b].some((x) => x.source === 'affiliate' && x.measure === m));
      if (!bases.length) continue;
      const path = ['linkedAffiliate', 'totals', m];
      errors.push(new RcError('MEASURE_NOT_GIVEN',
        `affiliate ${m} is not given, but rule set ${ruleSet.id} counts it (${bases.join(', ')}); give ${formatPath(path)}`,
        { file: doc?.file, ...doc?.locate(['linkedAffiliate', 'totals']), path: formatPath(path), account: snapshot.account }));
    }
  }
  if (errors.length) throw new RcErrors(errors);
  return { lines, payments, value, notGiven, warnings };
}

const factors = new Map<number, Dec>();
/** commissionable% / 100 as an exact Decimal, computed once per class (a multiplication is cheaper than a division). */
function classFactor(percent: number): Dec {
  let f = factors.get(percent);
  if (!f) {
    f = new Dec(percent).div(HUNDRED);
    factors.set(percent, f);
  }
  return f;
}

/** Σ over terms of the source's measure. */
export function sumTerms(v: Valuation, terms: readonly { source: Source; measure: 'payments' | 'value' }[]): Dec {
  let s: Dec = ZERO;
  for (const t of terms) s = s.plus(t.measure === 'payments' ? v.payments[t.source] : v.value[t.source]);
  return s;
}

