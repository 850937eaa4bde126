/**
 * Signed statements are canonical JSON files (SPEC §11): the bytes a person
 * signed are the only bytes that mean that statement. Table of statement
 * files that are refused, each with the reason; and the verifier's
 * configuration read from options and the environment.
 */
import { describe, expect, it } from 'vitest';
import { policyFrom } from '../src/compose/approval-policy.js';
import { asApproval, readStatement, statementBytes, STATEMENT_KIND, type ApprovalStatement } from '../src/signing/statement.js';

const base: ApprovalStatement = {
  kind: STATEMENT_KIND.approval, role: 'approve', action: 'publish', id: '2027-01',
  sha256: 'a'.repeat(64), review: 'b'.repeat(64), principal: 'bob', time: '2026-12-07T10:00:00Z',
};
const json = (o: object) => Buffer.from(`${JSON.stringify(o)}\n`);

describe('statement files', () => {
  it('round-trips: the bytes written are read back as the same statement', () => {
    expect(asApproval(readStatement(statementBytes(base)))).toEqual(base);
    expect(statementBytes(base).toString()).toBe(`{"action":"publish","id":"2027-01","kind":"reseller-credits approval","principal":"bob","review":"${'b'.repeat(64)}","role":"approve","sha256":"${'a'.repeat(64)}","time":"2026-12-07T10:00:00Z"}\n`);
  });

  it.each([
    ['not JSON', Buffer.from('{'), /is not JSON/],
    ['an array', Buffer.from('[]\n'), /is not a JSON object/],
    ['keys out of order', json({ time: base.time, ...base }), /is not in canonical form/],
    ['spaces', Buffer.from(`${JSON.stringify(base, null, 1)}\n`), /is not in canonical form/],
    ['no final newline', statementBytes(base).subarray(0, -1), /is not in canonical form/],
    ['no kind', statementBytes({ ...base, kind: undefined } as never), /has no "kind"/],
    ['no principal', statementBytes({ ...base, principal: '' }), /has no "principal"/],
    ['a local time', statementBytes({ ...base, time: '2026-12-07T10:00:00' }), /has no UTC "time"/],
  ])('%s: refused', (_n, bytes, reason) => {
    expect(() => readStatement(bytes)).toThrow(reason);
  });

  it.each([
    ['a run statement', { kind: STATEMENT_KIND.run }, /is a "reseller-credits run" statement, not an approval/],
    ['no role', { role: 'boss' }, /has no role/],
    ['no action', { action: 'delete' }, /has no action/],
    ['no id', { id: '' }, /names no version id/],
    ['no content hash', { sha256: 'A'.repeat(64) }, /names no content sha256/],
    ['a publish without review', { review: null }, /names no review report sha256/],
    ['a retire with a malformed review', { action: 'retire', review: 'x' }, /has a malformed review sha256/],
    ['an attest without unsignedLog', { action: 'attest', review: null }, /names no "unsignedLog"/],
    ['a publish with unsignedLog', { unsignedLog: null }, /has "unsignedLog", which only an attestation has/],
    ['an unknown field', { comment: 'hi' }, /has unknown field\(s\) comment/],
  ])('%s: not an approval', (_n, over, reason) => {
    expect(() => asApproval(readStatement(statementBytes({ ...base, ...over } as ApprovalStatement)))).toThrow(reason);
  });
});

describe('the verifier\'s configuration', () => {
  it('no signers file named: no policy; the minimum is checked even so', () => {
    expect(policyFrom(undefined, undefined, {})).toBeUndefined();
    expect(() => policyFrom(undefined, '0', {})).toThrow(/a whole number from 1/);
    expect(() => policyFrom(undefined, undefined, { RESELLER_CREDITS_MIN_APPROVALS: 'two' })).toThrow(/a whole number from 1 \(got "two"\)/);
  });
  it('options win over the environment; the file named is read and parsed', () => {
    expect(() => policyFrom('/nonexistent/allowed_signers', '2', { RESELLER_CREDITS_SIGNERS: 'test/fixtures/sshsig-openssh/namespace' }))
      .toThrow(expect.objectContaining({ code: 'SIGNERS_INVALID', file: '/nonexistent/allowed_signers' }));
    const p = policyFrom(undefined, undefined, { RESELLER_CREDITS_SIGNERS: 'test/fixtures/allowed-signers-example', RESELLER_CREDITS_MIN_APPROVALS: '3' });
    expect(p?.minApprovals).toBe(3);
    expect(p?.signers.lines.map((l) => l.principals)).toEqual(['tester']);
  });
});
