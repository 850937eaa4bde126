/**
 * Monthly Payment and Monthly Value per source (SPEC §1), exactly: every line
 * is valued as charge × commissionable% / 100 with its service's class from
 * the rule set; an account met under two sources counts once, under the first
 * of own, managed, affiliate.
 */
import { quoteInput } from '../text/safe-text.js';
import { RcError, RcErrors } from '../errors.js';
import { Dec, formatMoney, formatPlain, HUNDRED, plus, ZERO } from '../money/decimal.js';
import type { AccountLines, Measure, ResultLine, RuleSet, Snapshot, Source } from '../model/types.js';
import { formatPath, type SourceDoc } from '../parse/source-doc.js';

/** Sums per source, and the lines behind them. */
export interface Valuation {
  /** Every valued line as it is reported (money formatted with the rule set's scale); empty without `keepLines`. */
  lines: ResultLine[];
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
  const st: ValuationState = {
    ruleSet, doc, snapshot, keepLines, scale: ruleSet.rounding.scale,
    payments: { own: ZERO, managed: ZERO, affiliate: ZERO },
    value: { own: ZERO, managed: ZERO, affiliate: ZERO },
    lines: [], warnings: [], errors: [], seen: new Map(),
  };
  const { payments, value, errors } = st;
  addAccount(st, 'own', snapshot.account, snapshot.lineItems);
  for (const m of snapshot.managedAccounts) addAccount(st, 'managed', m.account, m.lineItems);
  const aff = snapshot.linkedAffiliate;
  if (aff?.referredAccounts) for (const r of aff.referredAccounts) addAccount(st, 'affiliate', r.account, r.lineItems);
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
  return { lines: st.lines, payments, value, notGiven, warnings: st.warnings };
}

/** What `valuate` accumulates while it walks the accounts. */
interface ValuationState {
  ruleSet: RuleSet;
  doc: SourceDoc | undefined;
  snapshot: Snapshot;
  keepLines: boolean;
  scale: number;
  payments: Record<Source, Dec>;
  value: Record<Source, Dec>;
  lines: ResultLine[];
  warnings: string[];
  errors: RcError[];
  seen: Map<string, Source>;
}

/** Values the lines of one account under `source`, unless the account was met before. */
function addAccount(st: ValuationState, source: Source, account: string, lineItems: AccountLines['lineItems']): void {
  const first = st.seen.get(account);
  if (first !== undefined) {
    st.warnings.push(first === source
      ? `account ${account} is listed twice under ${source}; counted once`
      : `account ${account} appears as ${source} and as ${first}; counted once, as ${first}`);
    return;
  }
  st.seen.set(account, source);
  const { ruleSet, scale } = st;
  let payments = st.payments[source];
  let value = st.value[source];
  for (const item of lineItems) {
    const svc = ruleSet.services.get(item.service);
    if (!svc) {
      const path = [...item.path, 'service'];
      st.errors.push(new RcError('UNKNOWN_SERVICE',
        `service ${quoteInput(item.service)} is not in rule set ${ruleSet.id}; add it to its services or correct the id`,
        { file: st.doc?.file, ...st.doc?.locate(path), path: formatPath(path), account: st.snapshot.account }));
      continue;
    }
    const charge = item.charge;
    const v = svc.commissionable === 100 ? charge : charge.times(classFactor(svc.commissionable));
    payments = plus(payments, charge);
    value = plus(value, v);
    if (!st.keepLines) continue;
    // each money figure formatted once: a full-class value is the charge, a charge of quantity 1 the unit price
    const chargeText = formatMoney(charge, scale);
    const valueText = v === charge ? chargeText : formatMoney(v, scale);
    const unitPrice = item.unitPrice;
    st.lines.push(unitPrice
      ? {
        account, source, service: item.service,
        quantity: formatPlain(item.quantity), unitPrice: unitPrice === charge ? chargeText : formatMoney(unitPrice, scale),
        charge: chargeText, commissionable: svc.commissionable, value: valueText,
      }
      : { account, source, service: item.service, charge: chargeText, commissionable: svc.commissionable, value: valueText });
  }
  st.payments[source] = payments;
  st.value[source] = value;
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
  for (const t of terms) s = plus(s, t.measure === 'payments' ? v.payments[t.source] : v.value[t.source]);
  return s;
}

