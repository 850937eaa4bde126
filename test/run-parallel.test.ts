/**
 * Parallel evaluate: the output of `--jobs 2` is checked record by record
 * against an independent evaluation (bench/baseline.js: a hand-written
 * evaluator that shares no code with src/), `--jobs 1` and `--jobs 2` print
 * the same bytes, and the reader of a big stream stays a bounded number of
 * chunks ahead of the output. The in-process runs share one worker pool.
 */
import { createWriteStream, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLimits } from '../src/limits.js';
import { evaluatePortfolio, readRuleChoice } from '../src/run/evaluate.js';
import { createRunner } from '../src/run/pool.js';
import { runTask, type TaskOut } from '../src/run/tasks.js';
import type { EvaluateOut } from '../src/run/evaluate-task.js';
import { pinRules } from '../src/run/rules.js';
import { CHUNK_BYTES } from '../src/read/ndjson-chunks.js';
import { tempDir } from './support/temp.js';
// @ts-expect-error: plain JavaScript, no types
import { evaluateSnapshot, loadRules } from '../bench/baseline.js';
import { runCli } from './support/run-cli.js';

const dir = tempDir();
const pool = createRunner(2);
afterAll(() => pool.close());

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

interface Expected { line: number; account?: string; result?: { account: string; period: string; tier: string; creditPercent: string; credit: string; amountDue: string } }

/** What each line should give, by the independent evaluator. */
function expectedOf(lines: string[]): Expected[] {
  const R = loadRules('rules/2026-01.yaml');
  return lines.map((l, i) => {
    let s: { account?: unknown } | undefined;
    try {
      s = JSON.parse(l) as { account?: unknown };
      return { line: i + 1, account: s.account as string, result: evaluateSnapshot(s, R) };
    } catch {
      return { line: i + 1, account: typeof s?.account === 'string' ? s.account : undefined };
    }
  });
}

/** The CLI in this process (test/support/run-cli.ts). */
const cli = (args: string[]) => runCli(args);

// enough records for several 256 KiB chunks, so that both workers have batches at once
const lines = portfolio(1300, 7);
const file = join(dir, 'mixed.ndjson');
writeFileSync(file, `${lines.join('\n')}\n`);
const expected = expectedOf(lines);
const bad = expected.filter((e) => !e.result);

describe('parallel evaluate', () => {
  it('the generated portfolio spans several chunks and has bad records of each kind', () => {
    expect(statSync(file).size).toBeGreaterThan(2 * CHUNK_BYTES);
    expect(bad.filter((e) => e.account === undefined).length).toBeGreaterThan(10); // truncated JSON
    expect(bad.filter((e) => e.account !== undefined).length).toBeGreaterThan(10); // unknown service, 1e3
    expect(new Set(expected.filter((e) => e.result?.creditPercent !== '0').map((e) => e.result?.tier)).size).toBeGreaterThan(2);
  });

  it('--jobs 2 gives, in input order, what the independent evaluator computes; --jobs 1 prints the same bytes', async () => {
    const two = await cli(['evaluate', '--rules-version', '2026-01', '--format', 'ndjson', '--jobs', '2', file]);
    expect(two.status).toBe(1); // there are bad records
    const records = two.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(records).toHaveLength(lines.length);
    const seen = records.map((r) => (r.error
      ? { line: r.error.line as number, account: r.account as string | undefined }
      : { account: r.account, period: r.period, tier: r.tier.name, creditPercent: r.creditPercent, credit: r.credit, amountDue: r.statement.amountDue }));
    expect(seen).toEqual(expected.map((e) => e.result ?? { line: e.line, account: e.account }));
    // one line per bad record on stderr, in input order, then the counts
    const errLines = two.stderr.trim().split('\n');
    expect(errLines.slice(0, -1).map((l) => Number(l.slice(file.length + 1).split(':')[0]))).toEqual(bad.map((e) => e.line));
    expect(errLines.at(-1)).toBe(`${lines.length} record(s): ${lines.length - bad.length} evaluated, ${bad.length} error(s)`);

    const one = await cli(['evaluate', '--rules-version', '2026-01', '--format', 'ndjson', '--jobs', '1', file]);
    expect(one.status).toBe(1);
    expect(one.stdout).toBe(two.stdout);
    expect(one.stderr).toBe(two.stderr);
  });

  it.each(['csv', 'ndjson'] as const)('%s: a batch of one record comes back from a worker thread whole (its bytes are moved, not the shared Buffer pool)', async (format) => {
    const task = { kind: 'evaluate' as const, rules: pinRules(readRuleChoice({ rulesDir: 'rules', ref: '2026-01' })), format, trace: false, limits: resolveLimits(),
      items: [{ record: { seq: 0, file: 'one.ndjson', line: 1, column: 1, format: 'json' as const, text: lines.find((l) => !l.includes('BAD-'))! } }] };
    const text = (out: TaskOut) => { const o = out as EvaluateOut; return o.kind === 'evaluate' && 'bytes' in o.output ? Buffer.from(o.output.bytes).toString('utf8') : ''; };
    const inline = text(await runTask(task));
    expect(inline.length).toBeGreaterThan(50);
    expect(inline.length).toBeLessThan(4096); // short enough for Buffer.from to have taken it from the pool
    expect(text(await pool.run(task))).toBe(inline);
  });

  it.each(['json', 'csv', 'text'] as const)('%s: one job and two print the same bytes and error lines', async (format) => {
    const run = async (jobs: number) => {
      let text = '';
      const errorLines: string[] = [];
      const counts = await evaluatePortfolio([file], {
        rules: { rulesDir: 'rules', ref: '2026-01' }, format, limits: resolveLimits(), jobs,
        runner: jobs > 1 ? pool : undefined, write: (t) => { text += t; }, onErrorLine: (l) => errorLines.push(l),
      });
      return { text, errorLines, counts };
    };
    const one = await run(1);
    const two = await run(2);
    expect(two).toEqual(one);
    expect(one.counts).toEqual({ records: lines.length, evaluated: lines.length - bad.length, errors: bad.length });
    expect(one.errorLines.map((l) => Number(l.slice(file.length + 1).split(':')[0]))).toEqual(bad.map((e) => e.line));
    if (format === 'csv') {
      const rows = parseCsv(one.text, { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => (r.error ? { account: r.account || undefined } : { account: r.account, tier: r.tier, credit: r.credit, amountDue: r.amountDue })))
        .toEqual(expected.map((e) => (e.result
          ? { account: e.result.account, tier: e.result.tier, credit: e.result.credit, amountDue: e.result.amountDue }
          : { account: e.account })));
    }
  });

  it('streams a 40,000-record input (8 MB, 30 chunks): input read ahead of the evaluated records stays bounded, the output is held to the end', async () => {
    const big = join(dir, 'big.ndjson');
    const total = 40_000;
    const line = (i: number) => `{"schemaVersion":1,"account":"S-${i}","period":"2026-11","reseller":{"approved":true,"approvedOn":"2026-01-01"},"subClients":["a","b","c"],"lineItems":[{"service":"hipaa-fee","amount":"${(i % 9000) + 1}.25"}]}\n`;
    // written by a stream while the evaluation reads the file: the tool must not wait for the end
    const ws = createWriteStream(big);
    const chunk = 1000;
    for (let i = 0; i < total; i += chunk) {
      let text = '';
      for (let j = i; j < i + chunk; j++) text += line(j);
      if (!ws.write(text)) await new Promise((r) => ws.once('drain', r));
    }
    await new Promise((r) => ws.end(r));
    // far more than the bound below: a reader that did not wait for the output would exceed it
    expect(statSync(big).size).toBeGreaterThan(7 * 4 * (CHUNK_BYTES + 1024));

    // bytes of the first k records, to know how much input the records evaluated so far account for
    // (the output itself is held in a temporary file until the input ends: SPEC §4, a later record may refuse an earlier one)
    const upTo = new Float64Array(total + 1);
    for (let i = 0; i < total; i++) upTo[i + 1] = upTo[i]! + line(i).length;
    let maxAhead = 0;
    let read = 0;
    let outputs = 0;
    let done = 0;
    let readWhenOutput = -1;
    const counts = await evaluatePortfolio([big], {
      rules: { rulesDir: 'rules', ref: '2026-01' }, format: 'ndjson', limits: resolveLimits(), jobs: 2, runner: pool,
      onRead: (bytes) => { read = bytes; maxAhead = Math.max(maxAhead, read - upTo[done]!); },
      onProgress: (c) => { done = c.records; },
      write: (t) => { if (readWhenOutput < 0 && t) readWhenOutput = read; outputs += t ? t.split('\n').length - 1 : 0; },
    });
    expect(readWhenOutput).toBe(upTo[total]);
    expect(counts).toEqual({ records: total, evaluated: total, errors: 0 });
    expect(outputs).toBe(total);
    expect(read).toBe(upTo[total]);
    // with 2 jobs at most 4 chunks of 256 KiB are in flight: the reader never runs further ahead
    expect(maxAhead).toBeLessThanOrEqual(4 * (CHUNK_BYTES + 1024));
    expect(maxAhead).toBeGreaterThan(0);
  });
});
