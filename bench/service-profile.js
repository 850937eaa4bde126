#!/usr/bin/env node
// Where the service's time goes under load: a CPU profile of one server of
// `npm run bench:service` while autocannon loads it.
//
//   node bench/service-profile.js [ours|baseline (ours)] [--duration S (15)] [--connections N (50)] [--accept TYPE] [--top N (30)] [--keep]
//
// Starts `node --cpu-prof bench/service-server.js MODE`, loads `/v1/evaluate` with
// the bench's snapshot (bench/out/service-snapshot.ndjson, made by bench/service.js;
// generated here when missing) for a 2 s warm-up and `--duration` seconds, stops the
// server (SIGTERM: the profile is written on exit) and prints, per request answered,
// the self time and the inclusive time (a function and everything it called, each
// sample counted once per function) of the functions that cost most. The profiler
// samples wall time: on a busy machine a syscall waiting for a core counts in full,
// so read shares, not absolute microseconds; start-up is in the profile too.
// `--accept application/x-ndjson` asks for the compact answer. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { generatePortfolio } from './generate.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const mode = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'ours';
const duration = Number(arg('duration', '15'));
const connections = Number(arg('connections', '50'));
const accept = arg('accept', undefined);
const top = Number(arg('top', '30'));

const file = 'bench/out/service-snapshot.ndjson';
if (!existsSync(file)) await generatePortfolio({ count: 1, seed: 42, period: '2026-11', out: file });
const body = readFileSync(file, 'utf8').trim();
const dir = mkdtempSync(join(tmpdir(), 'rc-service-profile-'));
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, 'bench/service-server.js', mode], { stdio: ['ignore', 'ignore', 'pipe'] });
const url = await new Promise((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  createInterface({ input: child.stderr }).once('line', resolve);
});
const load = (seconds) => autocannon({
  url: `${url}/v1/evaluate`, method: 'POST', body, connections, duration: seconds,
  headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
});
await load(2);
const r = await load(duration);
child.removeAllListeners('exit');
const exited = new Promise((resolve) => child.once('exit', resolve));
child.kill('SIGTERM');
await exited;

const f = readdirSync(dir).find((x) => x.endsWith('.cpuprofile'));
const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
const nodes = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + Math.max(0, p.timeDeltas[i + 1] ?? 0));
const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(`file://${process.cwd()}/`, '')}:${n.callFrame.lineNumber + 1}`;
let total = 0;
const byFn = new Map();
const incl = new Map();
for (const [id, us] of self) {
  const n = nodes.get(id);
  if (n.callFrame.functionName === '(idle)') continue;
  total += us;
  byFn.set(key(n), (byFn.get(key(n)) ?? 0) + us);
  const seen = new Set();
  for (let x = id; x !== undefined; x = parent.get(x)) {
    const k = key(nodes.get(x));
    if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + us); }
  }
}
const n = r.requests.total;
const per = (us) => (us / n).toFixed(1).padStart(7);
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const out = [`${mode}${accept ? ` (Accept: ${accept})` : ''}, ${connections} connections, ${duration} s: ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms, ${n} requests; sampled busy time ${(total / n).toFixed(0)} µs per request`, '', 'self time, µs per request:'];
for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`${per(us)} ${pct(us)}  ${k}`);
out.push('', 'inclusive time, µs per request:');
for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top * 2)) out.push(`${per(us)} ${pct(us)}  ${k}`);
process.stdout.write(`${out.join('\n')}\n`);
