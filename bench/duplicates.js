#!/usr/bin/env node
// The cost of refusing duplicate claims across one run (issue 19, SPEC §4 "In one run"):
//
//   node bench/duplicates.js [--count N] [--output-bytes N] [--no-hold]
//
// Generates N snapshots of one period (bench/generate.js, seed 42) under the
// system's temporary folder, then on this thread, per record in input order:
// the account ids taken from the parsed record (JSON.parse is timed apart: a
// run has the record parsed already), `createDuplicateCheck().add`, and
// `createHeldOutput().appendRecord` of --output-bytes bytes (default 2,717: the
// mean evaluate --format ndjson result of the generator's snapshots). Then
// `finish()` and the copy of the held output to /dev/null (--no-hold: the check alone). Prints the times,
// the RSS before and after (after a GC when run with --expose-gc), and the peak RSS
// (needs `npm run build` first).
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readOptions } from './args.js';
import { generatePortfolio } from './generate.js';
import { createDuplicateCheck } from '../dist/validate/run-duplicates.js';
import { createHeldOutput } from '../dist/validate/held-output.js';

const usage = 'usage: node bench/duplicates.js [--count N] [--output-bytes N] [--no-hold]';
const opts = readOptions(process.argv.slice(2), { name: 'duplicates', usage, ints: { count: 1, 'output-bytes': 1 }, flags: ['no-hold'] });
const hold = !opts['no-hold'];
const count = opts.count ?? 100_000;
const outputBytes = opts['output-bytes'] ?? 2717;
const MiB = (b) => (b / 2 ** 20).toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'rc-bench-dup-'));
try {
  const file = join(dir, 'portfolio.ndjson');
  await generatePortfolio({ count, seed: 42, period: '2026-11', out: file });
  globalThis.gc?.();
  const before = process.memoryUsage();
  const rssBefore = before.rss;
  const check = createDuplicateCheck();
  const held = hold ? createHeldOutput() : undefined;
  const result = Buffer.alloc(outputBytes, 0x61);
  let parseNs = 0n;
  let addNs = 0n;
  let holdNs = 0n;
  let i = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    let t = process.hrtime.bigint();
    const s = JSON.parse(line);
    const t1 = process.hrtime.bigint();
    parseNs += t1 - t;
    const accounts = [{ text: s.account, role: 'own' }];
    for (const m of s.managedAccounts ?? []) accounts.push({ text: m.account, role: 'managed' });
    for (const r of s.linkedAffiliate?.referredAccounts ?? []) accounts.push({ text: r.account, role: 'referred' });
    if (s.linkedAffiliate) accounts.push({ text: s.linkedAffiliate.account, role: 'affiliate' });
    check.add(i, { period: s.period, accounts, where: `portfolio.ndjson:${i + 1}` });
    const t2 = process.hrtime.bigint();
    addNs += t2 - t1;
    held?.appendRecord(i, result);
    holdNs += process.hrtime.bigint() - t2;
    i++;
  }
  globalThis.gc?.();
  const afterAdd = process.memoryUsage();
  const rssAfterAdd = afterAdd.rss;
  const peakBeforeFinish = process.resourceUsage().maxRSS * 1024;
  let t = process.hrtime.bigint();
  const refused = check.finish();
  const finishNs = process.hrtime.bigint() - t;
  const nullFd = openSync('/dev/null', 'w');
  t = process.hrtime.bigint();
  held?.finishTo((c) => writeSync(nullFd, c), (k) => (refused.has(k) ? Buffer.from('error\n') : undefined));
  const copyNs = process.hrtime.bigint() - t;
  closeSync(nullFd);
  const ms = (ns) => (Number(ns) / 1e6).toFixed(0);
  const us = (ns) => (Number(ns) / 1e3 / count).toFixed(2);
  console.log(`${count} snapshots, ${refused.size} refused, held output ${hold ? `${MiB(count * outputBytes)} MiB` : 'none (--no-hold)'}`);
  console.log(`JSON.parse (not ours)  ${ms(parseNs)} ms  (${us(parseNs)} us/record)`);
  console.log(`check.add              ${ms(addNs)} ms  (${us(addNs)} us/record)`);
  console.log(`held.appendRecord      ${ms(holdNs)} ms  (${us(holdNs)} us/record)`);
  console.log(`check.finish           ${ms(finishNs)} ms  (${us(finishNs)} us/record)`);
  console.log(`held.finishTo          ${ms(copyNs)} ms  (${us(copyNs)} us/record)`);
  console.log(`after the adds, after a GC: heap used +${MiB(afterAdd.heapUsed - before.heapUsed)} MiB, array buffers +${MiB(afterAdd.arrayBuffers - before.arrayBuffers)} MiB`);
  console.log(`RSS before ${MiB(rssBefore)} MiB, after the adds ${MiB(rssAfterAdd)} MiB; peak ${MiB(peakBeforeFinish)} MiB before finish, ${MiB(process.resourceUsage().maxRSS * 1024)} MiB at the end`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
