import { spawnSync } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../src/load/limits.js';
import { evaluatePortfolio } from '../src/parallel/run-evaluate.js';
import { CHUNK_BYTES } from '../src/input/ndjson-chunks.js';
import { tempDir } from './support/temp.js';

const dir = tempDir();

/** A small seeded generator: valid snapshots with bad records mixed in. */
function portfolio(n: number, seed: number): string[] {
  let s = seed >>> 0;
  const rnd = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const services = ['starter-plus-user', 'px2-dedicated-server', 'hipaa-fee', 'disk-space', 'business-dedicated-server'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.03) { out.push('{"schemaVersion":1,"account":"BAD-' + i); continue; } // truncated JSON
    const items = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => ({
      service: r < 0.06 ? 'no-such-service' : services[Math.floor(rnd() * services.length)],
      quantity: 1 + Math.floor(rnd() * 30),
      unitPrice: (Math.floor(rnd() * 40000) / 100).toFixed(2),
    }));
    if (r > 0.97) (items[0] as Record<string, unknown>).unitPrice = '1e3';
    out.push(JSON.stringify({
      schemaVersion: 1, account: `R-${i}`, period: `2026-${String(1 + (i % 12)).padStart(2, '0')}`,
      reseller: { approved: rnd() > 0.2, approvedOn: '2026-03-01' },
      subClients: ['a', 'b', 'c', 'd'].slice(0, Math.floor(rnd() * 5)),
      lineItems: items,
    }));
  }
  return out;
}

function cli(args: string[]) {
  return spawnSync(process.execPath, ['bin/reseller-credits.js', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

describe('parallel evaluate', () => {
  it('--jobs 1 and --jobs 2 print the same bytes, bad records included', () => {
    const file = join(dir, 'mixed.ndjson');
    writeFileSync(file, `${portfolio(3000, 7).join('\n')}\n`);
    for (const format of ['ndjson', 'json', 'csv', 'text']) {
      const one = cli(['evaluate', '--rules-version', '2026-01', '--format', format, '--jobs', '1', file]);
      const two = cli(['evaluate', '--rules-version', '2026-01', '--format', format, '--jobs', '2', file]);
      expect(one.status).toBe(1); // there are bad records
      expect(two.stdout).toBe(one.stdout);
      expect(two.stderr).toBe(one.stderr);
    }
    const lines = cli(['evaluate', '--rules-version', '2026-01', '--format', 'ndjson', '--jobs', '2', file]);
    const records = lines.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(3000);
    const errors = records.filter((r) => r.error).length;
    expect(errors).toBeGreaterThan(50);
    expect(lines.stderr).toContain(`3000 record(s): ${3000 - errors} evaluated, ${errors} error(s)`);
    // output order is input order
    const accounts = records.map((r) => r.account ?? r.error?.line);
    expect(accounts[0]).toBe(records[0].error ? 1 : 'R-0');
    expect(records.filter((r) => !r.error).map((r) => Number(r.account.slice(2))))
      .toEqual([...records.filter((r) => !r.error).map((r) => Number(r.account.slice(2)))].sort((a, b) => a - b));
  });

  it('streams a 200,000-record input: input read ahead of output stays bounded', async () => {
    const file = join(dir, 'big.ndjson');
    const total = 200_000;
    const line = (i: number) => `{"schemaVersion":1,"account":"S-${i}","period":"2026-11","reseller":{"approved":true,"approvedOn":"2026-01-01"},"subClients":["a","b","c"],"lineItems":[{"service":"hipaa-fee","amount":"${(i % 9000) + 1}.25"}]}\n`;
    // written by a stream while the evaluation reads the file: the tool must not wait for the end
    const ws = createWriteStream(file);
    const chunk = 1000;
    for (let i = 0; i < total; i += chunk) {
      let text = '';
      for (let j = i; j < i + chunk; j++) text += line(j);
      if (!ws.write(text)) await new Promise((r) => ws.once('drain', r));
    }
    await new Promise((r) => ws.end(r));

    // bytes of the first k records, to know how much input the output so far accounts for
    const upTo = new Float64Array(total + 1);
    for (let i = 0; i < total; i++) upTo[i + 1] = upTo[i]! + line(i).length;
    let maxAhead = 0;
    let read = 0;
    let outputs = 0;
    const counts = await evaluatePortfolio([file], {
      rules: { rulesDir: 'rules', ref: '2026-01' }, format: 'ndjson', limits: resolveLimits(), jobs: 2,
      onRead: (bytes) => { read = bytes; maxAhead = Math.max(maxAhead, read - upTo[outputs]!); },
      write: (t) => { outputs += t ? t.split('\n').length - 1 : 0; },
    });
    expect(counts).toEqual({ records: total, evaluated: total, errors: 0 });
    expect(outputs).toBe(total);
    expect(read).toBe(upTo[total]);
    // with 2 jobs at most 4 chunks of 256 KiB are in flight: the reader never runs further ahead
    expect(maxAhead).toBeLessThanOrEqual(4 * (CHUNK_BYTES + 1024));
    expect(maxAhead).toBeGreaterThan(0);
  });
});
