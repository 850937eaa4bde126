/**
 * The schema-compiled NDJSON serializers (src/report/serialize.ts) against
 * `JSON.stringify` of the same objects: fast-json-stringify silently drops a
 * field its schema lacks, so every record of a generated portfolio (bad
 * records, traces, affiliate totals with a measure missing, unit-price lines)
 * and of generated strings must read back exactly as `JSON.stringify`'s.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RcError } from '../src/errors.js';
import { errorRecord, evaluateRecord, type OutputRecord, type RuleChoice } from '../src/evaluate/record.js';
import { resolveRuleSet } from '../src/intake/resolve-rule-set.js';
import { loadRules } from '../src/intake/rules-dir.js';
import type { RawRecord } from '../src/input/raw-record.js';
import { resolveLimits } from '../src/load/limits.js';
import { formatBodies, ndjsonLine, outputObject } from '../src/report/formats.js';
import { compileSerializers, GENERATED_SERIALIZERS, loadedSerializers, loadSerializers, markUnescaped, recordSerializers, UNESCAPED_DEFS } from '../src/report/serialize.js';
import { tempDir } from './support/temp.js';

const ROOT = resolve('.');
const work = tempDir('rc-serialize-');
const limits = resolveLimits();
const repo = loadRules(join(ROOT, 'rules'));
const fixed = (id: string): RuleChoice => ({ kind: 'fixed', ruleSet: resolveRuleSet(repo, id) });

/** The lines of an NDJSON file as raw records. */
function rawLines(file: string): RawRecord[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((text, i) => ({ seq: i, file, line: i + 1, column: 1, text, format: 'json' as const }));
}

/** A raw record of a whole JSON file. */
const rawFile = (file: string, seq: number): RawRecord => ({ seq, file, line: 1, column: 1, text: readFileSync(file, 'utf8'), format: 'json' });

const viaStringify = (r: OutputRecord, trace: boolean) => JSON.parse(JSON.stringify(outputObject(r, { trace }))) as unknown;
const viaSchema = (r: OutputRecord, trace: boolean) => JSON.parse(ndjsonLine(r, { trace })) as unknown;

async function portfolio(): Promise<OutputRecord[]> {
  const file = join(work, 'portfolio.ndjson');
  const g = spawnSync(process.execPath, [join(ROOT, 'bench/generate.js'), '--count', '500', '--seed', '11', '--bad', '40', '--out', file], { encoding: 'utf8' });
  expect(g.status, g.stderr).toBe(0);
  const out: OutputRecord[] = [];
  for (const trace of [false, true]) {
    for (const raw of rawLines(file)) out.push(await evaluateRecord(raw, fixed('2026-01'), limits, { trace }));
  }
  // affiliate totals with one measure: null under 2026-01; a measure the rule set counts but is missing: an error record
  const aff = ['value-only.json', 'payments-only.json', 'value-over-payments.json'].map((f) => join(ROOT, 'test/fixtures/affiliate', f));
  for (const [i, f] of aff.entries()) {
    out.push(await evaluateRecord(rawFile(f, i), fixed('2026-01'), limits, { trace: true }));
    out.push(await evaluateRecord(rawFile(f, i), { kind: 'fixed', ruleSet: resolveRuleSet(repo, join(ROOT, 'test/fixtures/affiliate/affiliate-payments.yaml')) }, limits));
  }
  out.push(await evaluateRecord(rawFile(join(ROOT, 'examples/affiliate-totals.json'), 0), { kind: 'by-period', repo }, limits, { trace: true }));
  return out;
}

describe('schema-compiled NDJSON serializers', () => {
  it('write every record of a generated portfolio as JSON.stringify does (parsed back, deep-equal), with and without --trace', async () => {
    const records = await portfolio();
    let traced = 0;
    let nulls = 0;
    let multi = 0;
    let unitPrices = 0;
    for (const r of records) {
      for (const trace of [false, true]) expect(viaSchema(r, trace)).toEqual(viaStringify(r, trace));
      if (r.ok) {
        if (r.result.trace?.length) traced++;
        if (r.result.monthlyPayments.affiliate === null || r.result.monthlyValue.affiliate === null) nulls++;
        if (r.result.lines.some((l) => l.unitPrice !== undefined)) unitPrices++;
      } else if (r.error.errors) multi++;
    }
    // the portfolio exercised what it must
    expect(traced).toBeGreaterThan(400);
    expect(nulls).toBeGreaterThanOrEqual(2);
    expect(unitPrices).toBeGreaterThan(400);
    expect(records.filter((r) => !r.ok).length).toBeGreaterThanOrEqual(80);
    expect(multi + records.filter((r) => !r.ok && r.error.error.code === 'MEASURE_NOT_GIVEN').length).toBeGreaterThan(0);
    // the batch body is the records' lines, in order
    const some = records.slice(0, 50);
    expect(formatBodies(some, 'ndjson', { trace: true })[0]!.split('\n').map((l) => JSON.parse(l) as unknown))
      .toEqual(some.map((r) => viaStringify(r, true)));
  });

  it('without --trace, a result that carries a trace is written without it (as outputObject drops it)', async () => {
    const [raw] = rawLines(join(ROOT, 'examples/portfolio.ndjson'));
    const r = await evaluateRecord(raw!, fixed('2026-01'), limits, { trace: true });
    expect(r.ok && r.result.trace?.length).toBeGreaterThan(0);
    const line = JSON.parse(ndjsonLine(r, { trace: false })) as Record<string, unknown>;
    expect(line).not.toHaveProperty('trace');
    expect(line).toEqual(viaStringify(r, false));
  });

  it('error records with any strings (control characters, quotes, lone surrogates) and any optional fields read back equal', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const where = fc.record({ file: text, line: fc.integer({ min: 1, max: 1e6 }), column: fc.integer({ min: 1, max: 1e6 }), path: text, account: text }, { requiredKeys: [] });
    fc.assert(fc.property(fc.array(fc.tuple(text, where), { minLength: 1, maxLength: 4 }), fc.option(text, { nil: undefined }), fc.option(fc.constant('2026-11'), { nil: undefined }),
      (errs, account, period) => {
        const rec = errorRecord(errs.map(([m, w]) => new RcError('SCHEMA', m, w)), account, period);
        const r: OutputRecord = { seq: 0, ok: false, error: rec };
        expect(viaSchema(r, false)).toEqual(viaStringify(r, false));
      }), { numRuns: 300, seed: 42 });
  });

  it('results whose strings are anything (account, service, warnings, reasons, tier name) read back equal', async () => {
    const [raw] = rawLines(join(ROOT, 'examples/portfolio.ndjson'));
    const base = await evaluateRecord(raw!, fixed('2026-01'), limits, { trace: true });
    if (!base.ok) throw new Error('example did not evaluate');
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    fc.assert(fc.property(text, text, fc.array(text, { maxLength: 3 }), fc.array(text, { maxLength: 3 }), text, (account, service, warnings, reasons, tier) => {
      const x = structuredClone(base.result);
      x.account = account;
      x.lines = x.lines.map((l) => ({ ...l, account, service }));
      x.warnings = warnings;
      x.eligibility.reasons = reasons;
      x.tier.name = tier;
      x.trace![0]!.conditions[0]!.factValue = service;
      const r: OutputRecord = { seq: 0, ok: true, result: x };
      for (const trace of [false, true]) expect(viaSchema(r, trace)).toEqual(viaStringify(r, trace));
    }), { numRuns: 200, seed: 7 });
  });

  it('are loaded once per thread, from the build\'s pre-compiled module, which writes what compiling them now writes', async () => {
    expect(recordSerializers()).toBe(recordSerializers());
    expect(loadedSerializers().origin).toBe('pre-compiled');
    const pre = loadSerializers(GENERATED_SERIALIZERS);
    expect(pre.origin).toBe('pre-compiled');
    const now = compileSerializers();
    const records = await Promise.all(rawLines(join(ROOT, 'examples/portfolio.ndjson')).map((raw) => evaluateRecord(raw, fixed('2026-01'), limits, { trace: true })));
    for (const r of records) {
      if (!r.ok) continue;
      expect(pre.serializers.result(r.result)).toBe(now.result(r.result));
      expect(pre.serializers.resultWithTrace(r.result)).toBe(now.resultWithTrace(r.result));
    }
    const e = errorRecord([new RcError('SCHEMA', 'x', { file: 'f', line: 2 }), new RcError('BAD_AMOUNT', 'y')], 'A-1');
    expect(pre.serializers.error(e)).toBe(now.error(e));
  });

  it('copy unescaped only digit-like strings: a definition whose pattern could admit a quote or a letter beyond a-f is refused', () => {
    const common = JSON.parse(readFileSync(join(ROOT, 'schemas/common.schema.json'), 'utf8')) as { $defs: Record<string, Record<string, unknown>> };
    const ok = structuredClone(common);
    markUnescaped(ok);
    for (const name of UNESCAPED_DEFS) expect(ok.$defs[name]!.format).toBe('unsafe');
    expect(common.$defs.amount!.format).toBeUndefined(); // the shipped schema is not changed
    for (const pattern of ['^[0-9 ]+$', '^[0-9"]+$', '^[0-9a-z]+$']) {
      const bad = structuredClone(common);
      bad.$defs.amount!.pattern = pattern;
      expect(() => markUnescaped(bad), pattern).toThrow(/amount is not a digits-only string/);
    }
    const untyped = structuredClone(common);
    delete untyped.$defs.sha256!.type;
    expect(() => markUnescaped(untyped)).toThrow(/sha256/);
  });

  it('are compiled at run time when the pre-compiled module is missing or was made from other schema text', () => {
    const missing = loadSerializers(join(work, 'none.cjs'));
    expect([missing.origin, missing.reason]).toEqual(['compiled', 'missing']);
    const stale = join(work, 'stale.cjs');
    writeFileSync(stale, 'exports.precompiled = true; exports.schemasSha256 = "0"; exports.result = () => "stale";\n');
    const s = loadSerializers(stale);
    expect([s.origin, s.reason]).toEqual(['compiled', 'stale']);
    const e = errorRecord([new RcError('SCHEMA', 'm')], 'A-1', '2026-11');
    expect(JSON.parse(s.serializers.error(e))).toEqual(e);
  });
});
