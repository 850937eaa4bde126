/**
 * Every bad rule set of SPEC §2/§3 (test/fixtures/ruleset-errors.yaml) is
 * rejected with its code, line, column and data path; all errors of a file
 * come at once; reserved keys never reach Object.prototype.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseRuleSetText } from '../src/compose/ruleset-loader.js';
import { readFixture } from './support/fixtures.js';

interface Case {
  name: string;
  file?: string;
  replace?: [string, string][];
  prepend?: string;
  append?: string;
  errors: Record<string, unknown>[];
}

const { base, cases } = readFixture<{ base: string; cases: Case[] }>('test/fixtures/ruleset-errors.yaml');

function edited(c: Case): string {
  let text = base;
  for (const [find, by] of c.replace ?? []) {
    expect(text.split(find), `"${find}" must occur exactly once in the base`).toHaveLength(2);
    text = text.replace(find, by);
  }
  return `${c.prepend ?? ''}${text}${c.append !== undefined ? `${c.append}\n` : ''}`;
}

describe('rule set errors (SPEC §2, §3)', () => {
  it('the base rule set of the table is valid', () => {
    const r = parseRuleSetText(base, '2026-01.yaml');
    expect(r.errors).toEqual([]);
    expect(r.ruleSet?.tiers.map((t) => t.name)).toEqual(['none', 'tier-10', 'tier-15', 'tier-20']);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const file = c.file ?? '2026-01.yaml';
    const r = parseRuleSetText(edited(c), file);
    expect(r.ruleSet).toBeUndefined();
    expect(r.errors).toMatchObject(c.errors.map(({ message, ...rest }) => ({
      file,
      ...rest,
      ...(message !== undefined ? { message: expect.stringContaining(String(message)) } : {}),
    })));
  });

  it('a file with two problems reports both', () => {
    const twoProblems = cases.filter((c) => c.errors.length >= 2);
    expect(twoProblems.length).toBeGreaterThanOrEqual(2);
    for (const c of twoProblems) expect(parseRuleSetText(edited(c), '2026-01.yaml').errors.length).toBeGreaterThanOrEqual(2);
  });

  it('100% and 0% are valid credit percentages', () => {
    const text = base.replace('creditPercent: "20"', 'creditPercent: "100"');
    expect(parseRuleSetText(text, '2026-01.yaml').errors).toEqual([]);
  });

  afterAll(() => {
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.name).toBeUndefined();
    expect(probe.commissionable).toBeUndefined();
    expect(Object.prototype).toEqual({});
  });
});
