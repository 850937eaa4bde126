import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addEditorKeywords, ajvOptions, forValidation } from '../src/validate/ajv-options.js';
import { compileValidators, schemaPath, validators } from '../src/validate/schemas.js';

const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020, names: string[]) => unknown;

const bad = {
  schemaVersion: 1, account: 'R-1', period: '2026-13', extra: true,
  reseller: { approved: true, approvedOn: '2026-02-30' },
  lineItems: [{ service: 'vpn', amount: [] }],
};

describe('validators', () => {
  it('the pre-compiled and the run-time compiled schemas report the same errors', () => {
    const runtime = compileValidators(readFileSync(schemaPath('ruleset'), 'utf8'), readFileSync(schemaPath('snapshot'), 'utf8'));
    const pre = validators();
    expect(pre.snapshot).not.toBe(runtime.snapshot);
    expect(pre.snapshot(bad)).toBe(false);
    expect(runtime.snapshot(bad)).toBe(false);
    expect(pre.snapshot.errors).toEqual(runtime.snapshot.errors);
    expect(pre.snapshot.errors!.map((e) => e.keyword).sort()).toEqual(['additionalProperties', 'format', 'pattern', 'type']);
    const rules = { schemaVersion: 1, id: 'x', tiers: [{ name: 'a', from: 5, creditPercent: '1' }] };
    expect(pre.ruleset(rules)).toBe(false);
    runtime.ruleset(rules);
    expect(pre.ruleset.errors).toEqual(runtime.ruleset.errors);
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
