/**
 * The ledger's domain rules without a database (src/ledger/decide.ts): the
 * decision for a snapshot, the statement, and which adjustments are pending,
 * as tables of cases worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { carryOver, decide, makeStatement, type CarryInput, type PriorState } from '../src/ledger/decide.js';
import { entryId, type EntryBody } from '../src/ledger/entry.js';
import { ledgerAccountKey as accountKey } from '../src/ledger/account-key.js';

const S1 = 'a'.repeat(64);
const S2 = 'b'.repeat(64);
const R1 = 'c'.repeat(64);
const R2 = 'd'.repeat(64);
const statement = { charges: '100.00', credit: '10.00', adjustments: [], amountDue: '90.00' };

const issued = (credited: string[], latest: { snapshotSha256: string; rulesSha256: string }): PriorState => ({
  issue: { id: 'I', statement },
  latest: { id: credited.length > 1 ? `A${credited.length - 1}` : 'I', ...latest },
  credited,
  adjustments: credited.length - 1,
});

describe('decide: issued, unchanged, adjusted, refused', () => {
  const now = (o: Partial<{ snapshotSha256: string; rulesSha256: string; credit: string; currency: string }> = {}) =>
    ({ snapshotSha256: S1, rulesSha256: R1, credit: '10.00', currency: 'USD', scale: 2, ...o });
  const cases: [string, PriorState | undefined, ReturnType<typeof now>, string, object][] = [
    ['nothing recorded yet', undefined, now(), 'USD', { status: 'issued' }],
    ['same snapshot and rules as the issue', issued(['10.00'], { snapshotSha256: S1, rulesSha256: R1 }), now(),
      'USD', { status: 'unchanged', entry: 'I', statementEntry: 'I' }],
    ['same as the latest adjustment (not the issue)', issued(['10.00', '2.00'], { snapshotSha256: S2, rulesSha256: R1 }), now({ snapshotSha256: S2, credit: '12.00' }),
      'USD', { status: 'unchanged', entry: 'A1' }],
    ['snapshot changed: credit now − credited so far', issued(['10.00'], { snapshotSha256: S1, rulesSha256: R1 }), now({ snapshotSha256: S2, credit: '12.00' }),
      'USD', { status: 'adjusted', n: 1, amount: '2.00', reason: 'snapshot changed' }],
    ['rules changed, same snapshot', issued(['10.00'], { snapshotSha256: S1, rulesSha256: R1 }), now({ rulesSha256: R2, credit: '11.00' }),
      'USD', { status: 'adjusted', n: 1, amount: '1.00', reason: 'rules changed' }],
    ['both changed: the snapshot is named', issued(['10.00'], { snapshotSha256: S1, rulesSha256: R1 }), now({ snapshotSha256: S2, rulesSha256: R2 }),
      'USD', { status: 'adjusted', amount: '0.00', reason: 'snapshot changed' }],
    ['back to the original after +2.00: −2.00, the second adjustment', issued(['10.00', '2.00'], { snapshotSha256: S2, rulesSha256: R1 }), now(),
      'USD', { status: 'adjusted', n: 2, amount: '-2.00' }],
    ['three decimals of a rule set with scale 3', issued(['10.000', '0.125'], { snapshotSha256: S2, rulesSha256: R1 }), { ...now({ credit: '10.5' }), scale: 3 },
      'USD', { status: 'adjusted', n: 2, amount: '0.375' }],
    ['another currency than the period was issued in: refused', issued(['10.00'], { snapshotSha256: S1, rulesSha256: R1 }), now({ rulesSha256: R2, currency: 'EUR', credit: '20.00' }),
      'USD', { status: 'refused', message: 'the period was issued in USD and the rules now give EUR: an adjustment between currencies is refused (rules that change currency start a new program; correct this period under rules in USD); nothing was recorded for this account' }],
  ];
  for (const [name, prior, incoming, was, expected] of cases) {
    it(name, () => {
      let asked = 0;
      const d = decide(prior, incoming, () => { asked++; return was; });
      expect(d).toMatchObject(expected);
      // the hashed body (the currency) is read only when something changed
      expect(asked).toBe(d.status === 'adjusted' || d.status === 'refused' ? 1 : 0);
    });
  }
});

describe('makeStatement: amountDue = charges − credit − Σ adjustments, rounded once', () => {
  const cases: [string, string, string, string[], number, 'half-up' | 'down', string][] = [
    ['no adjustments', '100.00', '10.00', [], 2, 'half-up', '90.00'],
    ['more credit', '100.00', '10.00', ['2.00'], 2, 'half-up', '88.00'],
    ['a credit balance', '100.00', '10.00', ['1030.00', '-40.00'], 2, 'half-up', '-900.00'],
    ['rounded once, half away from zero', '0.01', '0.005', [], 2, 'half-up', '0.01'],
    ['rounded once, down toward zero on a negative', '0.00', '0.019', [], 2, 'down', '-0.01'],
  ];
  for (const [name, charges, credit, amounts, scale, mode, due] of cases) {
    it(name, () => {
      const st = makeStatement(charges, credit, amounts.map((amount, i) => ({ entry: `E${i}`, origin: '2026-10', amount })), scale, mode);
      expect(st.amountDue).toBe(due);
      expect(st.adjustments.map((a) => a.amount)).toEqual(amounts);
    });
  }
});

describe('carryOver: pending is read from the hashed entries', () => {
  const adj = (account: string, origin: string, n: number, amount: string, credit: string): CarryInput['adjustment'] => {
    const id = entryId('adjustment', account, origin, n);
    return { id, account, origin, amount, body: { id, kind: 'adjustment', n, account, period: origin, amount, reason: 'snapshot changed', result: { credit } } as unknown as EntryBody };
  };
  const issueBody = (account: string, period: string, carried: string[]) =>
    ({ id: entryId('issue', account, period, 1), body: { id: entryId('issue', account, period, 1), statement: { adjustments: carried.map((entry) => ({ entry })) } } as unknown as EntryBody });
  const a1 = adj('R-1', '2026-10', 1, '2.00', '12.00');
  const cases: [string, CarryInput[], string[], string[]][] = [
    ['no statement after it: pending', [{ adjustment: a1, before: ['10.00'] }], [a1.id], []],
    ['its first later statement lists it: carried', [{ adjustment: a1, carrier: issueBody('R-1', '2026-11', [a1.id]) }], [], []],
    ['its first later statement does not list it (a deleted carry): refused, never paid twice or lost',
      [{ adjustment: a1, carrier: issueBody('R-1', '2026-11', []) }], [], [`adjustment ${a1.id}: statement ${entryId('issue', 'R-1', '2026-11', 1)}, the first after it, does not carry it`]],
    ['listed twice', [{ adjustment: a1, carrier: issueBody('R-1', '2026-11', [a1.id, a1.id]) }], [], [`adjustment ${a1.id}: statement ${entryId('issue', 'R-1', '2026-11', 1)}, the first after it, lists it 2 times`]],
    ['a stored amount column that differs from the hashed amount', [{ adjustment: { ...a1, amount: '5000.00' }, before: ['10.00'] }], [],
      [`adjustment ${a1.id}: its stored columns differ from its hashed content`]],
    ['a planted adjustment (consistent columns, amount not its credit − credited before)',
      [{ adjustment: adj('R-2', '2026-10', 1, '5000.00', '10.00'), before: ['10.00'] }], [],
      [`adjustment ${entryId('adjustment', 'R-2', '2026-10', 1)}: its amount 5000.00 is not its credit 10.00 − 10.00 credited before`]],
    ['an adjustment with no issue before it', [{ adjustment: a1, before: [] }], [], [`adjustment ${a1.id}: no issue entry of R-1 in 2026-10 before it`]],
  ];
  for (const [name, rows, pending, problems] of cases) {
    it(name, () => {
      const c = carryOver(rows);
      expect([...c.pending.values()].flat().map((p) => p.entry)).toEqual(pending);
      expect(c.problems).toEqual(problems);
    });
  }
});

describe('accountKey (SPEC §4): trimmed, NFKC, case-folded', () => {
  it.each([
    ['R-1001', 'r-1001'], [' R-1001 ', 'r-1001'], ['Ｒ－１００１', 'r-1001'], ['ﬁ-1', 'fi-1'], ['straße', 'strasse'],
  ])('%s → %s', (id, key) => { expect(accountKey(id)).toBe(key); });
});
