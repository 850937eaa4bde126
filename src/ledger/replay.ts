/**
 * `ledger replay ACCOUNT PERIOD`: what was issued, explained again from the
 * stored snapshot under the pinned rule set (evaluate's text for that
 * snapshot), then the statement as issued and the later adjustments.
 */
import { RcError } from '../errors.js';
import type { LoadLimits } from '../limits.js';
import { canonicalJson } from '../parse/canonical.js';
import { findRuleSet, type RuleRepository } from '../compose/rules-dir.js';
import { explain } from '../report/text.js';
import { reasonWords, signedMoney, statementLines } from './render.js';
import { money } from '../text/money-text.js';
import type { AdjustmentReason, LedgerEntry } from './entry.js';
import type { Ledger } from './store.js';
import { recompute } from './verify.js';

/** The replay text of an account's period; throws `RcError` when nothing was issued or the rules changed. */
export async function replayText(ledger: Ledger, repo: RuleRepository, account: string, period: string, limits: LoadLimits): Promise<string> {
  const entries = [...ledger.entries({ account, period })];
  const issue = entries.find((e) => e.kind === 'issue');
  if (!issue) throw new RcError('LEDGER_NOT_FOUND', `nothing issued for account ${account} in period ${period}`, { file: ledger.file });
  const f = findRuleSet(repo, issue.rules.id);
  if (!f?.ruleSet || f.ruleSet.sha256 !== issue.rules.sha256) {
    throw new RcError('RULES_PIN_MISMATCH',
      `rule set ${issue.rules.id} with sha256 ${issue.rules.sha256} is not in ${repo.dir}/ (rules changed); the entry records credit ${issue.result.credit}`,
      { file: ledger.file });
  }
  const r = await recompute(canonicalJson(issue.snapshot), f.ruleSet, limits, `${ledger.file}#${issue.seq}`);
  const reasons: Record<string, AdjustmentReason> = {};
  for (const a of issue.statement!.adjustments) {
    const adj = ledger.entryById(a.entry);
    if (adj?.reason) reasons[a.entry] = adj.reason;
  }
  const out = [explain(r, f.ruleSet.tiers)];
  out.push(`Ledger: issued ${issue.recordedAt} (entry ${issue.id}, run ${issue.runId}, ${issue.programVersion})`);
  out.push(...whoLines(ledger, repo, issue));
  out.push(...statementLines(issue.statement!, issue.currency, undefined, reasons));
  for (const e of entries.filter((x): x is LedgerEntry => x.kind === 'adjustment')) {
    // the statement that carries it is the first one after it, if that one lists it (verify proves it)
    const c = ledger.carrierOf({ account: e.account, seq: e.seq, origin: e.period });
    const carrier = c && (JSON.parse(c.body) as LedgerEntry).statement?.adjustments.some((a) => a.entry === e.id) ? c.id : undefined;
    out.push(`Later: adjustment for ${e.period}: ${signedMoney(e.amount!, e.currency)}, ${reasonWords(e.reason)} (entry ${e.id}, ${e.recordedAt}); credit now ${money(e.result.credit, e.currency)}; ${carrier ? `carried by statement ${carrier}` : 'pending: carried by the account\'s next statement'}`);
  }
  return out.join('\n');
}

/**
 * Who did it (SPEC §11): who approved the rule set the credit rests on (the
 * publish-log line of its content: the signed approvers, or a typed name),
 * and who ran the issue (the run entry's operator, signed or as typed).
 */
function whoLines(ledger: Ledger, repo: RuleRepository, issue: LedgerEntry): string[] {
  const lines: string[] = [];
  const logged = repo.log.lines.filter((l) => l.id === issue.rules.id && l.sha256 === issue.rules.sha256 && (l.action ?? 'publish') === 'publish').at(-1);
  if (!logged) lines.push(`Rules: ${issue.rules.id} has no publish-log line (published before the log existed)`);
  else if (logged.signatures) {
    const author = logged.signatures.find((g) => g.role === 'request')?.principal ?? 'unknown';
    lines.push(`Rules: ${issue.rules.id} requested by ${author}, approved by ${logged.approvedBy} (signed, ${logged.publishedAt})`);
  } else lines.push(`Rules: ${issue.rules.id} approved by ${logged.approvedBy} (a typed name, ${logged.publishedAt})`);
  const run = [...ledger.rows({ kind: 'run' })].find((r) => r.runId === issue.runId);
  if (run) lines.push(`Run: ${issue.runId} by ${run.operator ?? 'unknown'} (${run.signature ? 'signed' : 'not signed: a typed name'})`);
  else lines.push(`Run: ${issue.runId} has no run entry (issued without --sign-key or --operator)`);
  return lines;
}
