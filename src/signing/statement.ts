/**
 * Signed statements (SPEC §11): one canonical JSON object per signature, so
 * what a person signed can be read by eye, re-derived by a program, and
 * checked by hand with `ssh-keygen -Y verify`. The file holds exactly
 * `canonicalJson(statement) + "\n"`; any other bytes for the same object are
 * refused, so two files never mean one statement.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../parse/canonical.js';

/** The kinds of statement. */
export const STATEMENT_KIND = {
  approval: 'reseller-credits approval',
  run: 'reseller-credits run',
} as const;

/** The change a request or an approval is about. */
export type ApprovalAction = 'publish' | 'retire' | 'attest';

/** Who signs it: the author's request, or an approver's approval. */
export type ApprovalRole = 'request' | 'approve';

/** A request or an approval of one change to the program. */
export interface ApprovalStatement {
  kind: typeof STATEMENT_KIND.approval;
  role: ApprovalRole;
  action: ApprovalAction;
  /** The version id. */
  id: string;
  /** The content's sha256 as it is (or will be) in rules.lock. */
  sha256: string;
  /** sha256 of the review report's bytes; required for `publish`, null otherwise. */
  review: string | null;
  /** The signer's principal, as named in the verifier's allowed_signers file. */
  principal: string;
  /** UTC, `YYYY-MM-DDTHH:MM:SSZ`: the time key validity is checked at. */
  time: string;
  /**
   * `attest` only: the sha256 of the version's publish-log lines without
   * signatures as they were when attested (null: there were none), so that
   * a typed line added, edited or removed afterwards does not verify.
   */
  unsignedLog?: string | null;
}

/** Any statement: it names its principal and time. */
export interface Statement {
  kind: string;
  principal: string;
  time: string;
  [key: string]: unknown;
}

const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** A time as statements write it: UTC to the second, with `Z`. */
export function statementTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The bytes of a statement file. */
export function statementBytes(s: Statement | ApprovalStatement): Buffer {
  return Buffer.from(`${canonicalJson(s)}\n`, 'utf8');
}

/** sha256 (hex) of a statement file's bytes: what a log line names. */
export function statementSha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads a statement file's bytes back; throws `Error` saying why they are not
 * one (not canonical, no principal, a time that is not UTC).
 */
export function readStatement(bytes: Buffer): Statement {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('is not JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('is not a JSON object');
  if (!statementBytes(v as Statement).equals(bytes)) throw new Error('is not in canonical form (keys sorted, no spaces, one final newline): it was not written by this program');
  const s = v as Statement;
  if (typeof s.kind !== 'string') throw new Error('has no "kind"');
  if (typeof s.principal !== 'string' || s.principal === '') throw new Error('has no "principal"');
  if (typeof s.time !== 'string' || !UTC_SECONDS.test(s.time) || Number.isNaN(Date.parse(s.time))) throw new Error('has no UTC "time" (YYYY-MM-DDTHH:MM:SSZ)');
  return s;
}

/** Checks an approval statement's fields; throws `Error` naming the first that is wrong. */
export function asApproval(s: Statement): ApprovalStatement {
  const a = s as unknown as ApprovalStatement;
  const hex = /^[0-9a-f]{64}$/;
  if (a.kind !== STATEMENT_KIND.approval) throw new Error(`is a "${String(a.kind)}" statement, not an approval`);
  if (a.role !== 'request' && a.role !== 'approve') throw new Error('has no role "request" or "approve"');
  if (a.action !== 'publish' && a.action !== 'retire' && a.action !== 'attest') throw new Error('has no action "publish", "retire" or "attest"');
  if (typeof a.id !== 'string' || a.id === '') throw new Error('names no version id');
  if (typeof a.sha256 !== 'string' || !hex.test(a.sha256)) throw new Error('names no content sha256');
  if (a.action === 'publish' ? typeof a.review !== 'string' || !hex.test(a.review) : a.review !== null && !(typeof a.review === 'string' && hex.test(a.review))) {
    throw new Error(a.action === 'publish' ? 'names no review report sha256 (required to publish)' : 'has a malformed review sha256');
  }
  if (a.action === 'attest' ? !(a.unsignedLog === null || (typeof a.unsignedLog === 'string' && hex.test(a.unsignedLog))) : a.unsignedLog !== undefined) {
    throw new Error(a.action === 'attest' ? 'names no "unsignedLog" (null or a sha256)' : 'has "unsignedLog", which only an attestation has');
  }
  const known = new Set(['kind', 'role', 'action', 'id', 'sha256', 'review', 'principal', 'time', 'unsignedLog']);
  const extra = Object.keys(s).filter((k) => !known.has(k));
  if (extra.length) throw new Error(`has unknown field(s) ${extra.join(', ')}`);
  return a;
}
