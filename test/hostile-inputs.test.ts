/**
 * Hostile inputs (test/fixtures/hostile/, plus an oversized file and very deep
 * documents generated into a temp folder) fail fast with their coded error and
 * never crash the process. Deep documents are refused *before* the YAML parser
 * runs (SPEC §8: ~1,000 levels can kill Node 20 inside it), whatever their style.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments, parseDocument, stringify } from 'yaml';
import { readRuleSetFile, parseRuleSetText } from '../src/compose/ruleset-loader.js';
import { loadRules } from '../src/compose/rules-dir.js';
import { findExcessiveNesting } from '../src/parse/depth-scan.js';
import { resolveLimits } from '../src/limits.js';
import { runPortfolio } from '../src/run/sequential.js';
import type { OutputRecord } from '../src/model/records.js';
import { readSnapshot } from './support/snapshots.js';
import { ruleSetWith, SHIPPED_RULES } from './support/rules.js';
import { tempDir } from './support/temp.js';
import { asRcErrors, type RcError } from '../src/errors.js';

// Spy on the parser entry point the loader uses, to prove deep input never reaches it.
vi.mock('yaml', async (importOriginal) => {
  const actual = await importOriginal<typeof import('yaml')>();
  return { ...actual, parseAllDocuments: vi.fn(actual.parseAllDocuments) };
});
const parserCalls = () => vi.mocked(parseAllDocuments).mock.calls.length;

const HOSTILE = 'test/fixtures/hostile';
/** Each committed hostile file and the error it must give, as a rule file and as a snapshot. */
const TABLE: { file: string; code: string; line?: number; beforeParsing?: boolean }[] = [
  { file: 'billion-laughs.yaml', code: 'ALIAS_LIMIT' },
  { file: 'deep-flow.yaml', code: 'NESTING_TOO_DEEP', line: 2, beforeParsing: true },
  { file: 'deep-flow-after-quote.yaml', code: 'NESTING_TOO_DEEP', line: 4, beforeParsing: true },
  { file: 'deep-explicit-keys.yaml', code: 'NESTING_TOO_DEEP', line: 3, beforeParsing: true },
  { file: 'deep-block-sequences.yaml', code: 'NESTING_TOO_DEEP', line: 5, beforeParsing: true },
  { file: 'deep-indentation.yaml', code: 'NESTING_TOO_DEEP', line: 66, beforeParsing: true },
  { file: 'proto-keys.yaml', code: 'FORBIDDEN_KEY' },
];

function snapshotErrors(text: string): RcError[] {
  try {
    // a record as large as the deepest generated document, so the depth is what fails
    readSnapshot({ text, format: 'yaml', file: 'hostile.yaml' }, { maxRecordBytes: 8 * 1024 * 1024 });
  } catch (err) {
    return asRcErrors(err);
  }
  throw new Error('accepted');
}

/** Generated documents `n` (default 2,000) levels deep, in every style. */
const DEEP: Record<string, (n?: number) => string> = {
  'block mappings by indentation': (n = 2000) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k:\n`).join(''),
  'block sequences by indentation': (n = 2000) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}-\n`).join('') + `${' '.repeat(n)}x\n`,
  'compact sequences on one line': (n = 2000) => `${'- '.repeat(n)}x\n`,
  'compact explicit keys on one line': (n = 2000) => `${'? '.repeat(n)}x\n`,
  'flow sequences': (n = 2000) => `k: ${'['.repeat(n)}${']'.repeat(n)}\n`,
  'flow mappings in JSON': (n = 2000) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}\n`,
  'flow after a block scalar': (n = 2000) => `a: |\n  text [\nb: ${'['.repeat(n)}${']'.repeat(n)}\n`,
  'flow after a quote inside a plain scalar': (n = 2000) => `a: x 'y\nb: ${'['.repeat(n)}${']'.repeat(n)}\n`,
};

beforeEach(() => vi.mocked(parseAllDocuments).mockClear());

describe('hostile rule files (committed fixtures)', () => {
  it.each(TABLE)('$file → $code', ({ file, code, line, beforeParsing }) => {
    const r = readRuleSetFile(join(HOSTILE, file));
    expect(r.ruleSet).toBeUndefined();
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]).toMatchObject({ code, file: join(HOSTILE, file), ...(line ? { line } : {}) });
    if (beforeParsing) expect(parserCalls()).toBe(0);
  });

  it.each(TABLE)('$file as a snapshot → $code', ({ file, code, beforeParsing }) => {
    const errors = snapshotErrors(readFileSync(join(HOSTILE, file), 'utf8'));
    expect(errors.map((e) => e.code)).toContain(code);
    if (beforeParsing) expect(parserCalls()).toBe(0);
  });

  it('reserved keys are each refused, and pollute nothing', () => {
    const r = readRuleSetFile(join(HOSTILE, 'proto-keys.yaml'));
    expect(r.errors.filter((e) => e.code === 'FORBIDDEN_KEY').map((e) => e.path)).toEqual(
      ['tiers[0].constructor', 'services.__proto__', 'services.constructor', '__proto__']);
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.commissionable).toBeUndefined();
  });

  it('an alias bomb is refused under the alias limit, and a few aliases are fine', () => {
    const few = 'a: &x "1.00"\nb: *x\nc: *x\n';
    expect(snapshotErrors(`schemaVersion: 1\naccount: A\nperiod: 2026-11\nlineItems: []\n${few}`)[0]).toMatchObject({ code: 'SCHEMA' });
    const limited = parseRuleSetText(few, 'x.yaml', resolveLimits({ maxAliasCount: 1 }));
    expect(limited.errors[0]).toMatchObject({ code: 'ALIAS_LIMIT' });
  });
});

describe('generated hostile inputs (temp folder)', () => {
  const dir = tempDir();

  it.each(Object.keys(DEEP))('2,000 levels of %s are refused before parsing, as a rule set and as a snapshot', (style) => {
    const text = DEEP[style]!();
    expect(parseRuleSetText(text, 'x.yaml').errors[0]).toMatchObject({ code: 'NESTING_TOO_DEEP', file: 'x.yaml' });
    expect(snapshotErrors(text)[0]).toMatchObject({ code: 'NESTING_TOO_DEEP' });
    expect(parserCalls()).toBe(0);
  });

  it('a rule file over 1 MiB is refused without being parsed (FILE_TOO_LARGE)', () => {
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, `# padding\n${'#'.repeat(80).concat('\n').repeat(14_000)}schemaVersion: 1\n`);
    const r = readRuleSetFile(file);
    expect(r.errors).toMatchObject([{ code: 'FILE_TOO_LARGE', file }]);
    expect(parserCalls()).toBe(0);
    // under a higher limit the same file is read and parsed: it is then refused for what it says (no id, no tiers …)
    const raised = readRuleSetFile(file, { limits: { maxRuleFileBytes: 2 * 1024 * 1024 } });
    expect(parserCalls()).toBe(1);
    expect(raised.errors[0]).toMatchObject({ code: 'SCHEMA', file });
  });

  it('an oversized snapshot file and an oversized NDJSON record become error records', async () => {
    const yamlFile = join(dir, 'big.yaml');
    writeFileSync(yamlFile, `schemaVersion: 1\naccount: B-1\nperiod: 2026-11\nlineItems: []\n# ${'x'.repeat(5000)}\n`);
    const ndjson = join(dir, 'big.ndjson');
    const ok = '{"schemaVersion":1,"account":"N-1","period":"2026-11","lineItems":[]}';
    writeFileSync(ndjson, `${ok}\n{"schemaVersion":1,"account":"N-2","period":"2026-11","lineItems":[],"x":"${'y'.repeat(5000)}"}\n${ok}\n`);
    const out: OutputRecord[] = [];
    const counts = await runPortfolio([yamlFile, ndjson], { kind: 'fixed', ruleSet: ruleSetWith() },
      { limits: resolveLimits({ maxFileBytes: 1000, maxRecordBytes: 1000 }), onRecord: (r) => { out.push(r); } });
    expect(counts).toEqual({ records: 4, evaluated: 2, errors: 2 });
    expect(out.map((r) => (r.ok ? r.result.account : r.error.error.code))).toEqual(['FILE_TOO_LARGE', 'N-1', 'FILE_TOO_LARGE', 'N-1']);
    const recordError = out[2]!;
    expect(!recordError.ok && recordError.error.error).toMatchObject({ file: ndjson, line: 2 });
  });

  it('many hostile documents in a row leave the process healthy', () => {
    // SPEC §8: a deep document after an earlier one could kill Node outright
    for (let round = 0; round < 3; round++) {
      for (const { file } of TABLE) readRuleSetFile(join(HOSTILE, file));
      for (const n of [500, 1000, 3000, 10_000]) {
        for (const [style, make] of Object.entries(DEEP)) {
          // refused by the pre-scan, not by a parser that ran out of stack
          expect(parseRuleSetText(make(n), 'x.yaml').errors.map((e) => e.code), `${style}, ${n} levels`).toEqual(['NESTING_TOO_DEEP']);
        }
      }
    }
    expect(readRuleSetFile(SHIPPED_RULES).errors).toEqual([]);
  });

  it('validate on a folder of hostile files exits 1 with each coded error and no stack trace', () => {
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    for (const f of readdirSync(HOSTILE)) copyFileSync(join(HOSTILE, f), join(rules, f));
    writeFileSync(join(rules, 'generated-deep.yaml'), Array.from({ length: 1200 }, (_, i) => `${' '.repeat(i)}k:\n`).join(''));
    const r = spawnSync(process.execPath, ['bin/reseller-credits.js', 'validate', '--rules-dir', rules], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    // every file is named with its position and the words of its error
    for (const { file, code } of TABLE) {
      const words = { ALIAS_LIMIT: 'alias', NESTING_TOO_DEEP: 'nesting deeper', FORBIDDEN_KEY: 'reserved name' }[code]!;
      expect(r.stderr).toMatch(new RegExp(`${file.replace('.', '\\.')}:\\d+:\\d+: .*${words}`));
    }
    expect(r.stderr).toMatch(/generated-deep\.yaml:65:65: nesting deeper/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(loadRules(rules).files).toHaveLength(readdirSync(HOSTILE).length + 1);
  });
});

describe('the nesting pre-scan never under-counts', () => {
  const depth = (v: unknown): number => (v !== null && typeof v === 'object'
    ? 1 + Math.max(0, ...Object.values(v as object).map(depth)) : 0);
  const scalar = fc.oneof(fc.integer(), fc.constantFrom('a b', "it's", 'x: y', '- z', '[', '"q"', '#c', '|', 'a\nb'));
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar,
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('k', 'key', 'a b', '? q', '-'), tie('node'), { maxKeys: 3 })),
  })).node;
  const style = fc.record({
    collectionStyle: fc.constantFrom('any', 'block', 'flow') as fc.Arbitrary<'any' | 'block' | 'flow'>,
    indentSeq: fc.boolean(),
    indent: fc.integer({ min: 1, max: 4 }),
  });

  it('for any document yaml writes, in any style, the estimate is at least the real depth', () => {
    fc.assert(fc.property(tree, style, (value, opts) => {
      const text = stringify(value, opts);
      const doc = parseDocument(text);
      fc.pre(doc.errors.length === 0); // yaml cannot always read back its own output
      const real = depth(doc.toJS());
      if (real > 0) expect(findExcessiveNesting(text, real - 1), text).toBeDefined();
      expect(findExcessiveNesting(text, real + 2), text).toBeUndefined(); // and barely over-counts
    }), { numRuns: 400 });
  });
});
