/**
 * The account ids of one snapshot by their account keys (SPEC §4): an id
 * with an invisible or control character is refused, and two entries with
 * the same key but different text are refused naming both — otherwise the
 * reseller's own account listed again as `a03` would count twice. Byte-equal
 * repeats are left to the valuation (counted once, with a warning).
 */
import { accountKey, quoteVariants, type IdentifierProblem } from './identifiers.js';

/** One account id of a snapshot, where it is and what it is. */
export interface AccountEntry {
  /** The id as written. */
  text: string;
  /** Its path in the snapshot, e.g. `['managedAccounts', 0, 'account']`. */
  path: (string | number)[];
  /** How a message calls it: `the reseller's own account`, `managed account`, … */
  role: string;
}

/** A refused entry: the problem and the path it belongs to. */
export interface AccountProblem extends IdentifierProblem {
  path: (string | number)[];
}

/** The ids of a snapshot-shaped value, in the order own, managed, referred, linked affiliate. */
export function accountEntries(raw: {
  account: string;
  managedAccounts?: { account: string }[];
  linkedAffiliate?: { account: string; referredAccounts?: { account: string }[] };
}): AccountEntry[] {
  const out: AccountEntry[] = [{ text: raw.account, path: ['account'], role: "the reseller's own account" }];
  raw.managedAccounts?.forEach((m, i) => out.push({ text: m.account, path: ['managedAccounts', i, 'account'], role: 'managed account' }));
  const la = raw.linkedAffiliate;
  la?.referredAccounts?.forEach((r, i) =>
    out.push({ text: r.account, path: ['linkedAffiliate', 'referredAccounts', i, 'account'], role: 'referred account' }));
  if (la) out.push({ text: la.account, path: ['linkedAffiliate', 'account'], role: 'the linked affiliate account' });
  return out;
}

const where = (p: (string | number)[]): string =>
  p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

/**
 * Problems of the entries: ids refused on their own, and near-duplicates
 * (same key, other text), reported on the later entry (its path goes with
 * the error) and naming the first: `"a03" is the reseller's own account "A03"
 * (account) written differently; …`.
 */
export function accountProblems(entries: readonly AccountEntry[]): AccountProblem[] {
  const problems: AccountProblem[] = [];
  const first = new Map<string, AccountEntry>();
  for (const e of entries) {
    const r = accountKey(e.text);
    if (r.problem) {
      problems.push({ ...r.problem, path: e.path });
      continue;
    }
    const seen = first.get(r.key!);
    if (!seen) first.set(r.key!, e);
    else if (seen.text !== e.text) {
      const [mine, theirs] = quoteVariants(e.text, seen.text);
      problems.push({
        code: 'ACCOUNT_VARIANT',
        message: `${mine} is ${seen.role} ${theirs} (${where(seen.path)}) written differently; write one account one way`,
        path: e.path,
      });
    }
  }
  return problems;
}

/**
 * `accountProblems(accountEntries(raw))`, without building the entries when
 * there is nothing to report (the common case: one pass over the ids and
 * their keys). What the snapshot checks call.
 */
export function snapshotAccountProblems(raw: Parameters<typeof accountEntries>[0]): AccountProblem[] {
  const seen = new Map<string, string>();
  const clean = (text: string): boolean => {
    const r = accountKey(text);
    if (r.problem) return false;
    const before = seen.get(r.key!);
    if (before === undefined) seen.set(r.key!, text);
    return before === undefined || before === text;
  };
  let ok = clean(raw.account);
  for (const m of raw.managedAccounts ?? []) ok = clean(m.account) && ok;
  const la = raw.linkedAffiliate;
  for (const r of la?.referredAccounts ?? []) ok = clean(r.account) && ok;
  if (la) ok = clean(la.account) && ok;
  return ok ? [] : accountProblems(accountEntries(raw));
}
