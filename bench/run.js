#!/usr/bin/env node
// The benchmark of issues 4 and 11: `npm run bench` (= node bench/run.js).
//
//   node bench/run.js [--count N] [--runs N] [--jobs N] [--seed N] [--no-check] [--no-whatif]
//                     [--no-one-core] [--no-issue] [--line-items] [--sizes] [--million]
//
// Everything in one run on one machine, so that the ratios compare like with like:
// 0. Agreement: `node bench/check.js` (2,000 generated snapshots + 20 bad ones, and
//    examples/portfolio.ndjson) — the CLI and the baseline agree record for record.
// 1. Generates bench/out/portfolio-100k.ndjson (seed 42) if it is missing or
//    was made by another generator version (bench/out/ is gitignored scratch).
// 2. Times, interleaved, `--runs` (3) runs each of
//      baseline   node bench/baseline.js PORTFOLIO                  — hand-written, no engine, 1 thread
//      csv        evaluate --rules-version 2026-01 --format csv     — default --jobs (the machine's cores)
//      ndjson     evaluate … --format ndjson (full results)         — default --jobs
//      csv-1      evaluate … --format csv --jobs 1                  — one core
//      ndjson-1   evaluate … --format ndjson --jobs 1               — one core
//      whatif     whatif --baseline 2026-01 --candidate rules/2027-01.yaml --format json
//    end to end (process start to exit, stdout to /dev/null): median wall time,
//    median CPU time (user + system, all threads; with GNU time), peak memory
//    (max RSS, all threads: what the process reports with
//    RESELLER_CREDITS_REPORT_RSS=1, else `/usr/bin/time -f %M`). The portfolio
//    spans 2025-01..2026-12, hence --rules-version (2026-01 is only effective from 2026-01).
//    The one-core ratio (`--jobs 1` against the baseline, also one thread) moves
//    less with the machine's load than the default-jobs one.
// 3. A one-snapshot run (evaluate --format ndjson of one generated snapshot):
//    the median of 7 runs, next to `node -e 0` (node's own start-up).
// 4. issue rows (unless --no-issue, when the CLI has `issue`): the same number of
//    snapshots, all of period 2026-11, in bench/out/portfolio-<N>-p2026-11.ndjson;
//    per run, interleaved: `evaluate --format csv` of it, `issue --format csv` into a
//    new ledger, and the re-run of that issue (every account unchanged); reported
//    with the ledger's bytes per entry.
// Options that take long:
//   --line-items  cost growth with line items: 20,000 snapshots (or --count, if fewer) with exactly 2, 10
//                 and 50 own line items each (bench/generate.js --line-items), one run
//                 each of baseline, evaluate --format ndjson --jobs 1 and --format csv --jobs 1
//   --sizes       cost growth with portfolio size: 10k, 100k and 1M snapshots, one run
//                 each of baseline, evaluate --format csv and --format ndjson (default
//                 --jobs), with peak RSS. The 1M file (~945 MiB) is written under the
//                 system's temporary folder and deleted afterwards.
//   --million     the same as --sizes
//   --size-list N,N,…  --sizes with these sizes instead (1,000,000 or more: under the temporary folder)
// Other options:
//   --count N     portfolio size of steps 2 and 4 (default 100000)
//   --runs N      runs per program (default 3)
//   --jobs N      the "default jobs" rows use `--jobs N` instead of the CLI's default
//   --seed N      generator seed (default 42)
// At the end: the tables as markdown, to paste into docs/performance.md.
// The figures are also written to bench/out/last-run.json.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, createReadStream } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readOptions } from './args.js';
import { GENERATOR_VERSION, generatePortfolio } from './generate.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const OUT = join(HERE, 'out');
const CLI = join('bin', 'reseller-credits.js');
const RULES_VERSION = '2026-01';
const WHATIF_CANDIDATE = join('rules', '2027-01.yaml');
const TIME_BIN = '/usr/bin/time';

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const o = {
    count: 100000, runs: 3, jobs: undefined, seed: 42,
    check: true, whatif: true, oneCore: true, issue: true, lineItems: false, sizes: false, sizeList: [10_000, 100_000, 1_000_000],
  };
  const v = readOptions(argv, {
    name: 'bench', usage: USAGE,
    ints: { count: 1, runs: 1, jobs: 1, seed: 0 },
    strings: { 'size-list': /^\d+(,\d+)*$/ },
    flags: ['whatif', 'no-whatif', 'no-check', 'no-one-core', 'no-issue', 'line-items', 'sizes', 'million'],
  });
  if (v.count !== undefined) o.count = v.count;
  if (v.runs !== undefined) o.runs = v.runs;
  if (v.jobs !== undefined) o.jobs = v.jobs;
  if (v.seed !== undefined) o.seed = v.seed;
  if (v['no-whatif']) o.whatif = false; // --whatif is the default; kept for old command lines
  if (v['no-check']) o.check = false;
  if (v['no-one-core']) o.oneCore = false;
  if (v['no-issue']) o.issue = false;
  if (v['line-items']) o.lineItems = true;
  if (v.sizes || v.million) o.sizes = true;
  if (v['size-list'] !== undefined) {
    o.sizes = true;
    o.sizeList = v['size-list'].split(',').map(Number);
  }
  return o;
}

const USAGE = 'usage: node bench/run.js [--count N (100000)] [--runs N (3)] [--jobs N] [--seed N (42)] [--no-check] [--no-whatif] [--no-one-core] [--no-issue] [--line-items] [--sizes|--million] [--size-list N,N,…]';

// ---------------------------------------------------------------- helpers

const log = (msg) => process.stderr.write(`${msg}\n`);
const label = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n));
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const mib = (kib) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? undefined : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load1 = () => os.loadavg()[0];

/** A portfolio of `count` good snapshots, generated unless an up-to-date one exists. */
async function ensurePortfolio(count, seed, { period, lineItems, dir = OUT } = {}) {
  const base = seed === 42 ? `portfolio-${label(count)}` : `portfolio-${label(count)}-s${seed}`;
  const file = join(dir, `${base}${period ? `-p${period}` : ''}${lineItems ? `-li${lineItems}` : ''}.ndjson`);
  const metaFile = `${file}.meta.json`;
  const want = { generatorVersion: GENERATOR_VERSION, count, seed, bad: 0, ...(period ? { period } : {}), ...(lineItems ? { lineItems } : {}) };
  let meta;
  try { meta = JSON.parse(readFileSync(metaFile, 'utf8')); } catch { meta = undefined; }
  const fresh = existsSync(file) && meta && Object.keys(want).every((k) => meta[k] === want[k]) && statSync(file).size === meta.bytes;
  if (!fresh) {
    log(`generating ${relative(ROOT, file)} (${fmtInt(count)} snapshots, seed ${seed}${lineItems ? `, ${lineItems} own line items each` : ''}) …`);
    const t0 = performance.now();
    await generatePortfolio({ count, seed, bad: 0, out: file, period, lineItems });
    writeFileSync(metaFile, `${JSON.stringify({ ...want, bytes: statSync(file).size })}\n`);
    log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return file;
}

/** Line items per snapshot in `file` (own, managed and referred): occurrences of `"service":` over lines. */
async function lineItemsPerSnapshot(file, count) {
  let n = 0;
  let carry = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    const text = carry + chunk;
    let i = -1;
    while ((i = text.indexOf('"service":', i + 1)) !== -1) n++;
    carry = text.slice(-9);
  }
  return n / count;
}

/** Output of `node bin/reseller-credits.js ...args` (for feature detection). */
function cliText(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, text: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const hasTime = (() => {
  try {
    return spawnSync(TIME_BIN, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
  } catch {
    return false;
  }
})();
const scratch = mkdtempSync(join(os.tmpdir(), 'rc-bench-'));
let timeFileSeq = 0;

// the node flags of the CLI's shebang (`#!/usr/bin/env -S node --flag`), so that the
// CLI runs here exactly as `npx reseller-credits` runs it
const CLI_NODE_FLAGS = (/^#!.*\bnode\b(.*)$/m.exec(readFileSync(join(ROOT, CLI), 'utf8').split('\n')[0]) ?? [])[1]?.trim().split(/\s+/).filter(Boolean) ?? [];

/**
 * Runs node with `args` (cwd = project root, stdout to /dev/null) and
 * resolves to { seconds, cpu, code, rssKiB, rssFrom, summary, stderrFull, stderrTail }.
 */
function timeRun(args) {
  const env = { ...process.env, RESELLER_CREDITS_REPORT_RSS: '1', NO_COLOR: '1' };
  let cmd = process.execPath;
  const nodeArgs = args[0] === CLI ? [...CLI_NODE_FLAGS, ...args] : args;
  let argv = nodeArgs;
  let timeFile;
  if (hasTime) {
    timeFile = join(scratch, `time-${timeFileSeq++}`);
    cmd = TIME_BIN;
    argv = ['-f', '%M %U %S', '-o', timeFile, process.execPath, ...nodeArgs];
  }
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      err += s;
      if (err.length > 1 << 20) err = err.slice(-(1 << 16)); // keep the tail only
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const self = /^maxRSS (\d+)\s*$/m.exec(err);
      let rssKiB;
      let rssFrom = 'n/a';
      let cpu;
      const timed = timeFile && existsSync(timeFile) ? /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(readFileSync(timeFile, 'utf8')) : undefined;
      if (timed) cpu = Number(timed[2]) + Number(timed[3]);
      if (self) {
        rssKiB = Number(self[1]);
        rssFrom = 'self';
      } else if (timed) {
        rssKiB = Number(timed[1]);
        rssFrom = 'time';
      }
      const summary = /^(\d+) record\(s\): (\d+) evaluated, (\d+) error\(s\)/m.exec(err);
      resolve({
        seconds,
        cpu,
        code,
        rssKiB,
        rssFrom,
        summary: summary ? { records: Number(summary[1]), evaluated: Number(summary[2]), errors: Number(summary[3]) } : undefined,
        stderrFull: err,
        stderrTail: err.split('\n').filter((l) => l && !/^maxRSS /.test(l)).slice(-5).join('\n'),
      });
    });
  });
}

/** Checks one run: exit status 0 and, when it says, every record evaluated. */
function verify(name, r, expected) {
  const problems = [];
  if (r.code !== 0) problems.push(`exit status ${r.code}`);
  if (r.summary && (r.summary.records !== expected || r.summary.evaluated !== expected)) {
    problems.push(`${r.summary.records} record(s), ${r.summary.evaluated} evaluated, expected ${expected}`);
  }
  if (problems.length) {
    log(`\n${name}: ${problems.join('; ')}\n${r.stderrTail}`);
    return false;
  }
  return true;
}

/** Median seconds, median CPU seconds, all runs, peak RSS of a list of runs. */
function summarize(rs) {
  const rss = rs.map((r) => r.rssKiB).filter((x) => x !== undefined);
  const cpu = rs.map((r) => r.cpu).filter((x) => x !== undefined);
  return {
    seconds: median(rs.map((r) => r.seconds)),
    cpu: median(cpu),
    all: rs.map((r) => r.seconds),
    peakRssKiB: rss.length ? Math.max(...rss) : undefined,
    rssFrom: [...new Set(rs.map((r) => r.rssFrom))].join('/'),
  };
}

// ---------------------------------------------------------------- main

const opts = parseArgs(process.argv.slice(2));
const loadAtStart = load1();
const started = new Date();
mkdirSync(OUT, { recursive: true });

if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  log('bench: dist/ is not built; run `npm run build` (or `npx tsc -p .`) first');
  process.exit(2);
}
const newest = (dir) => {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
};
if (existsSync(join(ROOT, 'src')) && newest(join(ROOT, 'src')) > statSync(join(ROOT, 'dist', 'cli', 'main.js')).mtimeMs) {
  log('bench: warning: src/ has changed since dist/ was built; run `npm run build` for current figures');
}

// what this CLI can do
const evalHelp = cliText(['evaluate', '--help']).text;
const jobsSupported = /--jobs\b/.test(evalHelp);
const topHelp = cliText(['--help']).text;
const whatifSupported = /^\s*whatif\b/m.test(topHelp);
const jobsArgs = [];
const jobsDefault = /--jobs\b(?:(?!\n\s+-)[\s\S])*?\(default: ([^)]+)\)/.exec(evalHelp)?.[1];
let jobsNote = jobsSupported ? `default (${jobsDefault ?? 'the CLI\'s'})` : 'not given (CLI has no --jobs)';
if (opts.jobs !== undefined) {
  if (jobsSupported) {
    jobsArgs.push('--jobs', String(opts.jobs));
    jobsNote = `--jobs ${opts.jobs}`;
  } else {
    jobsNote = `--jobs ${opts.jobs} ignored: this CLI's evaluate has no --jobs option yet`;
    log(`bench: ${jobsNote}`);
  }
}
const defaultJobsLabel = opts.jobs !== undefined ? `--jobs ${opts.jobs}` : `default --jobs${jobsDefault ? ` (${jobsDefault.replace(/^.*?(\d+).*$/, '$1')})` : ''}`;
let ok = true;

// ---------------------------------------------------------------- 0. agreement

let agreement;
if (opts.check) {
  log('agreement: node bench/check.js …');
  const r = spawnSync(process.execPath, [join('bench', 'check.js')], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const lines = `${r.stdout ?? ''}`.trim().split('\n').filter(Boolean);
  agreement = { ok: r.status === 0, summary: lines.at(-1) ?? `exit status ${r.status}`, files: lines.filter((l) => /record\(s\)/.test(l)) };
  for (const l of lines) log(`  ${l}`);
  if (!agreement.ok) {
    ok = false;
    log(`bench: agreement check FAILED (exit ${r.status})\n${(r.stderr ?? '').slice(-1000)}`);
  }
}

// ---------------------------------------------------------------- 1-2. main table

const portfolio = await ensurePortfolio(opts.count, opts.seed);
const rel = relative(ROOT, portfolio);
const evalArgs = (format, jobs, file = rel) => [CLI, 'evaluate', '--rules-version', RULES_VERSION, '--format', format, ...jobs, file];
const programs = [
  { key: 'baseline', name: 'hand-written baseline (1 thread)', args: (f) => [join('bench', 'baseline.js'), f] },
  // csv: one summary row per snapshot, the same information as the baseline's output line
  { key: 'csv', name: `\`evaluate --format csv\`, ${defaultJobsLabel}`, args: (f) => evalArgs('csv', jobsArgs, f) },
  // ndjson: the full result of every snapshot, with every valued line
  { key: 'ndjson', name: `\`evaluate --format ndjson\` (full results), ${defaultJobsLabel}`, args: (f) => evalArgs('ndjson', jobsArgs, f) },
];
if (opts.oneCore && jobsSupported) {
  programs.push(
    { key: 'csv1', name: '`evaluate --format csv --jobs 1` (one core)', args: (f) => evalArgs('csv', ['--jobs', '1'], f) },
    { key: 'ndjson1', name: '`evaluate --format ndjson --jobs 1` (one core)', args: (f) => evalArgs('ndjson', ['--jobs', '1'], f) },
  );
}
let whatifNote;
if (opts.whatif) {
  if (!whatifSupported) whatifNote = 'skipped: this CLI has no whatif command yet';
  else if (!existsSync(join(ROOT, WHATIF_CANDIDATE))) whatifNote = `skipped: ${WHATIF_CANDIDATE} does not exist`;
  else {
    programs.push({
      key: 'whatif',
      name: `\`whatif --format json\` (two rule sets), ${defaultJobsLabel}`,
      args: (f) => [CLI, 'whatif', '--baseline', RULES_VERSION, '--candidate', WHATIF_CANDIDATE, '--format', 'json', ...jobsArgs, f],
    });
  }
  if (whatifNote) log(`bench: whatif ${whatifNote}`);
}

const runs = Object.fromEntries(programs.map((p) => [p.key, []]));
log(`timing ${programs.map((p) => p.key).join(', ')} on ${rel}, ${opts.runs} run(s) each, interleaved …`);
for (let i = 1; i <= opts.runs; i++) {
  for (const p of programs) {
    const r = await timeRun(p.args(rel));
    if (!verify(`${p.name}, run ${i}`, r, opts.count)) ok = false;
    runs[p.key].push(r);
    log(`  run ${i}  ${p.key.padEnd(9)} ${r.seconds.toFixed(2)} s  cpu ${r.cpu?.toFixed(2) ?? 'n/a'} s  maxRSS ${mib(r.rssKiB)} (${r.rssFrom})  load ${load1().toFixed(2)}`);
  }
}
const loadAfterMain = load1();
const rows = programs.map((p) => ({ key: p.key, name: p.name, ...summarize(runs[p.key]) }));
for (const r of rows) r.recordsPerSecond = opts.count / r.seconds;
const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
const base = byKey.baseline;
const ratio = (key) => (byKey[key] ? base.seconds / byKey[key].seconds : undefined);
// the same ratio in CPU time (all threads): what the work costs, whatever the machine's load
const cpuRatio = (key) => (byKey[key]?.cpu !== undefined && base.cpu !== undefined ? base.cpu / byKey[key].cpu : undefined);

// ---------------------------------------------------------------- 3. one snapshot

log('one snapshot: 7 runs each of `node -e 0` and evaluate --format ndjson …');
const one = await ensurePortfolio(1, opts.seed);
const oneRuns = { node: [], evaluate: [] };
for (let i = 0; i < 7; i++) {
  oneRuns.node.push(await timeRun(['-e', '0']));
  const r = await timeRun(evalArgs('ndjson', [], relative(ROOT, one)));
  if (!verify(`one snapshot, run ${i + 1}`, r, 1)) ok = false;
  oneRuns.evaluate.push(r);
}
const oneSnapshot = { seconds: summarize(oneRuns.evaluate).seconds, nodeSeconds: summarize(oneRuns.node).seconds, peakRssKiB: summarize(oneRuns.evaluate).peakRssKiB };
log(`  evaluate ${oneSnapshot.seconds.toFixed(3)} s, node -e 0 ${oneSnapshot.nodeSeconds.toFixed(3)} s`);

// ---------------------------------------------------------------- 4. issue

let issue;
const issueSupported = /^\s*issue\b/m.test(topHelp);
if (opts.issue && !issueSupported) log('bench: issue skipped: this CLI has no issue command yet');
if (opts.issue && issueSupported) {
  const file = relative(ROOT, await ensurePortfolio(opts.count, opts.seed, { period: '2026-11' }));
  const res = { evaluate: [], first: [], rerun: [], bytesPerEntry: undefined, file };
  log(`issue: ${opts.runs} run(s) each of evaluate --format csv, issue (new ledger), issue again, on ${file} …`);
  for (let i = 1; i <= opts.runs; i++) {
    const ledger = join(scratch, `ledger-${i}.sqlite`);
    const e = await timeRun([CLI, 'evaluate', '--format', 'csv', ...jobsArgs, file]);
    if (!verify(`evaluate (issue file), run ${i}`, e, opts.count)) ok = false;
    // a ledger is made once with `ledger init` (issue never creates one); older CLIs created it on first use
    if (/^\s*init\b/m.test(spawnSync(process.execPath, [CLI, 'ledger', '--help'], { cwd: ROOT, encoding: 'utf8' }).stdout)) {
      spawnSync(process.execPath, [CLI, 'ledger', 'init', ledger], { cwd: ROOT, encoding: 'utf8' });
    }
    const f = await timeRun([CLI, 'issue', '--period', '2026-11', '--format', 'csv', '--ledger', ledger, ...jobsArgs, file]);
    const fOk = new RegExp(`^${opts.count} issued, 0 unchanged, 0 adjusted, 0 error`, 'm').test(f.stderrFull);
    if (f.code !== 0 || !fOk) { ok = false; log(`issue, run ${i}: exit ${f.code}\n${f.stderrTail}`); }
    const size = ['', '-wal'].reduce((t, x) => t + (existsSync(ledger + x) ? statSync(ledger + x).size : 0), 0);
    res.bytesPerEntry = size / opts.count;
    const r = await timeRun([CLI, 'issue', '--period', '2026-11', '--format', 'csv', '--ledger', ledger, ...jobsArgs, file]);
    const rOk = new RegExp(`^0 issued, ${opts.count} unchanged, 0 adjusted, 0 error`, 'm').test(r.stderrFull);
    if (r.code !== 0 || !rOk) { ok = false; log(`issue re-run, run ${i}: exit ${r.code}\n${r.stderrTail}`); }
    for (const x of ['', '-wal', '-shm']) rmSync(`${ledger}${x}`, { force: true });
    res.evaluate.push(e);
    res.first.push(f);
    res.rerun.push(r);
    log(`  run ${i}  evaluate ${e.seconds.toFixed(2)} s  issue ${f.seconds.toFixed(2)} s  re-run ${r.seconds.toFixed(2)} s  maxRSS ${mib(f.rssKiB)} / ${mib(r.rssKiB)}`);
  }
  const e = summarize(res.evaluate);
  const f = summarize(res.first);
  const r = summarize(res.rerun);
  issue = {
    file, evaluateSeconds: e.seconds, firstSeconds: f.seconds, rerunSeconds: r.seconds,
    evaluatePeakRssKiB: e.peakRssKiB, firstPeakRssKiB: f.peakRssKiB, rerunPeakRssKiB: r.peakRssKiB, bytesPerEntry: res.bytesPerEntry,
    loadAverageAfter: load1(),
  };
}

// ---------------------------------------------------------------- growth with line items

let lineItemGrowth;
if (opts.lineItems) {
  const count = Math.min(20000, opts.count);
  lineItemGrowth = [];
  const progs = [
    programs[0],
    ...(jobsSupported ? [
      { key: 'ndjson1', args: (f) => evalArgs('ndjson', ['--jobs', '1'], f) },
      { key: 'csv1', args: (f) => evalArgs('csv', ['--jobs', '1'], f) },
    ] : []),
  ];
  log(`line items: ${fmtInt(count)} snapshots with 2, 10 and 50 own line items, one run each of ${progs.map((p) => p.key).join(', ')} …`);
  for (const n of [2, 10, 50]) {
    const file = await ensurePortfolio(count, opts.seed, { lineItems: n });
    const row = { ownLineItems: n, lineItemsPerSnapshot: await lineItemsPerSnapshot(file, count), count, mib: statSync(file).size / 2 ** 20, results: {} };
    for (const p of progs) {
      const r = await timeRun(p.args(relative(ROOT, file)));
      if (!verify(`${p.key} (${n} line items)`, r, count)) ok = false;
      row.results[p.key] = { seconds: r.seconds, cpu: r.cpu, usPerSnapshot: (r.seconds * 1e6) / count, peakRssKiB: r.rssKiB };
      log(`  ${n} line items  ${p.key.padEnd(9)} ${r.seconds.toFixed(2)} s  maxRSS ${mib(r.rssKiB)}`);
    }
    lineItemGrowth.push(row);
  }
}

// ---------------------------------------------------------------- growth with portfolio size

let sizeGrowth;
if (opts.sizes) {
  sizeGrowth = [];
  const progs = programs.filter((p) => ['baseline', 'csv', 'ndjson'].includes(p.key));
  const bigDir = mkdtempSync(join(os.tmpdir(), 'rc-bench-1m-'));
  try {
    for (const n of opts.sizeList) {
      const file = await ensurePortfolio(n, opts.seed, n >= 1_000_000 ? { dir: bigDir } : {});
      const row = { count: n, mib: statSync(file).size / 2 ** 20, results: {} };
      log(`size ${fmtInt(n)}: one run each of ${progs.map((p) => p.key).join(', ')} …`);
      for (const p of progs) {
        const r = await timeRun(p.args(relative(ROOT, file)));
        if (!verify(`${p.key} (${fmtInt(n)})`, r, n)) ok = false;
        row.results[p.key] = { seconds: r.seconds, cpu: r.cpu, usPerSnapshot: (r.seconds * 1e6) / n, peakRssKiB: r.rssKiB, rssFrom: r.rssFrom };
        log(`  ${label(n).padEnd(5)} ${p.key.padEnd(9)} ${r.seconds.toFixed(1)} s  maxRSS ${mib(r.rssKiB)}  load ${load1().toFixed(2)}`);
      }
      row.loadAverageAfter = load1();
      sizeGrowth.push(row);
    }
  } finally {
    rmSync(bigDir, { recursive: true, force: true }); // the 1M file: ~945 MiB
  }
}
rmSync(scratch, { recursive: true, force: true });

// ---------------------------------------------------------------- report

const cpus = os.cpus();
const machine = {
  cpu: cpus[0]?.model?.trim() ?? 'unknown',
  cores: cpus.length,
  availableParallelism: os.availableParallelism(),
  totalMemGiB: os.totalmem() / 2 ** 30,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  loadAverageAtStart: loadAtStart,
};
const x = (v, d = 2) => (v === undefined ? 'n/a' : `${v.toFixed(d)}×`);
const sec = (v, d = 2) => (v === undefined ? 'n/a' : `${v.toFixed(d)} s`);
const md = (head, body, align) => [
  `| ${head.join(' | ')} |`,
  `| ${head.map((_, i) => (align?.[i] === 'l' || (!align && i === 0) ? '---' : '---:')).join(' | ')} |`,
  ...body.map((r) => `| ${r.join(' | ')} |`),
].join('\n');

const out = [];
out.push('');
out.push(`reseller-credits benchmark, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${fmtInt(opts.count)} snapshots (${rel}, ${(statSync(portfolio).size / 2 ** 20).toFixed(1)} MiB, seed ${opts.seed}), rules ${RULES_VERSION}`);
out.push(`machine: ${machine.cpu} × ${machine.cores} cores, ${machine.totalMemGiB.toFixed(1)} GiB RAM, ${machine.os}, node ${machine.node}`);
out.push(`1-min load average: ${loadAtStart.toFixed(2)} at start, ${loadAfterMain.toFixed(2)} after the main table${loadAtStart > machine.cores / 2 ? ' (the machine was busy: other processes may have slowed these runs; the --jobs 1 ratios move least)' : ''}`);
out.push(`median of ${opts.runs} interleaved run(s), wall time from spawn to exit, stdout to /dev/null; CPU = user + system of all threads; CLI jobs: ${jobsNote}`);
if (agreement) out.push(`agreement (bench/check.js): ${agreement.ok ? 'ok' : 'FAILED'} — ${agreement.summary}`);
out.push('');
out.push(md(
  [`program (${fmtInt(opts.count)} snapshots, ${(statSync(portfolio).size / 2 ** 20).toFixed(1)} MiB NDJSON)`, 'median', 'runs', 'CPU', 'snapshots/s', 'vs baseline', 'vs baseline, CPU', 'peak RSS'],
  rows.map((r) => [
    r.name,
    sec(r.seconds),
    r.all.map((s) => s.toFixed(2)).join(' '),
    sec(r.cpu),
    r.key === 'whatif' ? `${fmtInt(r.recordsPerSecond)}*` : fmtInt(r.recordsPerSecond),
    r.key === 'baseline' ? '1.00×' : r.key === 'whatif' ? `${x(byKey.csv ? r.seconds / byKey.csv.seconds : undefined)} one evaluate (csv)` : `**${x(ratio(r.key))}**`,
    r.key === 'baseline' ? '1.00×' : r.key === 'whatif' ? `${x(byKey.csv?.cpu !== undefined && r.cpu !== undefined ? r.cpu / byKey.csv.cpu : undefined)} (CPU)` : x(cpuRatio(r.key)),
    mib(r.peakRssKiB),
  ]),
));
out.push('');
out.push('ratios (throughput against the baseline, same run; targets of issue 11 in brackets):');
out.push(`- evaluate --format ndjson, ${defaultJobsLabel}: ${x(ratio('ndjson'))} (≥ 1.0×, floor 0.8×)`);
out.push(`- evaluate --format csv, ${defaultJobsLabel}: ${x(ratio('csv'))} (≥ 1.2×)`);
if (byKey.ndjson1) out.push(`- one core (--jobs 1): ndjson ${x(ratio('ndjson1'))}, csv ${x(ratio('csv1'))} (in CPU time: ${x(cpuRatio('ndjson1'))}, ${x(cpuRatio('csv1'))}); two-core speed-up ${x(byKey.ndjson1.seconds / byKey.ndjson.seconds)} (ndjson), ${x(byKey.csv1.seconds / byKey.csv.seconds)} (csv); CPU of the default-jobs run against --jobs 1: ${x(byKey.ndjson.cpu !== undefined ? byKey.ndjson.cpu / byKey.ndjson1.cpu : undefined)} (ndjson)`);
if (byKey.whatif) out.push(`- whatif: ${x(byKey.whatif.seconds / byKey.csv.seconds)} the time of one evaluate --format csv, ${x(byKey.whatif.seconds / byKey.ndjson.seconds)} of one --format ndjson (< 1.5×) (* snapshots per second, each evaluated under two rule sets)`);
else if (opts.whatif) out.push(`- whatif: ${whatifNote}`);
out.push(`- one snapshot: evaluate --format ndjson ${sec(oneSnapshot.seconds, 3)} wall (median of 7; \`node -e 0\` ${sec(oneSnapshot.nodeSeconds, 3)}), peak RSS ${mib(oneSnapshot.peakRssKiB)}`);
const peaks = rows.filter((r) => r.key !== 'baseline').map((r) => r.peakRssKiB).filter((v) => v !== undefined);
if (peaks.length) out.push(`- peak RSS of the CLI rows: ${mib(Math.max(...peaks))} at most`);

if (lineItemGrowth) {
  out.push('');
  const progs = ['baseline', 'ndjson1', 'csv1'].filter((k) => lineItemGrowth[0].results[k]);
  const names = { baseline: 'baseline', ndjson1: 'ndjson --jobs 1', csv1: 'csv --jobs 1' };
  out.push(md(
    [`own line items (${fmtInt(lineItemGrowth[0].count)} snapshots)`, 'line items / snapshot (all)', ...progs.map((k) => `${names[k]}: µs / snapshot, wall (CPU)`), ...progs.filter((k) => k !== 'baseline').map((k) => `${names[k]} vs baseline, wall (CPU)`), 'peak RSS (ndjson)'],
    lineItemGrowth.map((row) => {
      const b = row.results.baseline;
      const cpuUs = (r) => (r.cpu === undefined ? 'n/a' : fmtInt((r.cpu * 1e6) / row.count));
      return [
        String(row.ownLineItems),
        row.lineItemsPerSnapshot.toFixed(1),
        ...progs.map((k) => `${fmtInt(row.results[k].usPerSnapshot)} (${cpuUs(row.results[k])})`),
        ...progs.filter((k) => k !== 'baseline').map((k) => `${x(b.seconds / row.results[k].seconds)} (${x(b.cpu !== undefined && row.results[k].cpu !== undefined ? b.cpu / row.results[k].cpu : undefined)})`),
        mib(row.results.ndjson1?.peakRssKiB),
      ];
    }),
  ));
  out.push('(one run each; wall time and CPU time (all threads) including start-up)');
}
if (sizeGrowth) {
  out.push('');
  out.push(md(
    ['snapshots', 'NDJSON', 'baseline', `csv, ${defaultJobsLabel}`, `ndjson, ${defaultJobsLabel}`, 'csv vs baseline', 'ndjson vs baseline', 'peak RSS csv / ndjson (baseline)'],
    sizeGrowth.map((row) => [
      fmtInt(row.count),
      `${row.mib.toFixed(1)} MiB`,
      sec(row.results.baseline.seconds, 1),
      sec(row.results.csv.seconds, 1),
      sec(row.results.ndjson.seconds, 1),
      x(row.results.baseline.seconds / row.results.csv.seconds),
      x(row.results.baseline.seconds / row.results.ndjson.seconds),
      `${mib(row.results.csv.peakRssKiB)} / ${mib(row.results.ndjson.peakRssKiB)} (${mib(row.results.baseline.peakRssKiB)})`,
    ]),
  ));
  out.push(`(one run each; 1-min load average after each size: ${sizeGrowth.map((r) => r.loadAverageAfter.toFixed(2)).join(', ')})`);
}
if (issue) {
  out.push('');
  out.push(md(
    [`issue: ${fmtInt(opts.count)} snapshots of 2026-11`, 'median', 'vs evaluate', 'peak RSS'],
    [
      ['`evaluate --format csv` (same file)', sec(issue.evaluateSeconds), '1.00×', mib(issue.evaluatePeakRssKiB)],
      ['`issue --format csv`, new ledger', sec(issue.firstSeconds), x(issue.firstSeconds / issue.evaluateSeconds), mib(issue.firstPeakRssKiB)],
      ['`issue` again (all unchanged)', sec(issue.rerunSeconds), x(issue.rerunSeconds / issue.evaluateSeconds), mib(issue.rerunPeakRssKiB)],
    ],
  ));
  out.push(`ledger: ${fmtInt(issue.bytesPerEntry)} bytes per entry (file + WAL after the first run); 1-min load average after the issue runs ${issue.loadAverageAfter.toFixed(2)}`);
}
const rssSources = new Set([...rows, ...(sizeGrowth ?? []).flatMap((r) => Object.values(r.results))].map((r) => r.rssFrom));
if (rssSources.has('time') || rssSources.has('n/a')) {
  out.push('');
  out.push(`peak RSS: some figures come from ${TIME_BIN} -f %M (the process did not report maxRSS itself); n/a = neither available`);
}
process.stdout.write(`${out.join('\n')}\n`);

writeFileSync(join(OUT, 'last-run.json'), `${JSON.stringify({
  date: started.toISOString(), machine, portfolio: rel, count: opts.count, seed: opts.seed, runs: opts.runs, jobs: jobsNote,
  agreement, results: rows, loadAverageAfterMain: loadAfterMain,
  ratios: { ndjson: ratio('ndjson'), csv: ratio('csv'), ndjson1: ratio('ndjson1'), csv1: ratio('csv1') },
  cpuRatios: { ndjson: cpuRatio('ndjson'), csv: cpuRatio('csv'), ndjson1: cpuRatio('ndjson1'), csv1: cpuRatio('csv1') },
  whatif: byKey.whatif ? { ...byKey.whatif, relativeToCsv: byKey.whatif.seconds / byKey.csv.seconds, relativeToNdjson: byKey.whatif.seconds / byKey.ndjson.seconds } : whatifNote,
  oneSnapshot, lineItemGrowth, sizeGrowth, issue,
}, null, 2)}\n`);

if (!ok) {
  log('bench: some runs failed (see above)');
  process.exitCode = 1;
}
