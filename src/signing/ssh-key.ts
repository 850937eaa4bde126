/**
 * SSH public keys (RFC 4253 §6.6, RFC 5656, PROTOCOL.u2f) read from their wire
 * blob and turned into node:crypto keys through JWK, which Node accepts for
 * every type OpenSSH signs with here. Certificates are refused: an
 * `allowed_signers` file names plain keys (SPEC §11).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { WireError, WireReader } from './wire.js';

/** ECDSA curves: SSH name → JWK name, coordinate length, hash. */
const CURVES: Record<string, { crv: string; size: number; hash: string }> = {
  nistp256: { crv: 'P-256', size: 32, hash: 'sha256' },
  nistp384: { crv: 'P-384', size: 48, hash: 'sha384' },
  nistp521: { crv: 'P-521', size: 66, hash: 'sha512' },
};

/** The key types verified here: what `ssh-keygen -Y verify` accepts on this machine. */
export const KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

/** One of `KEY_TYPES`. */
export type KeyType = (typeof KEY_TYPES)[number];

/** OpenSSH refuses smaller RSA moduli (SSH_RSA_MINIMUM_MODULUS_SIZE). */
const RSA_MIN_BITS = 1024;

/** A parsed public key. */
export interface SshPublicKey {
  type: KeyType;
  /** The wire blob, as in `authorized_keys` after base64 decoding. */
  blob: Buffer;
  /** The key's identity: its type and its numbers, independent of encoding details. */
  identity: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** The key for node:crypto. */
  key: KeyObject;
  /** ECDSA: the curve's coordinate size and hash. */
  curve?: { size: number; hash: string };
  /** Hardware keys: the FIDO application string (usually `ssh:`). */
  application?: string;
  /** RSA: modulus length in bytes (signatures are left-padded to it). */
  modulusBytes?: number;
}

const b64url = (b: Buffer): string => b.toString('base64url');

/** Parses a public key blob; throws `WireError` saying what is wrong. */
export function parsePublicKeyBlob(blob: Buffer): SshPublicKey {
  const r = new WireReader(blob);
  const type = r.text('key type');
  if (/-cert-v0\d@openssh\.com$/.test(type)) throw new WireError(`certificates are not accepted (${type}): name the plain key`);
  if (!(KEY_TYPES as readonly string[]).includes(type)) throw new WireError(`key type ${type} is not supported`);
  const kt = type as KeyType;
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  const base = { type: kt, blob, fingerprint };
  if (kt === 'ssh-ed25519' || kt === 'sk-ssh-ed25519@openssh.com') {
    const pk = r.string('ed25519 key');
    if (pk.length !== 32) throw new WireError('ed25519 key: must be 32 bytes');
    const application = kt === 'sk-ssh-ed25519@openssh.com' ? r.text('application') : undefined;
    r.end('public key');
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(pk) }, format: 'jwk' });
    return { ...base, identity: `${kt} ${pk.toString('hex')} ${application ?? ''}`, key, application };
  }
  if (kt === 'ssh-rsa') {
    const e = r.mpint('rsa exponent');
    const n = r.mpint('rsa modulus');
    r.end('public key');
    const bits = n.length * 8 - Math.clz32(n[0] ?? 0) + 24;
    if (n.length === 0 || bits < RSA_MIN_BITS) throw new WireError(`rsa key: ${Math.max(bits, 0)} bits, OpenSSH needs at least ${RSA_MIN_BITS}`);
    const key = createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) }, format: 'jwk' });
    return { ...base, identity: `${kt} ${e.toString('hex')} ${n.toString('hex')}`, key, modulusBytes: n.length };
  }
  // ecdsa-sha2-nistpNNN and sk-ecdsa-sha2-nistp256@openssh.com
  const curveName = r.text('curve name');
  const wanted = kt.startsWith('sk-') ? 'nistp256' : kt.slice('ecdsa-sha2-'.length);
  if (curveName !== wanted) throw new WireError(`ecdsa key: curve ${curveName} does not match key type ${kt}`);
  const curve = CURVES[curveName]!;
  const q = r.string('ecdsa point');
  if (q.length !== 1 + 2 * curve.size || q[0] !== 4) throw new WireError('ecdsa key: not an uncompressed point of its curve');
  const application = kt.startsWith('sk-') ? r.text('application') : undefined;
  r.end('public key');
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: { kty: 'EC', crv: curve.crv, x: b64url(q.subarray(1, 1 + curve.size)), y: b64url(q.subarray(1 + curve.size)) },
      format: 'jwk',
    });
  } catch {
    throw new WireError('ecdsa key: the point is not on its curve');
  }
  return { ...base, identity: `${kt} ${q.toString('hex')} ${application ?? ''}`, key, curve: { size: curve.size, hash: curve.hash }, application };
}

/**
 * Parses the `TYPE BASE64 [COMMENT]` form of `authorized_keys`, `.pub` files
 * and `allowed_signers`. The type written before the blob must be the blob's
 * own, as `sshkey_read` requires.
 */
export function parsePublicKeyText(text: string): SshPublicKey & { comment: string } {
  const m = /^\s*(\S+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+(.*))?$/.exec(text.replace(/\r?\n$/, ''));
  if (!m) throw new WireError('not a public key (expected "TYPE BASE64 [COMMENT]")');
  const blob = Buffer.from(m[2]!, 'base64');
  if (blob.toString('base64') !== m[2]) throw new WireError('public key: malformed base64');
  const key = parsePublicKeyBlob(blob);
  if (key.type !== m[1]) throw new WireError(`public key: the text says ${m[1]} but the key is ${key.type}`);
  return { ...key, comment: (m[3] ?? '').trim() };
}
