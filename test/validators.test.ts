import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileValidators, schemaPath, validators } from '../src/validate/schemas.js';

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
