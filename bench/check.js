#!/usr/bin/env node
// Do the baseline and the CLI agree? (issue 4)
//
//   node bench/check.js [--count 2000] [--seed 42] [--bad 20] [--rules-version 2026-01] [FILE.ndjson …]
//
// Generates a portfolio (count good records + `bad` bad ones, seed), runs
// `node bench/baseline.js` and `node bin/reseller-credits.js evaluate
// --rules-version ID --format ndjson` on it, and compares record by record:
// account, period, tier, creditPercent, credit and amountDue (the CLI's
// `statement.amountDue`), and that a record is an error in both or in neither
// (and, when in both, that both name the same account, if any).
// FILE arguments are checked too (default: also examples/portfolio.ndjson).
// Mismatching input lines are written to bench/out/check-mismatches.ndjson.
// Exit status: 0 all agree, 1 mismatches, 2 could not run.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePortfolio } from './generate.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const OUT = join(HERE, 'out');

function parseArgs(argv) {
  const o = { count: 2000, seed: 42, bad: 20, rulesVersion: '2026-01', files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const int = () => {
      const v = argv[++i];
      if (!/^\d+$/.test(v ?? '')) fail(`${a} needs a whole number`);
      return Number(v);
    };
    if (a === '--count') o.count = int();
    else if (a === '--seed') o.seed = int();
    else if (a === '--bad') o.bad = int();
    else if (a === '--rules-version') o.rulesVersion = argv[++i];
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node bench/check.js [--count 2000] [--seed 42] [--bad 20] [--rules-version 2026-01] [FILE.ndjson …]\n');
      process.exit(0);
    } else if (a.startsWith('--')) fail(`unknown option ${a}`);
    else o.files.push(a);
  }
  return o;
}

function fail(msg) {
  process.stderr.write(`check: ${msg}\n`);
  process.exit(2);
}

/** Runs node with args; resolves to {code, stdout, stderr}. */
function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

const lines = (text) => text.split('\n').filter((l) => l.trim());

/** The comparable figures of one output line of either program. */
function figures(obj, fromCli) {
  if (obj.error !== undefined) return { error: true, account: obj.account };
  return fromCli
    ? { account: obj.account, period: obj.period, tier: obj.tier?.name, creditPercent: obj.creditPercent, credit: obj.credit, amountDue: obj.statement?.amountDue }
    : { account: obj.account, period: obj.period, tier: obj.tier, creditPercent: obj.creditPercent, credit: obj.credit, amountDue: obj.amountDue };
}

const FIELDS = ['account', 'period', 'tier', 'creditPercent', 'credit', 'amountDue'];

async function checkFile(file, rulesVersion) {
  const rules = join('rules', `${rulesVersion}.yaml`);
  const [b, c] = await Promise.all([
    run([join('bench', 'baseline.js'), '--rules', rules, file]),
    run([join('bin', 'reseller-credits.js'), 'evaluate', '--rules-version', rulesVersion, '--format', 'ndjson', file]),
  ]);
  if (b.code !== 0 && b.code !== 1) throw new Error(`baseline exited ${b.code}:\n${b.stderr}`);
  if (c.code !== 0 && c.code !== 1) throw new Error(`CLI exited ${c.code}:\n${c.stderr.slice(0, 2000)}`);
  const input = lines(readFileSync(join(ROOT, file), 'utf8'));
  const bl = lines(b.stdout);
  const cl = lines(c.stdout);
  const report = { file, records: input.length, baseline: bl.length, cli: cl.length, errorsBoth: 0, agree: 0, mismatches: [] };
  if (bl.length !== input.length || cl.length !== input.length) {
    report.countProblem = `input ${input.length} record(s), baseline ${bl.length} line(s), CLI ${cl.length} line(s)`;
  }
  const n = Math.min(bl.length, cl.length, input.length);
  for (let i = 0; i < n; i++) {
    const x = figures(JSON.parse(bl[i]), false);
    const y = figures(JSON.parse(cl[i]), true);
    let diff;
    if (x.error || y.error) {
      if (x.error && y.error) {
        report.errorsBoth++;
        // SPEC §5: an error record carries the account when it is known
        if (x.account === y.account) continue;
        diff = [`error record account: baseline ${x.account ?? '(none)'} vs CLI ${y.account ?? '(none)'}`];
      } else {
        diff = [x.error ? 'baseline: error, CLI: result' : 'baseline: result, CLI: error'];
      }
    } else {
      diff = FIELDS.filter((f) => x[f] !== y[f]).map((f) => `${f}: baseline ${x[f]} vs CLI ${y[f]}`);
    }
    if (diff.length) report.mismatches.push({ index: i, baseline: JSON.parse(bl[i]), cli: JSON.parse(cl[i]), diff, input: input[i] });
    else report.agree++;
  }
  return report;
}

const opts = parseArgs(process.argv.slice(2));
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) fail('dist/ is not built: run `npx tsc -p .` (or `npm run build`) first');
const gen = join(OUT, `check-${opts.count}-s${opts.seed}-b${opts.bad}.ndjson`);
await generatePortfolio({ count: opts.count, seed: opts.seed, bad: opts.bad, out: gen });
const files = [relative(ROOT, gen), ...(opts.files.length ? opts.files : [join('examples', 'portfolio.ndjson')])];

let total = 0;
const bad = [];
for (const f of files) {
  const r = await checkFile(f, opts.rulesVersion);
  const status = r.mismatches.length || r.countProblem ? 'MISMATCH' : 'ok';
  process.stdout.write(`${status}  ${r.file}: ${r.records} record(s), ${r.agree} agree, ${r.errorsBoth} error in both, ${r.mismatches.length} mismatch(es)\n`);
  if (r.countProblem) process.stdout.write(`  record counts differ: ${r.countProblem}\n`);
  for (const m of r.mismatches.slice(0, 10)) {
    process.stdout.write(`  record #${m.index + 1} (${m.baseline.account ?? m.cli.account ?? '?'}): ${m.diff.join('; ')}\n`);
    if (m.cli.error) process.stdout.write(`    CLI error: ${m.cli.error.message}\n`);
    if (m.baseline.error) process.stdout.write(`    baseline error: ${m.baseline.error}\n`);
  }
  if (r.mismatches.length > 10) process.stdout.write(`  … and ${r.mismatches.length - 10} more\n`);
  total += r.mismatches.length + (r.countProblem ? 1 : 0);
  bad.push(...r.mismatches.map((m) => m.input));
}
const mm = join(OUT, 'check-mismatches.ndjson');
writeFileSync(mm, bad.length ? `${bad.join('\n')}\n` : '');
if (total) process.stdout.write(`${total} mismatch(es); their input records are in ${relative(ROOT, mm)}\n`);
else process.stdout.write('baseline and CLI agree on every record\n');
process.exitCode = total ? 1 : 0;
