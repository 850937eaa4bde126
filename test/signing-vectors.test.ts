/**
 * The in-process SSHSIG verifier on OpenSSH's own regression vectors
 * (test/fixtures/sshsig-openssh/ORIGIN.md), including the hardware-key types
 * that cannot be signed here without a device, and on hostile blobs made by
 * changing a good signature: each verdict equals `ssh-keygen -Y
 * check-novalidate`'s on the same bytes, and nothing throws.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSigner, parseAllowedSigners } from '../src/signing/allowed-signers.js';
import { parsePublicKeyText } from '../src/signing/ssh-key.js';
import { dearmor, verifySshSig } from '../src/signing/sshsig.js';
import { WireWriter } from '../src/signing/wire.js';
import { sshKeygenCheck, sshKeygenVerify } from './support/ssh.js';
import { tempDir } from './support/temp.js';

const FIX = 'test/fixtures/sshsig-openssh';
const message = readFileSync(join(FIX, 'signed-data'));
const ns = readFileSync(join(FIX, 'namespace'), 'utf8');
const dir = tempDir('rc-vectors-');

describe('OpenSSH regress vectors', () => {
  it.each([
    ['rsa', 'ssh-rsa'], ['ecdsa', 'ecdsa-sha2-nistp256'], ['ed25519', 'ssh-ed25519'],
    ['ecdsa_sk', 'sk-ecdsa-sha2-nistp256@openssh.com'], ['ed25519_sk', 'sk-ssh-ed25519@openssh.com'],
    ['ecdsa_sk_webauthn', 'sk-ecdsa-sha2-nistp256@openssh.com'],
  ])('%s: verifies, by the key of its .pub, as ssh-keygen does; altered content and another namespace fail in both', (name, type) => {
    const sigFile = join(FIX, `${name}.sig`);
    const armored = readFileSync(sigFile, 'utf8');
    const pub = parsePublicKeyText(readFileSync(join(FIX, `${name}.pub`), 'utf8'));
    const good = verifySshSig(armored, message, ns);
    expect(good.ok).toBe(true);
    expect(good.sig!.publicKey.identity).toBe(pub.identity);
    expect(good.sig!.publicKey.type).toBe(type);
    expect(sshKeygenCheck(ns, sigFile, message)).toBe(true);
    const altered = Buffer.concat([message, Buffer.from('.')]);
    expect([verifySshSig(armored, altered, ns).ok, sshKeygenCheck(ns, sigFile, altered)]).toEqual([false, false]);
    expect([verifySshSig(armored, message, 'other').ok, sshKeygenCheck('other', sigFile, message)]).toEqual([false, false]);
    if (type.startsWith('sk-')) expect(good.ok && good.sk?.flags).toBe(1); // user presence, as sk-dummy signs
  });

  it('hardware keys through an allowed_signers file: the same verdict as ssh-keygen -Y verify, inside and outside the key\'s validity', () => {
    for (const name of ['ecdsa_sk', 'ed25519_sk']) {
      const pub = readFileSync(join(FIX, `${name}.pub`), 'utf8').trim();
      const signersFile = join(dir, `${name}.signers`);
      writeFileSync(signersFile, `tester namespaces="unittest",valid-before="20300101Z" ${pub}\n`);
      const signers = parseAllowedSigners(readFileSync(signersFile, 'utf8'), signersFile);
      const sigFile = join(FIX, `${name}.sig`);
      const sig = verifySshSig(readFileSync(sigFile, 'utf8'), message, ns);
      for (const [time, expected] of [['2029-12-31T23:59:59Z', true], ['2030-01-01T00:00:01Z', false]] as const) {
        const ours = sig.ok && findSigner(signers, sig.sig!.publicKey, 'tester', ns, Date.parse(time) / 1000).ok;
        expect([ours, sshKeygenVerify({ signers: signersFile, principal: 'tester', namespace: ns, sigFile, message, time })]).toEqual([expected, expected]);
      }
    }
  });

  it('mldsa44-ed25519 (newer than this OpenSSH and than node:crypto): refused by both, by name', () => {
    const sigFile = join(FIX, 'mldsa44-ed25519.sig');
    const v = verifySshSig(readFileSync(sigFile, 'utf8'), message, ns);
    expect(v).toMatchObject({ ok: false, reason: 'key type ssh-mldsa44-ed25519@openssh.com is not supported' });
    expect(sshKeygenCheck(ns, sigFile, message)).toBe(false);
  });
});

/** A good ed25519 SSHSIG blob taken apart, to rebuild with one thing wrong. */
const goodArmored = readFileSync(join(FIX, 'ed25519.sig'), 'utf8');
const goodBlob = dearmor(goodArmored);
const pubBlob = Buffer.from(readFileSync(join(FIX, 'ed25519.pub'), 'utf8').split(' ')[1]!, 'base64');
const innerSig = goodBlob.subarray(goodBlob.length - 4 - 83 + 4); // string(string("ssh-ed25519") string(64 bytes)) = 83 bytes
const armor = (b: Buffer) => `-----BEGIN SSH SIGNATURE-----\n${b.toString('base64').replace(/(.{70})/g, '$1\n').replace(/\n$/, '')}\n-----END SSH SIGNATURE-----\n`;
const blob = (o: { magic?: string; version?: number; key?: Buffer; namespace?: string; hash?: string; sig?: Buffer; tail?: Buffer }) =>
  new WireWriter().raw(o.magic ?? 'SSHSIG').u32(o.version ?? 1).string(o.key ?? pubBlob).string(o.namespace ?? ns)
    .string(Buffer.alloc(0)).string(o.hash ?? 'sha512').string(o.sig ?? innerSig).raw(o.tail ?? Buffer.alloc(0)).done();

describe('hostile signatures: refused with a reason, never an exception, as ssh-keygen refuses them', () => {
  const certKey = new WireWriter().string('ssh-ed25519-cert-v01@openssh.com').string(Buffer.alloc(32)).done();
  const dsaKey = new WireWriter().string('ssh-dss').string(Buffer.alloc(4)).done();
  const smallRsa = new WireWriter().string('ssh-rsa').string(Buffer.from([1, 0, 1])).string(Buffer.concat([Buffer.from([0x7f]), Buffer.alloc(63, 1)])).done();
  const offCurve = new WireWriter().string('ecdsa-sha2-nistp256').string('nistp256').string(Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)])).done();
  const wrongCurve = new WireWriter().string('ecdsa-sha2-nistp256').string('nistp384').string(Buffer.alloc(97, 4)).done();
  const rsaWithDsaSig = new WireWriter().string('ssh-rsa').string(Buffer.from([1, 0, 1])).string(Buffer.concat([Buffer.from([0x7f]), Buffer.alloc(255, 1)])).done();
  const ROWS: [string, string, RegExp][] = [
    ['the reference blob itself', armor(blob({})), /^$/],
    ['no armor', goodBlob.toString('base64'), /missing "-----BEGIN SSH SIGNATURE-----"/],
    ['no footer', armor(blob({})).replace('-----END SSH SIGNATURE-----', ''), /missing "-----END/],
    ['base64 broken', armor(blob({})).replace(/\n[A-Za-z0-9+/]/, '\n*'), /malformed base64/],
    ['bad magic', armor(blob({ magic: 'SSHSIX' })), /bad magic/],
    ['version 2', armor(blob({ version: 2 })), /version 2 is newer/],
    ['truncated', armor(blob({}).subarray(0, 60)), /truncated/],
    ['a trailing byte', armor(blob({ tail: Buffer.from([0]) })), /trailing byte/],
    ['another namespace in the blob', armor(blob({ namespace: 'git' })), /signed for namespace "git", not "unittest"/],
    ['hash sha1', armor(blob({ hash: 'sha1' })), /hash algorithm sha1 is not accepted/],
    ['a certificate', armor(blob({ key: certKey })), /certificates are not accepted/],
    ['a DSA key', armor(blob({ key: dsaKey })), /key type ssh-dss is not supported/],
    ['a 511-bit RSA key', armor(blob({ key: smallRsa })), /511 bits, OpenSSH needs at least 1024/],
    ['an ECDSA point off its curve', armor(blob({ key: offCurve })), /not on its curve/],
    ['an ECDSA key naming another curve', armor(blob({ key: wrongCurve })), /curve nistp384 does not match/],
    ['an ed25519 signature under an RSA key', armor(blob({ key: rsaWithDsaSig })), /RSA signature algorithm ssh-ed25519 is not accepted/],
    ['a zeroed signature', armor(blob({ sig: new WireWriter().string('ssh-ed25519').string(Buffer.alloc(64)).done() })), /does not match the signed content/],
    ['a short signature', armor(blob({ sig: new WireWriter().string('ssh-ed25519').string(Buffer.alloc(63)).done() })), /does not match the signed content/],
    ['an ecdsa signature type under an ed25519 key', armor(blob({ sig: new WireWriter().string('ecdsa-sha2-nistp256').string(Buffer.alloc(8)).done() })), /signature type ecdsa-sha2-nistp256 does not match key type ssh-ed25519/],
  ];
  it.each(ROWS)('%s', (name, armored, reason) => {
    const v = verifySshSig(armored, message, ns);
    const sigFile = join(dir, `${name.replace(/\W+/g, '_')}.sig`);
    writeFileSync(sigFile, armored);
    const good = name === 'the reference blob itself';
    expect({ ours: v.ok, theirs: sshKeygenCheck(ns, sigFile, message) }).toEqual({ ours: good, theirs: good });
    if (!v.ok) expect(v.reason).toMatch(reason);
  });
});
