/**
 * SPEC §3 allowCreditAboveCharges (issue 19): a credit base with an affiliate
 * term counts money that is not on the statement, so a draft without the
 * opt-in is refused, a version locked without it gets a warning, and the
 * diff names a change of the opt-in or of `distinctBy`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleSetText } from '../src/compose/ruleset-loader.js';
import { loadRules } from '../src/compose/rules-dir.js';
import { diffRuleSets } from '../src/diff/diff.js';
import { deriveRegion, partsHolding } from '../src/review/region.js';
import { toLocated } from '../src/review/generate.js';
import { ruleSetWith } from './support/rules.js';
import { cli, rulesCopy } from './support/versions-cli.js';

const draftText = readFileSync('rules/2027-01.yaml', 'utf8');
const WITH_AFFILIATE = '  - { source: managed, measure: value }\n  - { source: affiliate, measure: value }\n';
const affiliateBase = (text: string) => {
  const i = text.indexOf('creditBase:');
  const next = text.slice(0, i) + text.slice(i).replace('  - { source: managed, measure: value }\n', WITH_AFFILIATE);
  if (next === text) throw new Error('the credit base of the example changed: update the test');
  return next;
};
const MESSAGE = 'the credit base counts affiliate value, which is not part of the charges (own + managed payments): a credit could exceed ' +
  'the charges and make the amount due negative. Remove the affiliate term, or add "allowCreditAboveCharges: true" if the program means it';

describe('allowCreditAboveCharges', () => {
  it('refuses a draft whose credit base counts affiliate value, at the term', () => {
    const r = parseRuleSetText(affiliateBase(draftText), 'rules/2027-01.yaml');
    expect(r.ruleSet).toBeUndefined();
    expect(r.errors).toMatchObject([{ code: 'CREDIT_ABOVE_CHARGES', path: 'creditBase[2]', message: MESSAGE }]);
    expect(r.errors[0]!.line).toBeGreaterThan(1);
  });

  it('accepts it when the file opts in', () => {
    const r = parseRuleSetText(affiliateBase(draftText).replace('currency: USD\n', 'currency: USD\nallowCreditAboveCharges: true\n'), 'rules/2027-01.yaml');
    expect(r.errors).toEqual([]);
    expect(r.ruleSet!.allowCreditAboveCharges).toBe(true);
  });

  it('warns, without an error, for a version already locked without it; validate prints the warning and exits 0', () => {
    const dir = rulesCopy();
    const file = join(dir, '2026-01.yaml');
    const text = affiliateBase(readFileSync(file, 'utf8'));
    writeFileSync(file, text);
    const sha = parseRuleSetText(text, file).ruleSet!.sha256;
    writeFileSync(join(dir, 'rules.lock'), `${JSON.stringify({ '2026-01': sha }, null, 2)}\n`);
    const repo = loadRules(dir);
    expect(repo.errors).toEqual([]);
    expect(repo.warnings.filter((w) => w.code === 'CREDIT_ABOVE_CHARGES').map((w) => w.message))
      .toEqual([`published version 2026-01: ${MESSAGE}; a new version is refused without it`]);
    const run = cli(['validate', '--rules-dir', dir]);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`published version 2026-01: ${MESSAGE}`);
  });

  it('diff names the opt-in as a version detail, and a change of distinctBy as an eligibility change with its region', async () => {
    const a = ruleSetWith({});
    const b = ruleSetWith({ allowCreditAboveCharges: true, eligibility: { distinctBy: 'registrable-domain' } });
    const d = diffRuleSets(a, b);
    expect(d.changes.filter((c) => ['credit-above-charges', 'eligibility-distinct-by'].includes(c.kind))).toEqual([
      { section: 'eligibility', kind: 'eligibility-distinct-by', subject: 'distinctBy', before: 'host', after: 'registrable-domain',
        text: 'sub-clients are now told apart by registrable domain (www.acme.example and acme.example are one) (was by host name)' },
      { section: 'version', kind: 'credit-above-charges', subject: 'allowCreditAboveCharges', before: false, after: true,
        text: 'allowCreditAboveCharges: true — a credit above the charges (a negative amount due) is allowed (was refused)' },
    ]);
    const region = deriveRegion(d, a, b);
    expect(region.everything).toBe(false);
    const part = region.parts.findIndex((p) => p.kind === 'distinct-by');
    expect(part).toBeGreaterThanOrEqual(0);
    const snap = (subClients: string[]) => toLocated({ schemaVersion: 1, account: 'D-1', period: '2026-11', subClients,
      lineItems: [{ service: 'base-account-fee', amount: '10.00' }] } as never).snapshot;
    expect(partsHolding(region, snap(['www.acme.example', 'acme.example', 'bank.example']), [])).toContain(part);
    expect(partsHolding(region, snap(['acme.example', 'bank.example', 'clinic.example']), [])).not.toContain(part);
  });
});
