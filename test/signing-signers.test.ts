/**
 * The allowed_signers file (the verifier's trust root, SPEC §11): what is
 * read, and each malformed or unsupported line refused with its line number.
 * Where OpenSSH would accept a line this refuses (a time without Z, a
 * cert-authority), the row says so: a trust root must not depend on the
 * machine's time zone or on certificates this program does not check.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RcError } from '../src/errors.js';
import { findSigner, parseAllowedSigners, parseSignerTime, principalsOf, readAllowedSigners } from '../src/signing/allowed-signers.js';
import { matchPattern, matchPatternList } from '../src/signing/pattern.js';
import { parsePublicKeyText } from '../src/signing/ssh-key.js';

const ED = readFileSync('test/fixtures/sshsig-openssh/ed25519.pub', 'utf8').trim();
const RSA = readFileSync('test/fixtures/sshsig-openssh/rsa.pub', 'utf8').trim();
const edKey = parsePublicKeyText(ED);

describe('reading lines', () => {
  it('principals, namespaces, validity, comments, blank lines, CRLF and quoted principals', () => {
    const text = [
      '# security keeps this file',
      '',
      `alice@example.com,alice namespaces="reseller-credits-author,reseller-credits-approve" ${ED}`,
      `  "bob" valid-after="20260101Z",VALID-BEFORE="202701010000Z" ${RSA}\r`,
      `carol ${ED.split(' ').slice(0, 2).join(' ')}`,
    ].join('\n');
    const s = parseAllowedSigners(text, 'signers');
    expect(s.lines.map((l) => [l.line, l.principals, l.namespaces, l.validAfter, l.validBefore, l.key.type])).toEqual([
      [3, 'alice@example.com,alice', 'reseller-credits-author,reseller-credits-approve', undefined, undefined, 'ssh-ed25519'],
      [4, 'bob', undefined, Date.UTC(2026, 0, 1) / 1000, Date.UTC(2027, 0, 1) / 1000, 'ssh-rsa'],
      [5, 'carol', undefined, undefined, undefined, 'ssh-ed25519'],
    ]);
    expect(principalsOf(s, edKey)).toEqual(['alice@example.com', 'alice', 'carol']);
  });

  it.each([
    ['cert-authority (OpenSSH accepts; refused here)', `alice cert-authority ${ED}`, /cert-authority lines are not supported/],
    ['a time without Z (OpenSSH reads local time; refused here)', `alice valid-before="20270101" ${ED}`, /has no time zone: end it in Z/],
    ['a date that does not exist', `alice valid-before="20270230Z" ${ED}`, /not a valid date/],
    ['a time that is not one', `alice valid-after="2027-01-01" ${ED}`, /is not a time/],
    ['valid-before not after valid-after', `alice valid-after="20270101Z",valid-before="20270101Z" ${ED}`, /valid-before is not after valid-after/],
    ['an unknown option', `alice no-touch-required ${ED}`, /option no-touch-required needs a quoted value/],
    ['an unknown option with a value', `alice principals="x" ${ED}`, /unknown option principals/],
    ['an unquoted value', `alice namespaces=git ${ED}`, /cannot read the options/],
    ['namespaces twice', `alice namespaces="a",namespaces="b" ${ED}`, /namespaces given twice/],
    ['options separated by a space', `alice namespaces="a" valid-after="20270101Z" ${ED}`, /separated by commas/],
    ['a trailing comma', `alice namespaces="a", ${ED}`, /unexpected end of options/],
    ['no key', 'alice', /needs principals and a key/],
    ['an unterminated quote', `"alice ${ED}`, /unterminated quote/],
    ['broken base64', `alice ssh-ed25519 AAAA*AAA`, /not a public key/],
    ['a key type that is not the blob\'s', `alice ssh-rsa ${ED.split(' ')[1]}`, /the text says ssh-rsa but the key is ssh-ed25519/],
    ['a certificate key', `alice ssh-ed25519-cert-v01@openssh.com ${Buffer.concat([Buffer.from([0, 0, 0, 32]), Buffer.from('ssh-ed25519-cert-v01@openssh.com')]).toString('base64')}`, /certificates are not accepted/],
  ])('%s: SIGNERS_INVALID at its line', (_name, line, message) => {
    let err: unknown;
    try {
      parseAllowedSigners(`# first\n${line}\n`, 'allowed_signers');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RcError);
    expect(err).toMatchObject({ code: 'SIGNERS_INVALID', file: 'allowed_signers', line: 2 });
    expect((err as Error).message).toMatch(message);
  });

  it('a missing file is a SIGNERS_INVALID naming it, not a stack trace', () => {
    expect(() => readAllowedSigners('/nonexistent/allowed_signers')).toThrow(expect.objectContaining({ code: 'SIGNERS_INVALID', file: '/nonexistent/allowed_signers' }));
  });

  it('times: each accepted form, UTC', () => {
    expect([parseSignerTime('20270102Z'), parseSignerTime('202701020304Z'), parseSignerTime('20270102030405utc')])
      .toEqual([Date.UTC(2027, 0, 2), Date.UTC(2027, 0, 2, 3, 4), Date.UTC(2027, 0, 2, 3, 4, 5)].map((t) => t / 1000));
  });
});

describe('finding the signer', () => {
  const s = parseAllowedSigners([
    `ops-* namespaces="reseller-credits-issue" ${ED}`,
    `alice,!mallory valid-after="20270101Z",valid-before="20271231Z" ${ED}`,
  ].join('\n'), 'f');
  const t = (iso: string) => Date.parse(iso) / 1000;
  it.each([
    ['ops-night', 'reseller-credits-issue', '2026-06-01T00:00:00Z', true, ''],
    ['ops-night', 'reseller-credits-approve', '2026-06-01T00:00:00Z', false, 'not permitted for "reseller-credits-approve"'],
    ['alice', 'reseller-credits-approve', '2027-06-01T00:00:00Z', true, ''],
    ['alice', 'reseller-credits-approve', '2026-12-31T23:59:59Z', false, 'not yet valid at 2026-12-31T23:59:59Z'],
    ['alice', 'reseller-credits-approve', '2027-12-31T00:00:01Z', false, 'had expired at 2027-12-31T00:00:01Z'],
    ['mallory', 'reseller-credits-approve', '2027-06-01T00:00:00Z', false, 'no line of f lists principal "mallory"'],
  ])('%s as %s at %s: %s', (principal, namespace, time, ok, reason) => {
    const m = findSigner(s, edKey, principal, namespace, t(time));
    expect(m.ok).toBe(ok);
    if (!m.ok) expect(m.reason).toContain(reason);
  });
});

describe('OpenSSH patterns', () => {
  it.each([
    ['alice', 'alice', true], ['alice', 'al*', true], ['alice', 'a?ice', true], ['alice', '*', true], ['alice', 'bob', false],
    ['alice', 'ali', false], ['alice', '*e', true], ['alice', '*x*', false], ['', '', true], ['a', '', false], ['abcabd', '*abd', true],
  ])('%s ~ %s: %s', (s, p, expected) => expect(matchPattern(s, p)).toBe(expected));
  it.each([
    ['alice', 'bob,alice', 1], ['alice', 'bob', 0], ['alice', '*,!alice', -1], ['alice', '!bob', 0], ['alice', '!bob,a*', 1],
  ])('%s in %s: %i', (s, list, expected) => expect(matchPatternList(s, list)).toBe(expected));
});
