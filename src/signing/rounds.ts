/**
 * One change's signatures on disk (SPEC §11):
 * `rules/approvals/<id>/<action>-<first 12 hex of the content sha256>/`
 * holds `request.json` + `.sig` (the author's), `approve-<principal>.json` +
 * `.sig` (each approver's) and, for a publish, the `review.json` they cover.
 * Plain files a reviewer can read and check by hand with `ssh-keygen -Y
 * verify`. A version published, retired and published again keeps each
 * round in its own folder.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AllowedSigners } from './allowed-signers.js';
import { ROLE_NAMESPACE } from './roles.js';
import { verifySshSig } from './sshsig.js';
import { asApproval, readStatement, statementSha256, type ApprovalAction, type ApprovalStatement } from './statement.js';
import { verifyStatement } from './verify.js';

/** The approvals folder inside the rules folder. */
export const APPROVALS_DIR = 'approvals';

/** A principal as it may appear in a file name: no path separators, no dot-dot. */
export const PRINCIPAL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

/** The largest statement, signature or review file read from a round (bytes). */
const MAX_ROUND_FILE = 8 * 1024 * 1024;

/**
 * The folder of one change. `round` counts the changes of this action to
 * this content (from 1): a version published, retired and published again
 * keeps its second publish in `publish-<sha12>-2`.
 */
export function roundDir(rulesDir: string, id: string, action: ApprovalAction, sha256: string, round = 1): string {
  return join(rulesDir, APPROVALS_DIR, id, `${action}-${sha256.slice(0, 12)}${round > 1 ? `-${round}` : ''}`);
}

/** One verified signature of a round. */
export interface RoundSignature {
  role: 'request' | 'approve';
  principal: string;
  /** `SHA256:…` of the key, or null when no signers were given (signature checked, holder not). */
  fingerprint: string;
  /** sha256 of the statement file: what the log line names. */
  statement: string;
  time: string;
  file: string;
  /** Attestations: the hash of the unsigned log lines they cover. */
  unsignedLog?: string | null;
}

/** What a round folder holds, verified. */
export interface Round {
  dir: string;
  action: ApprovalAction;
  request?: RoundSignature;
  approvals: RoundSignature[];
  /** sha256 of review.json (publish), from the request. */
  review: string | null;
  /** Why a file of the round does not count; empty when every file verified. */
  problems: string[];
}

/** The bytes of a regular file of a round; a symbolic link or anything else is refused. */
function readRegular(file: string): Buffer {
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st) throw new Error(`${file} is missing`);
  if (!st.isFile()) throw new Error(`${file} is not a regular file (symbolic links are not followed)`);
  if (st.size > MAX_ROUND_FILE) throw new Error(`${file} is larger than ${MAX_ROUND_FILE} bytes`);
  return readFileSync(file);
}

/** Whether `dir` exists (as a real folder). */
export function roundExists(dir: string): boolean {
  try {
    return lstatSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads and verifies the round `dir` of change `action` to version `id` with
 * content `sha256`. Each statement must be canonical, name exactly this
 * change, be signed in its role's namespace and, with `signers`, by a key
 * the verifier's file lists for its principal at its time. Without signers
 * only the signature itself is checked (who holds the key is not).
 */
export function readRound(dir: string, action: ApprovalAction, id: string, sha256: string, signers: AllowedSigners | null): Round {
  const round: Round = { dir, action, approvals: [], review: null, problems: [] };
  let names: string[];
  try {
    if (!lstatSync(dir).isDirectory()) throw new Error('not a folder');
    names = readdirSync(dir).sort();
  } catch {
    round.problems.push(`${dir} is missing (no signed ${action === 'attest' ? 'attestation' : 'request'} for this content)`);
    return round;
  }
  const one = (name: string, role: 'request' | 'approve'): RoundSignature | undefined => {
    const file = join(dir, name);
    let bytes: Buffer;
    let armored: string;
    try {
      bytes = readRegular(file);
      armored = readRegular(`${file}.sig`).toString('utf8');
    } catch (err) {
      round.problems.push((err as Error).message);
      return undefined;
    }
    const namespace = role === 'request' ? ROLE_NAMESPACE.author : ROLE_NAMESPACE.approve;
    let st: ApprovalStatement;
    try {
      st = asApproval(readStatement(bytes));
    } catch (err) {
      round.problems.push(`${file}: the statement ${(err as Error).message}`);
      return undefined;
    }
    const wrong = st.role !== role ? `role "${st.role}"` : st.action !== action ? `action "${st.action}"` : st.id !== id ? `version "${st.id}"`
      : st.sha256 !== sha256 ? `content ${st.sha256.slice(0, 12)}…` : '';
    if (wrong) {
      round.problems.push(`${file}: names ${wrong}, not the ${action} of ${id} with content ${sha256.slice(0, 12)}…`);
      return undefined;
    }
    if (role === 'approve' && name !== `approve-${st.principal}.json`) {
      round.problems.push(`${file}: signed by "${st.principal}", but the file name says otherwise`);
      return undefined;
    }
    let fingerprint: string;
    if (signers) {
      const v = verifyStatement(bytes, armored, namespace, signers);
      if (!v.ok) {
        round.problems.push(`${file}: ${v.reason}`);
        return undefined;
      }
      fingerprint = v.fingerprint;
    } else {
      const v = verifySshSig(armored, bytes, namespace);
      if (!v.ok) {
        round.problems.push(`${file}: ${v.reason}`);
        return undefined;
      }
      fingerprint = v.sig!.publicKey.fingerprint;
    }
    if (role === 'approve' && round.request && st.review !== round.review) {
      round.problems.push(`${file}: approves another review report than the request names`);
      return undefined;
    }
    if (role === 'request') round.review = st.review;
    return { role, principal: st.principal, fingerprint, statement: statementSha256(bytes), time: st.time, file, ...(st.unsignedLog !== undefined ? { unsignedLog: st.unsignedLog } : {}) };
  };
  if (action !== 'attest') {
    if (!names.includes('request.json')) round.problems.push(`${join(dir, 'request.json')} is missing: no signed request for this change`);
    else round.request = one('request.json', 'request');
    if (action === 'publish' && round.request) {
      try {
        const review = readRegular(join(dir, 'review.json'));
        if (statementSha256(review) !== round.review) round.problems.push(`${join(dir, 'review.json')} is not the review report the request was signed for`);
      } catch (err) {
        round.problems.push(`${(err as Error).message}: the review report the request was signed for`);
      }
    }
  }
  for (const name of names.filter((n) => /^approve-.*\.json$/.test(n))) {
    const sig = one(name, 'approve');
    if (sig) round.approvals.push(sig);
  }
  const stray = names.filter((n) => !/^(request|approve-.+)\.json(\.sig)?$/.test(n) && n !== 'review.json');
  for (const n of stray) round.problems.push(`${join(dir, n)} does not belong in an approvals folder`);
  return round;
}

/**
 * Four eyes (SPEC §11): at least `min` approvers, distinct by principal and
 * by key, none of them the author (by principal or by key). `rounds` are
 * the rounds that count for one content (its publish or retire round and
 * any attestations). Returns what is missing, or an empty list.
 */
export function fourEyes(rounds: readonly Round[], author: RoundSignature | undefined, min: number): { approvers: RoundSignature[]; problems: string[] } {
  const problems: string[] = [];
  const approvers: RoundSignature[] = [];
  for (const a of rounds.flatMap((r) => r.approvals)) {
    if (author && (a.principal === author.principal || a.fingerprint === author.fingerprint)) {
      problems.push(`${a.file}: the author ("${author.principal}") cannot approve their own change`);
      continue;
    }
    if (approvers.some((b) => b.principal === a.principal || b.fingerprint === a.fingerprint)) continue; // one approval per person and per key
    approvers.push(a);
  }
  if (approvers.length < min) {
    problems.push(`${approvers.length} distinct approval(s), ${min} required (--min-approvals${min > 1 ? '' : ', default 1'}): ask another approver (\`reseller-credits approve\`)`);
  }
  return { approvers, problems };
}
