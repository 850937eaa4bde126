/**
 * Statements from the ledger: each issue entry recomputed from its stored
 * snapshot under its pinned rule set (for the lines and sources a statement
 * shows), the money as issued (the hashed statement). A rule set whose
 * content no longer has the pinned hash is refused, as `ledger replay` does.
 */
import { RcError } from '../errors.js';
import type { LoadLimits } from '../limits.js';
import { canonicalJson } from '../parse/canonical.js';
import { findRuleSet, type RuleRepository } from '../compose/rules-dir.js';
import type { AdjustmentReason, LedgerEntry } from '../ledger/entry.js';
import type { Ledger } from '../ledger/store.js';
import { recompute } from '../ledger/verify.js';
import type { RuleSet } from '../model/types.js';
import { statementView, type StatementView } from './model.js';

/** The pinned rule set of an entry, or an error naming it. */
function pinned(repo: RuleRepository, e: LedgerEntry, file: string): RuleSet {
  const f = findRuleSet(repo, e.rules.id);
  if (!f?.ruleSet || f.ruleSet.sha256 !== e.rules.sha256) {
    throw new RcError('RULES_PIN_MISMATCH', `rule set ${e.rules.id} with sha256 ${e.rules.sha256} is not in ${repo.dir}/ (rules changed); cannot show the statement of ${e.account} ${e.period}`, { file, account: e.account });
  }
  return f.ruleSet;
}

/** The statement view of one issue entry. */
export async function viewOf(ledger: Ledger, repo: RuleRepository, e: LedgerEntry, limits: LoadLimits): Promise<StatementView> {
  const rs = pinned(repo, e, ledger.file);
  const r = await recompute(canonicalJson(e.snapshot), rs, limits, `${ledger.file}#${e.seq}`);
  const reasons: Record<string, AdjustmentReason | undefined> = {};
  for (const a of e.statement!.adjustments) reasons[a.entry] = ledger.entryById(a.entry)?.reason;
  return statementView(e, r, rs, reasons);
}

/** The statement of `account` for `period`; throws LEDGER_NOT_FOUND when nothing was issued. */
export async function statementOf(ledger: Ledger, repo: RuleRepository, account: string, period: string, limits: LoadLimits): Promise<StatementView> {
  const e = [...ledger.entries({ account, period, kind: 'issue' })][0];
  if (!e) throw new RcError('LEDGER_NOT_FOUND', `nothing issued for account ${account} in period ${period}`, { file: ledger.file });
  return viewOf(ledger, repo, e, limits);
}
