/**
 * `ledger verify`: SQLite's full integrity_check, then the hash chain walked
 * from the first entry (an entry edited or removed outside the program is
 * named), every stored column the program reads compared with the hashed
 * entry, the money invariants of SPEC §9 proved on the hashed values
 * (invariants.ts), every entry recomputed from its stored snapshot under its
 * pinned rule set (`rules changed`, `result differs`), and optionally a head
 * known from earlier that must still be in the chain.
 */
import { canonicalJson } from '../parse/canonical.js';
import type { LoadLimits } from '../limits.js';
import { findRuleSet, type RuleRepository } from '../compose/rules-dir.js';
import { evaluate } from '../evaluate/evaluate.js';
import { parseSnapshotRecord } from '../compose/snapshot-parse.js';
import { RcError, asRcErrors, formatError } from '../errors.js';
import type { RuleSet } from '../model/types.js';
import { makeStatement } from './decide.js';
import { ledgerAccountKey } from './account-key.js';
import { checkSignedRuns, type ChainEntry, type RunCoverage } from '../signing/run-signature.js';
import type { AllowedSigners } from '../signing/allowed-signers.js';
import { entryHash, sha256Hex, ZERO_HASH, type EntryBody, type EntryResult, type RunBody } from './entry.js';
import { MoneyInvariants } from './invariants.js';
import type { Head, Ledger, StoredRow } from './store.js';

/** One problem found. */
export interface VerifyProblem {
  kind: 'tampered' | 'removed' | 'money' | 'rules changed' | 'result differs' | 'head' | 'unsigned';
  /** the entry concerned (its id, or seq when the id cannot be trusted) */
  entry?: string;
  seq?: number;
  message: string;
}

/** What `verify` found. */
export interface VerifyReport {
  entries: number; problems: VerifyProblem[]; head: Head;
  /** With signers (SPEC §11): the last signed run that verified — who, when, the head it left, how many entries. */
  lastSigned?: RunCoverage['lastSigned'];
}

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

const label = (row: { seq: number; id: string }) => `entry #${row.seq} (${row.id})`;

/** Walks and recomputes the whole ledger. Throws `RcError` LEDGER_UNUSABLE when SQLite finds the file damaged. */
export async function verifyLedger(ledger: Ledger, repo: RuleRepository, limits: LoadLimits, opts: { head?: string; signers?: AllowedSigners } = {}): Promise<VerifyReport> {
  const damage = ledger.integrityProblems();
  if (damage.length) {
    throw new RcError('LEDGER_UNUSABLE', `ledger is damaged (SQLite's integrity_check: ${damage.slice(0, 3).join('; ')}); nothing was written`, { file: ledger.file });
  }
  const problems: VerifyProblem[] = [];
  const money = new MoneyInvariants();
  let prev = ZERO_HASH;
  let expectSeq = 1;
  let count = 0;
  let headSeen = opts.head === undefined || opts.head === ZERO_HASH;
  let last: Head = { hash: ZERO_HASH, count: 0 };
  const rulesCache = new Map<string, RuleSet | string>();
  const chain: ChainEntry[] = [];
  for (const row of ledger.rows() as Iterable<StoredRow>) {
    count++;
    const gap = row.seq !== expectSeq;
    if (gap) {
      problems.push({ kind: 'removed', seq: row.seq, entry: row.id, message: `${row.seq - expectSeq} entr${row.seq - expectSeq === 1 ? 'y' : 'ies'} before ${label(row)} removed (#${expectSeq}${row.seq - expectSeq > 1 ? `–#${row.seq - 1}` : ''} missing)` });
    }
    expectSeq = row.seq + 1;
    let body: EntryBody | RunBody | undefined;
    try { body = JSON.parse(row.body) as EntryBody | RunBody; } catch { /* reported below */ }
    if (!body) problems.push({ kind: 'tampered', seq: row.seq, entry: row.id, message: `${label(row)}: tampered: its content is not JSON` });
    else if (entryHash(row.prev, row.body) !== row.hash || canonicalJson(body) !== row.body) {
      problems.push({ kind: 'tampered', seq: row.seq, entry: row.id, message: `${label(row)}: tampered: its content no longer has its hash` });
    } else if (!gap && (row.prev !== prev || body.prev !== row.prev)) {
      problems.push({ kind: 'removed', seq: row.seq, entry: row.id, message: `${label(row)}: chain broken: its prev is not the hash of entry #${row.seq - 1} before it (that entry was changed, moved, or entries between were removed)` });
    } else {
      const cols = columnProblems(row, body);
      if (cols) problems.push({ kind: 'tampered', seq: row.seq, entry: row.id, message: `${label(row)}: tampered: ${cols}` });
    }
    prev = row.hash;
    last = { hash: row.hash, count };
    if (!headSeen && row.hash === opts.head) headSeen = true;
    chain.push({ seq: row.seq, id: row.id, kind: row.kind, hash: row.hash, prev: row.prev,
      ...(row.kind === 'run' && body ? { run: { body: body as RunBody, signature: row.signature ?? null } } : {}) });
    if (!body) continue;
    money.add(row.seq, body);
    if (body.kind === 'run') continue;
    const p = await recomputed(body, row, repo, limits, rulesCache, ledger.file);
    if (p) problems.push(p);
  }
  for (const m of money.finish()) problems.push({ kind: 'money', seq: m.seq, entry: m.entry, message: `${label({ seq: m.seq, id: m.entry })}: ${m.what === 'ids' ? 'ids broken' : 'money does not add up'}: ${m.message}` });
  if (!headSeen) {
    problems.push({ kind: 'head', message: `head ${opts.head} is not in the ledger: entries up to it were removed or changed (the ledger's head is now ${last.hash}, ${last.count} entries)` });
  }
  // SPEC §11: every run signature verifies and every other entry lies inside exactly one signed run, without a kept head
  let lastSigned: RunCoverage['lastSigned'];
  if (opts.signers) {
    const runs = checkSignedRuns(chain, opts.signers);
    for (const p of runs.problems) problems.push({ kind: 'unsigned', message: p });
    lastSigned = runs.lastSigned;
  }
  problems.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
  return { entries: count, problems, head: last, ...(lastSigned ? { lastSigned } : {}) };
}

/** An entry recomputed from its stored snapshot under its pinned rules: the difference, if any. */
async function recomputed(body: EntryBody, row: StoredRow, repo: RuleRepository, limits: LoadLimits, cache: Map<string, RuleSet | string>, file: string): Promise<VerifyProblem | undefined> {
  const key = `${body.rules.id}\u0000${body.rules.sha256}`;
  let rs = cache.get(key);
  if (rs === undefined) { rs = pinned(repo, body.rules.id, body.rules.sha256); cache.set(key, rs); }
  if (typeof rs === 'string') return { kind: 'rules changed', seq: row.seq, entry: row.id, message: `${label(row)}: ${rs}` };
  try {
    const r = await recompute(canonicalJson(body.snapshot), rs, limits, `${file}#${row.seq}`);
    const now: EntryResult = {
      tier: r.tier.name, creditPercent: r.creditPercent, tierBasis: r.tierBasis, creditBase: r.creditBase,
      charges: r.statement.charges, credit: r.credit, eligible: r.eligibility.eligible, reasons: r.eligibility.reasons,
    };
    const diff: string[] = RESULT_KEYS.filter((k) => canonicalJson(now[k]) !== canonicalJson(body.result[k]));
    if (body.statement) {
      const st = body.statement;
      const again = makeStatement(body.result.charges, body.result.credit, st.adjustments, rs.rounding.scale, rs.rounding.mode);
      if (canonicalJson(again) !== canonicalJson(st)) diff.push('statement');
    }
    if (!diff.length) return undefined;
    const what = (k: string) => (k === 'statement' ? 'the statement does not add up (amountDue = charges − credit − Σ adjustments)'
      : `${k} recorded ${canonicalJson(body.result[k as keyof EntryResult])}, now ${canonicalJson(now[k as keyof EntryResult])}`);
    return { kind: 'result differs', seq: row.seq, entry: row.id, message: `${label(row)}: result differs: ${diff.map(what).join('; ')}` };
  } catch (err) {
    return { kind: 'result differs', seq: row.seq, entry: row.id, message: `${label(row)}: result differs: the stored snapshot no longer evaluates (${asRcErrors(err).map(formatError).join('; ')})` };
  }
}

/** Which stored columns disagree with the hashed content (the columns `issue` reads money and carry-over from). */
function columnProblems(row: StoredRow, b: EntryBody | RunBody): string | undefined {
  const bad: string[] = [];
  if (row.id !== b.id) bad.push('id');
  if (row.kind !== b.kind) bad.push('kind');
  if (row.period !== b.period) bad.push('period');
  if (row.runId !== null && row.runId !== b.runId) bad.push('run_id');
  if (b.kind === 'run') {
    if (row.operator !== b.operator) bad.push('operator');
    if (row.inputsSha256 !== canonicalJson(b.inputs)) bad.push('inputs_sha256');
    if ((row.idempotencyKey ?? undefined) !== b.idempotencyKey) bad.push('idempotency_key');
    if ((row.requestSha256 ?? undefined) !== b.requestSha256) bad.push('request_sha256');
  } else {
    if (row.account !== b.account) bad.push('account');
    // version-1 entries hash no key: migration computed theirs
    if (row.accountKey !== null && row.accountKey !== (b.accountKey ?? ledgerAccountKey(b.account))) bad.push('account_key');
    if (row.n !== b.n) bad.push('n');
    if (row.rulesSha256 !== b.rules.sha256) bad.push('rules_sha256');
    if (row.snapshotSha256 !== b.snapshotSha256 || sha256Hex(canonicalJson(b.snapshot)) !== b.snapshotSha256) bad.push('snapshot_sha256');
    if (row.credit !== b.result.credit) bad.push('credit');
    if ((row.amount ?? undefined) !== b.amount) bad.push('amount');
    if ((row.statement ?? undefined) !== (b.statement ? canonicalJson(b.statement) : undefined)) bad.push('statement');
  }
  return bad.length ? `stored ${bad.join(', ')} differ${bad.length === 1 ? 's' : ''} from its hashed content` : undefined;
}
