/**
 * The output schemas of schemas/ (docs/output-schemas.md) against the CLI's
 * real JSON output: every command run as a user runs it (in this process,
 * test/support/run-cli.ts), each document
 * validated with AJV in strict mode. Then each schema is shown to reject a
 * mutated document (an extra field, a money number), so none is vacuous.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { generatePortfolio } from '../bench/generate.js';
import { ID_BASE, outputAjv, outputSchemas } from './support/output-schemas.js';
import { snap, writeNdjson } from './support/ledger.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const ROOT = resolve('.');
const work = tempDir('rc-output-schemas-');
let n = 0;
const fresh = (name: string) => join(work, `${n++}-${name}`);

const cli = (args: string[]) => runCli(args);

const { validator } = outputAjv();

/**
 * Files of definitions only, referenced by the others: no document is of their root
 * (service.schema.json's are checked against real answers in server-contract.test.ts).
 */
const DEFINITIONS_ONLY = ['common.schema.json', 'service.schema.json'];

/** A valid document of each schema, kept for the mutation tests at the end. */
const samples = new Map<string, unknown>();

/** Asserts `doc` is valid against schema `name` (and keeps it as that schema's sample). */
function expectValidAs(name: string, doc: unknown, pointer?: string): void {
  expectValid(validator(name, pointer), doc);
  if (!pointer && !samples.has(name)) samples.set(name, structuredClone(doc));
}

/** Asserts `doc` is valid, showing AJV's errors when not. */
function expectValid(v: ValidateFunction, doc: unknown): void {
  const ok = v(doc);
  expect(ok ? [] : v.errors).toEqual([]);
}

/** Every value under `doc` (depth first), with its parent and key. */
function* walk(doc: unknown, parent?: object, key?: string | number): Generator<{ value: unknown; parent?: object; key?: string | number }> {
  yield { value: doc, parent, key };
  if (Array.isArray(doc)) for (let i = 0; i < doc.length; i++) yield* walk(doc[i], doc, i);
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) yield* walk(v, doc, k);
}

const ndjson = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** A portfolio of two good snapshots, an invalid one (2 errors), one of another period and a JSON syntax error. */
function mixedPortfolio(): string {
  const file = fresh('mixed.ndjson');
  const bad = { schemaVersion: 1, account: 'BAD-1', period: '2026-11', subClients: 5, extra: 1, lineItems: [{ service: 'vpn', amount: '4.00' }] };
  writeFileSync(file, [
    JSON.stringify(snap('A-1', '2026-11', 20)),
    JSON.stringify(bad),
    JSON.stringify(snap('A-2', '2026-11', 200)),
    JSON.stringify(snap('A-3', '1999-11', 2)),
    '{"schemaVersion": 1, "account": ',
  ].join('\n') + '\n');
  return file;
}

describe('every output schema', () => {
  it('compiles in AJV strict mode, has a $id under the project base naming its file, a title and a description', () => {
    const schemas = outputSchemas();
    expect([...schemas.keys()]).toEqual([
      'common.schema.json', 'diff.schema.json', 'error-record.schema.json', 'evaluate.schema.json', 'evaluation-result.schema.json',
      'issue-record.schema.json', 'ledger-export.schema.json', 'ledger-show.schema.json', 'review.schema.json',
      'service.schema.json', 'test-report.schema.json', 'validate.schema.json', 'whatif.schema.json',
    ]);
    for (const [file, s] of schemas) {
      expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(s.$id).toBe(`${ID_BASE}${file}`);
      expect(typeof s.title).toBe('string');
      expect(typeof s.description).toBe('string');
      if (!DEFINITIONS_ONLY.includes(file)) expect(validator(file.replace('.schema.json', ''))).toBeTypeOf('function');
    }
  });

  it('docs/output-schemas.md lists each schema file with its $id', () => {
    const doc = readFileSync(join(ROOT, 'docs/output-schemas.md'), 'utf8');
    for (const file of outputSchemas().keys()) {
      expect(doc).toContain(`schemas/${file}`);
      expect(doc).toContain(`${ID_BASE}${file}`);
    }
  });
});

describe('evaluate', () => {
  it('--format ndjson: results and error records (one and several errors, a syntax error) validate', async () => {
    const r = await cli(['evaluate', '--format', 'ndjson', mixedPortfolio()]);
    expect(r.status, r.stderr).toBe(1);
    const lines = ndjson(r.stdout);
    expect(lines).toHaveLength(5);
    const record = validator('evaluate', '/$defs/record');
    for (const l of lines) expectValid(record, l);
    expectValidAs('evaluation-result', lines[0]);
    expect(lines[0]!.credit).toBe('8.00'); // 20 users × $4.00 = $80 → tier-10
    expect(lines[0]).not.toHaveProperty('trace');
    expectValidAs('error-record', lines[1]);
    expect((lines[1]!.errors as unknown[]).length).toBeGreaterThan(1);
    expect((lines[3]!.error as { code: string }).code).toBe('NO_RULE_SET');
    expect(lines[3]!.period).toBe('1999-11');
    expectValidAs('error-record', lines[4]);
    expect((lines[4]!.error as { code: string }).code).toBe('JSON_SYNTAX');
  });

  it('--format json --trace over several files prints an array that validates, with each result\'s trace', async () => {
    const r = await cli(['evaluate', '--format', 'json', '--trace', join(ROOT, 'examples')]);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(Array.isArray(doc)).toBe(true);
    expectValidAs('evaluate', doc);
    const results = doc.filter((d) => !('error' in d));
    expect(results.length).toBeGreaterThan(10);
    for (const x of results) expect((x.trace as unknown[]).length).toBeGreaterThan(0);
  });

  it('--format json of one snapshot prints one object that validates as a result', async () => {
    const r = await cli(['evaluate', '--format', 'json', join(ROOT, 'examples/seed-px2.yaml')]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as unknown;
    expectValidAs('evaluate', doc);
    expectValidAs('evaluation-result', doc);
  });

  it('affiliate totals with a measure missing: affiliate is null, and the result validates', async () => {
    const rules = join(ROOT, 'test/fixtures/affiliate/affiliate-payments.yaml');
    const r = await cli(['evaluate', '--format', 'ndjson', '--trace', '--rules-version', '2026-01', join(ROOT, 'test/fixtures/affiliate/value-only.json')]);
    expect(r.status, r.stderr).toBe(0);
    const [x] = ndjson(r.stdout);
    expect((x!.monthlyPayments as { affiliate: unknown }).affiliate).toBeNull();
    expect((x!.monthlyValue as { affiliate: unknown }).affiliate).toBe('25.50');
    expectValidAs('evaluation-result', x);
    // the rule set that counts the missing measure: an error record
    const e = await cli(['evaluate', '--format', 'ndjson', '--rules-file', rules, join(ROOT, 'test/fixtures/affiliate/value-only.json')]);
    expect(e.status).toBe(1);
    const [er] = ndjson(e.stdout);
    expect((er!.error as { code: string }).code).toBe('MEASURE_NOT_GIVEN');
    expectValidAs('error-record', er);
  });
});

describe('a generated portfolio', () => {
  it('every NDJSON record of evaluate --trace --jobs 2 (bad records, unit prices, managed and affiliate accounts, a null affiliate measure) validates', async () => {
    const file = fresh('generated.ndjson');
    await generatePortfolio({ count: 600, seed: 11, bad: 30, out: file });
    const r = await cli(['evaluate', '--format', 'ndjson', '--trace', '--jobs', '2', '--rules-version', '2026-01', file,
      join(ROOT, 'test/fixtures/affiliate/value-only.json'), join(ROOT, 'test/fixtures/affiliate/payments-only.json')]);
    expect(r.status).toBe(1);
    const lines = ndjson(r.stdout);
    expect(lines).toHaveLength(632);
    const record = validator('evaluate', '/$defs/record');
    for (const l of lines) expectValid(record, l);
    const results = lines.filter((l) => !('error' in l));
    // the 30 bad records, and payments-only.json: 2026-01 counts the affiliate value it does not give
    expect(lines.length - results.length).toBe(31);
    expect((lines[631]!.error as { code: string }).code).toBe('MEASURE_NOT_GIVEN');
    expect(results.every((x) => (x.trace as unknown[]).length > 0)).toBe(true);
    expect(results.filter((x) => (x.monthlyPayments as { affiliate: unknown }).affiliate === null || (x.monthlyValue as { affiliate: unknown }).affiliate === null)).toHaveLength(1);
    expect(results.filter((x) => (x.lines as { unitPrice?: string }[]).some((l) => l.unitPrice !== undefined)).length).toBeGreaterThan(500);
    expect(results.filter((x) => (x.lines as { source: string }[]).some((l) => l.source !== 'own')).length).toBeGreaterThan(0);
  });
});

describe('other commands', () => {
  it('whatif --format json, an error record among the accounts', async () => {
    const r = await cli(['whatif', '--format', 'json', '--baseline', '2026-01', '--candidate', '2027-01', join(ROOT, 'examples/portfolio.ndjson'), mixedPortfolio()]);
    expect(r.status, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as { accounts: object[]; summary: { errors: number; tierChanges: object } };
    expectValidAs('whatif', doc);
    expect(doc.summary.errors).toBe(2);
    expect(doc.accounts.filter((a) => 'error' in a)).toHaveLength(2);
  });

  it('diff --format json', async () => {
    const r = await cli(['diff', '2026-01', '2027-01', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { changes: unknown[]; tierEffects: unknown[] };
    expectValidAs('diff', doc);
    expect(doc.changes.length).toBeGreaterThan(0);
    expect(doc.tierEffects.length).toBeGreaterThan(0);
  });

  it('validate --format json: the rules folder, and named files one of which is invalid', async () => {
    const ok = await cli(['validate', '--format', 'json']);
    expect(ok.status, ok.stderr).toBe(0);
    expectValidAs('validate', JSON.parse(ok.stdout));
    const badFile = fresh('bad.yaml');
    writeFileSync(badFile, 'schemaVersion: 1\nid: bad\ntiers: 3\n');
    const bad = await cli(['validate', '--format', 'json', join(ROOT, 'rules/2026-01.yaml'), badFile]);
    expect(bad.status).toBe(1);
    const doc = JSON.parse(bad.stdout) as { rulesDir: unknown; files: { valid: boolean; errors: unknown[] }[] };
    expectValidAs('validate', doc);
    expect(doc.rulesDir).toBeNull();
    expect(doc.files.map((f) => f.valid)).toEqual([true, false]);
  });

  it('test --format json: passing cases, a failing one, a broken one and a path that gives none', async () => {
    const dir = fresh('cases');
    const cases = join(dir, '2026-01');
    cpSync(join(ROOT, 'test/cases/2026-01'), cases, { recursive: true });
    const one = readFileSync(join(cases, 'seed-px2.yaml'), 'utf8');
    writeFileSync(join(cases, 'zz-failing.yaml'), one.replace(/credit: "25.00"/, 'credit: "26.00"'));
    writeFileSync(join(cases, 'zz-broken.yaml'), 'name: broken\nrules: [\n');
    const r = await cli(['test', '--format', 'json', dir, join(dir, 'no-such-folder')]);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { cases: { status: string }[]; summary: { inputErrors: number } };
    expectValidAs('test-report', doc);
    expect(new Set(doc.cases.map((c) => c.status))).toEqual(new Set(['passed', 'failed', 'broken']));
    expect(doc.summary.inputErrors).toBe(1);
  });

  it('issue --format ndjson and json, then ledger show and export --format json: issued, unchanged, adjusted, errors', async () => {
    const ledger = fresh('ledger.sqlite');
    expect((await cli(['ledger', 'init', ledger])).status).toBe(0);
    const first = await cli(['issue', '--period', '2026-11', '--ledger', ledger, '--format', 'ndjson', '--trace', mixedPortfolio()]);
    expect(first.status, first.stderr).toBe(1);
    const issueRecord = validator('issue-record');
    const rows = ndjson(first.stdout);
    expect(rows).toHaveLength(5);
    for (const row of rows) expectValid(issueRecord, row);
    samples.set('issue-record', structuredClone(rows[0]));
    expect(rows.filter((x) => 'ledger' in x).map((x) => (x.ledger as { status: string }).status)).toEqual(['issued', 'issued']);
    expect(rows[0]!.trace).toBeDefined();
    // a corrected snapshot: an adjustment; the other unchanged
    const corrected = writeNdjson(work, `${n++}.ndjson`, [snap('A-1', '2026-11', 30), snap('A-2', '2026-11', 200)]);
    const second = await cli(['issue', '--period', '2026-11', '--ledger', ledger, '--format', 'json', corrected]);
    expect(second.status, second.stderr).toBe(0);
    const doc = JSON.parse(second.stdout) as { ledger: { status: string; adjustment?: string } }[];
    for (const row of doc) expectValid(issueRecord, row);
    expect(doc.map((x) => x.ledger.status)).toEqual(['adjusted', 'unchanged']);
    expect(doc[0]!.ledger.adjustment).toBe('4.00'); // 120 × 10% − 80 × 10%
    // the next period carries the adjustment
    const next = await cli(['issue', '--period', '2026-12', '--ledger', ledger, '--format', 'json', writeNdjson(work, `${n++}.ndjson`, [snap('A-1', '2026-12', 30)])]);
    expect(next.status, next.stderr).toBe(0);
    const carried = JSON.parse(next.stdout) as { statement: { adjustments: unknown[] } };
    expectValid(issueRecord, carried);
    expect(carried.statement.adjustments).toHaveLength(1);

    const show = await cli(['ledger', 'show', '--format', 'json', '--ledger', ledger]);
    expect(show.status, show.stderr).toBe(0);
    const entries = JSON.parse(show.stdout) as { kind: string }[];
    expectValidAs('ledger-show', entries);
    expect(entries.map((e) => e.kind)).toEqual(['issue', 'issue', 'adjustment', 'issue']);
    const empty = await cli(['ledger', 'show', '--format', 'json', '--ledger', ledger, '--account', 'nobody']);
    expectValidAs('ledger-show', JSON.parse(empty.stdout));

    for (const period of ['2026-11', '2026-12']) {
      const ex = await cli(['ledger', 'export', '--format', 'json', '--period', period, '--ledger', ledger]);
      expect(ex.status, ex.stderr).toBe(0);
      const notes = JSON.parse(ex.stdout) as unknown[];
      expectValidAs('ledger-export', notes);
      expect(notes).toHaveLength(period === '2026-11' ? 2 : 1);
    }
  });

  it('review --format json: with a portfolio (impact, errors), a failing check with a counterexample, cliffs', async () => {
    const review = validator('review');
    const withPortfolio = await cli(['review', '2027-01', '--baseline', '2026-01', '--format', 'json', '--runs', '20', join(ROOT, 'examples/portfolio.ndjson'), mixedPortfolio()]);
    const doc = JSON.parse(withPortfolio.stdout) as { impact: { errors: unknown[] } | null; cliffs: { applicable: boolean } };
    expectValidAs('review', doc);
    expect(doc.impact!.errors.length).toBe(2);
    const falls = await cli(['review', join(ROOT, 'test/fixtures/review/percent-falls.yaml'), '--baseline', '2026-01', '--format', 'json', '--runs', '20']);
    expect(falls.status).toBe(1);
    const bad = JSON.parse(falls.stdout) as { impact: unknown; checks: { passed: boolean; counterexample?: unknown }[] };
    expectValid(review, bad);
    expect(bad.impact).toBeNull();
    expect(bad.checks.some((c) => !c.passed && c.counterexample)).toBe(true);
    const noOwn = await cli(['review', join(ROOT, 'test/fixtures/review/no-own-base.yaml'), '--baseline', '2026-01', '--format', 'json', '--runs', '20']);
    const na = JSON.parse(noOwn.stdout) as { cliffs: { applicable: boolean } };
    expectValid(review, na);
    expect(na.cliffs.applicable).toBe(false);
  });
});

/** Subtrees whose shape is open by design (docs/output-schemas.md): not mutated. */
const OPEN = new Set(['snapshot', 'before', 'after', 'tierChanges']);

/** The objects and money strings of `doc`, with a way to change each in a copy. */
function sites(doc: unknown): { objects: (string | number)[][]; money: (string | number)[][] } {
  const objects: (string | number)[][] = [];
  const money: (string | number)[][] = [];
  const visit = (v: unknown, path: (string | number)[]) => {
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i]));
    else if (v && typeof v === 'object') {
      objects.push(path);
      for (const [k, x] of Object.entries(v)) if (!OPEN.has(k)) visit(x, [...path, k]);
    } else if (typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(v)) money.push(path);
  };
  visit(doc, []);
  return { objects, money };
}

/** A copy of `doc` with `change` applied at `path`. */
function mutated(doc: unknown, path: readonly (string | number)[], change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (!path.length) { change({ root: copy }, 'root'); return copy; }
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  change(node, path[path.length - 1]!);
  return copy;
}

/** At most `max` of `xs`, spread evenly. */
const spread = <T>(xs: readonly T[], max: number): T[] => xs.length <= max ? [...xs] : Array.from({ length: max }, (_, i) => xs[Math.floor((i * xs.length) / max)]!);

describe('the schemas are not vacuous', () => {
  it('there is a real document of every schema (the tests above kept one each)', () => {
    const names = [...outputSchemas().keys()].filter((f) => !DEFINITIONS_ONLY.includes(f)).map((f) => f.replace('.schema.json', '')).sort();
    expect([...samples.keys()].sort()).toEqual(names);
  });

  it('each schema rejects its document with an extra field in any of its objects', () => {
    for (const [name, doc] of samples) {
      const v = validator(name);
      const objects = sites(doc).objects;
      expect(objects.length, name).toBeGreaterThan(0);
      for (const path of spread(objects, 150)) {
        const bad = mutated(doc, path, (parent, key) => {
          const target = key === 'root' && !path.length ? parent.root : parent[key];
          (target as Record<string, unknown>).unexpectedField = 'x';
        });
        expect(v(bad), `${name}: extra field at /${path.join('/')}`).toBe(false);
      }
    }
  });

  it('each schema rejects its document with any money string turned into a JSON number', () => {
    let checked = 0;
    for (const [name, doc] of samples) {
      const v = validator(name);
      for (const path of spread(sites(doc).money, 200)) {
        const bad = mutated(doc, path, (parent, key) => { parent[key] = Number(parent[key]); });
        expect(v(bad), `${name}: number at /${path.join('/')}`).toBe(false);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    for (const name of ['evaluation-result', 'issue-record', 'whatif', 'diff', 'ledger-show', 'ledger-export', 'review']) {
      expect(sites(samples.get(name)).money.length, name).toBeGreaterThan(0);
    }
  });

  it('a money string with a thousands separator or exponent, or a wrong hash, is rejected', () => {
    const doc = samples.get('evaluation-result') as Record<string, unknown>;
    const v = validator('evaluation-result');
    for (const credit of ['1,000.00', '1e3', '25.', ' 25.00', '-25.00']) expect(v({ ...doc, credit }), credit).toBe(false);
    expect(v({ ...doc, rules: { id: '2026-01', sha256: 'abc' } })).toBe(false);
    expect(v({ ...doc, monthlyPayments: { ...(doc.monthlyPayments as object), affiliate: 3 } })).toBe(false);
    const { credit: _credit, ...missing } = doc;
    expect(v(missing)).toBe(false);
  });
});
