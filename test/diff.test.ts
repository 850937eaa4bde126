import { describe, expect, it } from 'vitest';
import { parseRuleSetText } from '../src/compose/ruleset-loader.js';
import type { RuleSet } from '../src/model/types.js';
import { diffRuleSets, type RuleSetChange } from '../src/diff/diff.js';
import { diffText } from '../src/diff/text.js';
import { runCli as cli } from './support/run-cli.js';

const BASE = `schemaVersion: 1
id: "a"
title: Base program
status: published
effective: { from: 2026-01-01, until: 2027-01-01 }
currency: USD
rounding: { scale: 2, mode: half-up }
eligibility: { minDistinctSubClients: 3, requireApproval: true, retroactive: false }
tierBasis:
  - { source: own, measure: payments }
  - { source: managed, measure: payments }
  - { source: affiliate, measure: value }
creditBase:
  - { source: own, measure: value }
  - { source: managed, measure: value }
tiers:
  - { name: none, from: "0", creditPercent: "0" }
  - { name: tier-10, from: "50", creditPercent: "10" }
  - { name: tier-15, from: "500", creditPercent: "15" }
  - { name: tier-20, from: "5000", creditPercent: "20" }
commissionClasses:
  - { percent: 100, category: full }
  - { percent: 75, category: partial }
  - { percent: 0, category: none }
services:
  starter-plus-user: { name: "Users: Starter Plus", commissionable: 100 }
  px2-dedicated-server: { name: "Px2 dedicated server", commissionable: 75 }
  disk-space: { name: "Disk space", commissionable: 0 }
`;

function load(text: string, id: string): RuleSet {
  const r = parseRuleSetText(text.replace('id: "a"', `id: "${id}"`), `rules/${id}.yaml`);
  expect(r.errors.map((e) => e.message)).toEqual([]);
  return r.ruleSet!;
}

/** Diff of BASE against BASE with the edits applied (each `from` must occur). */
function diffOf(edits: [string, string][]) {
  let text = BASE;
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  return diffRuleSets(load(BASE, 'a'), load(text, 'b'));
}

type Row = { what: string; edits: [string, string][]; changes: Partial<RuleSetChange>[] };

// One row per kind of change a reviewer must see.
const ROWS: Row[] = [
  { what: 'a tier moved', edits: [['from: "500", creditPercent: "15"', 'from: "400", creditPercent: "15"']],
    changes: [{ section: 'tiers', kind: 'tier-moved', subject: 'tier-15', before: '500', after: '400', text: 'tier-15 moves: starts at $400.00 (was $500.00)' }] },
  { what: 'a tier re-percented', edits: [['creditPercent: "15"', 'creditPercent: "17.5"']],
    changes: [{ kind: 'tier-percent', subject: 'tier-15', before: '15', after: '17.5', text: 'tier-15 credit percentage 17.5% (was 15%)' }] },
  { what: 'a tier moved and re-percented', edits: [['from: "5000", creditPercent: "20"', 'from: "4000", creditPercent: "18"']],
    changes: [{ kind: 'tier-moved', subject: 'tier-20', text: 'tier-20 moves: starts at $4,000.00 (was $5,000.00)' },
      { kind: 'tier-percent', subject: 'tier-20', text: 'tier-20 credit percentage 18% (was 20%)' }] },
  { what: 'a tier added', edits: [['  - { name: tier-20, from: "5000", creditPercent: "20" }\n', '  - { name: tier-20, from: "5000", creditPercent: "20" }\n  - { name: tier-25, from: "10000", creditPercent: "25" }\n']],
    changes: [{ kind: 'tier-added', subject: 'tier-25', after: { name: 'tier-25', from: '10000', creditPercent: '25' }, text: 'new tier tier-25: from $10,000.00, 25%' }] },
  { what: 'a tier removed', edits: [['  - { name: tier-20, from: "5000", creditPercent: "20" }\n', '']],
    changes: [{ kind: 'tier-removed', subject: 'tier-20', before: { name: 'tier-20', from: '5000', creditPercent: '20' }, text: 'tier tier-20 removed (was from $5,000.00, 20%)' }] },
  { what: 'a tier renamed', edits: [['name: tier-10,', 'name: ten-percent,']],
    changes: [{ kind: 'tier-renamed', subject: 'ten-percent', before: 'tier-10', after: 'ten-percent' }] },
  { what: 'a figure written differently', edits: [['from: "500",', 'from: "500.00",']],
    changes: [{ kind: 'tier-rewritten', subject: 'tier-15', text: 'tier-15 start written "500.00" (was "500"): the same amount' }] },
  { what: 'a service added', edits: [['  disk-space:', '  vpn: { name: "VPN", commissionable: 100 }\n  disk-space:']],
    changes: [{ section: 'services', kind: 'service-added', subject: 'vpn', text: 'new service vpn "VPN": 100% (full)' }] },
  { what: 'a service removed', edits: [['  disk-space: { name: "Disk space", commissionable: 0 }\n', '']],
    changes: [{ kind: 'service-removed', subject: 'disk-space', text: 'service disk-space "Disk space" removed (was 0% (none)): a statement line for it becomes an error' }] },
  { what: 'a service reclassified', edits: [['"Px2 dedicated server", commissionable: 75', '"Px2 dedicated server", commissionable: 0']],
    changes: [{ kind: 'service-reclassified', subject: 'px2-dedicated-server', before: 75, after: 0, text: 'px2-dedicated-server "Px2 dedicated server" reclassified: 75% (partial) → 0% (none)' }] },
  { what: 'a service renamed and given a note', edits: [['{ name: "Disk space", commissionable: 0 }', '{ name: "Disk storage", commissionable: 0, note: "sold at cost" }']],
    changes: [{ kind: 'service-renamed', subject: 'disk-space', text: 'disk-space is now called "Disk storage" (was "Disk space")' },
      { kind: 'service-note', subject: 'disk-space', text: 'disk-space: note added: "sold at cost"' }] },
  { what: 'commission classes added and recategorised', edits: [['  - { percent: 75, category: partial }\n', '  - { percent: 75, category: full }\n  - { percent: 50, category: partial }\n']],
    changes: [{ section: 'commissionClasses', kind: 'class-category', subject: '75', text: 'class 75% is now "full" (was "partial")' },
      { kind: 'class-added', subject: '50', text: 'new class 50% (partial)' }] },
  { what: 'every eligibility rule', edits: [['{ minDistinctSubClients: 3, requireApproval: true, retroactive: false }', '{ minDistinctSubClients: 2, requireApproval: false, retroactive: true }']],
    changes: [
      { section: 'eligibility', kind: 'eligibility-sub-clients', before: 3, after: 2, text: 'a reseller needs at least 2 distinct sub-clients (was 3)' },
      { kind: 'eligibility-approval', before: true, after: false, text: 'billing approval is no longer required (was required)' },
      { kind: 'eligibility-retroactive', before: false, after: true },
    ] },
  { what: 'the tier basis loses a term, the credit base gains one', edits: [['  - { source: affiliate, measure: value }\n', ''], ['  - { source: managed, measure: value }\n', '  - { source: managed, measure: value }\n  - { source: affiliate, measure: value }\n']],
    changes: [
      { section: 'tierBasis', kind: 'tier-basis-removed', subject: 'affiliate value', text: 'tier basis no longer counts affiliate value: own payments + managed payments (was own payments + managed payments + affiliate value)' },
      { section: 'creditBase', kind: 'credit-base-added', subject: 'affiliate value', text: 'credit base now also counts affiliate value: own value + managed value + affiliate value (was own value + managed value)' },
    ] },
  { what: 'the same terms in another order', edits: [['  - { source: own, measure: value }\n  - { source: managed, measure: value }\n', '  - { source: managed, measure: value }\n  - { source: own, measure: value }\n']],
    changes: [{ section: 'creditBase', kind: 'credit-base-order' }] },
  { what: 'rounding', edits: [['{ scale: 2, mode: half-up }', '{ scale: 3, mode: half-even }']],
    changes: [{ section: 'rounding', kind: 'rounding-scale', before: 2, after: 3, text: 'credit and amount due are rounded to 3 decimals (was 2)' },
      { kind: 'rounding-mode', before: 'half-up', after: 'half-even' }] },
  { what: 'the effective window', edits: [['{ from: 2026-01-01, until: 2027-01-01 }', '{ from: 2026-02-01 }']],
    changes: [{ section: 'effective', kind: 'effective-from', before: '2026-01-01', after: '2026-02-01', text: 'starts on 2026-02-01 (was 2026-01-01)' },
      { kind: 'effective-until', before: '2027-01-01', after: null, text: 'no longer has an end date (was: ends before 2027-01-01)' }] },
  { what: 'the currency', edits: [['currency: USD', 'currency: EUR']],
    changes: [{ section: 'currency', kind: 'currency', text: 'amounts are in EUR (was USD)' }] },
];

describe('diffRuleSets on hand-made pairs', () => {
  it.each(ROWS)('$what', ({ edits, changes }) => {
    const d = diffOf(edits);
    expect(d.identical).toBe(false);
    expect(d.sameProgram).toBe(false);
    expect(d.changes).toHaveLength(changes.length);
    changes.forEach((c, i) => expect(d.changes[i]).toMatchObject(c));
  });

  it('identical sets say so', () => {
    const d = diffOf([]);
    expect(d).toMatchObject({ identical: true, sameProgram: true, changes: [], tierEffects: [] });
    expect(diffText(d)).toContain('a and b are identical: no changes.');
  });

  it('title, status and description changes leave the program the same', () => {
    const d = diffOf([['title: Base program', 'title: Other'], ['status: published', 'status: draft\ndescription: why']]);
    expect(d.identical).toBe(false);
    expect(d.sameProgram).toBe(true);
    expect(d.changes.map((c) => c.kind)).toEqual(['title', 'status', 'description']);
    expect(diffText(d)).toContain('The program is the same');
  });

  it('says which tier bases move to another tier or percentage', () => {
    expect(diffOf([['from: "500", creditPercent: "15"', 'from: "400", creditPercent: "15"']]).tierEffects).toEqual([
      { from: '400', until: '500', before: { tier: 'tier-10', creditPercent: '10' }, after: { tier: 'tier-15', creditPercent: '15' } },
    ]);
    expect(diffOf([['  - { name: tier-20, from: "5000", creditPercent: "20" }\n', '']]).tierEffects).toEqual([
      { from: '5000', before: { tier: 'tier-20', creditPercent: '20' }, after: { tier: 'tier-15', creditPercent: '15' } },
    ]);
    const text = diffText(diffOf([['creditPercent: "10"', 'creditPercent: "12"'], ['creditPercent: "15"', 'creditPercent: "16"']]));
    expect(text).toContain('    from $50.00 to under $500.00: tier-10 10% → tier-10 12%\n    from $500.00 to under $5,000.00: tier-15 15% → tier-15 16%\n');
  });

  it('groups the text by section, in review order, and counts the changes', () => {
    const text = diffText(diffOf([['currency: USD', 'currency: EUR'], ['from: "50",', 'from: "60",'], ['retroactive: false', 'retroactive: true']]));
    const headings = text.split('\n').filter((l) => /^\S/.test(l));
    expect(headings).toEqual(['Changes from a to b', 'Tiers', 'Eligibility', 'Currency', '3 changes.']);
  });
});

describe('reseller-credits diff', () => {
  it('describes the shipped version against the example draft', async () => {
    const r = await cli(['diff', '2026-01', '2027-01']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  - tier-15 moves: starts at $400.00 (was $500.00)\n');
    expect(r.stdout).toContain('    from $400.00 to under $500.00: tier-10 10% → tier-15 15%\n');
    expect(r.stdout).toContain('  - training "Training calls and classes" reclassified: 100% (full) → 50% (partial)\n');
    expect(r.stdout).toContain('  - starts on 2027-01-01 (was 2026-01-01)\n');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('7 changes.');
  });

  it('--format json gives the changes as data; files work as well as ids', async () => {
    const r = await cli(['diff', 'rules/2026-01.yaml', '2027-01', '--format', 'json']);
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout) as { a: { id: string }; changes: RuleSetChange[] };
    expect(d.a.id).toBe('2026-01');
    expect(d.changes.map((c) => c.kind)).toEqual(['effective-from', 'effective-until', 'tier-moved', 'service-reclassified', 'title', 'status', 'description']);
    expect(d.changes.find((c) => c.kind === 'service-reclassified')).toMatchObject({ subject: 'training', before: 100, after: 50 });
  });

  it('an identical pair says so; an unknown version is a usage error', async () => {
    const same = await cli(['diff', '2026-01', 'rules/2026-01.yaml']);
    expect(same.status).toBe(0);
    expect(same.stdout).toContain('2026-01 and 2026-01 are identical: no changes.');
    const bad = await cli(['diff', '2026-01', '1999-01']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('no rule set "1999-01"');
  });
});
