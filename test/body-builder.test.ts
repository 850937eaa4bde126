/**
 * The bodies a batch sends back (src/report/formats.ts `createBodyBuilder`):
 * records formatted one by one as they are evaluated give, once framed, the
 * same text as the record-by-record writer, in every format, with error
 * records among the results.
 */
import { describe, expect, it } from 'vitest';
import { evaluateRecord, type OutputRecord } from '../src/evaluate/record.js';
import { loadRules } from '../src/intake/rules-dir.js';
import { resolveLimits } from '../src/load/limits.js';
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
        const framed = builder.finish().map((b) => framer.body(b)).join('') + framer.end();
        const writer = createWriter(format, { trace });
        expect(framed).toBe(rs.map((r) => writer.record(r)).join('') + writer.end());
        expect(framed).toContain('R-3');
      });
    }
  }

  it('an empty batch has no body', () => {
    for (const format of OUTPUT_FORMATS) expect(createBodyBuilder(format).finish()).toEqual([]);
  });
});
