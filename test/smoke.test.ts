import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../src/load/ruleset-loader.js';

describe('shipped rule set', () => {
  it('loads 2026-01', () => {
    const rs = loadRuleSet('rules/2026-01.yaml');
    expect(rs.tiers.map((t) => t.name)).toEqual(['none', 'tier-10', 'tier-15', 'tier-20']);
  });
});
