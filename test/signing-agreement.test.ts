/**
 * SPEC §11: the in-process verifier gives `ssh-keygen -Y verify`'s verdict.
 * Keys are made by ssh-keygen here, statements are signed by ssh-keygen (one
 * key passphrase-protected, reached through an ssh-agent this file starts),
 * and every row is checked by both verifiers on the same files: a good
 * signature, wrong namespace, wrong principal, expired and not-yet-valid key,
 * a role the trust file does not grant, an altered statement, an unknown key.
 * RSA signatures with rsa-sha2-256 and the refused ssh-rsa (SHA-1) are built
 * by hand, since ssh-keygen itself always signs with rsa-sha2-512.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RcError } from '../src/errors.js';
import { parseAllowedSigners } from '../src/signing/allowed-signers.js';
import { ROLE_NAMESPACE } from '../src/signing/roles.js';
import { signWithSshKeygen } from '../src/signing/sign.js';
import { parseSshSig, dearmor, signedData, verifySshSig } from '../src/signing/sshsig.js';
import { statementBytes, STATEMENT_KIND, type ApprovalStatement } from '../src/signing/statement.js';
import { verifyStatement } from '../src/signing/verify.js';
import { WireWriter } from '../src/signing/wire.js';
import { addToAgent, makeKey, sshKeygenCheck, sshKeygenVerify, startAgent, type TestKey } from './support/ssh.js';
import { tempDir } from './support/temp.js';

const dir = tempDir('rc-sig-');
const AUTHOR = ROLE_NAMESPACE.author;
const APPROVE = ROLE_NAMESPACE.approve;
const TIME = '2026-12-07T10:00:00Z';

const statement = (principal: string, over: Partial<ApprovalStatement> = {}): ApprovalStatement => ({
  kind: STATEMENT_KIND.approval, role: 'request', action: 'publish', id: '2027-01',
  sha256: 'a'.repeat(64), review: 'b'.repeat(64), principal, time: TIME, ...over,
});

const ALGS: [string, string, number?][] = [
  ['ed25519', 'ed25519'], ['ecdsa256', 'ecdsa', 256], ['ecdsa384', 'ecdsa', 384], ['ecdsa521', 'ecdsa', 521], ['rsa', 'rsa', 2048],
];
const keys: Record<string, TestKey> = {};
let other: TestKey;

beforeAll(() => {
  for (const [name, type, bits] of ALGS) keys[name] = makeKey(dir, name, type, bits);
  other = makeKey(dir, 'other', 'ed25519');
});

/** One row: the trust file's line(s), what is signed, what is checked. */
interface Row {
  name: string;
  signers: (pub: string) => string;
  signed: ApprovalStatement;
  signNamespace?: string;
  verifyNamespace?: string;
  /** Bytes handed to the verifiers instead of those signed. */
  alter?: (b: Buffer) => Buffer;
  expected: boolean;
}

const ROWS: Row[] = [
  { name: 'good signature', signers: (k) => `alice namespaces="${AUTHOR}" ${k}`, signed: statement('alice'), expected: true },
  { name: 'good: several principals, several namespaces', signers: (k) => `bob,alice namespaces="${APPROVE},${AUTHOR}" ${k}`, signed: statement('alice'), expected: true },
  { name: 'wrong namespace (signed as author, checked as approver)', signers: (k) => `alice ${k}`, signed: statement('alice'), verifyNamespace: APPROVE, expected: false },
  { name: 'wrong principal (alice\'s key claims to be mallory)', signers: (k) => `alice ${k}\nmallory ${other.pub}`, signed: statement('mallory'), expected: false },
  { name: 'expired key', signers: (k) => `alice valid-before="20261207095959Z" ${k}`, signed: statement('alice'), expected: false },
  { name: 'key valid until the very second', signers: (k) => `alice valid-before="20261207100000Z" ${k}`, signed: statement('alice'), expected: true },
  { name: 'key not yet valid', signers: (k) => `alice valid-after="20261207100001Z" ${k}`, signed: statement('alice'), expected: false },
  { name: 'role not granted (approver key used to request)', signers: (k) => `alice namespaces="${APPROVE}" ${k}`, signed: statement('alice'), expected: false },
  { name: 'negated namespace', signers: (k) => `alice namespaces="reseller-credits-*,!${AUTHOR}" ${k}`, signed: statement('alice'), expected: false },
  { name: 'altered statement (another content hash)', signers: (k) => `alice ${k}`, signed: statement('alice'), alter: (b) => Buffer.from(b.toString().replace('"aaaa', '"caaa')), expected: false },
  { name: 'unknown key', signers: () => `alice ${other.pub}`, signed: statement('alice'), expected: false },
];

describe.each(ALGS.map(([n]) => n))('%s: in-process verdict equals ssh-keygen -Y verify', (alg) => {
  it.each(ROWS)('$name', (row) => {
    const key = keys[alg]!;
    const case_ = join(dir, `${alg}-${row.name.replace(/\W+/g, '_')}`);
    const bytes = statementBytes(row.signed);
    const armored = signWithSshKeygen(bytes, row.signNamespace ?? AUTHOR, key.file);
    const sigFile = `${case_}.sig`;
    writeFileSync(sigFile, armored);
    const signersFile = `${case_}.signers`;
    writeFileSync(signersFile, `${row.signers(key.pub)}\n`);
    const message = row.alter ? row.alter(bytes) : bytes;
    const ns = row.verifyNamespace ?? AUTHOR;
    const ours = verifyStatement(message, armored, ns, parseAllowedSigners(readFileSync(signersFile, 'utf8'), signersFile));
    const theirs = sshKeygenVerify({ signers: signersFile, principal: row.signed.principal, namespace: ns, sigFile, message, time: TIME });
    expect({ ours: ours.ok, theirs }).toEqual({ ours: row.expected, theirs: row.expected });
    if (!ours.ok) expect(ours.reason).not.toBe('');
  });
});

describe('the algorithm of each signature', () => {
  it('ssh-keygen signs RSA with rsa-sha2-512, and each ECDSA curve with its own key type', () => {
    const types = Object.fromEntries(ALGS.map(([n]) => {
      const sig = parseSshSig(dearmor(signWithSshKeygen(Buffer.from('x'), AUTHOR, keys[n]!.file)));
      const inner = sig.signature;
      return [n, inner.subarray(4, 4 + inner.readUInt32BE(0)).toString()];
    }));
    expect(types).toEqual({ ed25519: 'ssh-ed25519', ecdsa256: 'ecdsa-sha2-nistp256', ecdsa384: 'ecdsa-sha2-nistp384', ecdsa521: 'ecdsa-sha2-nistp521', rsa: 'rsa-sha2-512' });
  });

  /** An SSHSIG made by hand with an RSA key and a chosen RSA signature algorithm. */
  function handMadeRsa(key: TestKey, sigAlg: string, hash: string, message: Buffer, hashAlg = 'sha512'): string {
    const priv = createPrivateKey(readFileSync(key.file));
    const pubBlob = Buffer.from(key.pub.split(' ')[1]!, 'base64');
    const raw = cryptoSign(hash, signedData(AUTHOR, hashAlg, message), priv);
    const inner = new WireWriter().string(sigAlg).string(raw).done();
    const blob = new WireWriter().raw('SSHSIG').u32(1).string(pubBlob).string(AUTHOR).string(Buffer.alloc(0)).string(hashAlg).string(inner).done();
    const b64 = blob.toString('base64').replace(/(.{70})/g, '$1\n').replace(/\n$/, '');
    return `-----BEGIN SSH SIGNATURE-----\n${b64}\n-----END SSH SIGNATURE-----\n`;
  }

  it.each([
    ['rsa-sha2-256', 'sha256', 'sha512', true],
    ['rsa-sha2-512', 'sha512', 'sha256', true],
    ['ssh-rsa (SHA-1), refused by OpenSSH', 'sha1', 'sha512', false],
  ])('RSA signature %s: both verifiers agree', (label, hash, hashAlg, expected) => {
    const key = makeKey(dir, `pem-${hash}`, 'rsa', 2048);
    // ssh-keygen writes an OpenSSH private key; -p -m PEM rewrites it as PKCS#1, which node:crypto reads
    execFileSync('ssh-keygen', ['-q', '-p', '-N', '', '-m', 'PEM', '-f', key.file]);
    const sigAlg = label.split(' ')[0]!;
    const message = Buffer.from('statement\n');
    const armored = handMadeRsa(key, sigAlg, hash, message, hashAlg);
    const sigFile = join(dir, `hand-${hash}.sig`);
    writeFileSync(sigFile, armored);
    const ours = verifySshSig(armored, message, AUTHOR);
    expect({ ours: ours.ok, theirs: sshKeygenCheck(AUTHOR, sigFile, message) }).toEqual({ ours: expected, theirs: expected });
    if (!expected) expect(ours.ok ? '' : ours.reason).toContain('ssh-rsa is not accepted');
  });
});

describe('signing through ssh-agent', () => {
  it('a passphrase-protected key held by an agent the test started signs without a prompt; both verifiers accept it', () => {
    const env = startAgent(dir);
    const key = makeKey(dir, 'locked', 'ed25519', undefined, 'correct horse');
    addToAgent(env, dir, key, 'correct horse');
    const bytes = statementBytes(statement('carol', { role: 'approve' }));
    // the public key file is enough: ssh-keygen finds the private half in the agent
    const armored = signWithSshKeygen(bytes, APPROVE, `${key.file}.pub`, { env });
    const signersFile = join(dir, 'agent.signers');
    writeFileSync(signersFile, `carol namespaces="${APPROVE}" ${key.pub}\n`);
    const sigFile = join(dir, 'agent.sig');
    writeFileSync(sigFile, armored);
    const ours = verifyStatement(bytes, armored, APPROVE, parseAllowedSigners(readFileSync(signersFile, 'utf8'), signersFile));
    expect(ours.ok).toBe(true);
    expect(sshKeygenVerify({ signers: signersFile, principal: 'carol', namespace: APPROVE, sigFile, message: bytes, time: TIME })).toBe(true);
  });

  it('without the agent the locked key cannot sign: SIGN_FAILED with ssh-keygen\'s words, no prompt hangs', () => {
    const key = makeKey(dir, 'locked2', 'ed25519', undefined, 'secret');
    const env = { ...process.env, SSH_AUTH_SOCK: join(dir, 'no-agent.sock') };
    const err = (() => {
      try {
        signWithSshKeygen(Buffer.from('x'), AUTHOR, key.file, { env, interactive: false });
      } catch (e) {
        return e;
      }
    })() as RcError;
    expect(err).toBeInstanceOf(RcError);
    expect(err.code).toBe('SIGN_FAILED');
  });

  it('a missing ssh-keygen is named with the package to install', () => {
    expect(() => signWithSshKeygen(Buffer.from('x'), AUTHOR, keys.ed25519!.file, { sshKeygen: join(dir, 'no-such-ssh-keygen') }))
      .toThrow(/ssh-keygen was not found: install OpenSSH/);
  });
});
