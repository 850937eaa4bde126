/**
 * SPEC §4 "Identifiers": the tables of hostile sub-client and account ids
 * under test/fixtures/identifiers/, the messages, and the ASCII shortcut
 * checked against tr46 itself.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import tr46 from 'tr46';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { accountKey, countDistinct, hostKey, subClientKeys } from '../src/validate/identifiers.js';
import { accountEntries, accountProblems, snapshotAccountProblems } from '../src/validate/account-keys.js';
import { spellingMessage } from '../src/ledger/issue.js';

const DIR = 'test/fixtures/identifiers';
type Row = { input: string; key?: string; error?: string; blank?: boolean };
const table = (name: string): Row[] => parse(readFileSync(`${DIR}/${name}`, 'utf8')) as Row[];
const show = (s: string) => JSON.stringify(s);

describe('host keys (hosts.yaml)', () => {
  for (const row of table('hosts.yaml')) {
    it(`${show(row.input)} → ${row.error ?? (row.blank ? 'blank' : row.key)}`, () => {
      const r = hostKey(row.input);
      if (row.error) expect(r.problem?.code).toBe(row.error);
      else if (row.blank) expect(r).toEqual({ key: null });
      else expect(r).toEqual({ key: row.key });
    });
  }

  it('names the invisible character and shows it escaped (the SPEC example)', () => {
    expect(hostKey('acme.example\u200b').problem?.message)
      .toBe('"acme.example\\u200b" holds an invisible character (U+200B ZERO WIDTH SPACE)');
    expect(hostKey('ac\u00adme.example').problem?.message).toContain('(U+00AD SOFT HYPHEN)');
    expect(hostKey('acme.example\n').problem?.message).toBe('"acme.example\\n" holds a control character (U+000A LINE FEED)');
  });

  it('says why a name is not a host name', () => {
    expect(hostKey('acme.example..').problem?.message).toMatch(/empty label/);
    expect(hostKey('1.2.3.4').problem?.message).toMatch(/IP address/);
    expect(hostKey('acme_dental.example').problem?.message).toMatch(/label "acme_dental"|IDNA/);
    expect(hostKey(`${'a'.repeat(64)}.example`).problem?.message).toMatch(/64 characters; at most 63/);
    expect(hostKey(`${'abcdefghi.'.repeat(26)}x`).problem?.message).toMatch(/at most 253/);
  });

  it('the ASCII shortcuts give the key of an independent reference (tr46, then the §4 grammar), or both refuse', () => {
    // the reference: trim, UTS #46 by tr46, one trailing dot off, labels of 1-63 LDH without edge hyphens, <= 253, not ending in a number
    const reference = (name: string): string | null => {
      if (!name.trim()) return null;
      let k = tr46.toASCII(name.trim(), { useSTD3ASCIIRules: true, checkHyphens: false, checkBidi: true, checkJoiners: true });
      if (k === null) return null;
      if (k.endsWith('.')) k = k.slice(0, -1);
      const labels = k.split('.');
      const ok = k.length > 0 && k.length <= 253 && labels.every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l))
        && !/^(?:[0-9]+|0x[0-9a-f]*)$/.test(labels[labels.length - 1]!);
      return ok ? k : null;
    };
    const label = fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{0,12}$/), fc.constantFrom('xn--bcher-kva', 'XN--abc', '0x1F', '0xg', '123', '-a', 'a-', 'a'.repeat(64)));
    fc.assert(fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '.', '..'), fc.constantFrom('', ' ', '  '),
      (labels, dots, pad) => {
        const name = `${pad}${labels.join('.')}${dots}${pad}`;
        if (!name.trim()) return;
        const ours = hostKey(name);
        const theirs = reference(name);
        if (theirs === null) expect(ours.problem?.code, name).toBe('BAD_HOST_NAME');
        else expect(ours, name).toEqual({ key: theirs });
      }), { seed: 19, numRuns: 4000 });
  });
});

describe('distinct counts (sets.yaml)', () => {
  type Set = { name: string; subClients: string[]; host: number; registrableDomain: number };
  for (const s of parse(readFileSync(`${DIR}/sets.yaml`, 'utf8')) as Set[]) {
    it(s.name, () => {
      const { keys, problems } = subClientKeys(s.subClients);
      expect(problems).toEqual([]);
      expect(countDistinct(keys, 'host')).toBe(s.host);
      expect(countDistinct(keys, 'registrable-domain')).toBe(s.registrableDomain);
    });
  }
});

describe('account keys (accounts.yaml)', () => {
  for (const row of table('accounts.yaml')) {
    it(`${show(row.input)} → ${row.error ?? row.key}`, () => {
      const r = accountKey(row.input);
      if (row.error) expect(r.problem?.code).toBe(row.error);
      else expect(r).toEqual({ key: row.key });
    });
  }
});

describe('near-duplicate accounts of one snapshot', () => {
  it('names both entries (the SPEC example)', () => {
    const p = accountProblems(accountEntries({ account: 'A03', managedAccounts: [{ account: 'a03' }] }));
    expect(p).toEqual([{
      code: 'ACCOUNT_VARIANT', path: ['managedAccounts', 0, 'account'],
      message: '"a03" is the reseller\'s own account "A03" (account) written differently; write one account one way',
    }]);
  });

  it('refuses managed twice, managed and referred, own as the linked affiliate, with other spellings', () => {
    const p = accountProblems(accountEntries({
      account: 'R-1',
      managedAccounts: [{ account: 'M-1' }, { account: 'm-1 ' }],
      linkedAffiliate: { account: 'r\u20131'.replace('\u2013', '-').toUpperCase().replace('R', 'Ｒ'), referredAccounts: [{ account: '\uff2d-1' }] },
    }));
    expect(p.map((x) => [x.code, x.path.join('.')])).toEqual([
      ['ACCOUNT_VARIANT', 'managedAccounts.1.account'],
      ['ACCOUNT_VARIANT', 'linkedAffiliate.referredAccounts.0.account'],
      ['ACCOUNT_VARIANT', 'linkedAffiliate.account'],
    ]);
    expect(p[1]!.message).toContain('is managed account "M-1" (managedAccounts[0].account)');
  });

  it('the one-pass check gives what the full one gives', () => {
    const ids = fc.constantFrom('A03', 'a03', ' A03', 'M-1', 'm-1', 'M-1', 'A03\u200b', '\u3000', 'AF');
    fc.assert(fc.property(ids, fc.array(ids, { maxLength: 3 }), fc.array(ids, { maxLength: 2 }), fc.option(ids), (own, managed, referred, aff) => {
      const raw = { account: own, managedAccounts: managed.map((account) => ({ account })),
        ...(aff !== null ? { linkedAffiliate: { account: aff, referredAccounts: referred.map((account) => ({ account })) } } : {}) };
      expect(snapshotAccountProblems(raw)).toEqual(accountProblems(accountEntries(raw)));
    }), { seed: 19, numRuns: 500 });
  });

  it('leaves byte-equal repeats to the valuation, and refuses invisible characters', () => {
    expect(accountProblems(accountEntries({ account: 'A03', managedAccounts: [{ account: 'M' }, { account: 'M' }] }))).toEqual([]);
    const p = accountProblems(accountEntries({ account: 'A03', managedAccounts: [{ account: 'A03\u200b' }] }));
    expect(p[0]!.message).toBe('"A03\\u200b" holds an invisible character (U+200B ZERO WIDTH SPACE)');
  });
});

describe('spellings that look alike', () => {
  it('the ledger names an NFD spelling of an issued NFC account with both escaped, and cuts nothing else', () => {
    expect(spellingMessage('A\u030803', '\u00c403', '2026-11')).toBe(
      'account "A\\u030803" is the account "\\u00c403" already issued for 2026-11, written differently (the same account key); issue it as "\\u00c403"; nothing was recorded for this account');
    expect(spellingMessage('r-1', 'R-1', '2026-11')).toBe(
      'account "r-1" is the account "R-1" already issued for 2026-11, written differently (the same account key); issue it as "R-1"; nothing was recorded for this account');
  });
});
