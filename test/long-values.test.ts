/**
 * SPEC §4: text copied from input into a message is cut to about 80
 * characters with `…` — a 200 KB value never becomes a 200 KB stderr line, a
 * file shaped like /proc/self/environ is never dumped whole. Fixtures in
 * test/fixtures/long-values/.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';

/** The CLI in this process (test/support/run-cli.ts), without colours. */
const cli = (...args: string[]) => runCli(args, { env: { FORCE_COLOR: undefined } });

const F = 'test/fixtures/long-values';
/** No line longer than this: a file name, a path, a message and two ~80-character quotes. */
const MAX_LINE = 400;
const longest = (text: string) => Math.max(0, ...text.split('\n').map((l) => l.length));
/** A quote of `ch` repeated, cut: `"ccc…"` with 79 of them. */
const cutQuote = (ch: string) => `"${ch.repeat(79)}…"`;

describe('messages quote at most about 80 characters of a value', () => {
  it('snapshot values of 200 KB and 20 KB: pattern, type, unknown key, amount, date', async () => {
    const r = await cli('evaluate', `${F}/snapshot-long-values.yaml`);
    expect(r.status).toBe(1);
    expect(longest(r.stderr)).toBeLessThanOrEqual(MAX_LINE);
    expect(longest(r.stdout)).toBeLessThanOrEqual(MAX_LINE);
    expect(r.stderr).toContain(`period: ${cutQuote('x')} has the wrong form (expected YYYY-MM)`);
    expect(r.stderr).toContain(`reseller: must be an object, not string ${cutQuote('r')}`);
    expect(r.stderr).toMatch(/: unknown field "ke{78}…"/);
    expect(r.stderr).toContain('lineItems[0].amount: is too long for an amount');
    expect(r.stderr).toContain(`reseller.approvedOn: ${cutQuote('2')}`);
    expect(r.stderr).toContain('5 record(s): 0 evaluated, 5 error(s)');
  });

  it('a 20,000-digit number', async () => {
    const r = await cli('evaluate', `${F}/long-number.yaml`);
    expect(r.status).toBe(1);
    expect(longest(r.stderr)).toBeLessThanOrEqual(MAX_LINE);
    expect(r.stderr).toContain(`lineItems[0].amount: ${'7'.repeat(79)}… is not a finite number`);
  });

  it('a file that is one long scalar, like /proc/self/environ, is not dumped', async () => {
    const r = await cli('evaluate', `${F}/environ-like.yaml`);
    expect(r.status).toBe(1);
    expect(longest(r.stderr)).toBeLessThanOrEqual(MAX_LINE);
    expect(r.stderr).toContain('must be an object, not string "VAR_0=value-0-SECRET');
    expect(r.stderr).not.toContain('VAR_10=');
  });

  it('an over-long account id in an error record, an unknown service id with ESC', async () => {
    const r = await cli('evaluate', `${F}/unknown-service.ndjson`);
    expect(longest(r.stderr)).toBeLessThanOrEqual(MAX_LINE);
    expect(longest(r.stdout)).toBeLessThanOrEqual(MAX_LINE);
    expect(r.stderr).toContain(`service "${'a'.repeat(60)}\\x1b[2J" is not in rule set 2026-01`);
    expect(r.stdout).toContain(`ERROR (L-3${'a'.repeat(76)}…): `);
  });

  it('a rule set tier threshold of 200 KB digits', async () => {
    const r = await cli('validate', `${F}/2099-03.yaml`);
    expect(r.status).toBe(1);
    expect(longest(r.stderr)).toBeLessThanOrEqual(MAX_LINE);
    expect(r.stderr).toContain(`is not above the previous tier's "5${'0'.repeat(78)}…" (tier-10)`);
  });

  it('a case expecting a 200 KB tier name', async () => {
    const r = await cli('test', `${F}/cases`);
    expect(r.status).toBe(1);
    expect(longest(r.stdout)).toBeLessThanOrEqual(MAX_LINE);
    expect(r.stdout).toContain(`expect.tier: expected ${cutQuote('t')}, actual "tier-10"`);
    expect(r.stdout).toContain(`expect.credit: expected ${cutQuote('1')}, actual "10.00"`);
  });

  it('a 100 KB --rules-version', async () => {
    const r = await cli('evaluate', '--rules-version', 'v'.repeat(100_000), 'examples/seed-px2.yaml');
    expect(r.status).toBe(2);
    expect(longest(r.stderr)).toBeLessThanOrEqual(MAX_LINE);
    expect(r.stderr).toContain(`no rule set ${cutQuote('v')} in rules/`);
  });
});
