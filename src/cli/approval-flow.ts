/**
 * What `request`, `approve`, `publish` and `retire` share when they sign or
 * check signatures (SPEC §11): who the signer is, which version and content
 * a change is about, signing a statement and writing it into its round.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RcError, RcErrors } from '../errors.js';
import type { LogSignature } from '../folder/publish-log.js';
import { recheckReview } from '../review/recheck.js';
import type { RuleSet } from '../model/types.js';
import { publishedHash } from '../compose/folder-checks.js';
import { findRuleSet, loadRules, unknownIdMessage, type RuleRepository } from '../compose/rules-dir.js';
import { unsignedLogHash, type ApprovalPolicy } from '../signing/folder-approvals.js';
import { principalsOf } from '../signing/allowed-signers.js';
import { fourEyes, PRINCIPAL_PATTERN, readRound, roundDir } from '../signing/rounds.js';
import { parsePublicKeyText } from '../signing/ssh-key.js';
import { signWithSshKeygen } from '../signing/sign.js';
import { statementBytes, statementTime, STATEMENT_KIND, type ApprovalAction, type ApprovalRole, type ApprovalStatement } from '../signing/statement.js';
import { verifyStatement } from '../signing/verify.js';
import { ROLE_NAMESPACE } from '../signing/roles.js';
import { verifySshSig } from '../signing/sshsig.js';
import { UsageError } from './io.js';

/** The public key line of `keyFile` (the file itself, or KEY.pub beside it), if there is one. */
function publicKeyOf(keyFile: string): ReturnType<typeof parsePublicKeyText> | undefined {
  for (const f of keyFile.endsWith('.pub') ? [keyFile] : [`${keyFile}.pub`, keyFile]) {
    try {
      return parsePublicKeyText(readFileSync(f, 'utf8').split('\n')[0]!);
    } catch { /* not a public key file */ }
  }
  return undefined;
}

/**
 * The principal a signature is made as: `--principal`, or the one name the
 * verifier's file gives the key. Throws `UsageError` saying what to add.
 */
export function signerPrincipal(keyFile: string, given: string | undefined, policy: ApprovalPolicy | undefined): string {
  if (given !== undefined) {
    if (!PRINCIPAL_PATTERN.test(given)) throw new UsageError('--principal must be a name of letters, digits and . _ @ + - (at most 64), as in the allowed_signers file');
    return given;
  }
  const pub = publicKeyOf(keyFile);
  if (!policy || !pub) throw new UsageError(`--principal NAME is needed${policy ? ` (no public key ${keyFile}.pub to look the key up in ${policy.signers.file})` : ' without --signers'}`);
  const names = principalsOf(policy.signers, pub).filter((n) => PRINCIPAL_PATTERN.test(n));
  if (names.length !== 1) {
    throw new UsageError(names.length ? `the key is listed for ${names.join(', ')} in ${policy.signers.file}: say which with --principal` : `the key ${pub.fingerprint} is not in ${policy.signers.file}`);
  }
  return names[0]!;
}

/** A version of the folder and the content hash each action is about. */
export interface ChangeTarget {
  repo: RuleRepository;
  ruleSet: RuleSet;
  /** The hash the version has (or will have) in rules.lock. */
  sha256: string;
  dir: string;
}

/**
 * The version `id` and the hash `action` is about: for `publish` its content
 * as it will be locked (it must not be published already), for `retire`
 * and `attest` its lock entry (it must be published, or for `attest`
 * retired). Throws `RcError` saying why not.
 */
export function changeTarget(rulesDir: string, id: string, action: ApprovalAction): ChangeTarget {
  const repo = loadRules(rulesDir);
  const found = findRuleSet(repo, id);
  if (!found) throw new RcError('UNKNOWN_RULE_SET', unknownIdMessage(repo, id));
  const rs = found.ruleSet;
  if (!rs) throw new RcError('RULE_SET_INVALID', `${id} is not a valid rule set: run \`reseller-credits validate\``, { file: found.file });
  const locked = repo.lock.entries[rs.id];
  const refuse = (msg: string) => new RcError('APPROVAL_MISSING', msg, { file: found.file, path: 'status' });
  if (action === 'publish') {
    if (rs.status === 'published' && locked === publishedHash(rs)) throw refuse(`${id} is published already`);
    if (locked !== undefined && locked !== publishedHash(rs)) throw refuse(`rules.lock holds ${id} with other content: published versions are immutable; copy the change into a new version id`);
    return { repo, ruleSet: rs, sha256: publishedHash(rs), dir: roundDir(rulesDir, rs.id, action, publishedHash(rs), nextRound(repo, rs.id, action, publishedHash(rs))) };
  }
  const ok = action === 'retire' ? rs.status === 'published' : rs.status !== 'draft';
  if (!ok || locked === undefined || locked !== rs.sha256) throw refuse(`${id} is ${rs.status}${locked === undefined ? ' and not in rules.lock' : ''}: ${action === 'retire' ? 'only a published version is retired' : 'only a published or retired version is attested'}`);
  return { repo, ruleSet: rs, sha256: locked, dir: roundDir(rulesDir, rs.id, action, locked, action === 'attest' ? 1 : nextRound(repo, rs.id, action, locked)) };
}

/** The round the next change of `action` to this content goes in: one more than the log lines of it so far. */
function nextRound(repo: RuleRepository, id: string, action: 'publish' | 'retire', sha256: string): number {
  return repo.log.lines.filter((l) => l.id === id && l.sha256 === sha256 && (l.action ?? 'publish') === action).length + 1;
}

/** A statement signed by ssh-keygen: its bytes, signature and key. */
export interface SignedStatement {
  statement: ApprovalStatement;
  bytes: Buffer;
  armored: string;
  fingerprint: string;
}

/**
 * Signs the statement of `role` with `keyFile` through ssh-keygen. With
 * signers configured the signature must verify against them (a key the
 * verifier does not trust for this role is refused before anything is
 * written).
 */
export function signChange(role: ApprovalRole, action: ApprovalAction, t: ChangeTarget, review: string | null, principal: string, keyFile: string, policy: ApprovalPolicy | undefined, now = new Date()): SignedStatement {
  const statement: ApprovalStatement = { kind: STATEMENT_KIND.approval, role, action, id: t.ruleSet.id, sha256: t.sha256, review, principal, time: statementTime(now) };
  if (action === 'attest') statement.unsignedLog = unsignedLogHash(t.repo.log.lines, t.ruleSet.id, t.sha256);
  const bytes = statementBytes(statement);
  const namespace = role === 'request' ? ROLE_NAMESPACE.author : ROLE_NAMESPACE.approve;
  const armored = signWithSshKeygen(bytes, namespace, keyFile);
  if (policy) {
    const v = verifyStatement(bytes, armored, namespace, policy.signers);
    if (!v.ok) throw new RcError('SIGNATURE_INVALID', `your signature does not verify against ${policy.signers.file}: ${v.reason}`, { file: keyFile });
    return { statement, bytes, armored, fingerprint: v.fingerprint };
  }
  return { statement, bytes, armored, fingerprint: verifySshSig(armored, bytes, namespace).sig!.publicKey.fingerprint };
}

/** Writes `name` (+ `.sig`) into the round folder; never over an existing file. */
export function writeSigned(dir: string, name: string, s: SignedStatement): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  if (existsSync(file) || existsSync(`${file}.sig`)) throw new RcError('APPROVAL_MISSING', `${file} exists already: a statement is never replaced`, { file });
  writeFileSync(`${file}.sig`, s.armored, { flag: 'wx' });
  writeFileSync(file, s.bytes, { flag: 'wx' });
  return file;
}

/** What a signed publish or retire writes into its log line. */
export interface ApprovedChange {
  sha256: string;
  approvedBy: string;
  review: string | null;
  signatures: LogSignature[];
}

/**
 * Verifies the request and approvals of `action` on `id` against the
 * content as it is now, with four eyes at the verifier's minimum; for a
 * publish the review report of the round is computed again. Returns what
 * the log line records; throws `RcErrors` naming everything missing.
 */
export async function approvedChange(rulesDir: string, id: string, action: 'publish' | 'retire', policy: ApprovalPolicy): Promise<ApprovedChange> {
  const t = changeTarget(rulesDir, id, action);
  const round = readRound(t.dir, action, t.ruleSet.id, t.sha256, policy.signers);
  const eyes = fourEyes([round], round.request, policy.minApprovals);
  const problems = [...round.problems, ...(round.request ? eyes.problems : [])];
  const errors = problems.map((p) => new RcError(round.request ? 'APPROVAL_MISSING' : 'SIGNATURE_INVALID', `${action} of ${t.ruleSet.id}: ${p}`, { file: t.dir }));
  if (action === 'publish' && round.request) {
    const reviewFile = join(t.dir, 'review.json');
    try {
      errors.push(...await recheckReview(readFileSync(reviewFile), reviewFile, t.ruleSet, t.repo.ruleSets));
    } catch { /* a missing review.json is among the round's problems */ }
  }
  if (errors.length) throw new RcErrors(errors);
  return {
    sha256: t.sha256,
    approvedBy: eyes.approvers.map((a) => a.principal).join(', '),
    review: round.review,
    signatures: [round.request!, ...eyes.approvers].map((s) => ({ role: s.role, principal: s.principal, statement: s.statement })),
  };
}
