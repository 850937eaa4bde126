/**
 * Portfolios through `runPortfolio`: every record read comes out once, as a
 * result or as an error record (with file and line), in input order, and the
 * counts add up. The examples folder must match the hand-computed table of
 * examples/README.md.
 */
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { runPortfolio, type RunCounts } from '../src/run/sequential.js';
import type { RuleChoice } from '../src/run/record.js';
import type { OutputRecord } from '../src/model/records.js';
import { resolveLimits } from '../src/limits.js';
import { loadRules } from '../src/compose/rules-dir.js';
import type { EvaluationResult } from '../src/model/types.js';

const byPeriod: RuleChoice = { kind: 'by-period', repo: loadRules('rules') };

async function run(inputs: string[], choice = byPeriod): Promise<{ counts: RunCounts; out: OutputRecord[] }> {
  const out: OutputRecord[] = [];
  const counts = await runPortfolio(inputs, choice, { limits: resolveLimits(), onRecord: (r) => { out.push(r); } });
  return { counts, out };
}

/** A compact view of an output record: the account and its credit, or the error code and where. */
const view = (r: OutputRecord) => (r.ok
  ? { account: r.result.account, credit: r.result.credit }
  : { account: r.error.account, code: r.error.error.code, file: r.error.error.file, line: r.error.error.line });

describe('an NDJSON portfolio with bad lines and a truncated last line', () => {
  const file = 'test/fixtures/portfolio/mixed.ndjson';

  it('gives one output per non-blank line, in order, each a result or a positioned error', async () => {
    const { counts, out } = await run([file]);
    expect(out.map(view)).toEqual([
      { account: 'P-1', credit: '10.00' },
      { account: 'P-3', code: 'BAD_AMOUNT', file, line: 3 },
      { account: undefined, code: 'JSON_SYNTAX', file, line: 4 },
      { account: 'P-5', code: 'UNKNOWN_SERVICE', file, line: 5 },
      { account: 'P-6', credit: '0.00' },
      { account: 'P-7', code: 'SCHEMA', file, line: 7 },
      { account: undefined, code: 'SCHEMA', file, line: 8 },
      { account: 'P-9', credit: '75.00' },
      { account: 'P-10', code: 'NO_RULE_SET', file, line: 10 },
      { account: undefined, code: 'JSON_SYNTAX', file, line: 11 },
    ]);
    expect(counts).toEqual({ records: 10, evaluated: 3, errors: 7 });
    expect(counts.evaluated + counts.errors).toBe(counts.records);
    const seqs = out.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('error records carry the message and the data path where there is one', async () => {
    const { out } = await run([file]);
    const errors = out.filter((r) => !r.ok).map((r) => (r.ok ? undefined : r.error));
    for (const e of errors) expect(e!.error.message.length).toBeGreaterThan(5);
    expect(errors.find((e) => e!.account === 'P-3')!.error).toMatchObject({ path: 'lineItems[0].amount', column: 200 });
    expect(errors.find((e) => e!.account === 'P-7')!.error).toMatchObject({ path: 'reseller.approvedOn' });
    expect(errors.find((e) => e!.account === 'P-10')!.error).toMatchObject({ path: 'period' });
    expect(errors.at(-1)!.error.message).toMatch(/JSON/);
  });
});

describe('other portfolio forms', () => {
  it('a JSON array: the bad elements point at their own lines', async () => {
    const file = 'test/fixtures/portfolio/array.json';
    const { counts, out } = await run([file]);
    expect(out.map(view)).toEqual([
      { account: 'J-1', credit: '0.00' },
      { account: 'J-2', code: 'BAD_AMOUNT', file, line: 3 },
      { account: 'J-3', code: 'BAD_AMOUNT', file, line: 4 },
      { account: 'J-4', credit: '0.00' },
    ]);
    expect(counts).toEqual({ records: 4, evaluated: 2, errors: 2 });
  });

  it('a multi-document YAML file: lines count from the top of the file', async () => {
    const file = 'test/fixtures/portfolio/multi.yaml';
    const { counts, out } = await run([file]);
    expect(out.map(view)).toEqual([
      { account: 'Y-1', credit: '90.00' },
      { account: 'Y-2', code: 'BAD_AMOUNT', file, line: 13 },
      { account: 'Y-3', credit: '0.00' },
    ]);
    expect(!out[1]!.ok && out[1]!.error.error).toMatchObject({ column: 29, path: 'lineItems[0].amount' });
    expect(counts).toEqual({ records: 3, evaluated: 2, errors: 1 });
  });

  it('files that cannot be read still come out, one error each, between the others', async () => {
    const { counts, out } = await run(['examples/seed-px2.yaml', 'no/such/file.ndjson', 'README.md', 'no-such.yaml', 'examples/seed-1500.yaml']);
    expect(out.map(view)).toEqual([
      { account: 'R-1001', credit: '25.00' },
      { account: undefined, code: 'FILE_NOT_FOUND', file: 'no/such/file.ndjson', line: undefined },
      { account: undefined, code: 'READ_FAILED', file: 'README.md', line: undefined },
      { account: undefined, code: 'FILE_NOT_FOUND', file: 'no-such.yaml', line: undefined },
      { account: 'R-1002', credit: '150.00' },
    ]);
    expect(counts).toEqual({ records: 5, evaluated: 2, errors: 3 });
  });
});

/** The rows of the markdown table that follows `heading` in `text`, as objects by column title. */
function markdownTable(text: string, heading: string): Record<string, string>[] {
  const lines = text.slice(text.indexOf(heading)).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(start)) {
    if (!l.startsWith('|')) break;
    rows.push(l.split('|').slice(1, -1).map((c) => c.trim().replace(/\*\*/g, '')));
  }
  const [head, , ...body] = rows;
  return body.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
}

describe('the examples folder matches the hand-computed tables of examples/README.md', async () => {
  const readme = readFileSync('examples/README.md', 'utf8');
  const expected = markdownTable(readme, '## Expected results');
  const perSource = markdownTable(readme, 'Per-source figures');
  const { counts, out } = await run(['examples']);
  const results = new Map(out.flatMap((r) => (r.ok ? [[r.result.account, r.result] as const] : [])));

  it('every example evaluates', () => {
    expect(counts).toEqual({ records: expected.length, evaluated: expected.length, errors: 0 });
    expect(expected.length).toBe(16);
  });

  it.each(expected.map((row) => [row.account!, row] as const))('%s', (account, row) => {
    const r = results.get(account)!;
    expect({
      tier: r.tier.name, applied: r.creditPercent, basis: r.tierBasis, base: r.creditBase,
      credit: r.credit, charges: r.statement.charges, due: r.statement.amountDue,
    }).toEqual({
      tier: row.tier, applied: row['% applied'], basis: row['tier basis'], base: row['credit base'],
      credit: row.credit, charges: row.charges, due: row['amount due'],
    });
  });

  it.each(perSource.map((row) => [row.account!, row] as const))('%s per source (payments / value)', (account, row) => {
    const r = results.get(account) as EvaluationResult;
    for (const source of ['own', 'managed', 'affiliate'] as const) {
      const [payments, value] = row[source] === '–' ? ['0.00', '0.00'] : row[source]!.split(' / ').map((s) => s.split(' ')[0]!);
      expect([r.monthlyPayments[source], r.monthlyValue[source]], source).toEqual([payments, value]);
    }
  });

  it('portfolio totals: credit 986.41, charges 7600.2299, amount due 6613.82', () => {
    const portfolio = out.flatMap((r) => (r.ok && r.result.account.startsWith('P-') ? [r.result] : []));
    expect(portfolio).toHaveLength(12);
    const sum = (f: (x: EvaluationResult) => string) => portfolio.reduce((s, x) => s.plus(f(x)), new Decimal(0)).toFixed();
    expect(sum((x) => x.credit)).toBe('986.41');
    expect(sum((x) => x.statement.charges)).toBe('7600.2299');
    expect(sum((x) => x.statement.amountDue)).toBe('6613.82');
  });
});
