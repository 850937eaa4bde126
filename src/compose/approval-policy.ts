/**
 * The verifier's approval policy for the folders this process reads (SPEC
 * §11): its allowed_signers file and minimum, set once by the command line
 * from `--signers` / `RESELLER_CREDITS_SIGNERS` and `--min-approvals` /
 * `RESELLER_CREDITS_MIN_APPROVALS` (or by a library caller). Kept here, not
 * passed down every call, because every path that reads a rules folder
 * (evaluate, whatif, issue, review, test, validate) must apply it alike.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RcError } from '../errors.js';
import { readAllowedSigners } from '../signing/allowed-signers.js';
import type { ApprovalPolicy } from '../signing/folder-approvals.js';
import { APPROVALS_DIR, fourEyes, readRound, roundDir } from '../signing/rounds.js';
import { readPublishLog, type PublishLogLine } from '../folder/publish-log.js';

let policy: ApprovalPolicy | undefined;

/** Sets (or, with undefined, clears) the policy every later `loadRules` verifies against. */
export function setApprovalPolicy(p: ApprovalPolicy | undefined): void {
  policy = p;
}

/** The policy in force, if any. */
export function approvalPolicy(): ApprovalPolicy | undefined {
  return policy;
}

/** The notice every write and `validate` gives once when no signers are configured. */
export const UNVERIFIED_NOTICE = 'approvals are not verified: names are typed and anyone can write any name (see docs/approvals.md)';

/**
 * The policy from the command line's options or the environment; undefined
 * when neither names a signers file. Throws `RcError` for an unreadable file
 * or a minimum that is not a whole number from 1.
 */
export function policyFrom(signers: string | undefined, minApprovals: string | undefined, env: NodeJS.ProcessEnv = process.env): ApprovalPolicy | undefined {
  const file = signers ?? (env.RESELLER_CREDITS_SIGNERS || undefined);
  const minText = minApprovals ?? (env.RESELLER_CREDITS_MIN_APPROVALS || '1');
  if (!/^[1-9]\d{0,2}$/.test(minText)) {
    throw new RcError('SIGNERS_INVALID', `the minimum number of approvals must be a whole number from 1 (got ${JSON.stringify(minText).slice(0, 40)})`);
  }
  if (file === undefined) return undefined;
  return { signers: readAllowedSigners(file), minApprovals: Number(minText) };
}

/**
 * No silent downgrade (SPEC §11): a folder that holds signed approvals is
 * refused by writes when no signers are configured.
 */
export function downgradeRefusal(rulesDir: string): RcError | undefined {
  if (policy || !existsSync(join(rulesDir, APPROVALS_DIR))) return undefined;
  return new RcError('SIGNERS_REQUIRED', `this folder's approvals are signed: configure --signers FILE (or RESELLER_CREDITS_SIGNERS) to write to it`, { file: join(rulesDir, APPROVALS_DIR) });
}

/**
 * With signers configured, the check recovery adds to a journal's appended
 * log line (SPEC §6): its signatures verify, with four eyes, in the round
 * folder of its change. Undefined without signers.
 */
export function signedLineCheck(dir: string): ((line: PublishLogLine) => string[]) | undefined {
  const p = policy;
  if (!p) return undefined;
  return (line) => {
    if (!line.signatures) return ['the log line it appends has no signatures, and signers are configured'];
    const action = line.action ?? 'publish';
    // the round of this change: its place among the lines of this action and content (the line may be on disk already)
    const same = readPublishLog(dir).lines.filter((l) => l.id === line.id && l.sha256 === line.sha256 && (l.action ?? 'publish') === action);
    const at = same.findIndex((l) => l.signatures?.[0]?.statement === line.signatures![0]!.statement);
    const round = readRound(roundDir(dir, line.id, action, line.sha256, at >= 0 ? at + 1 : same.length + 1), action, line.id, line.sha256, p.signers);
    const verified = [round.request, ...round.approvals];
    const unknown = line.signatures.filter((g) => !verified.some((s) => s?.statement === g.statement && s.principal === g.principal));
    const listed = { ...round, approvals: round.approvals.filter((a) => line.signatures!.some((g) => g.statement === a.statement)) };
    return [
      ...round.problems,
      ...unknown.map((g) => `the log line it appends names a ${g.role} by "${g.principal}" that does not verify in ${round.dir}`),
      ...fourEyes([listed], round.request, p.minApprovals).problems,
    ];
  };
}
