/**
 * Evaluation tables: test/fixtures/evaluate/*.yaml, each a list of cases of
 * rule-set tweaks + snapshot → expected result (or expected errors). Every
 * inline snapshot is evaluated twice, written as JSON and as YAML, and both
 * must give the expected (and the same) result.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deepMerge, ruleSetWith } from './support/rules.js';
import { evaluateText, snapshotText, type SnapshotText } from './support/snapshots.js';
import { readFixtures } from './support/fixtures.js';

interface Case {
  name: string;
  /** tweaks of rules/2026-01.yaml */
  ruleSet?: Record<string, unknown>;
  /** merged over the file's `defaults.snapshot` */
  snapshot?: Record<string, unknown>;
  /** top-level snapshot keys to drop after merging */
  omit?: string[];
  /** a snapshot file instead, relative to the project root */
  snapshotFile?: string;
  /** line items appended `times` times (long sums) */
  repeatLineItems?: { times: number; item: unknown }[];
  expect?: Record<string, unknown>;
  /** each text must appear in one of the eligibility reasons */
  expectReasons?: string[];
  /** each text must appear in one of the warnings */
  expectWarnings?: string[];
  /** the snapshot must be rejected with exactly these errors */
  expectErrors?: Record<string, unknown>[];
}

interface Table { defaults?: { snapshot?: Record<string, unknown> }; cases: Case[] }

function inputs(table: Table, c: Case): SnapshotText[] {
  if (c.snapshotFile) {
    const format = extname(c.snapshotFile) === '.json' ? 'json' : 'yaml';
    return [{ text: readFileSync(c.snapshotFile, 'utf8'), format, file: c.snapshotFile }];
  }
  const snap = deepMerge(table.defaults?.snapshot ?? {}, c.snapshot ?? {}) as Record<string, unknown>;
  for (const k of c.omit ?? []) delete snap[k];
  for (const r of c.repeatLineItems ?? []) {
    snap.lineItems = [...(snap.lineItems as unknown[]), ...Array.from({ length: r.times }, () => r.item)];
  }
  return [snapshotText(snap, 'json'), snapshotText(snap, 'yaml')];
}

for (const [file, table] of readFixtures<Table>('test/fixtures/evaluate')) {
  describe(`evaluate table ${file}`, () => {
    it.each(table.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const ruleSet = ruleSetWith(c.ruleSet);
      const outcomes = await Promise.all(inputs(table, c).map((s) => evaluateText(s, ruleSet)));
      for (const { result, errors } of outcomes) {
        if (c.expectErrors) {
          expect(result).toBeUndefined();
          expect(errors).toMatchObject(c.expectErrors);
          continue;
        }
        expect(errors).toEqual([]);
        expect(result).toMatchObject(c.expect ?? {});
        for (const text of c.expectReasons ?? []) {
          expect(result!.eligibility.reasons.some((r) => r.includes(text)), `a reason with "${text}" in ${JSON.stringify(result!.eligibility.reasons)}`).toBe(true);
        }
        for (const text of c.expectWarnings ?? []) {
          expect(result!.warnings.some((w) => w.includes(text)), `a warning with "${text}" in ${JSON.stringify(result!.warnings)}`).toBe(true);
        }
        if (c.expectWarnings) expect(result!.warnings).toHaveLength(c.expectWarnings.length);
      }
      if (outcomes.length === 2 && !c.expectErrors) expect(outcomes[0]!.result).toEqual(outcomes[1]!.result);
    });
  });
}
