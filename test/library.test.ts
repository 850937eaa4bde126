/**
 * The package's entry point (src/index.ts → dist/index.js) as a library user
 * sees it, and the one helper for showing input text (src/text/safe-text.ts).
 */
import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';
import { SOURCES } from '../src/model/types.js';
import { cutText, MAX_QUOTED, quoteInput, safeText } from '../src/text/safe-text.js';

describe('library entry point', () => {
  it('evaluates a snapshot with the shipped rule set, with the figures computed by hand', async () => {
    const ruleSet = lib.loadRuleSet('rules/2026-01.yaml');
    const located = lib.parseSnapshotRecord({
      seq: 0, file: 's.json', line: 1, column: 1, format: 'json',
      text: JSON.stringify({
        schemaVersion: 1, account: 'L-1', period: '2026-05', reseller: { approved: true, approvedOn: '2026-01-01' },
        subClients: ['a', 'b', 'c'], lineItems: [{ service: 'hipaa-fee', amount: '600.25' }],
      }),
    }, lib.resolveLimits());
    const r = await lib.evaluate(located.snapshot, ruleSet, located.doc);
    // 600.25 reaches tier-15 (from 500): 15% of 600.25 = 90.0375 → 90.04 (half-up); 600.25 − 90.04 = 510.21
    expect({ tier: r.tier.name, credit: r.credit, due: r.statement.amountDue }).toEqual({ tier: 'tier-15', credit: '90.04', due: '510.21' });
  });

  it('money, errors and limits are the documented ones', () => {
    expect(lib.formatMoney(lib.roundMoney(new lib.Dec('2.345'), 2, 'half-even'), 2)).toBe('2.34');
    expect(lib.amountProblem('1e3')).toBe('"1e3" uses exponent notation; write the plain decimal');
    expect(lib.formatError(new lib.RcError('SCHEMA', 'bad', { file: 'f.yaml', line: 3, column: 7, path: 'tiers[0]' })))
      .toBe('f.yaml:3:7: tiers[0]: bad');
    expect(lib.DEFAULT_LIMITS.maxRecordBytes).toBe(4 * 1024 * 1024);
    expect(lib.schemaPath('snapshot')).toMatch(/schemas\/snapshot\.schema\.json$/);
  });

  it('an account seen twice is attributed to the first of own, managed, affiliate (SPEC §1)', () => {
    expect(SOURCES).toEqual(['own', 'managed', 'affiliate']);
  });
});

describe('safe-text', () => {
  it.each([
    ['plain text', 'plain text'],
    ['a\nb\rc\td', 'a\\nb\\rc\\td'],
    ['\u0000\u001b[31m\u007f', '\\x00\\x1b[31m\\x7f'],
    ['\u0085\u009f', '\\x85\\x9f'],
    ['x\u2028y\u2029z', 'x\\u2028y\\u2029z'],
    ['\u202eevil\u2066\u2069', '\\u202eevil\\u2066\\u2069'],
    ['café 日本 😀', 'café 日本 😀'],
  ])('safeText(%j) = %j', (input, out) => expect(safeText(input)).toBe(out));

  it('cutText keeps short text, cuts long text to the limit with …, never inside a surrogate pair', () => {
    expect(MAX_QUOTED).toBe(80);
    expect(cutText('a'.repeat(80))).toBe('a'.repeat(80));
    expect(cutText('a'.repeat(81))).toBe(`${'a'.repeat(79)}…`);
    expect(cutText('abcdef', 4)).toBe('abc…');
    // the 3rd and 4th code units are one emoji: cut before it rather than through it
    expect(cutText('ab😀cdef', 4)).toBe('ab…');
  });

  it('quoteInput cuts the raw text first, then escapes, in double quotes', () => {
    expect(quoteInput('R-1')).toBe('"R-1"');
    expect(quoteInput('\n'.repeat(100), 5)).toBe('"\\n\\n\\n\\n…"');
    expect(quoteInput(`x${'y'.repeat(200)}`)).toBe(`"x${'y'.repeat(78)}…"`);
  });
});
