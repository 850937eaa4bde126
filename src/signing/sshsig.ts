/**
 * The SSHSIG signature format (OpenSSH PROTOCOL.sshsig), verified in-process
 * with node:crypto. The checks follow OpenSSH's `sshsig_wrap_verify` and the
 * per-type verifiers one for one (magic, version, namespace, hash algorithm,
 * RSA signature algorithm, trailing data, signature type equal to key type)
 * so the verdict is `ssh-keygen -Y verify`'s; test/signing-agreement.test.ts
 * runs both on the same signatures.
 */
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { parsePublicKeyBlob, type SshPublicKey } from './ssh-key.js';
import { WireError, WireReader, WireWriter } from './wire.js';

const MAGIC = 'SSHSIG';
const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';
const HASH_ALGS = ['sha256', 'sha512'];
const WEBAUTHN_TYPE = 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com';
const WEBAUTHN_0 = '{"type":"webauthn.get","challenge":"';
const WEBAUTHN_1 = '","origin":"';
const WEBAUTHN_2 = '"';
const RSA_SIG_ALGS: Record<string, string> = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' };

/** A parsed (not yet verified) SSHSIG blob. */
export interface SshSig {
  publicKey: SshPublicKey;
  namespace: string;
  hashAlg: string;
  /** The inner signature blob (type, signature, and for hardware keys flags and counter). */
  signature: Buffer;
}

/** Hardware-key details of a verified signature. */
export interface SkDetails {
  flags: number;
  counter: number;
}

/**
 * The base64 body between the armor lines, as `sshsig_dearmor` reads it: the
 * header, then a CR LF or LF, then everything up to the LF before the footer.
 */
export function dearmor(text: string): Buffer {
  if (!text.startsWith(BEGIN)) throw new WireError('not an SSH signature: missing "-----BEGIN SSH SIGNATURE-----"');
  let rest = text.slice(BEGIN.length);
  if (rest.startsWith('\r\n')) rest = rest.slice(2);
  else if (rest.startsWith('\n')) rest = rest.slice(1);
  else throw new WireError('SSH signature: no line end after the header');
  const end = rest.indexOf(`\n${END}`);
  if (end < 0) throw new WireError('SSH signature: missing "-----END SSH SIGNATURE-----"');
  const b64 = rest.slice(0, end).replace(/[\r\n\t ]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new WireError('SSH signature: malformed base64');
  return Buffer.from(b64, 'base64');
}

/** Parses the SSHSIG blob (after `dearmor`). */
export function parseSshSig(blob: Buffer): SshSig {
  const r = new WireReader(blob);
  if (r.bytes(MAGIC.length, 'SSHSIG magic').toString('latin1') !== MAGIC) throw new WireError('not an SSHSIG blob (bad magic)');
  const version = r.u32('version');
  if (version > 1) throw new WireError(`SSHSIG version ${version} is newer than supported (1)`);
  const publicKey = parsePublicKeyBlob(r.string('public key'));
  const namespace = r.text('namespace');
  r.string('reserved');
  const hashAlg = r.text('hash algorithm');
  const signature = r.string('signature');
  r.end('SSHSIG blob');
  return { publicKey, namespace, hashAlg, signature };
}

/** The bytes the key actually signed: SSHSIG's "signed data" for `message`. */
export function signedData(namespace: string, hashAlg: string, message: Buffer): Buffer {
  const h = createHash(hashAlg).update(message).digest();
  return new WireWriter().raw(MAGIC).string(namespace).string(Buffer.alloc(0)).string(hashAlg).string(h).done();
}

/** Why a signature does not verify, or null with the hardware details when it does. */
export type SigVerdict = { ok: true; sk?: SkDetails } | { ok: false; reason: string };

/**
 * Verifies the armored signature `armored` over `message` in `namespace`.
 * Says nothing about who holds the key: that is `allowed-signers.ts`.
 */
export function verifySshSig(armored: string, message: Buffer, namespace: string): SigVerdict & { sig?: SshSig } {
  let sig: SshSig;
  try {
    sig = parseSshSig(dearmor(armored));
  } catch (err) {
    if (err instanceof WireError) return { ok: false, reason: err.message };
    throw err;
  }
  if (sig.namespace !== namespace) return { ok: false, reason: `signed for namespace "${sig.namespace}", not "${namespace}"`, sig };
  if (!HASH_ALGS.includes(sig.hashAlg)) return { ok: false, reason: `hash algorithm ${sig.hashAlg} is not accepted`, sig };
  try {
    const verdict = verifyRaw(sig.publicKey, sig.signature, signedData(namespace, sig.hashAlg, message));
    return { ...verdict, sig };
  } catch (err) {
    if (err instanceof WireError) return { ok: false, reason: err.message, sig };
    throw err;
  }
}

/** An ECDSA (r, s) pair as IEEE P1363 (fixed-width r || s), the form node:crypto takes. */
function p1363(inner: Buffer, size: number): Buffer {
  const r = new WireReader(inner);
  const rs = [r.mpint('ecdsa r'), r.mpint('ecdsa s')];
  r.end('ecdsa signature');
  return Buffer.concat(rs.map((n) => {
    if (n.length > size) throw new WireError('ecdsa signature: number too large for its curve');
    return Buffer.concat([Buffer.alloc(size - n.length), n]);
  }));
}

/** One key type's signature check over `data` (sshkey_verify). */
function verifyRaw(key: SshPublicKey, sigBlob: Buffer, data: Buffer): SigVerdict {
  const r = new WireReader(sigBlob);
  const sigType = r.text('signature type');
  const bad: SigVerdict = { ok: false, reason: 'the signature does not match the signed content' };
  if (key.type === 'ssh-rsa') {
    const hash = RSA_SIG_ALGS[sigType];
    if (!hash) return { ok: false, reason: `RSA signature algorithm ${sigType} is not accepted (rsa-sha2-256 or rsa-sha2-512)` };
    const s = r.string('rsa signature');
    r.end('rsa signature');
    if (s.length > key.modulusBytes! || s.length === 0) return bad;
    const padded = Buffer.concat([Buffer.alloc(key.modulusBytes! - s.length), s]);
    return cryptoVerify(hash, data, key.key, padded) ? { ok: true } : bad;
  }
  const webauthn = sigType === WEBAUTHN_TYPE && key.type === 'sk-ecdsa-sha2-nistp256@openssh.com';
  if (sigType !== key.type && !webauthn) return { ok: false, reason: `signature type ${sigType} does not match key type ${key.type}` };
  if (key.type === 'ssh-ed25519') {
    const s = r.string('ed25519 signature');
    r.end('ed25519 signature');
    if (s.length !== 64) return bad;
    return cryptoVerify(null, data, key.key, s) ? { ok: true } : bad;
  }
  if (key.type.startsWith('ecdsa-')) {
    const s = p1363(r.string('ecdsa signature'), key.curve!.size);
    r.end('ecdsa signature');
    return cryptoVerify(key.curve!.hash, data, { key: key.key, dsaEncoding: 'ieee-p1363' }, s) ? { ok: true } : bad;
  }
  // Hardware keys (PROTOCOL.u2f): the authenticator signs
  // sha256(application) || flags || counter || extensions || sha256(data),
  // where a web browser's (webauthn) signature replaces `data` by the
  // clientDataJSON it wrapped the challenge in (ssh-ecdsa-sk.c).
  const inner = r.string('sk signature');
  const flags = r.u8('sk flags');
  const counter = r.u32('sk counter');
  let msgHash: Buffer = createHash('sha256').update(data).digest();
  let extensions: Buffer = Buffer.alloc(0);
  if (webauthn) {
    const origin = r.text('webauthn origin');
    const wrapper = r.string('webauthn client data');
    extensions = r.string('webauthn extensions');
    const prefix = `${WEBAUTHN_0}${data.toString('base64url')}${WEBAUTHN_1}${origin}${WEBAUTHN_2}`;
    if (origin.includes('"') || (flags & 0x40) !== 0 || ((flags & 0x80) === 0) !== (extensions.length === 0)
      || !wrapper.subarray(0, prefix.length).equals(Buffer.from(prefix, 'latin1'))) {
      return { ok: false, reason: 'webauthn signature: its client data does not wrap the signed content' };
    }
    msgHash = createHash('sha256').update(wrapper).digest();
  }
  r.end('sk signature');
  const sk = { flags, counter };
  const signed = new WireWriter()
    .raw(createHash('sha256').update(key.application!, 'latin1').digest())
    .u8(flags).u32(counter).raw(extensions)
    .raw(msgHash)
    .done();
  if (key.type === 'sk-ssh-ed25519@openssh.com') {
    if (inner.length !== 64) return bad;
    return cryptoVerify(null, signed, key.key, inner) ? { ok: true, sk } : bad;
  }
  const s = p1363(inner, key.curve!.size);
  return cryptoVerify('sha256', signed, { key: key.key, dsaEncoding: 'ieee-p1363' }, s) ? { ok: true, sk } : bad;
}
