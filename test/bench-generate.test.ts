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
