/**
 * The bodies a batch sends back (src/report/formats.ts `createBodyBuilder`):
 * records formatted one by one as they are evaluated give, once framed, the
 * same text as the record-by-record writer, in every format, with error
 * records among the results.
 */
import { describe, expect, it } from 'vitest';
import { evaluateRecord } from '../src/run/record.js';
import { type OutputRecord } from '../src/model/records.js';
import { loadRules } from '../src/compose/rules-dir.js';
import { resolveLimits } from '../src/limits.js';
import { createBodyBuilder, createFramer, createWriter, OUTPUT_FORMATS } from '../src/report/formats.js';

const limits = resolveLimits();
const repo = loadRules('rules');

function text(account: string, credit: 'yes' | 'no' | 'bad'): string {
  return JSON.stringify({
    schemaVersion: 1, account, period: '2026-11', reseller: { approved: credit === 'yes', approvedOn: '2024-01-01' },
    subClients: ['a.example', 'b.example', 'c.example'],
    lineItems: [{ service: 'starter-plus-user', quantity: 25, unitPrice: credit === 'bad' ? '4.0.0' : '4.00' }, { service: 'px2-dedicated-server', amount: '200.00' }],
  });
}

async function records(): Promise<OutputRecord[]> {
  const kinds = ['yes', 'bad', 'no', 'yes', 'bad'] as const;
  return Promise.all(kinds.map((k, i) => evaluateRecord({ seq: i, file: 'p.ndjson', line: i + 1, column: 1, format: 'json', text: text(`R-${i}`, k) },
    { kind: 'by-period', repo }, limits)));
}

describe('createBodyBuilder', () => {
  for (const format of OUTPUT_FORMATS) {
    for (const trace of [false, true]) {
      it(`${format}${trace ? ' with trace' : ''}: framed bodies equal the record-by-record writer`, async () => {
        const rs = await records();
        expect(rs.map((r) => r.ok)).toEqual([true, false, true, true, false]);
        const builder = createBodyBuilder(format, { trace });
        for (const r of rs) builder.add(r);
        const framer = createFramer(format);
        const out = builder.finish();
        // NDJSON and CSV come as the batch's bytes, after the framer's head (the CSV header); json and text as bodies
        expect('bytes' in out).toBe(format === 'ndjson' || format === 'csv');
        const framed = ('bytes' in out ? framer.head() + Buffer.from(out.bytes).toString('utf8') : out.bodies.map((b) => framer.body(b)).join(''))
          + framer.end();
        const writer = createWriter(format, { trace });
        expect(framed).toBe(rs.map((r) => writer.record(r)).join('') + writer.end());
        expect(framed).toContain('R-3');
      });
    }
  }

  it('the bytes of a batch, however short, are in a buffer of their own (never Node\'s shared pool, which cannot be moved between threads)', async () => {
    const [r] = await records();
    for (const format of ['ndjson', 'csv'] as const) {
      const b = createBodyBuilder(format);
      b.add(r!);
      const out = b.finish();
      if (!('bytes' in out)) throw new Error('expected bytes');
      expect(out.bytes.byteLength).toBeLessThan(4096); // short enough for Buffer.from to take it from the pool
      expect([format, out.bytes.byteOffset, out.bytes.buffer.byteLength >= out.bytes.byteLength]).toEqual([format, 0, true]);
      expect(out.bytes.buffer.byteLength === 8192 && Buffer.poolSize === 8192).toBe(false); // not the 8 KiB pool slab
    }
  });

  it('an empty batch has no output', () => {
    const empty = OUTPUT_FORMATS.map((f) => createBodyBuilder(f).finish()).map((o) => ('bytes' in o ? o.bytes.byteLength : o.bodies.length));
    expect(empty).toEqual([0, 0, 0, 0]);
  });

  it('NDJSON lines longer than the first buffer, and non-ASCII text, come out whole', async () => {
    const rs = await records();
    const r = rs[0]!;
    if (!r.ok) throw new Error('expected a result');
    const big = { ...r, result: { ...r.result, account: `Ré-${'x'.repeat(700_000)}-€` } };
    const builder = createBodyBuilder('ndjson');
    for (const x of [r, big, big, r]) builder.add(x);
    const out = builder.finish();
    const text = 'bytes' in out ? Buffer.from(out.bytes).toString('utf8') : '';
    expect(text.split('\n').map((l) => (l ? JSON.parse(l).account : ''))).toEqual(['R-0', big.result.account, big.result.account, 'R-0', '']);
    expect(text).toBe([r, big, big, r].map((x) => `${JSON.stringify(x.ok ? x.result : null)}\n`).join(''));
  });
});
