/**
 * `issue --period P`: the period's snapshots through the streaming pipeline
 * and worker pool (workers evaluate, canonicalize and hash), then, on this
 * thread and inside the run's one transaction, each account's decision
 * (SPEC §9): `issued`, `unchanged` or `adjusted`, written as entries of the
 * hash chain. Killed at any instant, the ledger holds the whole run or none.
 *
 * Two phases, because a record may be refused by a LATER one (SPEC §4 "In
 * one run": two snapshots of one reseller, or one account claimed by two
 * resellers, make both error records, and nothing is recorded for them):
 * first every record is evaluated and hashed, its item held in a temporary
 * file (`run/held-items.ts`) and its claims given to the run's duplicate
 * check; when the input has ended the check's verdict is known, and the
 * items are decided and appended in input order, the refused ones as error
 * records — all inside the one transaction.
 */
import { randomUUID } from 'node:crypto';
import { RcError, formatError } from '../errors.js';
import { errorRecord, type ErrorRecord } from '../model/records.js';
import { resolveLimits, type LoadLimits } from '../limits.js';
import type { EvaluationResult } from '../model/types.js';
import { readRuleChoice } from '../run/evaluate.js';
import { BATCH_RECORDS } from '../run/batches.js';
import { runHeld } from '../run/held-items.js';
import type { RuleChoice } from '../run/record.js';
import { pinRules } from '../run/rules.js';
import type { OutputFormat } from '../report/formats.js';
import { ledgerAccountKey } from './account-key.js';
import { quoteIdentifier, quoteVariants } from '../validate/identifiers.js';
import { carryOver, decide, makeStatement, type CarryInput, type PendingAdjustment } from './decide.js';
import { canonicalEntry, entryHash, entryId, runEntryId, type AdjustmentReason, type EntryBody, type RunBody, type Statement } from './entry.js';
import { canonicalJson } from '../parse/canonical.js';
import { inputDigests } from './run-inputs.js';
import type { IssueItem } from './issue-record.js';
import type { IssueOut, IssueTask } from './issue-task.js';
import { ledgerError, type Head, type Ledger } from './store.js';
import { programVersion } from './version.js';

export { makeStatement };

/** What happened to one account in a run. */
export type IssueStatus = 'issued' | 'unchanged' | 'adjusted';

/** The ledger part of an output record. */
export interface LedgerOutcome {
  status: IssueStatus;
  /** the entry recorded (issued, adjusted) or the latest one (unchanged) */
  entry: string;
  /** adjusted: the amount (positive = more credit) */
  adjustment?: string;
}

/** What the text explanation needs beyond the printed object. */
export interface IssueNotes {
  /** the statement of the evaluation alone (charges − credit), as `evaluate` prints it */
  evaluated: EvaluationResult['statement'];
  /** reasons of the carried adjustments, by entry id, when known */
  reasons: Record<string, AdjustmentReason>;
  /** unchanged, adjusted: the issue entry whose statement is shown */
  statementEntry?: string;
  /** adjusted: why */
  reason?: AdjustmentReason;
}

/** One output record of an issue run: printed as the result (statement as recorded) plus `ledger`. */
export type IssueRecord =
  | { seq: number; ok: true; result: EvaluationResult & { statement: Statement }; ledger: LedgerOutcome; notes: IssueNotes }
  | { seq: number; ok: false; error: ErrorRecord };

/** Counts of a run. */
export interface IssueCounts { records: number; issued: number; unchanged: number; adjusted: number; errors: number }

/** Where a test may kill the process (`RESELLER_CREDITS_FAULT`): after k records, before or after the commit. */
export type FaultPoint = { after: number } | 'before-commit' | 'after-commit';

/** Options of a run. */
export interface IssueOptions {
  period: string;
  rulesDir?: string;
  /** the rule sets already read by the caller; default: the published ones of `rulesDir`, read when the run starts */
  choice?: RuleChoice;
  /** default: `resolveLimits()` */
  limits?: LoadLimits;
  /** worker threads; 1 evaluates on this thread (default 1) */
  jobs?: number;
  /** what the workers prepare for printing (lines are left out for csv) */
  format?: OutputFormat;
  trace?: boolean;
  /** compute and report, write nothing (the ledger must have been opened with `scratch`) */
  dryRun?: boolean;
  /** seconds to wait for a busy ledger (default 600) */
  waitSeconds?: number;
  /** told once when another run holds the ledger */
  onBusy?: () => void;
  /**
   * every output record, in input order, as computed inside the open transaction; awaited.
   * Nothing is committed yet: hold them (the CLI spools them) and report them as issued only
   * once `issuePeriod` resolves with `committed: true`.
   */
  onRecord?: (r: IssueRecord) => void | Promise<void>;
  onErrorLine?: (line: string) => void;
  onProgress?: (records: number, errors: number, bytes: number) => void;
  /** after each batch of records (`BATCH_RECORDS`; e.g. to flush output written per batch); awaited */
  onBatch?: () => void | Promise<void>;
  onWorkerLost?: (err: Error) => void;
  /** the test seam: the process SIGKILLs itself at this point */
  fault?: FaultPoint;
  /**
   * Who runs it: the operator's principal (signed runs) or the name as typed.
   * With it (or `signRun`) a run that records anything ends with a run entry
   * (SPEC §11); without either, no run entry is written, as before.
   */
  operator?: string;
  /** Signs the run entry before the commit: the signer's principal and the armored signature. A throw rolls the run back. */
  signRun?: (body: RunBody) => { signer: string; signature: string };
  /**
   * Awaited after the last record, before the commit (not in a dry run):
   * where the caller makes its spooled output durable. A throw rolls the run back.
   */
  beforeCommit?: () => void | Promise<void>;
}

/** What a run did. */
export interface IssueSummary extends IssueCounts { head: Head; runId: string; committed: boolean }

/** The parsed `RESELLER_CREDITS_FAULT` seam: `after:K`, `before-commit`, `after-commit`. */
export function faultFromEnv(text: string | undefined): FaultPoint | undefined {
  if (!text) return undefined;
  if (text === 'before-commit' || text === 'after-commit') return text;
  const m = /^after:(\d+)$/.exec(text);
  return m ? { after: Number(m[1]) } : undefined;
}

const die = () => process.kill(process.pid, 'SIGKILL');

/**
 * Issues `period` from `inputs` into `ledger`. Resolves when the run is
 * committed (or, with `dryRun`, computed); a failure rolls the run back.
 */
export async function issuePeriod(ledger: Ledger, inputs: readonly string[], opts: IssueOptions): Promise<IssueSummary> {
  const { period } = opts;
  const rulesDir = opts.rulesDir ?? 'rules';
  const jobs = opts.jobs ?? 1;
  const format = opts.format ?? 'json';
  // RESELLER_CREDITS_TEST_RUN: the test seam that fixes the run id and the recorded time ("id@time"), which feed every entry's hash
  const fixed = process.env.RESELLER_CREDITS_TEST_RUN?.split('@');
  const runId = fixed?.[0] || randomUUID();
  const version = programVersion();
  const counts: IssueCounts = { records: 0, issued: 0, unchanged: 0, adjusted: 0, errors: 0 };
  const fault = opts.fault;
  const limits = opts.limits ?? resolveLimits();

  ledger.begin(opts.waitSeconds ?? 600, opts.onBusy);
  let committed = false;
  try {
    // inside the transaction: the pending adjustments, read once, and each account's
    // entries of the period when its snapshot comes (this run's own included)
    const pending = pendingOf(ledger, period);
    let head = ledger.head();
    // the run entry (SPEC §11): the run's first and last entries, the head before it, the rule sets and snapshots it used
    const headBefore = head.hash;
    let firstEntry: string | undefined;
    let lastEntry: string | undefined;
    const usedRules = new Map<string, string>();
    const snapshots: string[] = [];

    const record = (item: IssueItem): IssueRecord => {
      if (!item.ok) return item;
      const r = item.result;
      const now = fixed?.[1] || new Date().toISOString();
      const append = (body: Omit<EntryBody, 'snapshot' | 'prev'>): EntryBody => {
        const full = { ...body, prev: head.hash } as Omit<EntryBody, 'snapshot'>;
        const text = canonicalEntry(full, item.snapshotJson, item.resultJson);
        const hash = entryHash(head.hash, text);
        const stored = full as EntryBody;
        ledger.append(stored, text, hash, item.claims);
        head = { hash, count: head.count + 1 };
        firstEntry ??= stored.id;
        lastEntry = stored.id;
        usedRules.set(stored.rules.id, stored.rules.sha256);
        snapshots.push(stored.snapshotSha256);
        return stored;
      };
      const common = {
        account: r.account, accountKey: ledgerAccountKey(r.account), period, currency: r.currency, rules: r.rules, snapshotSha256: item.snapshotSha256,
        result: item.entryResult, programVersion: version, runId, recordedAt: now,
      };
      const s = ledger.accountState(period, r.account);
      // SPEC §4: an account-period already issued under another spelling of the same account key is refused
      const other = s ? undefined : ledger.spellingOf(period, common.accountKey, r.account);
      if (other !== undefined) {
        return { seq: item.seq, ok: false, error: errorRecord([new RcError('ACCOUNT_KEY_CONFLICT', spellingMessage(r.account, other, period), { account: r.account })], r.account, period) };
      }
      const d = decide(s, { snapshotSha256: item.snapshotSha256, rulesSha256: r.rules.sha256, credit: r.credit, currency: r.currency, scale: item.rounding.scale },
        () => ledger.latestBody(period, r.account)?.currency ?? r.currency);
      // SPEC §4: a managed or referred account another reseller holds for the period is refused (checked only when
      // something would be recorded: a plain re-run stays unchanged)
      if (d.status === 'issued' || d.status === 'adjusted') {
        for (const c of item.claims) {
          const held = ledger.claimOf(period, c.key, common.accountKey);
          if (held) {
            return { seq: item.seq, ok: false, error: errorRecord([new RcError('ACCOUNT_CLAIMED', claimMessage(r.account, c.account, held, period), { account: r.account })], r.account, period) };
          }
        }
      }
      if (d.status === 'issued') {
        // first issue of this account and period: the statement carries the pending adjustments
        const carried = pending.get(r.account) ?? [];
        pending.delete(r.account);
        const statement = makeStatement(r.statement.charges, r.credit, carried, item.rounding.scale, item.rounding.mode);
        const id = entryId('issue', r.account, period, 1);
        append({ id, kind: 'issue', n: 1, ...common, statement });
        counts.issued++;
        const reasons: Record<string, AdjustmentReason> = {};
        for (const a of carried) reasons[a.entry] = a.reason;
        return { seq: item.seq, ok: true, result: { ...r, statement }, ledger: { status: 'issued', entry: id }, notes: { evaluated: r.statement, reasons } };
      }
      if (d.status === 'refused') {
        return { seq: item.seq, ok: false, error: errorRecord([new RcError('CURRENCY_CHANGE', d.message, { account: r.account })], r.account, period) };
      }
      if (d.status === 'unchanged') {
        counts.unchanged++;
        return {
          seq: item.seq, ok: true, result: { ...r, statement: d.statement },
          ledger: { status: 'unchanged', entry: d.entry }, notes: { evaluated: r.statement, reasons: {}, statementEntry: d.statementEntry },
        };
      }
      const id = entryId('adjustment', r.account, period, d.n);
      append({ id, kind: 'adjustment', n: d.n, ...common, amount: d.amount, reason: d.reason });
      counts.adjusted++;
      return {
        seq: item.seq, ok: true, result: { ...r, statement: d.statement },
        ledger: { status: 'adjusted', entry: id, adjustment: d.amount },
        notes: { evaluated: r.statement, reasons: {}, statementEntry: d.statementEntry, reason: d.reason },
      };
    };

    // the rule sets are read once, now, and every batch carries them (SPEC §9: one rule set per run)
    const rules = pinRules(opts.choice ?? readRuleChoice({ rulesDir }));
    const lines = format !== 'csv';
    const trace = Boolean(opts.trace);
    let bytes = 0;
    // phase 1: evaluate and hash; hold the items; the duplicate check sees every claim
    let seen = 0;
    let seenErrors = 0;
    const { refused, held } = await runHeld<IssueTask, IssueOut, IssueItem>(inputs, {
      limits, jobs, onWorkerLost: opts.onWorkerLost,
      task: (items) => ({ kind: 'issue', rules, period, trace, lines, limits, items }),
      itemsOf: (out, batchBytes) => {
        for (const l of out.errorLines) opts.onErrorLine?.(l);
        seen += out.items.length;
        for (const item of out.items) if (!item.ok) seenErrors++;
        bytes += batchBytes;
        opts.onProgress?.(seen, seenErrors, bytes);
        return out.items;
      },
    });
    for (const r of refused.values()) for (const e of r.errors ?? [r.error]) opts.onErrorLine?.(formatError(e));
    // phase 2: the verdict is known; decide and append in input order, refused records as error records
    await held.drain((index) => {
      const error = refused.get(index);
      return error && { seq: index, ok: false, error };
    }, async (item) => {
      const rec = record(item);
      counts.records++;
      if (!rec.ok) counts.errors++;
      if (fault && typeof fault === 'object' && counts.records === fault.after) die();
      await opts.onRecord?.(rec);
      if (counts.records % BATCH_RECORDS === 0) await opts.onBatch?.();
    });
    await opts.onBatch?.();
    if (!opts.dryRun && firstEntry !== undefined && lastEntry !== undefined && (opts.operator !== undefined || opts.signRun)) {
      // a run that records anything ends with its run entry, signed before the commit; one that records nothing adds nothing
      const body: RunBody = {
        id: runEntryId(runId), kind: 'run', runId, period, operator: opts.operator ?? 'unknown',
        inputs: inputDigests(inputs, snapshots), rules: [...usedRules].sort().map(([id, sha256]) => ({ id, sha256 })),
        counts: { issued: counts.issued, unchanged: counts.unchanged, adjusted: counts.adjusted, errors: counts.errors },
        first: firstEntry, last: lastEntry, lastHash: head.hash, headBefore,
        programVersion: version, recordedAt: fixed?.[1] || new Date().toISOString(), prev: head.hash,
      };
      const text = canonicalJson(body);
      const hash = entryHash(head.hash, text);
      ledger.appendRun(body, text, hash, opts.signRun?.(body));
      head = { hash, count: head.count + 1 };
    }
    if (!opts.dryRun) await opts.beforeCommit?.();
    if (fault === 'before-commit') die();
    if (opts.dryRun) ledger.rollback();
    else {
      ledger.commit();
      committed = true;
    }
    if (fault === 'after-commit') die();
    return { ...counts, head, runId, committed };
  } catch (err) {
    if (!committed) ledger.rollback();
    throw ledgerError(ledger.file, err);
  }
}


/** The message for a managed or referred account the ledger gives to another reseller for the period. */
export function claimMessage(reseller: string, account: string, held: { account: string; reseller: string; own: boolean }, period: string): string {
  const q = quoteIdentifier;
  const [mine, theirs] = quoteVariants(account, held.account);
  const where = held.own ? `is issued for ${period} as a reseller's own account (${theirs})`
    : `is claimed for ${period} by reseller ${q(held.reseller)} in its latest ledger entry (as ${theirs})`;
  return `reseller ${q(reseller)} lists account ${mine}, which ${where}; an account counts for one reseller a period; nothing was recorded for ${q(reseller)}`;
}

/** The message for an account written differently from the spelling already issued. */
export function spellingMessage(account: string, issued: string, period: string): string {
  const [mine, theirs] = quoteVariants(account, issued);
  return `account ${mine} is the account ${theirs} already issued for ${period}, written differently (the same account key); issue it as ${theirs}; nothing was recorded for this account`;
}

/**
 * The adjustments no statement carries yet, read from the hashed entries
 * (decide.ts `carryOver`); a chain that contradicts itself stops the run
 * before anything is recorded.
 */
export function pendingOf(ledger: Ledger, period: string): Map<string, PendingAdjustment[]> {
  const problems: string[] = [];
  function* inputs(): Generator<CarryInput> {
    for (const r of ledger.carryRows(period)) {
      try {
        const a = r.adjustment;
        yield {
          adjustment: { ...a, body: JSON.parse(a.body) as EntryBody },
          ...(r.carrier ? { carrier: { id: r.carrier.id, body: JSON.parse(r.carrier.body) as EntryBody } } : { before: ledger.creditedBefore(a.account, a.origin, a.seq) }),
        };
      } catch {
        problems.push(`adjustment ${r.adjustment.id} or its statement: the stored content is not JSON`);
      }
    }
  }
  const c = carryOver(inputs());
  problems.push(...c.problems);
  if (problems.length) {
    throw new RcError('LEDGER_UNUSABLE',
      `the ledger contradicts itself (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; ${problems.length - 3} more` : ''}); run reseller-credits ledger verify; nothing was written`,
      { file: ledger.file });
  }
  return c.pending;
}
