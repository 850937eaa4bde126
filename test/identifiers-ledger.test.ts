/**
 * The ledger keeps a snapshot as written (SPEC §4, issue 19): the keys are
 * for comparing only, so the canonical snapshot that is hashed holds the
 * names as the data wrote them, and a plain re-run stays `unchanged`.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { writeNdjson } from './support/ledger.js';
import { runCli as cli } from './support/run-cli.js';
import { sortedJson } from './support/sorted-json.js';
import { tempDir } from './support/temp.js';

describe('issue with names written several ways', () => {
  it('hashes the snapshot as written, counts the names by key, and a re-run is unchanged', async () => {
    const work = tempDir('rc-ident-ledger-');
    const snap = {
      schemaVersion: 1, account: 'Ｒ-1', period: '2026-11', reseller: { approved: true, approvedOn: '2025-01-15' },
      subClients: [' ACME.example. ', 'acme.example', 'bank.example', 'ｃｌｉｎｉｃ.example'],
      lineItems: [{ service: 'starter-plus-user', quantity: 25, unitPrice: '4.00' }],
    };
    const file = writeNdjson(work, 'p.ndjson', [snap]);
    const ledger = `${work}/l.sqlite`;
    expect((await cli(['ledger', 'init', ledger])).status).toBe(0); // issue needs a ledger made once (ledger init)
    const first = await cli(['issue', '--period', '2026-11', '--ledger', ledger, file]);
    expect(first.stderr).toMatch(/1 issued, 0 unchanged, 0 adjusted, 0 error\(s\)\n$/);
    const [entry] = JSON.parse((await cli(['ledger', 'show', '--format', 'json', '--ledger', ledger])).stdout) as
      { account: string; snapshot: unknown; snapshotSha256: string; result: { credit: string } }[];
    expect(entry!.account).toBe('Ｒ-1');
    expect(entry!.snapshot).toEqual(snap);
    expect(entry!.snapshotSha256).toBe(createHash('sha256').update(sortedJson(snap)).digest('hex'));
    expect(entry!.result.credit).toBe('10.00'); // 3 distinct (acme, bank, clinic): eligible, 10% of $100.00
    const again = await cli(['issue', '--period', '2026-11', '--ledger', ledger, file]);
    expect(again.stderr).toMatch(/0 issued, 1 unchanged, 0 adjusted, 0 error\(s\)\n$/);
  });
});
