/**
 * The library: the same capabilities as the command line, for engineers
 * embedding them (SPEC §7). Named exports only; everything else under src/ is
 * internal and may change.
 */

// rule sets and versions
export { loadRuleSet, readRuleSetFile, parseRuleSetText, type RuleSetLoadOptions, type RuleSetReadResult } from './compose/ruleset-loader.js';
export { loadRules, selectForPeriod, findRuleSet, type RuleRepository } from './compose/rules-dir.js';
export { resolveRuleSet, NoRuleSetError } from './compose/resolve-rule-set.js';
export { canonicalJson, contentHash } from './parse/canonical.js';
export { readLock, writeLock, type Lock } from './folder/lock.js';
export { publishVersion, PublishRefused, PublishFailed, type PublishOptions, type PublishOutcome, type PublishCandidate, type PublishChange } from './publish/publish.js';
export { RecoveryFailed } from './publish/recover.js';
export { readPublishLog, type PublishLog, type PublishLogEntry } from './folder/publish-log.js';
export { diffRuleSets, type RuleSetDiff, type RuleSetChange, type TierEffect, type DiffSection } from './diff/diff.js';
export { diffText } from './diff/text.js';
export { readCaseFile, type RegressionCase, type CaseExpect, type CaseSnapshot, type CaseReadResult } from './cases/file.js';
export { runCaseFile, runCases, findCaseFiles, type CaseOutcome, type CaseRunOptions } from './cases/runner.js';
export { formatOutcome, summarize } from './cases/report.js';

// snapshots and portfolios
export { readPortfolio, expandInputs, STDIN_NAME, type PortfolioItem, type FileProblem, type ReadOptions, type InputFormat } from './read/portfolio.js';
export { parseSnapshotRecord, type RawRecord } from './compose/snapshot-parse.js';
export { toSnapshot, type LocatedSnapshot } from './validate/snapshot-checks.js';
export { formatPath, type SourceDoc, type Position, type PathSeg } from './parse/source-doc.js';
export { DEFAULT_LIMITS, resolveLimits, type LoadLimits } from './limits.js';

// evaluation and what-if
export { distinctSubClients, type EvaluateOptions } from './evaluate/evaluate.js';
export { evaluateSnapshot as evaluate } from './run/record.js';
export { readSnapshot, type SnapshotInputOptions } from './compose/snapshot-input.js';
export { evaluateRecord, type RuleChoice } from './run/record.js';
export { errorRecord, type OutputRecord, type ErrorRecord } from './model/records.js';
export { runPortfolio, type RunCounts, type PortfolioRunOptions } from './run/sequential.js';
export { evaluatePortfolio, type EvaluateRunOptions } from './run/evaluate.js';
export { whatIf, type WhatIfReport } from './whatif/what-if.js';
export { whatIfPortfolio, type WhatIfRunOptions } from './whatif/run-whatif.js';
export { compareSnapshot, type WhatIfAccount, type WhatIfRow, type WhatIfSide } from './whatif/compare.js';
export { WhatIfTally, type WhatIfSummary } from './whatif/summary.js';

// change review (SPEC §10)
export { reviewChange, type ReviewReport, type ReviewOptions } from './review/review.js';
export { renderReview, REVIEW_FORMATS, type ReviewFormat } from './review/render/render.js';
export { defaultBaseline } from './review/baseline.js';
export { checkReviewForPublish } from './review/approval.js';

// the ledger (SPEC §9)
export { openLedger, initLedger, Ledger, DEFAULT_LEDGER, SCHEMA_VERSION, APPLICATION_ID, type OpenOptions, type Head } from './ledger/store.js';
export { decide, carryOver, makeStatement, type Decision, type PendingAdjustment } from './ledger/decide.js';
export { ledgerAccountKey } from './ledger/account-key.js';
export { issuePeriod, type IssueOptions, type IssueRecord, type IssueSummary, type IssueStatus, type LedgerOutcome, type IssueCounts } from './ledger/issue.js';
export { verifyLedger, type VerifyReport, type VerifyProblem } from './ledger/verify.js';
export { replayText } from './ledger/replay.js';
export {
  entryId, entryHash, canonicalEntry, ZERO_HASH,
  type LedgerEntry, type EntryBody, type EntryKind, type EntryResult, type Statement, type CarriedAdjustment, type AdjustmentReason,
} from './ledger/entry.js';

// reports
export { explain } from './report/text.js';
export { createWriter, outputObject, type OutputFormat } from './report/formats.js';
export { createWhatIfWriter, type WhatIfFormat } from './whatif/render.js';

// money, errors, schemas, types
export { Dec, formatMoney, roundMoney, amountProblem, type RoundingMode } from './money/decimal.js';
export { RcError, RcErrors, formatError, type ErrorCode, type ErrorLocation } from './errors.js';
export { schemaPath } from './validate/schemas.js';
export { SHIPPED_RULES_DIR } from './shipped.js';
export type * from './model/types.js';

// identifiers (SPEC §4): how sub-clients and accounts are compared, and the run-wide duplicate check
export { hostKey, accountKey, clientKey, subClientKeys, countDistinct, type DistinctBy, type KeyResult } from './validate/identifiers.js';
export { createDuplicateCheck, accountsOfSnapshot, type DuplicateCheck, type RunConflict, type RecordAccounts } from './validate/run-duplicates.js';
export { createHeldOutput, type HeldOutput } from './validate/held-output.js';
// credits out (SPEC §12): exports to invoicing systems, statements, the month-end report
export { exportStatements, netCredit, postAmount, type ExportResult, type ExportOptions } from './exports/run-export.js';
export { TARGETS, TARGET_NAMES } from './exports/targets.js';
export { readMapping, parseMapping, MappingErrors } from './exports/mapping.js';
export { exportStatement, type ExportStatement, type ExportTarget, type Mapping, type TargetName, type PostAmount } from './exports/types.js';
export { isoExponent, stripeExponent, toMinorUnits, fromMinorUnits } from './exports/currency.js';
export { statementOf, viewOf } from './statements/load.js';
export { statementText } from './statements/text.js';
export { statementHtml } from './statements/html.js';
export { statementPdf } from './statements/pdf.js';
export { tierChartSvg } from './statements/chart.js';
export { readBranding, type Branding } from './statements/branding.js';
export type { StatementView } from './statements/model.js';
export { nearMissLine, nextTier } from './report/near-miss.js';
export { monthEndReport, type MonthEndReport } from './ledger/month-end.js';
export { renderMonthEnd } from './ledger/month-end-render.js';
// signed approvals and runs (SPEC §11, docs/approvals.md)
export { verifySshSig, type SigVerdict } from './signing/sshsig.js';
export { parseAllowedSigners, readAllowedSigners, type AllowedSigners } from './signing/allowed-signers.js';
export { verifyStatement, type StatementVerdict } from './signing/verify.js';
export { signWithSshKeygen, type SignOptions } from './signing/sign.js';
export { ROLE_NAMESPACE, type Role } from './signing/roles.js';
export { runStatement, signRun, checkSignedRuns, type RunBodyLike, type ChainEntry } from './signing/run-signature.js';
export { setApprovalPolicy, policyFrom } from './compose/approval-policy.js';
export type { ApprovalPolicy } from './signing/folder-approvals.js';
export { retireVersion, type RetireOptions, type RetireOutcome } from './publish/retire.js';
