import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addEditorKeywords, ajvOptions, forValidation } from '../src/validate/ajv-options.js';
import {
  compileValidators, GENERATED_VALIDATORS, loadedValidators, loadValidators, schemaPath, validators,
} from '../src/validate/schemas.js';

const require = createRequire(import.meta.url);
// copies of the build's module go beside it, where it finds `ajv` as it does
const dir = mkdtempSync(join(dirname(GENERATED_VALIDATORS), '.test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const texts = [readFileSync(schemaPath('ruleset'), 'utf8'), readFileSync(schemaPath('snapshot'), 'utf8')] as const;

const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020, names: string[]) => unknown;

const bad = {
  schemaVersion: 1, account: 'R-1', period: '2026-13', extra: true,
  reseller: { approved: true, approvedOn: '2026-02-30' },
  lineItems: [{ service: 'vpn', amount: [] }],
};

describe('validators', () => {
  it('the ones in use are the functions of the build\'s module, which says it was pre-compiled', () => {
    const generated = require(GENERATED_VALIDATORS) as Record<string, unknown>;
    expect(generated.precompiled).toBe(true);
    expect(loadedValidators().origin).toBe('pre-compiled');
    // the very functions that module exports, not a run-time compilation of the same schemas
    expect(validators().snapshot).toBe(generated.snapshot);
    expect(validators().ruleset).toBe(generated.ruleset);
  });

  it('the pre-compiled and the run-time compiled schemas report the same errors', () => {
    const runtime = compileValidators(texts[0], texts[1]);
    const pre = validators();
    expect(pre.snapshot(bad)).toBe(false);
    expect(runtime.snapshot(bad)).toBe(false);
    expect(pre.snapshot.errors).toEqual(runtime.snapshot.errors);
    expect(pre.snapshot.errors!.map((e) => e.keyword).sort()).toEqual(['additionalProperties', 'format', 'pattern', 'type']);
    const rules = { schemaVersion: 1, id: 'x', tiers: [{ name: 'a', from: 5, creditPercent: '1' }] };
    expect(pre.ruleset(rules)).toBe(false);
    runtime.ruleset(rules);
    expect(pre.ruleset.errors).toEqual(runtime.ruleset.errors);
  });

  it('a generated module made from other schema text is not used: the schemas are compiled at run time', () => {
    const stale = join(dir, 'stale.cjs');
    copyFileSync(GENERATED_VALIDATORS, stale);
    const module = require(stale) as Record<string, unknown>;
    // the build's module, as it was before someone edited a schema without rebuilding
    const edited = texts[1].replace('"account"', '"accountId"');
    expect(edited).not.toBe(texts[1]);
    const loaded = loadValidators(stale, texts[0], edited);
    expect({ origin: loaded.origin, reason: loaded.reason }).toEqual({ origin: 'compiled', reason: 'stale' });
    expect(loaded.validators.snapshot).not.toBe(module.snapshot);
    // with the same texts the same file is used
    const fresh = loadValidators(stale, texts[0], texts[1]);
    expect(fresh.origin).toBe('pre-compiled');
    expect(fresh.validators.snapshot).toBe(module.snapshot);
  });

  it('a module without the pre-compiled marker, or no module at all, is compiled at run time', () => {
    const unmarked = join(dir, 'unmarked.cjs');
    writeFileSync(unmarked, readFileSync(GENERATED_VALIDATORS, 'utf8').replace('exports.precompiled = true;', ''));
    expect(loadValidators(unmarked, texts[0], texts[1])).toMatchObject({ origin: 'compiled', reason: 'stale' });
    const none = loadValidators(join(dir, 'none.cjs'), texts[0], texts[1]);
    expect({ origin: none.origin, reason: none.reason }).toEqual({ origin: 'compiled', reason: 'missing' });
    expect(none.validators.snapshot(bad)).toBe(false);
  });
});

describe('the editor-only parts of the schemas (issue 7 item 16)', () => {
  const ruleset = JSON.parse(readFileSync(schemaPath('ruleset'), 'utf8')) as object;
  const text = (v: unknown) => JSON.stringify(v);

  it('AJV compiles the schema without the allOf entries marked editorOnly, and leaves the shipped schema as it is', () => {
    expect(text(ruleset)).toContain('"editorOnly"');
    expect(text(ruleset)).toContain('"prefixItems"');
    const view = forValidation(ruleset);
    expect(text(view)).not.toContain('editorOnly');
    expect(text(view)).not.toContain('prefixItems');
    // everything else is kept, editor messages included (AJV treats them as annotations)
    expect(text(view)).toContain('"patternErrorMessage"');
    expect(text(ruleset)).toContain('"editorOnly"'); // the input is not changed
  });

  it('strict AJV rejects the editor keywords unless they are registered', () => {
    const make = () => { const a = new Ajv2020({ ...ajvOptions }); addFormats(a, ['date']); return a; };
    expect(() => make().compile(forValidation(ruleset))).toThrow(/unknown keyword/);
    const ajv = make();
    addEditorKeywords(ajv);
    expect(() => ajv.compile(forValidation(ruleset))).not.toThrow();
  });

  it('the schema accepts what only validate refuses (reported with its own codes, all at once)', () => {
    const doc = (tiers: unknown) => ({ ...parse(readFileSync('rules/2026-01.yaml', 'utf8'), { schema: 'core' }), tiers });
    const v = validators().ruleset;
    expect(v(doc([{ name: 'a', from: '10', creditPercent: '150' }]))).toBe(true);
    expect(v(doc([{ name: 'a', from: '0', creditPercent: 150 }]))).toBe(false);
  });
});
