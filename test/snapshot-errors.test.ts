/**
 * Every bad snapshot input of SPEC §2 and §4 (test/fixtures/snapshot-errors.yaml)
 * is rejected with its code, line, column and data path, all errors of a
 * snapshot at once, and nothing ever pollutes Object.prototype.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { asRcErrors, type RcError } from '../src/errors.js';
import { readFixture } from './support/fixtures.js';
import { readSnapshot, type SnapshotText } from './support/snapshots.js';
import type { LoadLimits } from '../src/limits.js';

interface Case {
  name: string;
  yamlItem?: string;
  jsonItem?: string;
  text?: string;
  format?: 'yaml' | 'json';
  limits?: Partial<LoadLimits>;
  errors: Record<string, unknown>[];
}

const YAML_HEAD = 'schemaVersion: 1\naccount: A-1\nperiod: 2026-11\nlineItems:\n';
const JSON_HEAD = '{"schemaVersion":1,"account":"A-1","period":"2026-11","lineItems":[{';

function input(c: Case): SnapshotText {
  if (c.yamlItem !== undefined) return { format: 'yaml', text: `${YAML_HEAD}  - { ${c.yamlItem} }\n` };
  if (c.jsonItem !== undefined) return { format: 'json', text: `${JSON_HEAD}${c.jsonItem}}]}` };
  return { format: c.format ?? 'yaml', text: c.text! };
}

function rejection(s: SnapshotText, limits?: Partial<LoadLimits>): RcError[] {
  try {
    readSnapshot(s, limits);
  } catch (err) {
    return asRcErrors(err);
  }
  throw new Error('the snapshot was accepted');
}

const { cases } = readFixture<{ cases: Case[] }>('test/fixtures/snapshot-errors.yaml');

describe('snapshot errors (SPEC §2, §4)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const s = input(c);
    const errors = rejection(s, c.limits);
    const expected = c.errors.map(({ message, ...rest }) => ({
      file: `snapshot.${s.format}`,
      ...rest,
      ...(message !== undefined ? { message: expect.stringContaining(String(message)) } : {}),
    }));
    expect(errors).toMatchObject(expected);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(5);
  });

  it('a bare number that is too long says to quote it, and shows it as written', () => {
    const [e] = rejection(input({ name: '', yamlItem: 'service: vpn, amount: 12345678901234567.89', errors: [] }));
    expect(e!.message).toContain('12345678901234567.89');
    expect(e!.message).toMatch(/decimal string/);
  });

  it('the valid forms next to the invalid ones are accepted', () => {
    for (const item of ['service: vpn, amount: "4.00"', 'service: vpn, amount: 4', 'service: vpn, amount: 4.5',
      'service: vpn, amount: "0.000001"', 'service: vpn, quantity: 3, unitPrice: "0.1"', 'service: vpn, unitPrice: "1.00"',
      'service: vpn, amount: 999999999999999', 'service: vpn, amount: "0"']) {
      expect(() => readSnapshot(input({ name: '', yamlItem: item, errors: [] })), item).not.toThrow();
    }
  });

  afterAll(() => {
    // `__proto__` keys above were read as data, never as prototypes
    expect(({} as Record<string, unknown>).account).toBeUndefined();
    expect(({} as Record<string, unknown>).amount).toBeUndefined();
    expect(Object.prototype).toEqual({});
  });
});
