/**
 * A parsed snapshot document → a validated `Snapshot` with exact money:
 * the JSON Schema first, then every amount of SPEC §2, the line-item forms
 * and the limits, all errors at once and each positioned.
 */
import { RcError, RcErrors, type ErrorCode } from '../errors.js';
import { amountProblem, Dec, toDec, ZERO } from '../money/decimal.js';

const ONE = new Dec(1);
import type { AccountLines, LineItem, Snapshot } from '../model/types.js';
import type { LoadLimits } from '../limits.js';
import { formatPath, type PathSeg, type SourceDoc } from '../parse/source-doc.js';
import { validators } from './schemas.js';
import { schemaErrors } from './schema-errors.js';
import { accountOf } from '../parse/text.js';
import { subClientKeys } from './identifiers.js';
import { snapshotAccountProblems } from './account-keys.js';

/** A snapshot together with the document it came from, for positioned errors later. */
export interface LocatedSnapshot {
  snapshot: Snapshot;
  doc: SourceDoc;
}

type RawItem = { service: string; quantity?: string | number; unitPrice?: string | number; amount?: string | number };
type RawAccount = { account: string; lineItems: RawItem[] };
type RawSnapshot = {
  account: string;
  period: string;
  reseller?: { approved: boolean; approvedOn?: string };
  subClients?: string[];
  lineItems: RawItem[];
  managedAccounts?: RawAccount[];
  linkedAffiliate?: { account: string; referredAccounts?: RawAccount[]; totals?: { payments?: string | number; value?: string | number } };
};

/** Validates `doc` as a snapshot; throws `RcErrors` with every problem found. */
export function toSnapshot(doc: SourceDoc, limits: LoadLimits): LocatedSnapshot {
  const validate = validators().snapshot;
  const account = accountOf(doc.value);
  if (!validate(doc.value)) {
    throw new RcErrors(schemaErrors(doc, validate.errors ?? []).map((e) => withAccount(e, account)));
  }
  const raw = doc.value as RawSnapshot;
  const errors: RcError[] = [];
  const fail = (code: ErrorCode, path: PathSeg[], message: string) =>
    errors.push(new RcError(code, message, { file: doc.file, ...doc.locate(path), path: formatPath(path), account }));

  // the field's path is only built when there is something to report
  const amount = (value: string | number, at: PathSeg[], field?: string): Dec => {
    const problem = amountProblem(value);
    if (problem) {
      fail('BAD_AMOUNT', field === undefined ? at : [...at, field], problem);
      return new Dec(0);
    }
    return toDec(value);
  };

  let count = 0;
  const items = (list: RawItem[], base: PathSeg[]): LineItem[] =>
    list.map((it, i) => {
      const path = [...base, i];
      count++;
      const hasPrice = it.unitPrice !== undefined;
      const hasAmount = it.amount !== undefined;
      if (hasPrice && hasAmount) fail('SCHEMA', path, 'give either unitPrice (with quantity) or amount, not both');
      else if (!hasPrice && !hasAmount) fail('SCHEMA', path, 'needs unitPrice (with quantity) or amount');
      else if (hasAmount && it.quantity !== undefined) fail('SCHEMA', [...path, 'quantity'], 'quantity goes with unitPrice, not with amount');
      const quantity = it.quantity === undefined ? ONE : amount(it.quantity, path, 'quantity');
      if (hasPrice) {
        const unitPrice = amount(it.unitPrice!, path, 'unitPrice');
        return { service: it.service, quantity, unitPrice, charge: quantity === ONE ? unitPrice : quantity.times(unitPrice), path };
      }
      const charge = hasAmount ? amount(it.amount!, path, 'amount') : ZERO;
      return { service: it.service, quantity, charge, path };
    });
  const accounts = (list: RawAccount[] | undefined, base: PathSeg[]): AccountLines[] =>
    (list ?? []).map((a, i) => ({ account: a.account, lineItems: items(a.lineItems, [...base, i, 'lineItems']), path: [...base, i] }));

  const lineItems = items(raw.lineItems, ['lineItems']);
  const managedAccounts = accounts(raw.managedAccounts, ['managedAccounts']);
  let linkedAffiliate: Snapshot['linkedAffiliate'];
  const la = raw.linkedAffiliate;
  if (la) {
    if (la.totals && la.referredAccounts) fail('SCHEMA', ['linkedAffiliate'], 'give either referredAccounts or totals, not both');
    else if (!la.totals && !la.referredAccounts) fail('SCHEMA', ['linkedAffiliate'], 'needs referredAccounts or totals');
    linkedAffiliate = {
      account: la.account,
      referredAccounts: la.referredAccounts ? accounts(la.referredAccounts, ['linkedAffiliate', 'referredAccounts']) : undefined,
      // a measure not given stays undefined: whether that is an error depends on the rule set (valuate)
      totals: la.totals ? {
        payments: la.totals.payments === undefined ? undefined : amount(la.totals.payments, ['linkedAffiliate', 'totals', 'payments']),
        value: la.totals.value === undefined ? undefined : amount(la.totals.value, ['linkedAffiliate', 'totals', 'value']),
      } : undefined,
    };
    const t = linkedAffiliate.totals;
    if (t?.value && t.payments && t.value.gt(t.payments)) {
      fail('BAD_AMOUNT', ['linkedAffiliate', 'totals', 'value'], 'value cannot exceed payments (value is payments × commissionable %)');
    }
  }
  // SPEC §4 identifiers: keys of the sub-clients and account ids, checked on the raw text
  const subs = subClientKeys(raw.subClients ?? []);
  for (const { index, problem } of subs.problems) fail(problem.code, ['subClients', index], problem.message);
  for (const p of snapshotAccountProblems(raw)) fail(p.code, p.path, p.message);
  if (count > limits.maxLineItems) {
    fail('TOO_MANY_LINE_ITEMS', ['lineItems'], `${count} line items; the limit (maxLineItems) is ${limits.maxLineItems}`);
  }
  if (errors.length) throw new RcErrors(errors);
  return {
    doc,
    snapshot: {
      account: raw.account,
      period: raw.period,
      reseller: raw.reseller ? { ...raw.reseller } : { approved: false },
      subClients: raw.subClients ?? [],
      subClientKeys: subs.keys,
      lineItems,
      managedAccounts,
      linkedAffiliate,
    },
  };
}

function withAccount(e: RcError, account: string | undefined): RcError {
  e.account = account;
  return e;
}
