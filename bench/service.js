#!/usr/bin/env node
// `npm run bench:service` (issue 22): the service under load on loopback, against the
// same server answering with the hand-written baseline evaluator, in one run.
//
//   node bench/service.js [--duration S] [--warmup S] [--connections 1,10,50] [--workers N] [--compare DIR]
//
// Both servers run at once, each in its own process (bench/service-server.js), and
// are loaded in turn, interleaved per connection count (ours, ours asked for the
// compact answer, then the baseline), with autocannon 9 (in this process) POSTing
// one generated snapshot (seed 42, period 2026-11) as application/json to
// /v1/evaluate, `--duration` (10) seconds after a `--warmup` (2) of the same.
// "ours" sends no Accept and gets the CLI's `--format json` bytes; "ours-ndjson"
// sends `Accept: application/x-ndjson` and gets its `--format ndjson` line. Reported per server and connection count:
// requests/s (mean), p50 and p99 latency, non-2xx and errors, the server's CPU time per
// request (user + system over the measured run, from /proc/PID/stat) and its RSS
// (VmRSS after the run, VmHWM: its peak) from /proc; then the ratios ours/baseline.
// Writes bench/out/service.json. Needs `npm run build` first. The machine has 2
// cores: autocannon takes one, the server the other.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import { generatePortfolio } from './generate.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const duration = Number(arg('duration', '10'));
const warmup = Number(arg('warmup', '2'));
const connectionCounts = arg('connections', '1,10,50').split(',').map(Number);
// --workers N: also load our server as N processes sharing the port (node:cluster; bench only)
const workers = Number(arg('workers', '0'));
// --compare DIR: also load the server of another checkout (built), e.g. main before a change, as "compare"
const compare = arg('compare', undefined);

const loadStart = os.loadavg();
mkdirSync('bench/out', { recursive: true });
const file = 'bench/out/service-snapshot.ndjson';
await generatePortfolio({ count: 1, seed: 42, period: '2026-11', out: file });
const body = readFileSync(file, 'utf8').trim();

function startServer(mode, n = 0, cwd = undefined) {
  // the server's JSON logs go to /dev/null (they are written, as by `serve`); its URL comes on stderr
  // (a cluster's primary adds its workers' pids: their CPU and RSS are the server's)
  const child = spawn(process.execPath, ['bench/service-server.js', mode, ...(n ? [String(n)] : [])], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code})`)));
    createInterface({ input: child.stderr }).once('line', (line) => {
      const [url, ...pids] = line.split(' ');
      resolve({ mode, url, child, pids: [child.pid, ...pids.map(Number)] });
    });
  });
}

/** The process's CPU time so far (user + system), in ms, from /proc. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { rssKiB: kib('VmRSS'), peakKiB: kib('VmHWM') };
}

const NDJSON_ACCEPT = { accept: 'application/x-ndjson' };
const load = (url, connections, seconds, headers = {}) => autocannon({
  url: `${url}/v1/evaluate`, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body,
  connections, duration: seconds, pipelining: 1,
});

const servers = { ours: await startServer('ours'), baseline: await startServer('baseline'), ...(workers > 0 ? { cluster: await startServer('ours', workers) } : {}),
  ...(compare ? { compare: await startServer('ours', 0, compare) } : {}) };
// what is loaded: a server and the headers sent
const targets = [
  { name: 'ours', server: servers.ours, headers: {} },
  { name: 'ours-ndjson', server: servers.ours, headers: NDJSON_ACCEPT },
  { name: 'baseline', server: servers.baseline, headers: {} },
  ...(servers.cluster ? [{ name: `ours-x${workers}`, server: servers.cluster, headers: {} }] : []),
  ...(servers.compare ? [{ name: 'compare', server: servers.compare, headers: {} }] : []),
];
const sum = (pids, f) => pids.reduce((t, pid) => t + f(pid), 0);
// each answers the snapshot before any load
for (const t of targets) {
  const r = await fetch(`${t.server.url}/v1/evaluate`, { method: 'POST', headers: { 'content-type': 'application/json', ...t.headers }, body });
  if (r.status !== 200) throw new Error(`${t.name}: ${r.status} ${await r.text()}`);
  t.answerBytes = (await r.arrayBuffer()).byteLength;
}
const rows = [];
try {
  for (const connections of connectionCounts) {
    for (const t of targets) {
      const s = t.server;
      if (warmup > 0) await load(s.url, connections, warmup, t.headers);
      const cpu0 = sum(s.pids, cpuMs);
      const r = await load(s.url, connections, duration, t.headers);
      const cpuPerRequestUs = ((sum(s.pids, cpuMs) - cpu0) * 1000) / Math.max(1, r.requests.total);
      const mems = s.pids.map(rss);
      const mem = { rssKiB: mems.reduce((t, m) => t + m.rssKiB, 0), peakKiB: mems.reduce((t, m) => t + m.peakKiB, 0) };
      const row = {
        server: t.name, connections, requestsPerSecond: r.requests.average, p50ms: r.latency.p50, p99ms: r.latency.p99,
        cpuPerRequestUs, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, ...mem,
      };
      rows.push(row);
      process.stderr.write(`${t.name.padEnd(11)} c=${String(connections).padStart(2)}  ${row.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${row.p50ms} ms  p99 ${row.p99ms} ms  CPU ${cpuPerRequestUs.toFixed(0)} us/req  RSS ${(mem.rssKiB / 1024).toFixed(0)} MiB (peak ${(mem.peakKiB / 1024).toFixed(0)})  non-2xx ${row.non2xx} errors ${row.errors}\n`);
    }
  }
} finally {
  for (const s of Object.values(servers)) s.child.kill('SIGTERM');
}

const ratios = connectionCounts.flatMap((c) => targets.filter((t) => t.name !== 'baseline').map(({ name }) => {
  const o = rows.find((r) => r.server === name && r.connections === c);
  const b = rows.find((r) => r.server === 'baseline' && r.connections === c);
  return { server: name, connections: c, throughput: o.requestsPerSecond / b.requestsPerSecond, p50: o.p50ms / b.p50ms, p99: o.p99ms / b.p99ms, cpuPerRequest: o.cpuPerRequestUs / b.cpuPerRequestUs };
}));
const out = {
  when: new Date().toISOString(), node: process.version, loadAverage: loadStart, loadAverageEnd: os.loadavg(), duration, warmup,
  snapshotBytes: Buffer.byteLength(body), answerBytes: Object.fromEntries(targets.map((t) => [t.name, t.answerBytes])), rows, ratios,
};
writeFileSync('bench/out/service.json', `${JSON.stringify(out, null, 2)}\n`);
const lines = ['| connections | server | req/s | p50 ms | p99 ms | server CPU µs/request | RSS MiB (peak) |', '|---:|---|---:|---:|---:|---:|---:|'];
for (const r of rows) lines.push(`| ${r.connections} | ${r.server} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50ms} | ${r.p99ms} | ${r.cpuPerRequestUs.toFixed(0)} | ${(r.rssKiB / 1024).toFixed(0)} (${(r.peakKiB / 1024).toFixed(0)}) |`);
lines.push('', '| connections | ours | req/s ours/baseline | p50 ours/baseline | p99 ours/baseline | CPU per request ours/baseline |', '|---:|---|---:|---:|---:|---:|');
const x = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a (baseline p50 0 ms)');
for (const r of ratios) lines.push(`| ${r.connections} | ${r.server} | ${x(r.throughput)} | ${x(r.p50)} | ${x(r.p99)} | ${x(r.cpuPerRequest)} |`);
lines.push('', `load average (1, 5, 15 min) at the start: ${loadStart.map((l) => l.toFixed(2)).join(', ')}; at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`);
lines.push(`answer bytes: ${targets.map((t) => `${t.name} ${t.answerBytes}`).join(', ')}`);
new Writable({ write(c, _e, cb) { process.stdout.write(c); cb(); } }).end(`${lines.join('\n')}\n`);
