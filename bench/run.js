#!/usr/bin/env node
// The benchmark of issue 4: `npm run bench` (= node bench/run.js).
//
//   node bench/run.js [--count N] [--runs N] [--jobs N] [--whatif] [--million] [--seed N]
//
// 1. Generates bench/out/portfolio-100k.ndjson (seed 42) if it is missing or
//    was made by another generator version (bench/out/ is gitignored scratch).
// 2. Times, interleaved, `--runs` (3) runs each of
//      (a) node bench/baseline.js PORTFOLIO                      — hand-written, no engine
//      (b) node bin/reseller-credits.js evaluate --rules-version 2026-01 --format ndjson PORTFOLIO
//    end to end (process start to exit, stdout to /dev/null) and takes the
//    median wall time of each. The portfolio spans 2025-01..2026-12, hence
//    --rules-version (2026-01 is only effective from 2026-01).
// 3. Peak memory (max RSS) of each: what the process reports itself with
//    RESELLER_CREDITS_REPORT_RSS=1 (a `maxRSS <KiB>` line on stderr:
//    process.resourceUsage().maxRSS, worker threads included), else GNU
//    `/usr/bin/time -f %M` when installed, else "n/a".
// Options:
//   --count N    portfolio size (default 100000)
//   --runs N     runs per program (default 3)
//   --jobs N     passed to the CLI as `--jobs N` when its evaluate --help lists it
//   --whatif     also time `whatif --baseline 2026-01 --candidate rules/2027-01.yaml
//                --format json` (when the command and that file exist), relative to one evaluate
//   --million    also run both once on a 1,000,000-snapshot portfolio (time and memory)
//   --seed N     generator seed (default 42)
//   --no-issue   skip the `issue` rows (otherwise, when the CLI has `issue`: the same
//                number of snapshots, all of period 2026-11, in
//                bench/out/portfolio-<N>-p2026-11.ndjson; per run, interleaved:
//                `evaluate --format csv` of it, `issue --format csv` into a new
//                ledger, and the re-run of that issue (every account unchanged);
//                reported with the ledger's bytes per entry)
// The figures are also written to bench/out/last-run.json.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  const o = { count: 100000, runs: 3, jobs: undefined, whatif: false, million: false, seed: 42, issue: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const int = (min) => {
      const v = argv[++i];
      if (!/^\d+$/.test(v ?? '') || Number(v) < min) usage(`${a} needs a whole number ≥ ${min}`);
      return Number(v);
    };
    if (a === '--count') o.count = int(1);
    else if (a === '--runs') o.runs = int(1);
    else if (a === '--jobs') o.jobs = int(1);
    else if (a === '--seed') o.seed = int(0);
    else if (a === '--whatif') o.whatif = true;
    else if (a === '--million') o.million = true;
    else if (a === '--no-issue') o.issue = false;
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown option ${a}`);
  }
  return o;
}

function usage(problem) {
  const text = 'usage: node bench/run.js [--count N (100000)] [--runs N (3)] [--jobs N] [--whatif] [--million] [--seed N (42)] [--no-issue]';
  if (problem) {
    process.stderr.write(`bench: ${problem}\n${text}\n`);
    process.exit(2);
  }
  process.stdout.write(`${text}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- helpers

const log = (msg) => process.stderr.write(`${msg}\n`);
const label = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n));
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const mib = (kib) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A portfolio of `count` good snapshots, generated unless an up-to-date one exists. */
async function ensurePortfolio(count, seed, period) {
  const base = seed === 42 ? `portfolio-${label(count)}` : `portfolio-${label(count)}-s${seed}`;
  const file = join(OUT, `${base}${period ? `-p${period}` : ''}.ndjson`);
  const metaFile = `${file}.meta.json`;
  const want = { generatorVersion: GENERATOR_VERSION, count, seed, bad: 0, ...(period ? { period } : {}) };
  let meta;
  try { meta = JSON.parse(readFileSync(metaFile, 'utf8')); } catch { meta = undefined; }
  const fresh = existsSync(file) && meta && Object.keys(want).every((k) => meta[k] === want[k]) && statSync(file).size === meta.bytes;
  if (!fresh) {
    log(`generating ${relative(ROOT, file)} (${fmtInt(count)} snapshots, seed ${seed}) …`);
    const t0 = performance.now();
    await generatePortfolio({ count, seed, bad: 0, out: file, period });
    writeFileSync(metaFile, `${JSON.stringify({ ...want, bytes: statSync(file).size })}\n`);
    log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return file;
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

/**
 * Runs node with `args` (cwd = project root, stdout to /dev/null) and
 * resolves to { seconds, code, rssKiB, rssFrom, summary, stderrTail }.
 */
// the node flags of the CLI's shebang (`#!/usr/bin/env -S node --flag`), so that the
// CLI runs here exactly as `npx reseller-credits` runs it
const CLI_NODE_FLAGS = (/^#!.*\bnode\b(.*)$/m.exec(readFileSync(join(ROOT, CLI), 'utf8').split('\n')[0]) ?? [])[1]?.trim().split(/\s+/).filter(Boolean) ?? [];

function timeRun(args) {
  const env = { ...process.env, RESELLER_CREDITS_REPORT_RSS: '1', NO_COLOR: '1' };
  let cmd = process.execPath;
  let argv = args[0] === CLI ? [...CLI_NODE_FLAGS, ...args] : args;
  let timeFile;
  if (hasTime) {
    timeFile = join(scratch, `time-${timeFileSeq++}`);
    cmd = TIME_BIN;
    argv = ['-f', '%M', '-o', timeFile, process.execPath, ...(args[0] === CLI ? [...CLI_NODE_FLAGS, ...args] : args)];
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
      if (self) {
        rssKiB = Number(self[1]);
        rssFrom = 'self';
      } else if (timeFile && existsSync(timeFile)) {
        const m = /(\d+)\s*$/.exec(readFileSync(timeFile, 'utf8'));
        if (m) {
          rssKiB = Number(m[1]);
          rssFrom = 'time';
        }
      }
      const summary = /^(\d+) record\(s\): (\d+) evaluated, (\d+) error\(s\)/m.exec(err);
      resolve({
        seconds,
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

// ---------------------------------------------------------------- main

const opts = parseArgs(process.argv.slice(2));
const loadAtStart = os.loadavg()[0];

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
const jobsDefault = /--jobs\b[^\n]*\(default: ([^)]+)\)/.exec(evalHelp)?.[1];
let jobsNote = jobsSupported ? `not given (CLI default${jobsDefault ? `: ${jobsDefault}` : ''})` : 'not given (CLI has no --jobs)';
if (opts.jobs !== undefined) {
  if (jobsSupported) {
    jobsArgs.push('--jobs', String(opts.jobs));
    jobsNote = `--jobs ${opts.jobs}`;
  } else {
    jobsNote = `--jobs ${opts.jobs} ignored: this CLI's evaluate has no --jobs option yet`;
    log(`bench: ${jobsNote}`);
  }
}

const portfolio = await ensurePortfolio(opts.count, opts.seed);
const rel = relative(ROOT, portfolio);
const programs = [
  { key: 'baseline', name: 'baseline (bench/baseline.js)', args: [join('bench', 'baseline.js'), rel] },
  // csv: one summary row per snapshot, the same information as the baseline's output line
  { key: 'evaluate', name: `CLI evaluate --format csv${jobsArgs.length ? ` --jobs ${opts.jobs}` : ''}`, args: [CLI, 'evaluate', '--rules-version', RULES_VERSION, '--format', 'csv', ...jobsArgs, rel] },
  // ndjson: the full result of every snapshot, with every valued line
  { key: 'evaluateFull', name: `CLI evaluate --format ndjson${jobsArgs.length ? ` --jobs ${opts.jobs}` : ''}`, args: [CLI, 'evaluate', '--rules-version', RULES_VERSION, '--format', 'ndjson', ...jobsArgs, rel] },
];

let whatifNote;
if (opts.whatif) {
  if (!whatifSupported) whatifNote = 'skipped: this CLI has no whatif command yet';
  else if (!existsSync(join(ROOT, WHATIF_CANDIDATE))) whatifNote = `skipped: ${WHATIF_CANDIDATE} does not exist`;
  else {
    programs.push({
      key: 'whatif',
      name: 'CLI whatif',
      args: [CLI, 'whatif', '--baseline', RULES_VERSION, '--candidate', WHATIF_CANDIDATE, '--format', 'json', ...jobsArgs, rel],
    });
  }
  if (whatifNote) log(`bench: whatif ${whatifNote}`);
}

let ok = true;
const runs = Object.fromEntries(programs.map((p) => [p.key, []]));
log(`timing ${programs.map((p) => p.key).join(', ')} on ${rel}, ${opts.runs} run(s) each, interleaved …`);
for (let i = 1; i <= opts.runs; i++) {
  for (const p of programs) {
    const r = await timeRun(p.args);
    if (!verify(`${p.name}, run ${i}`, r, opts.count)) ok = false;
    runs[p.key].push(r);
    log(`  run ${i}  ${p.key.padEnd(9)} ${r.seconds.toFixed(2)} s  maxRSS ${mib(r.rssKiB)} (${r.rssFrom})`);
  }
}

const rows = programs.map((p) => {
  const rs = runs[p.key];
  const sec = median(rs.map((r) => r.seconds));
  const rss = rs.map((r) => r.rssKiB).filter((x) => x !== undefined);
  return {
    key: p.key,
    name: p.name,
    seconds: sec,
    all: rs.map((r) => r.seconds),
    recordsPerSecond: opts.count / sec,
    peakRssKiB: rss.length ? Math.max(...rss) : undefined,
    rssFrom: [...new Set(rs.map((r) => r.rssFrom))].join('/'),
  };
});
const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));

// ---------------------------------------------------------------- issue

let issue;
const issueSupported = /^\s*issue\b/m.test(topHelp);
if (opts.issue && !issueSupported) log('bench: issue skipped: this CLI has no issue command yet');
if (opts.issue && issueSupported) {
  const file = relative(ROOT, await ensurePortfolio(opts.count, opts.seed, '2026-11'));
  const res = { evaluate: [], first: [], rerun: [], bytesPerEntry: undefined, file };
  log(`issue: ${opts.runs} run(s) each of evaluate --format csv, issue (new ledger), issue again, on ${file} …`);
  for (let i = 1; i <= opts.runs; i++) {
    const ledger = join(scratch, `ledger-${i}.sqlite`);
    const e = await timeRun([CLI, 'evaluate', '--format', 'csv', ...jobsArgs, file]);
    if (!verify(`evaluate (issue file), run ${i}`, e, opts.count)) ok = false;
    const f = await timeRun([CLI, 'issue', '--period', '2026-11', '--format', 'csv', '--ledger', ledger, ...jobsArgs, file]);
    const fOk = new RegExp(`^${opts.count} issued, 0 unchanged, 0 adjusted, 0 error`, 'm').test(f.stderrFull);
    if (f.code !== 0 || !fOk) { ok = false; log(`issue, run ${i}: exit ${f.code}\n${f.stderrTail}`); }
    const size = ['', '-wal'].reduce((t, x) => t + (existsSync(ledger + x) ? statSync(ledger + x).size : 0), 0);
    res.bytesPerEntry = size / opts.count;
    const r = await timeRun([CLI, 'issue', '--period', '2026-11', '--format', 'csv', '--ledger', ledger, ...jobsArgs, file]);
    const rOk = new RegExp(`^0 issued, ${opts.count} unchanged, 0 adjusted, 0 error`, 'm').test(r.stderrFull);
    if (r.code !== 0 || !rOk) { ok = false; log(`issue re-run, run ${i}: exit ${r.code}\n${r.stderrTail}`); }
    rmSync(ledger, { force: true });
    rmSync(`${ledger}-wal`, { force: true });
    rmSync(`${ledger}-shm`, { force: true });
    res.evaluate.push(e);
    res.first.push(f);
    res.rerun.push(r);
    log(`  run ${i}  evaluate ${e.seconds.toFixed(2)} s  issue ${f.seconds.toFixed(2)} s  re-run ${r.seconds.toFixed(2)} s  maxRSS ${mib(f.rssKiB)} / ${mib(r.rssKiB)}`);
  }
  const med = (rs) => median(rs.map((x) => x.seconds));
  const peak = (rs) => { const v = rs.map((x) => x.rssKiB).filter((x) => x !== undefined); return v.length ? Math.max(...v) : undefined; };
  issue = {
    file, evaluateSeconds: med(res.evaluate), firstSeconds: med(res.first), rerunSeconds: med(res.rerun),
    evaluatePeakRssKiB: peak(res.evaluate), firstPeakRssKiB: peak(res.first), rerunPeakRssKiB: peak(res.rerun), bytesPerEntry: res.bytesPerEntry,
    loadAverageAfter: os.loadavg()[0],
  };
}

let million;
if (opts.million) {
  const file = relative(ROOT, await ensurePortfolio(1_000_000, opts.seed));
  million = [];
  log(`1,000,000 snapshots: one run each on ${file} …`);
  for (const p of programs.filter((x) => x.key !== 'whatif')) {
    const args = [...p.args.slice(0, -1), file];
    const r = await timeRun(args);
    if (!verify(`${p.name} (1M)`, r, 1_000_000)) ok = false;
    log(`  ${p.key.padEnd(9)} ${r.seconds.toFixed(1)} s  maxRSS ${mib(r.rssKiB)} (${r.rssFrom})`);
    million.push({ key: p.key, name: p.name, seconds: r.seconds, recordsPerSecond: 1_000_000 / r.seconds, peakRssKiB: r.rssKiB, rssFrom: r.rssFrom });
  }
}
rmSync(scratch, { recursive: true, force: true });

// ---------------------------------------------------------------- report

const cpus = os.cpus();
const machine = {
  cpu: cpus[0]?.model?.trim() ?? 'unknown',
  cores: cpus.length,
  totalMemGiB: os.totalmem() / 2 ** 30,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  loadAverageAtStart: loadAtStart,
};
const pad = (s, w, right = false) => (right ? String(s).padStart(w) : String(s).padEnd(w));
const table = (head, body) => {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => pad(c, widths[i], i > 0)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
};

const base = byKey.baseline;
const ev = byKey.evaluate;
const out = [];
out.push('');
out.push(`reseller-credits benchmark: ${fmtInt(opts.count)} snapshots (${rel}, ${(statSync(portfolio).size / 2 ** 20).toFixed(1)} MiB, seed ${opts.seed}), rules ${RULES_VERSION}`);
out.push(`machine: ${machine.cpu} x ${machine.cores} cores, ${machine.totalMemGiB.toFixed(1)} GiB RAM, ${machine.os}, node ${machine.node}; 1-min load average at start ${loadAtStart.toFixed(2)}`);
if (loadAtStart > machine.cores / 2) out.push('  (the machine was busy at start: other processes may have slowed these runs)');
out.push(`median of ${opts.runs} run(s), wall time from spawn to exit, stdout to /dev/null; CLI jobs: ${jobsNote}`);
out.push('');
out.push(table(
  ['program', 'median s', 'runs (s)', 'records/s', 'vs baseline', 'peak RSS'],
  rows.map((r) => [
    r.name,
    r.seconds.toFixed(2),
    r.all.map((s) => s.toFixed(2)).join(' '),
    r.key === 'whatif' ? `${fmtInt(r.recordsPerSecond)}*` : fmtInt(r.recordsPerSecond),
    `${(r.recordsPerSecond / base.recordsPerSecond).toFixed(3)}x`,
    `${mib(r.peakRssKiB)}${r.rssFrom === 'time' ? ' (time)' : ''}`,
  ]),
));
out.push('');
out.push(`throughput ratio CLI evaluate (csv) / baseline: ${(ev.recordsPerSecond / base.recordsPerSecond).toFixed(3)} (the CLI takes ${(ev.seconds / base.seconds).toFixed(2)}x the baseline's time)`);
if (byKey.evaluateFull) out.push(`throughput ratio CLI evaluate (ndjson, full results) / baseline: ${(byKey.evaluateFull.recordsPerSecond / base.recordsPerSecond).toFixed(3)}`);
if (byKey.whatif) out.push(`whatif: ${(byKey.whatif.seconds / ev.seconds).toFixed(2)}x the time of one evaluate (* snapshots per second, each evaluated under two rule sets)`);
else if (opts.whatif) out.push(`whatif: ${whatifNote}`);
if (million) {
  out.push('');
  out.push(table(
    ['1,000,000 snapshots (1 run)', 'seconds', 'records/s', 'peak RSS'],
    million.map((m) => [m.name, m.seconds.toFixed(1), fmtInt(m.recordsPerSecond), `${mib(m.peakRssKiB)}${m.rssFrom === 'time' ? ' (time)' : ''}`]),
  ));
}
if (issue) {
  out.push('');
  out.push(table(
    [`issue: ${fmtInt(opts.count)} snapshots of 2026-11 (${issue.file})`, 'median s', 'vs evaluate', 'peak RSS'],
    [
      ['CLI evaluate --format csv (same file)', issue.evaluateSeconds.toFixed(2), '1.00x', mib(issue.evaluatePeakRssKiB)],
      ['CLI issue --format csv, new ledger', issue.firstSeconds.toFixed(2), `${(issue.firstSeconds / issue.evaluateSeconds).toFixed(2)}x`, mib(issue.firstPeakRssKiB)],
      ['CLI issue again (all unchanged)', issue.rerunSeconds.toFixed(2), `${(issue.rerunSeconds / issue.evaluateSeconds).toFixed(2)}x`, mib(issue.rerunPeakRssKiB)],
    ],
  ));
  out.push(`ledger: ${fmtInt(issue.bytesPerEntry)} bytes per entry (file + WAL after the first run); 1-min load average after the issue runs ${issue.loadAverageAfter.toFixed(2)}`);
}
const rssSources = new Set([...rows, ...(million ?? [])].map((r) => r.rssFrom));
if (rssSources.has('time') || rssSources.has('n/a')) {
  out.push('');
  out.push(`peak RSS: "(time)" = measured with ${TIME_BIN} -f %M (the process did not report maxRSS itself); n/a = neither available`);
}
process.stdout.write(`${out.join('\n')}\n`);

writeFileSync(join(OUT, 'last-run.json'), `${JSON.stringify({
  date: new Date().toISOString(), machine, portfolio: rel, count: opts.count, seed: opts.seed, runs: opts.runs, jobs: jobsNote,
  results: rows, ratio: ev.recordsPerSecond / base.recordsPerSecond,
  whatif: byKey.whatif ? { ...byKey.whatif, relativeToEvaluate: byKey.whatif.seconds / ev.seconds } : whatifNote,
  million, issue,
}, null, 2)}\n`);

if (!ok) {
  log('bench: some runs failed (see above)');
  process.exitCode = 1;
}
