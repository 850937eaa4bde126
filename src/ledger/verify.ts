/**
 * `ledger verify`: the hash chain walked from the first entry (an entry
 * edited or removed outside the program is named), every entry recomputed
 * from its stored snapshot under its pinned rule set (`rules changed`,
 * `result differs`), and optionally a head known from earlier that must
 * still be in the chain (a chain alone cannot show its last entries gone).
 */
import { canonicalJson } from '../parse/canonical.js';
import type { LoadLimits } from '../limits.js';
import { findRuleSet, type RuleRepository } from '../compose/rules-dir.js';
import { evaluate } from '../evaluate/evaluate.js';
import { parseSnapshotRecord } from '../compose/snapshot-parse.js';
import { asRcErrors, formatError } from '../errors.js';
import type { RuleSet } from '../model/types.js';
import { entryHash, entryId, sha256Hex, ZERO_HASH, type EntryBody, type EntryResult } from './entry.js';
import type { Head, Ledger, StoredRow } from './store.js';
import { makeStatement } from './issue.js';

/** One problem found. */
export interface VerifyProblem {
  kind: 'tampered' | 'removed' | 'rules changed' | 'result differs' | 'head';
  /** the entry concerned (its id, or seq when the id cannot be trusted) */
  entry?: string;
  seq?: number;
  message: string;
}

/** What `verify` found. */
export interface VerifyReport { entries: number; problems: VerifyProblem[]; head: Head }

/** The pinned rule set of an entry, or why it cannot be had. */
function pinned(repo: RuleRepository, id: string, sha: string): RuleSet | string {
  const f = findRuleSet(repo, id);
  if (!f?.ruleSet) return `rules changed: rule set ${id} is no longer in ${repo.dir}/ (or is invalid)`;
  if (f.ruleSet.sha256 !== sha) return `rules changed: ${f.file} no longer has the pinned sha256 ${sha.slice(0, 12)}… (now ${f.ruleSet.sha256.slice(0, 12)}…)`;
  return f.ruleSet;
}

/** Re-evaluates a stored snapshot under a rule set. */
export async function recompute(snapshotJson: string, rs: RuleSet, limits: LoadLimits, file = 'snapshot') {
  const located = parseSnapshotRecord({ seq: 0, file, line: 1, column: 1, text: snapshotJson, format: 'json' }, limits);
  return evaluate(located.snapshot, rs, located.doc);
}

const RESULT_KEYS: (keyof EntryResult)[] = ['tier', 'creditPercent', 'tierBasis', 'creditBase', 'charges', 'credit', 'eligible', 'reasons'];

/** Walks and recomputes the whole ledger. */
export async function verifyLedger(ledger: Ledger, repo: RuleRepository, limits: LoadLimits, opts: { head?: string } = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  let prev = ZERO_HASH;
  let expectSeq = 1;
  let count = 0;
  let headSeen = opts.head === undefined || opts.head === ZERO_HASH;
  let last: Head = { hash: ZERO_HASH, count: 0 };
  const rulesCache = new Map<string, RuleSet | string>();
  // adjustments seen so far, and which statement carried each
  const adjustments = new Map<string, { account: string; period: string; amount: string; carriedBy?: string }>();
  for (const row of ledger.rows() as Iterable<StoredRow>) {
    count++;
    const label = `entry #${row.seq} (${row.id})`;
    const gap = row.seq !== expectSeq;
    if (gap) {
      problems.push({ kind: 'removed', seq: row.seq, entry: row.id, message: `${row.seq - expectSeq} entr${row.seq - expectSeq === 1 ? 'y' : 'ies'} before ${label} removed (#${expectSeq}${row.seq - expectSeq > 1 ? `–#${row.seq - 1}` : ''} missing)` });
    }
    expectSeq = row.seq + 1;
    let body: EntryBody | undefined;
    try { body = JSON.parse(row.body) as EntryBody; } catch { /* reported below */ }
    const hash = entryHash(row.prev, row.body);
    if (!body) problems.push({ kind: 'tampered', seq: row.seq, entry: row.id, message: `${label}: tampered: its content is not JSON` });
    else if (hash !== row.hash || canonicalJson(body) !== row.body) {
      problems.push({ kind: 'tampered', seq: row.seq, entry: row.id, message: `${label}: tampered: its content no longer has its hash` });
    } else if (!gap && (row.prev !== prev || body.prev !== row.prev)) {
      problems.push({ kind: 'removed', seq: row.seq, entry: row.id, message: `${label}: chain broken: its prev is not the hash of entry #${row.seq - 1} before it (that entry was changed, or entries between were removed)` });
    } else {
      const cols = columnProblems(row, body);
      if (cols) problems.push({ kind: 'tampered', seq: row.seq, entry: row.id, message: `${label}: tampered: ${cols}` });
    }
    prev = row.hash;
    last = { hash: row.hash, count };
    if (!headSeen && row.hash === opts.head) headSeen = true;
    if (!body) continue;
    const carry = carriedProblems(body, adjustments);
    if (carry) problems.push({ kind: 'result differs', seq: row.seq, entry: row.id, message: `${label}: result differs: ${carry}` });
    // recompute from the stored snapshot under the pinned rules
    const key = `${body.rules.id}\u0000${body.rules.sha256}`;
    let rs = rulesCache.get(key);
    if (rs === undefined) { rs = pinned(repo, body.rules.id, body.rules.sha256); rulesCache.set(key, rs); }
    if (typeof rs === 'string') {
      problems.push({ kind: 'rules changed', seq: row.seq, entry: row.id, message: `${label}: ${rs}` });
      continue;
    }
    try {
      const r = await recompute(canonicalJson(body.snapshot), rs, limits, `${ledger.file}#${row.seq}`);
      const now: EntryResult = {
        tier: r.tier.name, creditPercent: r.creditPercent, tierBasis: r.tierBasis, creditBase: r.creditBase,
        charges: r.statement.charges, credit: r.credit, eligible: r.eligibility.eligible, reasons: r.eligibility.reasons,
      };
      const diff: string[] = RESULT_KEYS.filter((k) => canonicalJson(now[k]) !== canonicalJson(body.result[k]));
      if (body.statement) {
        const st = body.statement;
        const again = makeStatement(body.result.charges, body.result.credit, st.adjustments.map((a) => ({ ...a, account: body.account, reason: 'snapshot changed' })), rs.rounding.scale, rs.rounding.mode);
        if (canonicalJson(again) !== canonicalJson(st)) diff.push('statement');
      }
      if (diff.length) {
        const what = (k: string) => (k === 'statement' ? 'the statement does not add up (amountDue = charges − credit − Σ adjustments)'
          : `${k} recorded ${canonicalJson(body.result[k as keyof EntryResult])}, now ${canonicalJson(now[k as keyof EntryResult])}`);
        problems.push({ kind: 'result differs', seq: row.seq, entry: row.id, message: `${label}: result differs: ${diff.map(what).join('; ')}` });
      }
    } catch (err) {
      problems.push({ kind: 'result differs', seq: row.seq, entry: row.id, message: `${label}: result differs: the stored snapshot no longer evaluates (${asRcErrors(err).map(formatError).join('; ')})` });
    }
  }
  if (!headSeen) {
    problems.push({ kind: 'head', message: `head ${opts.head} is not in the ledger: entries up to it were removed or changed (the ledger's head is now ${last.hash}, ${last.count} entries)` });
  }
  return { entries: count, problems, head: last };
}

/** Whether the adjustments an issue entry carries are earlier, pending, of its account and an earlier period, with their amounts. */
function carriedProblems(b: EntryBody, seen: Map<string, { account: string; period: string; amount: string; carriedBy?: string }>): string | undefined {
  if (b.kind === 'adjustment') {
    seen.set(b.id, { account: b.account, period: b.period, amount: b.amount ?? '' });
    return undefined;
  }
  const bad: string[] = [];
  for (const a of b.statement?.adjustments ?? []) {
    const s = seen.get(a.entry);
    if (!s) bad.push(`it carries ${a.entry}, which is no earlier adjustment`);
    else if (s.carriedBy) bad.push(`it carries ${a.entry}, already carried by ${s.carriedBy}`);
    else if (s.account !== b.account || s.period !== a.origin || a.origin >= b.period || s.amount !== a.amount) {
      bad.push(`it carries ${a.entry} with another account, origin or amount than the adjustment has`);
    }
    if (s) s.carriedBy ??= b.id;
  }
  return bad.length ? bad.join('; ') : undefined;
}

/** Which stored columns disagree with the hashed content (the columns are read by `issue`). */
function columnProblems(row: StoredRow, b: EntryBody): string | undefined {
  const bad: string[] = [];
  if (row.id !== b.id || entryId(b.kind, b.account, b.period, b.n) !== b.id) bad.push('id');
  if (row.kind !== b.kind) bad.push('kind');
  if (row.account !== b.account) bad.push('account');
  if (row.period !== b.period) bad.push('period');
  if (row.n !== b.n) bad.push('n');
  if (row.rulesSha256 !== b.rules.sha256) bad.push('rules_sha256');
  if (row.snapshotSha256 !== b.snapshotSha256 || sha256Hex(canonicalJson(b.snapshot)) !== b.snapshotSha256) bad.push('snapshot_sha256');
  if (row.credit !== b.result.credit) bad.push('credit');
  if ((row.amount ?? undefined) !== b.amount) bad.push('amount');
  if ((row.statement ?? undefined) !== (b.statement ? canonicalJson(b.statement) : undefined)) bad.push('statement');
  return bad.length ? `stored ${bad.join(', ')} differ${bad.length === 1 ? 's' : ''} from its hashed content` : undefined;
}
