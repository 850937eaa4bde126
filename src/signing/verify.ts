/**
 * One signed statement checked against the verifier's trust root: the
 * signature is good (`sshsig.ts`), made in the role's namespace, by a key the
 * allowed_signers file lists for the statement's principal, valid at the
 * statement's time. The verdict `ssh-keygen -Y verify -f SIGNERS -I PRINCIPAL
 * -n NAMESPACE -s SIG -Overify-time=TIME` gives for the same files.
 */
import { findSigner, type AllowedSigners } from './allowed-signers.js';
import { readStatement, type Statement } from './statement.js';
import { verifySshSig } from './sshsig.js';

/** A verified statement: what it says and which key said it. */
export interface VerifiedStatement {
  statement: Statement;
  principal: string;
  /** `SHA256:…` of the key that signed. */
  fingerprint: string;
  /** The allowed_signers line that trusted it. */
  signersLine: number;
}

/** The result: verified, or why not. */
export type StatementVerdict = ({ ok: true } & VerifiedStatement) | { ok: false; reason: string };

/** Seconds since the epoch of a statement's UTC time. */
export function statementSeconds(time: string): number {
  return Math.floor(Date.parse(time) / 1000);
}

/**
 * Verifies statement file bytes `bytes` with armored signature `armored`
 * in `namespace` against `signers`. Never throws for bad input.
 */
export function verifyStatement(bytes: Buffer, armored: string, namespace: string, signers: AllowedSigners): StatementVerdict {
  let statement: Statement;
  try {
    statement = readStatement(bytes);
  } catch (err) {
    return { ok: false, reason: `the statement ${(err as Error).message}` };
  }
  const sig = verifySshSig(armored, bytes, namespace);
  if (!sig.ok) return { ok: false, reason: `signature of "${statement.principal}": ${sig.reason}` };
  const key = sig.sig!.publicKey;
  const found = findSigner(signers, key, statement.principal, namespace, statementSeconds(statement.time));
  if (!found.ok) return { ok: false, reason: found.reason };
  return { ok: true, statement, principal: statement.principal, fingerprint: key.fingerprint, signersLine: found.line.line };
}
