/**
 * The invariants of SPEC §4 "Identifiers" (issue 19), over generated
 * snapshots of the shipped rule set, evaluated through the real parser:
 * - adding a sub-client that is one already listed, written another way
 *   (case, spaces, one trailing dot, full-width letters, an ideographic dot,
 *   NFD, punycode), never changes the count or eligibility;
 * - listing the reseller's own account again, as managed or referred, in any
 *   spelling, never changes the credit: a byte-equal repeat counts once, any
 *   other spelling is refused naming the entry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleSetWith } from './support/rules.js';
import { evaluateText, snapshotText } from './support/snapshots.js';

const rules = ruleSetWith({});
const RUNS = { seed: 19, numRuns: 120 };

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const host = fc.oneof(
  fc.tuple(label, fc.constantFrom('example', 'co.uk', 'github.io')).map(([l, t]) => `${l}.${t}`),
  fc.tuple(label, fc.constantFrom('bücher', 'straße', 'café')).map(([l, u]) => `${u}-${l}.example`),
);
const toFullWidth = (s: string) => s.replace(/[a-z0-9]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0));
/** Other ways of writing `name` that a person reads as the same host name. */
// (upper case only where it lowers back: `STRASSE` is another host name than `straße`, as IDNA2008 and browsers have it)
const variant = (name: string) => fc.constantFrom(
  name.toUpperCase().toLowerCase() === name ? name.toUpperCase() : name, ` ${name} `, `${name}.`, toFullWidth(name), name.replace('.', '\u3002'), name.normalize('NFD'),
  new URL(`http://${name}/`).hostname, // the punycode form
);

const snapshot = (subClients: string[], extra: Record<string, unknown> = {}) => ({
  schemaVersion: 1, account: 'A03', period: '2026-11', reseller: { approved: true, approvedOn: '2026-01-15' },
  subClients, lineItems: [{ service: 'base-account-fee', amount: '300.00' }], ...extra,
});

describe('sub-clients', () => {
  it('a variant of a listed name never changes the count or eligibility', async () => {
    const arb = fc.uniqueArray(host, { minLength: 1, maxLength: 4 }).chain((names) =>
      fc.tuple(fc.constant(names), fc.nat(names.length - 1).chain((i) => variant(names[i]!)), fc.nat(names.length)));
    await fc.assert(fc.asyncProperty(arb, async ([names, extra, at]) => {
      const before = await evaluateText(snapshotText(snapshot(names), 'json'), rules);
      const withVariant = [...names.slice(0, at), extra, ...names.slice(at)];
      const after = await evaluateText(snapshotText(snapshot(withVariant), 'json'), rules);
      expect(before.errors).toEqual([]);
      expect(after.errors).toEqual([]);
      expect(after.result!.eligibility.distinctSubClients).toBe(before.result!.eligibility.distinctSubClients);
      expect(after.result!.eligibility.eligible).toBe(before.result!.eligibility.eligible);
      expect(after.result!.credit).toBe(before.result!.credit);
    }), RUNS);
  });
});

describe('the own account listed again', () => {
  const spelling = fc.constantFrom('A03', 'a03', 'A03 ', ' a03', '\uff21\uff10\uff13', 'A03\u200b', '\u00c103'.normalize('NFD').replace('\u0301', ''), 'A\u00ad03');
  it('never changes the credit: counted once when byte-equal, else refused naming the entry', async () => {
    const where = fc.constantFrom('managed', 'referred');
    await fc.assert(fc.asyncProperty(spelling, where, fc.integer({ min: 1, max: 900 }), async (id, as, dollars) => {
      const lines = [{ service: 'base-account-fee', amount: `${dollars}.00` }];
      const extra = as === 'managed'
        ? { managedAccounts: [{ account: id, lineItems: lines }] }
        : { linkedAffiliate: { account: 'AF-1', referredAccounts: [{ account: id, lineItems: lines }] } };
      const subs = ['a.example', 'b.example', 'c.example'];
      const alone = await evaluateText(snapshotText(snapshot(subs), 'json'), rules);
      const again = await evaluateText(snapshotText(snapshot(subs, extra), 'json'), rules);
      if (id === 'A03') {
        expect(again.result!.credit).toBe(alone.result!.credit);
        expect(again.result!.tierBasis).toBe(alone.result!.tierBasis);
      } else {
        expect(again.result).toBeUndefined();
        const path = as === 'managed' ? 'managedAccounts[0].account' : 'linkedAffiliate.referredAccounts[0].account';
        expect(again.errors.map((e) => [e.code, e.path])).toEqual([[expect.stringMatching(/^(ACCOUNT_VARIANT|INVISIBLE_CHARACTER)$/), path]]);
      }
    }), RUNS);
  });
});
