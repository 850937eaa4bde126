#!/usr/bin/env node
// Where evaluate's time goes: `npm run bench:profile` (= node bench/profile.js).
//
//   node bench/profile.js [--count N (20000)] [--format ndjson|csv (ndjson)] [--jobs N (1)] [--seed N (42)] [--keep]
//
// Runs `node --cpu-prof bin/reseller-credits.js evaluate --jobs 1 --rules-version 2026-01
// --format FORMAT PORTFOLIO` (stdout to /dev/null) on a generated portfolio
// (bench/out/portfolio-<N>.ndjson, made by bench/generate.js when missing) and
// prints the profile's self time by category, as a markdown table to paste into
// docs/performance.md, "Where the time goes":
//
//   GC                       V8's "(garbage collector)" samples
//   JSON.parse               the native JSON.parse
//   JSON.stringify / serializer   the native JSON.stringify, fast-json-stringify and
//                            code it generates, csv-stringify
//   json-rules-engine        node_modules/json-rules-engine and its dependencies
//                            (hash-it, eventemitter2, jsonpath-plus, clone)
//   decimal.js               node_modules/decimal.js
//   AJV                      node_modules/ajv*, the pre-built validators (dist/validate/validators.generated.cjs)
//   src/<folder>             our own modules (dist/<folder>/…), one row per folder
//   promises / microtasks    node's task queue (processTicksAndRejections, runMicrotasks)
//   other libraries          the other packages (yaml, piscina, …)
//   other                    node internals, (program), everything else
//
// JSON.parse / JSON.stringify have no frames of their own in V8's profiles:
// a function of ours whose body calls one of them counts as that builtin
// (see builtinOf). A sample in a frame without a script (a builtin, generated code) counts for
// the nearest caller that has one, except the GC / JSON.parse / JSON.stringify
// rows, which are the builtins themselves. "(idle)" samples are left out.
// With --jobs 1 (the default) the whole run is on the main thread, so one
// profile has it all. With --jobs N > 1 node writes one profile per thread (the
// main thread and each worker); the table then has one column per thread, with
// each thread's busy time (where the second core's time goes: issue 11, lever 4).
// Also prints the 15 functions with the most self time. --keep leaves the
// .cpuprofile (its path is printed; open it in Chrome DevTools).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readOptions } from './args.js';
import { GENERATOR_VERSION, generatePortfolio } from './generate.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const OUT = join(HERE, 'out');
const CLI = join('bin', 'reseller-credits.js');

function parseArgs(argv) {
  const o = { count: 20000, format: 'ndjson', seed: 42, keep: false, jobs: 1 };
  const v = readOptions(argv, {
    name: 'bench:profile', usage: USAGE,
    ints: { count: 1, seed: 0, jobs: 1 },
    strings: { format: ['ndjson', 'csv', 'json'] },
    flags: ['keep'],
  });
  return { ...o, ...v };
}

const USAGE = 'usage: node bench/profile.js [--count N (20000)] [--format ndjson|csv|json (ndjson)] [--jobs N (1)] [--seed N (42)] [--keep]';

const log = (msg) => process.stderr.write(`${msg}\n`);
const label = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n));

async function ensurePortfolio(count, seed) {
  const file = join(OUT, seed === 42 ? `portfolio-${label(count)}.ndjson` : `portfolio-${label(count)}-s${seed}.ndjson`);
  const metaFile = `${file}.meta.json`;
  const want = { generatorVersion: GENERATOR_VERSION, count, seed, bad: 0 };
  let meta;
  try { meta = JSON.parse(readFileSync(metaFile, 'utf8')); } catch { meta = undefined; }
  const fresh = existsSync(file) && meta && Object.keys(want).every((k) => meta[k] === want[k]) && statSync(file).size === meta.bytes;
  if (!fresh) {
    log(`generating ${relative(ROOT, file)} (${count} snapshots, seed ${seed}) …`);
    await generatePortfolio({ count, seed, bad: 0, out: file });
    writeFileSync(metaFile, `${JSON.stringify({ ...want, bytes: statSync(file).size })}\n`);
  }
  return file;
}

const ENGINE = /node_modules\/(json-rules-engine|hash-it|eventemitter2|jsonpath-plus|clone)\//;

/** The category of a frame that has a script (`url`), or undefined for one without. */
function categoryOfUrl(url) {
  if (!url) return undefined;
  if (ENGINE.test(url)) return 'json-rules-engine';
  if (/node_modules\/decimal\.js\//.test(url)) return 'decimal.js';
  if (/node_modules\/ajv[^/]*\//.test(url) || /validators\.generated\.cjs$/.test(url)) return 'AJV';
  if (/node_modules\/(fast-json-stringify|csv-stringify)\//.test(url)) return 'JSON.stringify / serializer';
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith(`${ROOT}/dist/`)) {
    const rest = path.slice(ROOT.length + '/dist/'.length);
    return `src/${rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : rest.replace(/\.js$/, '')}`;
  }
  if (path === join(ROOT, CLI)) return 'src/cli';
  if (/node_modules\//.test(path)) return 'other libraries (yaml, piscina, …)';
  if (/node:internal\/process\/task_queues/.test(url)) return 'promises / microtasks';
  return 'other';
}

const sources = new Map();
/**
 * V8's profiler has no frames of their own for the JSON.parse / JSON.stringify
 * builtins: their time is the self time of the JavaScript function that calls
 * them. A function of ours whose body calls exactly one of them (and no other
 * function of note) is counted as that builtin: e.g. parseSnapshotRecord
 * (JSON.parse of the record) and the NDJSON body builder's `add` (JSON.stringify
 * of the result; the copy of the line into the batch's buffer is node:buffer's
 * own `write` frame).
 */
function builtinOf(url, line) {
  const path = url.replace(/^file:\/\//, '');
  if (!path.startsWith(`${ROOT}/dist/`)) return undefined;
  let lines = sources.get(path);
  if (!lines) {
    try { lines = readFileSync(path, 'utf8').split('\n'); } catch { lines = []; }
    sources.set(path, lines);
  }
  // the function's text: from its first line until its braces balance (one line for a bare arrow)
  let depth = 0;
  let body = '';
  for (let i = line; i < lines.length && i < line + 60; i++) {
    body += `${lines[i]}\n`;
    for (const ch of lines[i]) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    if (depth <= 0) break;
  }
  const parse = /\bJSON\.parse\(/.test(body);
  const stringify = /\bJSON\.stringify\(/.test(body);
  if (parse === stringify) return undefined;
  return parse ? 'JSON.parse' : 'JSON.stringify / serializer';
}

/** Self time (ms) by category, by function, and the profile's total (idle left out). */
function analyse(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = profile.timeDeltas[i + 1] ?? 0; // the time until the next sample is this sample's
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
  }
  const memo = new Map();
  const categoryOf = (id) => {
    if (memo.has(id)) return memo.get(id);
    const { functionName: fn, url } = nodes.get(id).callFrame;
    let c;
    if (fn === '(garbage collector)') c = 'GC';
    else if (fn === '(idle)') c = 'idle';
    else if (fn === '(program)' || fn === '(root)') c = 'other';
    else if (!url && fn === 'parse') c = 'JSON.parse';
    else if (!url && (fn === 'stringify' || fn === 'JSONStringify')) c = 'JSON.stringify / serializer';
    else if (!url && (fn === 'runMicrotasks' || /^Promise|^(resolve|then)$|PromiseResolve|AsyncFunction/.test(fn))) c = 'promises / microtasks';
    else c = (url && builtinOf(url, nodes.get(id).callFrame.lineNumber)) ?? categoryOfUrl(url) ?? (parent.has(id) ? categoryOf(parent.get(id)) : 'other');
    memo.set(id, c);
    return c;
  };
  const byCat = new Map();
  const byFn = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const c = categoryOf(id);
    if (c === 'idle') continue;
    total += us;
    byCat.set(c, (byCat.get(c) ?? 0) + us);
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const where = url ? `${url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}` : '(native)';
    const key = `${functionName || '(anonymous)'} ${where}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  return { byCat, byFn, total };
}

const opts = parseArgs(process.argv.slice(2));
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  log('bench:profile: dist/ is not built; run `npm run build` first');
  process.exit(2);
}
const portfolio = relative(ROOT, await ensurePortfolio(opts.count, opts.seed));
const dir = mkdtempSync(join(os.tmpdir(), 'rc-profile-'));
const load = os.loadavg()[0];
const args = ['--cpu-prof', '--cpu-prof-dir', dir, CLI, 'evaluate', '--jobs', String(opts.jobs), '--rules-version', '2026-01', '--format', opts.format, portfolio];
log(`node ${args.join(' ')}`);
const t0 = performance.now();
// the process's CPU time (all threads) from GNU time, when installed
const timeFile = join(dir, 'time.txt');
const hasTime = spawnSync('/usr/bin/time', ['-f', '%U', 'true'], { encoding: 'utf8' }).status === 0;
const r = hasTime
  ? spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, process.execPath, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 })
  : spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
const wall = (performance.now() - t0) / 1000;
const timed = hasTime && existsSync(timeFile) ? /([\d.]+) ([\d.]+)\s*$/.exec(readFileSync(timeFile, 'utf8')) : undefined;
const childCpu = timed ? Number(timed[1]) + Number(timed[2]) : undefined;
if (r.status !== 0) {
  log(`bench:profile: evaluate exited with ${r.status}\n${(r.stderr ?? '').slice(-2000)}`);
  process.exit(1);
}
// CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread
const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => ({ f, thread: Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(f)?.[1] ?? 0) }))
  .sort((a, b) => a.thread - b.thread);
if (files.length === 0 || (opts.jobs === 1 && files.length !== 1)) {
  log(`bench:profile: expected ${opts.jobs === 1 ? 'one .cpuprofile' : 'profiles'} in ${dir}, found ${files.length}`);
  process.exit(1);
}
const threads = files.map(({ f, thread }) => ({ name: thread === 0 ? 'main thread' : `worker ${thread}`, ...analyse(JSON.parse(readFileSync(join(dir, f), 'utf8'))) }));

const ORDER = ['GC', 'JSON.parse', 'JSON.stringify / serializer', 'json-rules-engine', 'decimal.js', 'AJV', 'promises / microtasks'];
const byCatAll = new Map();
const byFnAll = new Map();
let total = 0;
for (const t of threads) {
  total += t.total;
  for (const [k, v] of t.byCat) byCatAll.set(k, (byCatAll.get(k) ?? 0) + v);
  for (const [k, v] of t.byFn) byFnAll.set(k, (byFnAll.get(k) ?? 0) + v);
}
const cats = [...byCatAll.keys()];
const ours = cats.filter((c) => c.startsWith('src/')).sort((a, b) => byCatAll.get(b) - byCatAll.get(a));
const rows = [...ORDER.filter((c) => byCatAll.has(c)), ...ours, ...['other libraries (yaml, piscina, …)', 'other'].filter((c) => byCatAll.has(c))];
const pct = (us, of = total) => `${((100 * us) / of).toFixed(1)}%`;
const ms = (us) => (us / 1000).toFixed(0);
const perRecord = (us) => (us / opts.count).toFixed(1);
const sumOurs = (m) => ours.reduce((t, c) => t + (m.get(c) ?? 0), 0);

const out = [];
out.push('');
out.push(`profile: \`evaluate --jobs ${opts.jobs} --format ${opts.format}\` of ${portfolio} (${opts.count.toLocaleString('en-US')} snapshots), `
  + `node ${process.version}, ${new Date().toISOString().slice(0, 10)}, 1-min load average ${load.toFixed(2)}; `
  + `wall ${wall.toFixed(2)} s${childCpu !== undefined ? `, CPU ${childCpu.toFixed(2)} s` : ''}, ${(total / 1e6).toFixed(2)} s sampled on ${threads.length} thread(s) (idle left out)`);
out.push('');
if (threads.length === 1) {
  out.push('| self time | ms | µs / snapshot | share |');
  out.push('| --- | ---: | ---: | ---: |');
  for (const c of rows) out.push(`| ${c} | ${ms(byCatAll.get(c))} | ${perRecord(byCatAll.get(c))} | ${pct(byCatAll.get(c))} |`);
  out.push(`| (of which our src/, all folders) | ${ms(sumOurs(byCatAll))} | ${perRecord(sumOurs(byCatAll))} | ${pct(sumOurs(byCatAll))} |`);
} else {
  out.push(`| self time, ms | ${threads.map((t) => t.name).join(' | ')} | all threads | share |`);
  out.push(`| --- | ${threads.map(() => '---:').join(' | ')} | ---: | ---: |`);
  for (const c of rows) out.push(`| ${c} | ${threads.map((t) => ms(t.byCat.get(c) ?? 0)).join(' | ')} | ${ms(byCatAll.get(c))} | ${pct(byCatAll.get(c))} |`);
  out.push(`| (of which our src/) | ${threads.map((t) => ms(sumOurs(t.byCat))).join(' | ')} | ${ms(sumOurs(byCatAll))} | ${pct(sumOurs(byCatAll))} |`);
  out.push(`| **busy (sampled, not idle)** | ${threads.map((t) => ms(t.total)).join(' | ')} | ${ms(total)} | |`);
  if (childCpu !== undefined) out.push('');
  if (childCpu !== undefined) out.push(`process CPU (user + system, all threads, V8's GC helper threads included): ${childCpu.toFixed(2)} s; `
    + `the JavaScript threads' sampled busy time: ${(total / 1e6).toFixed(2)} s (the profiler samples wall time: a thread waiting for a core counts as busy)`);
}
out.push('');
out.push('top 15 functions by self time:');
out.push('');
out.push('| function | ms | share |');
out.push('| --- | ---: | ---: |');
for (const [k, us] of [...byFnAll].sort((a, b) => b[1] - a[1]).slice(0, 15)) out.push(`| \`${k.replace(/\|/g, '\\|')}\` | ${ms(us)} | ${pct(us)} |`);
process.stdout.write(`${out.join('\n')}\n`);
if (opts.keep) log(`profiles kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
