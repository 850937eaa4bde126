/** bench/generate.js --line-items: the cost-growth portfolios of the bench (issue 11). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePortfolio } from '../bench/generate.js';

const dir = mkdtempSync(join(tmpdir(), 'rc-bench-generate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function records(opts: { count: number; seed: number; lineItems?: number }): Promise<Record<string, unknown>[]> {
  const out = join(dir, `p-${opts.seed}-${opts.lineItems ?? 'drawn'}.ndjson`);
  await generatePortfolio({ ...opts, out });
  return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('generatePortfolio lineItems', () => {
  it('gives every snapshot exactly N own line items, the draws before them as without it', async () => {
    const drawn = await records({ count: 60, seed: 9 });
    for (const n of [2, 50]) {
      const fixed = await records({ count: 60, seed: 9, lineItems: n });
      expect(fixed).toHaveLength(60);
      for (const [i, r] of fixed.entries()) {
        expect((r.lineItems as unknown[]).length).toBe(n);
        expect(r.account).toBe(drawn[i].account);
      }
      // the first snapshot's draws before its line items are the same (later ones follow other draws)
      for (const k of ['period', 'reseller', 'subClients']) expect(fixed[0][k]).toEqual(drawn[0][k]);
    }
    // the drawn counts vary (1-20), so the option changes something
    expect(new Set(drawn.map((r) => (r.lineItems as unknown[]).length)).size).toBeGreaterThan(3);
  });

  it('refuses a count of line items below 1', async () => {
    await expect(generatePortfolio({ count: 1, lineItems: 0, out: join(dir, 'x.ndjson') })).rejects.toThrow(/lineItems/);
  });
});

describe('generatePortfolio account ids', () => {
  it('never has two resellers claim one account in one period (SPEC §4 would refuse both)', async () => {
    const { createDuplicateCheck } = await import('../src/validate/run-duplicates.js');
    const out = join(dir, 'one-period.ndjson');
    await generatePortfolio({ count: 4000, seed: 42, period: '2026-11', out });
    const check = createDuplicateCheck();
    type Acc = { account: string };
    readFileSync(out, 'utf8').trim().split('\n').forEach((line, i) => {
      const s = JSON.parse(line) as { account: string; period: string; managedAccounts?: Acc[]; linkedAffiliate?: Acc & { referredAccounts?: Acc[] } };
      const accounts = [{ text: s.account, role: 'own' as const },
        ...(s.managedAccounts ?? []).map((m) => ({ text: m.account, role: 'managed' as const })),
        ...(s.linkedAffiliate?.referredAccounts ?? []).map((m) => ({ text: m.account, role: 'referred' as const })),
        ...(s.linkedAffiliate ? [{ text: s.linkedAffiliate.account, role: 'affiliate' as const }] : [])];
      expect(s.period).toBe('2026-11');
      check.add(i, { period: s.period, accounts, where: `line ${i + 1}` });
    });
    expect([...check.finish().values()].flat().slice(0, 3)).toEqual([]);
  });
});
