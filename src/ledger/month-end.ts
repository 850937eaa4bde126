/**
 * The month-end report of an `issue` run (SPEC §12, `issue --report FILE`):
 * what was issued for the period, from which inputs (sha256 of each file's
 * bytes) under which rule sets, by whom, the totals the operator reconciles
 * (credits issued, adjustments carried, adjustments pending, accounts with
 * credit 0), the ledger's head, the run's error records, and the accounts
 * that moved tier since the previous period. Built from the ledger after the
 * commit, so it reports only what was recorded.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { formatError, type ErrorRecordBody } from '../errors.js';
import { Dec } from '../money/decimal.js';
import type { ErrorRecord } from '../model/records.js';
import type { LedgerEntry } from './entry.js';
import type { IssueSummary } from './issue.js';
import type { Ledger } from './store.js';
import { pendingOf } from './issue.js';

/** The report, as JSON writes it. */
export interface MonthEndReport {
  period: string;
  /** `lastEntry`: the run's last entry (ledger schema 1 has no run entry; schema 2's run entry goes here) */
  run: { id: string; committed: boolean; operator: string; recordedAt: string | null; lastEntry: string | null };
  inputs: { file: string; bytes: number | null; sha256: string | null }[];
  rules: { id: string; sha256: string; accounts: number }[];
  counts: { records: number; issued: number; unchanged: number; adjusted: number; errors: number; statements: number; zeroCredit: number };
  totals: { currency: string; creditsIssued: string; adjustmentsCarried: string; netCredit: string; amountDue: string; adjustmentsPending: string; pendingCount: number }[];
  head: { hash: string; count: number };
  errors: (ErrorRecordBody & { account?: string; text: string })[];
  tierChanges: { account: string; from: string; to: string; previousPeriod: string }[];
}

/** The period before `p` (YYYY-MM). */
export function previousPeriod(p: string): string {
  const [y, m] = p.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** sha256 and size of each input file (a folder or stdin has none: null). */
export function inputDigests(files: readonly string[]): MonthEndReport['inputs'] {
  return files.map((file) => {
    try {
      if (!statSync(file).isFile()) return { file, bytes: null, sha256: null };
      const b = readFileSync(file);
      return { file, bytes: b.length, sha256: createHash('sha256').update(b).digest('hex') };
    } catch {
      return { file, bytes: null, sha256: null };
    }
  });
}

/** Who ran it: RESELLER_CREDITS_OPERATOR, else the system user. */
export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RESELLER_CREDITS_OPERATOR) return env.RESELLER_CREDITS_OPERATOR;
  try { return userInfo().username; } catch { return 'unknown'; }
}

/** The latest entry per account of `period` (its issue, or its last adjustment). */
function latestByAccount(l: Ledger, period: string): Map<string, LedgerEntry> {
  const m = new Map<string, LedgerEntry>();
  for (const e of l.entries({ period })) m.set(e.account, e);
  return m;
}

/** Builds the report of a finished run. */
export function monthEndReport(l: Ledger, o: { period: string; summary: IssueSummary; files: readonly string[]; errors: readonly ErrorRecord[]; operator?: string }): MonthEndReport {
  const issues = [...l.entries({ period: o.period, kind: 'issue' })];
  const run = [...l.entries({ period: o.period })].filter((e) => e.runId === o.summary.runId);
  const byCur = new Map<string, { credit: Dec; carried: Dec; due: Dec; pending: Dec; pendingCount: number; scale: number }>();
  const cur = (c: string, scale = 2) => {
    let t = byCur.get(c);
    if (!t) { t = { credit: new Dec(0), carried: new Dec(0), due: new Dec(0), pending: new Dec(0), pendingCount: 0, scale }; byCur.set(c, t); }
    return t;
  };
  const rules = new Map<string, { id: string; sha256: string; accounts: number }>();
  let zero = 0;
  for (const e of issues) {
    const s = e.statement!;
    const scale = (s.credit.split('.')[1] ?? '').length;
    const t = cur(e.currency, scale);
    t.credit = t.credit.plus(s.credit);
    for (const a of s.adjustments) t.carried = t.carried.plus(a.amount);
    t.due = t.due.plus(s.amountDue);
    if (new Dec(s.credit).isZero()) zero++;
    const k = `${e.rules.id}|${e.rules.sha256}`;
    const r = rules.get(k) ?? { ...e.rules, accounts: 0 };
    r.accounts++;
    rules.set(k, r);
  }
  for (const list of pendingOf(l, '9999-12').values()) {
    for (const p of list) {
      const t = cur(l.entryById(p.entry)!.currency);
      t.pending = t.pending.plus(p.amount);
      t.pendingCount++;
    }
  }
  const prevP = previousPeriod(o.period);
  const before = latestByAccount(l, prevP);
  const now = latestByAccount(l, o.period);
  const tierChanges = [...now].flatMap(([account, e]) => {
    const p = before.get(account);
    return p && p.result.tier !== e.result.tier ? [{ account, from: p.result.tier, to: e.result.tier, previousPeriod: prevP }] : [];
  }).sort((a, b) => a.account.localeCompare(b.account));
  const last = run[run.length - 1];
  return {
    period: o.period,
    run: { id: o.summary.runId, committed: o.summary.committed, operator: o.operator ?? operatorName(), recordedAt: last?.recordedAt ?? null, lastEntry: last?.id ?? null },
    inputs: inputDigests(o.files),
    rules: [...rules.values()],
    counts: { records: o.summary.records, issued: o.summary.issued, unchanged: o.summary.unchanged, adjusted: o.summary.adjusted, errors: o.summary.errors, statements: issues.length, zeroCredit: zero },
    totals: [...byCur].map(([currency, t]) => ({
      currency, creditsIssued: t.credit.toFixed(t.scale), adjustmentsCarried: t.carried.toFixed(t.scale), netCredit: t.credit.plus(t.carried).toFixed(t.scale),
      amountDue: t.due.toFixed(t.scale), adjustmentsPending: t.pending.toFixed(t.scale), pendingCount: t.pendingCount,
    })),
    head: o.summary.head,
    errors: o.errors.map((r) => ({ ...r.error, ...(r.account !== undefined ? { account: r.account } : {}), text: formatError(r.error) })),
    tierChanges,
  };
}
