/**
 * What verification covers (SPEC §11), for a whole rules folder: with
 * signers configured, every published or retired version needs signed log
 * lines whose statements verify, four eyes at the verifier's current
 * minimum, and a status that is the one its last line left; a version
 * published before signatures existed passes only with an after-the-fact
 * approval of its content (`approve ID --attest`). Plain data in, errors
 * out: the folder's reader (compose/rules-dir.ts) decides what they refuse.
 */
import { createHash } from 'node:crypto';
import { RcError } from '../errors.js';
import { canonicalJson } from '../parse/canonical.js';
import type { AllowedSigners } from './allowed-signers.js';
import { fourEyes, readRound, roundDir, roundExists, type Round } from './rounds.js';

/** The verifier's configuration: its trust root and its minimum. */
export interface ApprovalPolicy {
  signers: AllowedSigners;
  /** Distinct approvers each change needs (default 1). */
  minApprovals: number;
}

/** A published or retired version, as the folder holds it. */
export interface VersionOnDisk {
  id: string;
  status: 'published' | 'retired';
  file: string;
}

/** A publish-log line (folder/publish-log.ts), the fields verification reads. */
export interface LoggedChange {
  line: number;
  id: string;
  sha256: string;
  action?: 'publish' | 'retire';
  approvedBy: string;
  publishedAt?: string;
  review: string | null;
  signatures?: { role: string; principal: string; statement: string }[];
}

/** The folder's state verification needs. */
export interface FolderState {
  dir: string;
  versions: readonly VersionOnDisk[];
  lock: Readonly<Record<string, string>>;
  logFile: string;
  log: readonly LoggedChange[];
}

/** Errors, and the versions they concern (refused by evaluate, whatif and issue). */
export interface FolderVerdict {
  errors: RcError[];
  failed: Set<string>;
}

/**
 * The hash an attestation covers: the version's log lines without
 * signatures, in order (null when there are none).
 */
export function unsignedLogHash(log: readonly LoggedChange[], id: string, sha256: string): string | null {
  const lines = log.filter((l) => l.id === id && l.sha256 === sha256 && !l.signatures)
    .map((l) => ({ id: l.id, sha256: l.sha256, approvedBy: l.approvedBy, publishedAt: l.publishedAt ?? null, review: l.review, action: l.action ?? null }));
  return lines.length ? createHash('sha256').update(canonicalJson(lines)).digest('hex') : null;
}

/** Verifies every locked version of the folder against `policy`. */
export function verifyFolderApprovals(state: FolderState, policy: ApprovalPolicy): FolderVerdict {
  const errors: RcError[] = [];
  const failed = new Set<string>();
  const seen = new Map<string, number>();
  for (const v of state.versions) {
    const hash = state.lock[v.id];
    if (hash === undefined) continue; // LOCK_MISSING says it already
    const fail = (code: 'APPROVAL_MISSING' | 'SIGNATURE_INVALID', message: string, line?: number) => {
      failed.add(v.id);
      // at a log line the data path names the version already; at the rule file the message does
      errors.push(line ? new RcError(code, message, { file: state.logFile, line, column: 1, path: v.id }) : new RcError(code, `${v.id}: ${message}`, { file: v.file, path: 'status' }));
    };
    const attestDir = roundDir(state.dir, v.id, 'attest', hash);
    const attest: Round[] = roundExists(attestDir) ? [readRound(attestDir, 'attest', v.id, hash, policy.signers)] : [];
    for (const p of attest.flatMap((r) => r.problems)) fail('SIGNATURE_INVALID', p);
    const unsigned = unsignedLogHash(state.log, v.id, hash);
    for (const a of attest.flatMap((r) => r.approvals)) {
      if (a.unsignedLog !== unsigned) fail('SIGNATURE_INVALID', `${a.file}: the log lines of ${v.id} without signatures are not those ${a.principal} attested (a typed line added, edited or removed since)`);
    }
    const lines = state.log.filter((l) => l.id === v.id && l.sha256 === hash);
    const signed = lines.filter((l) => l.signatures);
    let expected: 'publish' | 'retire' = 'publish';
    const rounds = { publish: 0, retire: 0 };
    for (const l of lines) {
      const action = l.action ?? 'publish';
      rounds[action]++;
      if (action !== expected) fail('APPROVAL_MISSING', `log line ${l.line} records a ${action} where a ${expected} must come first (a line added, duplicated or removed by hand)`, l.line);
      expected = action === 'publish' ? 'retire' : 'publish';
      if (!l.signatures) {
        if (!attest.length) fail('APPROVAL_MISSING', `log line ${l.line} has no signatures (a typed name, or a line written by hand); approve the content after the fact with \`reseller-credits approve ${v.id} --attest\``, l.line);
        continue;
      }
      const round = readRound(roundDir(state.dir, v.id, action, hash, rounds[action]), action, v.id, hash, policy.signers);
      for (const p of round.problems) fail('SIGNATURE_INVALID', p, l.line);
      const verified = [round.request, ...round.approvals].filter((s) => s !== undefined);
      for (const g of l.signatures) {
        if (!verified.some((s) => s.statement === g.statement && s.principal === g.principal && (g.role === 'attest' || s.role === g.role))) {
          fail('SIGNATURE_INVALID', `log line ${l.line} names a ${g.role} by "${g.principal}" (statement ${g.statement.slice(0, 12)}…) that is not among the verified statements of ${round.dir}`, l.line);
        }
      }
      const approvers = l.signatures.filter((g) => g.role === 'approve').map((g) => g.principal).join(', ');
      if (l.approvedBy !== approvers) fail('SIGNATURE_INVALID', `log line ${l.line} says approved by ${JSON.stringify(l.approvedBy)}, but the signatures it lists are by ${JSON.stringify(approvers)} (the line was edited)`, l.line);
      if (l.review !== round.review) fail('SIGNATURE_INVALID', `log line ${l.line} names review ${String(l.review).slice(0, 12)}…, but the signed request covers ${String(round.review).slice(0, 12)}… (the line was edited)`, l.line);
      const req = l.signatures.find((g) => g.role === 'request');
      if (!req) fail('APPROVAL_MISSING', `log line ${l.line} names no signed request`, l.line);
      else if (seen.has(req.statement)) fail('APPROVAL_MISSING', `log line ${l.line} repeats the change of line ${seen.get(req.statement)} (a duplicated line)`, l.line);
      else seen.set(req.statement, l.line);
      const listed = { ...round, approvals: round.approvals.filter((a) => l.signatures!.some((g) => g.statement === a.statement)) };
      const eyes = fourEyes(action === 'publish' ? [listed, ...attest] : [listed], round.request, policy.minApprovals);
      for (const p of eyes.problems) fail('APPROVAL_MISSING', `the ${action} of log line ${l.line}: ${p}`, l.line);
    }
    const last = lines.at(-1)?.action ?? (lines.length ? 'publish' : undefined);
    const wanted = v.status === 'published' ? 'publish' : 'retire';
    if (last !== wanted && (signed.length || v.status === 'retired')) {
      fail('APPROVAL_MISSING', last === undefined
        ? `is ${v.status} but the publish log has no line for it: a lock entry without an approved publish`
        : `is ${v.status}, but the last log line for it records a ${last}: a status changed without a signed ${wanted} (or a log line removed)`);
    } else if (!signed.length) {
      if (!attest.length && !lines.length && roundExists(roundDir(state.dir, v.id, 'publish', hash))) {
        fail('APPROVAL_MISSING', `is ${v.status} and has signed approvals in ${roundDir(state.dir, v.id, 'publish', hash)}, but no log line: a log line was removed`);
      } else if (!attest.length) {
        fail('APPROVAL_MISSING', lines.length
          ? `was published with a typed name only; approve its content after the fact with \`reseller-credits approve ${v.id} --attest\``
          : `is ${v.status} with no approval: a version published before signatures existed needs \`reseller-credits approve ${v.id} --attest\``);
      } else {
        for (const p of fourEyes(attest, undefined, policy.minApprovals).problems) fail('APPROVAL_MISSING', `attestation: ${p}`);
      }
    }
  }
  return { errors, failed };
}
