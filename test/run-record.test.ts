/**
 * One raw record → one output record (src/run/record.ts), in-process so
 * that the mutation check reaches it: the rule set a record is evaluated under
 * (fixed, or chosen by its period), and the error record that stands in place
 * of a result, with the account and period when they could be read and every
 * problem when there are several (SPEC §5).
 */
import { describe, expect, it } from 'vitest';
import { RcError } from '../src/errors.js';
import { evaluateRecord, type RuleChoice } from '../src/run/record.js';
import { errorRecord } from '../src/model/records.js';
import { loadRules } from '../src/compose/rules-dir.js';
import { resolveRuleSet } from '../src/compose/resolve-rule-set.js';
import { resolveLimits } from '../src/limits.js';
import type { RawRecord } from '../src/read/raw-record.js';

const limits = resolveLimits();
const repo = loadRules('rules');
const byPeriod: RuleChoice = { kind: 'by-period', repo };
const rules2026 = resolveRuleSet(repo, '2026-01');
const fixed: RuleChoice = { kind: 'fixed', ruleSet: rules2026 };

/** The seed example (Monthly Value $250.00, 10%) in `period`, as one JSON record of file `f.ndjson`, line 7. */
function raw(period: string, patch: Record<string, unknown> = {}): RawRecord {
  const snapshot = {
    schemaVersion: 1, account: 'R-1001', period, reseller: { approved: true, approvedOn: '2024-01-01' },
    subClients: ['a.example', 'b.example', 'c.example'],
    lineItems: [{ service: 'starter-plus-user', quantity: 25, unitPrice: '4.00' }, { service: 'px2-dedicated-server', quantity: 1, unitPrice: '200.00' }],
    ...patch,
  };
  return { seq: 3, file: 'f.ndjson', line: 7, column: 1, format: 'json', text: JSON.stringify(snapshot) };
}

describe('evaluateRecord: the rule set of a record', () => {
  it('by period: a period 2026-01 covers is evaluated under it', async () => {
    const r = await evaluateRecord(raw('2026-11'), byPeriod, limits);
    expect(r.ok && [r.seq, r.result.rules.id, r.result.credit]).toEqual([3, '2026-01', '25.00']);
  });

  it('by period: a period before every published rule set is a positioned NO_RULE_SET error record', async () => {
    const r = await evaluateRecord(raw('2025-06'), byPeriod, limits);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.seq).toBe(3);
    expect(r.error).toMatchObject({ account: 'R-1001', period: '2025-06', error: { code: 'NO_RULE_SET', file: 'f.ndjson', line: 7, path: 'period' } });
    expect(r.error.error.message).toContain('no published rule set in rules/ is effective on 2025-06-01');
  });

  it('fixed (--rules-version): that rule set, whatever the period', async () => {
    const r = await evaluateRecord(raw('2025-06'), fixed, limits);
    expect(r.ok && [r.result.period, r.result.rules.id, r.result.credit]).toEqual(['2025-06', '2026-01', '25.00']);
  });
});

describe('error records', () => {
  it('a record with two bad amounts: the first is the headline, both are listed, with the account', async () => {
    const r = await evaluateRecord(raw('2026-11', {
      lineItems: [{ service: 'starter-plus-user', quantity: 25, unitPrice: '4,00' }, { service: 'hipaa-fee', amount: '-1' }],
    }), byPeriod, limits);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.account).toBe('R-1001');
    expect(r.error.errors?.map((e) => e.path)).toEqual(['lineItems[0].unitPrice', 'lineItems[1].amount']);
    expect(r.error.error).toEqual(r.error.errors![0]);
  });

  it('one problem: no `errors` list; no account or period when none could be read', () => {
    const e = errorRecord([new RcError('JSON_SYNTAX', 'invalid JSON', { file: 'f.ndjson', line: 2, column: 5 })]);
    expect(e).toEqual({ error: { code: 'JSON_SYNTAX', message: 'invalid JSON', file: 'f.ndjson', line: 2, column: 5 } });
    expect(Object.keys(e)).toEqual(['error']);
  });

  it('the account of the first error stands in when the caller has none; the period only when given', () => {
    const errs = [new RcError('SCHEMA', 'a', { file: 'f', account: 'R-9' }), new RcError('SCHEMA', 'b', { file: 'f' })];
    const e = errorRecord(errs, undefined, '2026-11');
    expect(e.account).toBe('R-9');
    expect(e.period).toBe('2026-11');
    expect(e.errors).toHaveLength(2);
    expect(errorRecord(errs, 'R-1').account).toBe('R-1');
    expect(Object.hasOwn(errorRecord(errs, 'R-1'), 'period')).toBe(false);
  });
});

describe('an affiliate measure the rule set counts but the totals do not give', () => {
  it('is an error record at the totals, naming the measure, the rule set and where it counts', async () => {
    const r = await evaluateRecord(raw('2026-11', { linkedAffiliate: { account: 'AF-1', totals: { payments: '120.00' } } }), byPeriod, limits);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.error).toMatchObject({ code: 'MEASURE_NOT_GIVEN', file: 'f.ndjson', line: 7, path: 'linkedAffiliate.totals.value' });
    expect(r.error.account).toBe('R-1001');
    expect(r.error.error.column).toBeGreaterThan(1); // at `totals` inside the line, not the record's start
    expect(r.error.error.message).toMatch(/^affiliate value is not given, but rule set 2026-01 counts it \(tierBasis\)/);
  });
});

describe('the library call without options', () => {
  it('evaluate(snapshot, ruleSet) gives no trace and every line', async () => {
    const { parseSnapshotRecord } = await import('../src/compose/snapshot-parse.js');
    const { evaluate } = await import('../src/evaluate/evaluate.js');
    const located = parseSnapshotRecord(raw('2026-11'), limits);
    const result = await evaluate(located.snapshot, rules2026);
    expect(Object.hasOwn(result, 'trace')).toBe(false);
    expect(result.lines.map((l) => l.value)).toEqual(['100.00', '150.00']);
  });
});

describe('without lines (what a CSV summary and whatif need)', () => {
  it('no lines are built, and every sum and the credit are the same', async () => {
    const { parseSnapshotRecord } = await import('../src/compose/snapshot-parse.js');
    const { decide, evaluate } = await import('../src/evaluate/evaluate.js');
    const located = parseSnapshotRecord(raw('2026-11'), limits);
    const full = await evaluate(located.snapshot, rules2026);
    const bare = await evaluate(located.snapshot, rules2026, located.doc, { lines: false });
    expect(bare.lines).toEqual([]);
    expect({ ...bare, lines: full.lines }).toEqual(full);
    const d = await decide(located.snapshot, rules2026, located.doc, { lines: false });
    expect([d.v.lines.length, d.tier.name, d.credit.toFixed(2)]).toEqual([0, full.tier.name, full.credit]);
  });
});
