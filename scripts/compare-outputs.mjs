#!/usr/bin/env node
// Byte-for-byte output comparison of the CLI before and after a refactoring (issue 17).
//
//   npm run build && node scripts/compare-outputs.mjs OUTDIR      run every command, write its outputs
//   node scripts/compare-outputs.mjs --diff DIR_A DIR_B           compare two such folders (exit 1 on any difference)
//
// Each step writes OUTDIR/NAME.stdout, NAME.stderr and NAME.status (the exit
// status, or the signal). Steps run one at a time from the repository root,
// with NO_COLOR=1, TZ=UTC and the RESELLER_CREDITS_* variables cleared, except
// RESELLER_CREDITS_TEST_RUN for `issue` (it fixes the run id and the recorded
// time, which feed every ledger hash). Ledgers, generated portfolios and
// written files live in a fresh temporary folder; where its path appears in
// an output it is replaced by `<TMP>` (and the repository root by `<ROOT>`),
// and `_normalized.txt` lists the files where that happened. The 10,000
// snapshot portfolios come from bench/generate.js with fixed seeds; their
// sha256 are in `_portfolios.txt` (compared like any output). `_commands.txt`
// lists every step's command line. Steps of kind `dump` write the rows of
// every table of a ledger (SQLite, read with the project's better-sqlite3);
// `files` steps write the files a command wrote (review --out, --write-cases).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'reseller-credits.js');

/** The portfolios: name → bench/generate.js options and the sha256 they gave at commit 0381761. */
const PORTFOLIOS = {
  'p10k.ndjson': { args: ['--count', '10000', '--seed', '42', '--period', '2026-11'], sha256: '7e037a564b72636a404990416fa4f4b17fc70ca702bd3b9dd54bccafc06c5546' },
  'p10k-mixed.ndjson': { args: ['--count', '10000', '--seed', '7', '--bad', '25'], sha256: '3bcfb22763a4e63734eb908976ebe396cc72b446ad3e7ba600b4156b506685d7' },
};

const RUN_ID = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}@2026-12-${String(n).padStart(2, '0')}T00:00:00.000Z`;

/** The steps, in order (the ledger steps depend on the ones before them). */
function steps(T) {
  const s = [];
  const cli = (name, args, extra = {}) => s.push({ kind: 'cli', name, args, ...extra });
  const EX_FILES = ['seed-px2.yaml', 'seed-1500.yaml', 'managed-affiliate.yaml', 'affiliate-totals.json', 'portfolio.ndjson'];
  const FORMATS = ['text', 'json', 'ndjson', 'csv'];
  const P10K = join(T, 'p10k.ndjson');
  const MIXED = join(T, 'p10k-mixed.ndjson');

  // ---- evaluate: the examples -------------------------------------------------
  for (const f of [...EX_FILES, '']) {
    for (const fmt of FORMATS) cli(`evaluate-ex-${f.replace(/\..*$/, '') || 'folder'}-${fmt}`, ['evaluate', '--format', fmt, `examples/${f}`]);
  }
  for (const fmt of FORMATS) cli(`evaluate-ex-folder-${fmt}-trace`, ['evaluate', '--format', fmt, '--trace', 'examples/']);
  for (const fmt of ['json', 'ndjson']) cli(`evaluate-ex-portfolio-${fmt}-trace`, ['evaluate', '--format', fmt, '--trace', 'examples/portfolio.ndjson']);
  for (const fmt of FORMATS) cli(`evaluate-ex-folder-${fmt}-jobs1`, ['evaluate', '--jobs', '1', '--format', fmt, 'examples/']);
  for (const fmt of FORMATS) cli(`evaluate-ex-folder-${fmt}-jobs2`, ['evaluate', '--jobs', '2', '--format', fmt, 'examples/']);
  cli('evaluate-ex-portfolio-json-v2026', ['evaluate', '--format', 'json', '--rules-version', '2026-01', 'examples/portfolio.ndjson']);
  cli('evaluate-ex-portfolio-json-draftfile', ['evaluate', '--format', 'json', '--rules-file', 'rules/2027-01.yaml', 'examples/portfolio.ndjson']);
  cli('evaluate-ex-portfolio-text-draftversion', ['evaluate', '--rules-version', '2027-01', 'examples/portfolio.ndjson']);
  cli('evaluate-ex-stdin-ndjson', ['evaluate', '--format', 'ndjson', '--input-format', 'ndjson', '-'], { stdin: 'examples/portfolio.ndjson' });
  cli('evaluate-ex-stdin-yaml', ['evaluate', '--input-format', 'yaml', '-'], { stdin: 'examples/seed-px2.yaml' });
  cli('evaluate-ex-quiet', ['--quiet', 'evaluate', '--format', 'csv', 'examples/']);
  cli('evaluate-ex-two-files', ['evaluate', '--format', 'json', 'examples/seed-px2.yaml', 'examples/portfolio.ndjson']);
  // ---- evaluate: 10,000 snapshots (default jobs = the cores for inputs of 1 MiB and more) ----
  for (const fmt of FORMATS) cli(`evaluate-10k-${fmt}`, ['evaluate', '--format', fmt, P10K]);
  for (const fmt of FORMATS) cli(`evaluate-10k-${fmt}-jobs1`, ['evaluate', '--jobs', '1', '--format', fmt, P10K]);
  for (const fmt of ['ndjson', 'csv']) cli(`evaluate-10k-${fmt}-jobs2`, ['evaluate', '--jobs', '2', '--format', fmt, P10K]);
  for (const fmt of ['json', 'ndjson']) cli(`evaluate-10k-${fmt}-trace`, ['evaluate', '--trace', '--format', fmt, P10K]);
  cli('evaluate-10k-ndjson-trace-jobs1', ['evaluate', '--trace', '--jobs', '1', '--format', 'ndjson', P10K]);
  for (const fmt of FORMATS) cli(`evaluate-10kmixed-${fmt}-v2026`, ['evaluate', '--rules-version', '2026-01', '--format', fmt, MIXED]);
  cli('evaluate-10kmixed-ndjson-jobs1-v2026', ['evaluate', '--jobs', '1', '--rules-version', '2026-01', '--format', 'ndjson', MIXED]);
  cli('evaluate-10kmixed-ndjson-byperiod', ['evaluate', '--format', 'ndjson', MIXED]);
  // ---- evaluate: error paths ----------------------------------------------------
  for (const fmt of FORMATS) cli(`evaluate-err-mixed-${fmt}`, ['evaluate', '--format', fmt, 'test/fixtures/portfolio/mixed.ndjson']);
  cli('evaluate-err-mixed-jobs2', ['evaluate', '--jobs', '2', '--format', 'ndjson', 'test/fixtures/portfolio/mixed.ndjson']);
  cli('evaluate-err-encodings', ['evaluate', '--format', 'ndjson', 'test/fixtures/encoding/']);
  cli('evaluate-err-encodings-text', ['evaluate', 'test/fixtures/encoding/bad-utf8.ndjson', 'test/fixtures/encoding/truncated.ndjson', 'test/fixtures/encoding/utf16le.json']);
  cli('evaluate-err-hostile', ['evaluate', '--format', 'json', 'test/fixtures/hostile/']);
  cli('evaluate-err-inputs', ['evaluate', '--format', 'json', 'test/fixtures/inputs/']);
  cli('evaluate-err-missing-file', ['evaluate', 'examples/no-such-file.ndjson', 'examples/seed-px2.yaml']);
  cli('evaluate-err-bad-rules-file', ['evaluate', '--rules-file', 'test/fixtures/editor/credit-percent-150.yaml', 'examples/seed-px2.yaml']);
  cli('evaluate-err-unknown-version', ['evaluate', '--rules-version', '2099-01', 'examples/seed-px2.yaml']);
  cli('evaluate-err-both-rules', ['evaluate', '--rules-version', '2026-01', '--rules-file', 'rules/2027-01.yaml', 'examples/seed-px2.yaml']);
  cli('evaluate-err-bad-format', ['evaluate', '--format', 'xml', 'examples/seed-px2.yaml']);
  cli('evaluate-err-rules-dir-empty', ['--rules-dir', 'test/fixtures/rules-dirs/no-rule-file', 'evaluate', 'examples/seed-px2.yaml']);
  cli('evaluate-err-rules-dir-missing', ['--rules-dir', join(T, 'no-such-dir'), 'evaluate', 'examples/seed-px2.yaml']);
  cli('evaluate-err-no-period-rules', ['evaluate', '--format', 'json', 'test/fixtures/editor/snapshot-bad-period.yaml']);

  // ---- whatif --------------------------------------------------------------------
  const WI = ['whatif', '--baseline', '2026-01', '--candidate', 'rules/2027-01.yaml'];
  for (const fmt of ['text', 'json', 'csv']) cli(`whatif-ex-${fmt}`, [...WI, '--format', fmt, 'examples/portfolio.ndjson']);
  for (const fmt of ['text', 'json', 'csv']) cli(`whatif-ex-folder-${fmt}`, [...WI, '--format', fmt, 'examples/']);
  cli('whatif-ex-folder-json-jobs2', [...WI, '--jobs', '2', '--format', 'json', 'examples/']);
  cli('whatif-ex-top3', [...WI, '--top', '3', 'examples/portfolio.ndjson']);
  cli('whatif-ex-versions', ['whatif', '--baseline', '2026-01', '--candidate', '2027-01', 'examples/portfolio.ndjson']);
  cli('whatif-ex-fixture-candidate', ['whatif', '--baseline', 'rules/2026-01.yaml', '--candidate', 'test/fixtures/review/threshold-move.yaml', '--format', 'json', 'examples/portfolio.ndjson']);
  for (const fmt of ['text', 'json', 'csv']) cli(`whatif-10k-${fmt}`, [...WI, '--format', fmt, P10K]);
  cli('whatif-10k-json-jobs1', [...WI, '--jobs', '1', '--format', 'json', P10K]);
  cli('whatif-10k-text-top25', [...WI, '--top', '25', P10K]);
  for (const fmt of ['text', 'json', 'csv']) cli(`whatif-10kmixed-${fmt}`, [...WI, '--format', fmt, MIXED]);
  cli('whatif-err-mixed', [...WI, '--format', 'json', 'test/fixtures/portfolio/mixed.ndjson']);
  cli('whatif-err-bad-candidate', ['whatif', '--baseline', '2026-01', '--candidate', 'test/fixtures/editor/credit-percent-150.yaml', 'examples/portfolio.ndjson']);
  cli('whatif-err-no-candidate', ['whatif', '--baseline', '2026-01', 'examples/portfolio.ndjson']);

  // ---- review --------------------------------------------------------------------
  for (const fmt of ['text', 'markdown', 'html', 'json']) cli(`review-ex-${fmt}`, ['review', '--format', fmt, 'rules/2027-01.yaml', 'examples/portfolio.ndjson']);
  cli('review-noportfolio-text', ['review', '2027-01']);
  cli('review-noportfolio-json', ['review', '--format', 'json', '2027-01']);
  cli('review-seed-runs', ['review', '--seed', '7', '--runs', '30', '--format', 'json', '2027-01', 'examples/']);
  for (const fmt of ['text', 'json', 'markdown', 'html']) cli(`review-10k-${fmt}`, ['review', '--format', fmt, '2027-01', P10K]);
  cli('review-10kmixed-text', ['review', '2027-01', MIXED]);
  for (const f of ['percent-falls', 'threshold-move', 'service-removed', 'window-gap', 'rounding-change', 'eligibility-change']) {
    cli(`review-fixture-${f}`, ['review', '--baseline', '2026-01', `test/fixtures/review/${f}.yaml`, 'examples/portfolio.ndjson']);
  }
  cli('review-fixture-percent-falls-json', ['review', '--format', 'json', '--baseline', '2026-01', 'test/fixtures/review/percent-falls.yaml', 'examples/portfolio.ndjson']);
  cli('review-out-html', ['review', '--format', 'html', '--out', join(T, 'review.html'), '2027-01', 'examples/portfolio.ndjson']);
  s.push({ kind: 'files', name: 'review-out-html-file', dir: T, only: ['review.html'] });
  cli('review-write-cases', ['review', '--write-cases', join(T, 'cases'), '2027-01']);
  s.push({ kind: 'files', name: 'review-write-cases-files', dir: join(T, 'cases') });
  cli('review-write-cases-again', ['review', '--write-cases', join(T, 'cases'), '2027-01']);
  cli('review-err-no-baseline', ['review', 'test/fixtures/review/percent-falls.yaml', '--baseline', '2099-01']);
  cli('review-err-bad-candidate', ['review', 'test/fixtures/editor/credit-percent-150.yaml']);
  cli('review-err-mixed', ['review', '--format', 'json', '2027-01', 'test/fixtures/portfolio/mixed.ndjson']);

  // ---- validate, diff, test --------------------------------------------------------
  cli('validate-text', ['validate']);
  cli('validate-json', ['validate', '--format', 'json']);
  cli('validate-draft', ['validate', 'rules/2027-01.yaml']);
  cli('validate-editor-text', ['validate', ...readdirSync(join(ROOT, 'test/fixtures/editor')).filter((f) => f.endsWith('.yaml')).sort().map((f) => `test/fixtures/editor/${f}`)]);
  cli('validate-editor-json', ['validate', '--format', 'json', 'test/fixtures/editor/credit-percent-150.yaml', 'test/fixtures/editor/unknown-field.yaml', 'test/fixtures/editor/valid.yaml']);
  cli('validate-hostile', ['validate', ...readdirSync(join(ROOT, 'test/fixtures/hostile')).sort().map((f) => `test/fixtures/hostile/${f}`)]);
  cli('validate-hints', ['validate', '--format', 'json', 'test/fixtures/hints/2099-04.yaml', 'test/fixtures/hints/alias-across-documents.yaml', 'test/fixtures/hints/date-with-time.yaml']);
  cli('validate-review-fixtures', ['validate', 'test/fixtures/review/']);
  cli('validate-err-rules-dir-empty', ['--rules-dir', 'test/fixtures/rules-dirs/no-rule-file', 'validate']);
  for (const fmt of ['text', 'json']) cli(`diff-versions-${fmt}`, ['diff', '--format', fmt, '2026-01', '2027-01']);
  for (const f of ['threshold-move', 'service-removed', 'rounding-change']) cli(`diff-fixture-${f}`, ['diff', 'rules/2026-01.yaml', `test/fixtures/review/${f}.yaml`]);
  cli('diff-fixture-json', ['diff', '--format', 'json', '2027-01', 'test/fixtures/review/eligibility-change.yaml']);
  cli('diff-err-unknown', ['diff', '2026-01', '2099-01']);
  cli('diff-err-bad-file', ['diff', '2026-01', 'test/fixtures/editor/credit-percent-150.yaml']);
  for (const fmt of ['text', 'json', 'junit']) cli(`test-${fmt}`, ['test', '--format', fmt]);
  cli('test-verbose', ['test', '--verbose']);
  cli('test-long-values', ['test', '--format', 'json', 'test/fixtures/long-values/cases']);
  cli('test-encoding', ['test', 'test/fixtures/encoding/cases']);
  cli('test-cases-escape', ['test', '--format', 'json', 'test/fixtures/cases-escape']);

  // ---- issue and ledger: the examples ----------------------------------------------
  const L = join(T, 'ledger-examples.sqlite');
  let run = 0;
  const issue = (name, args, extra = {}) => cli(name, ['issue', ...args], { env: { RESELLER_CREDITS_TEST_RUN: RUN_ID(++run) }, ...extra });
  issue('issue-ex-first-text', ['--period', '2026-11', '--ledger', L, 'examples/portfolio.ndjson']);
  issue('issue-ex-again-text', ['--period', '2026-11', '--ledger', L, 'examples/portfolio.ndjson']);
  for (const fmt of ['json', 'ndjson', 'csv']) issue(`issue-ex-again-${fmt}`, ['--period', '2026-11', '--format', fmt, '--ledger', L, 'examples/portfolio.ndjson']);
  issue('issue-ex-again-json-trace', ['--period', '2026-11', '--format', 'json', '--trace', '--ledger', L, 'examples/portfolio.ndjson']);
  issue('issue-ex-corrected-dryrun', ['--period', '2026-11', '--format', 'json', '--dry-run', '--ledger', L, join(T, 'portfolio-corrected.ndjson')]);
  issue('issue-ex-corrected', ['--period', '2026-11', '--ledger', L, join(T, 'portfolio-corrected.ndjson')]);
  issue('issue-ex-next-period', ['--period', '2026-12', '--format', 'ndjson', '--ledger', L, join(T, 'portfolio-2026-12.ndjson')]);
  issue('issue-ex-next-period-again-csv', ['--period', '2026-12', '--format', 'csv', '--ledger', L, join(T, 'portfolio-2026-12.ndjson')]);
  issue('issue-ex-other-files-csv', ['--period', '2026-11', '--format', 'csv', '--ledger', L, 'examples/seed-px2.yaml', 'examples/managed-affiliate.yaml']);
  const L2 = join(T, 'ledger-folder.sqlite');
  for (const fmt of ['json', 'ndjson', 'csv']) issue(`issue-exfolder-dryrun-${fmt}`, ['--period', '2026-11', '--format', fmt, '--dry-run', '--ledger', L2, 'examples/']);
  issue('issue-exfolder-first-json-jobs2', ['--period', '2026-11', '--format', 'json', '--jobs', '2', '--ledger', L2, 'examples/']);
  issue('issue-err-mixed', ['--period', '2026-11', '--ledger', join(T, 'ledger-mixed.sqlite'), 'test/fixtures/portfolio/mixed.ndjson']);
  issue('issue-err-no-rules', ['--period', '2025-11', '--ledger', join(T, 'ledger-none.sqlite'), 'examples/portfolio.ndjson']);
  issue('issue-err-rules-version', ['--period', '2026-11', '--rules-version', '2026-01', '--ledger', join(T, 'ledger-none.sqlite'), 'examples/portfolio.ndjson']);
  issue('issue-err-bad-period', ['--period', '2026-13', '--ledger', join(T, 'ledger-none.sqlite'), 'examples/portfolio.ndjson']);
  issue('issue-err-wrong-period', ['--period', '2026-10', '--ledger', join(T, 'ledger-wrong.sqlite'), 'examples/portfolio.ndjson']);
  issue('issue-err-ledger-is-folder', ['--period', '2026-11', '--ledger', T, 'examples/portfolio.ndjson']);
  for (const fmt of ['text', 'json', 'csv']) cli(`ledger-ex-show-${fmt}`, ['ledger', 'show', '--format', fmt, '--ledger', L]);
  cli('ledger-ex-show-account', ['ledger', 'show', '--format', 'json', '--account', 'P-005', '--ledger', L]);
  cli('ledger-ex-show-period', ['ledger', 'show', '--format', 'csv', '--period', '2026-12', '--ledger', L]);
  cli('ledger-ex-show-none', ['ledger', 'show', '--format', 'json', '--account', 'X-404', '--ledger', L]);
  for (const p of ['2026-11', '2026-12']) for (const fmt of ['csv', 'json']) cli(`ledger-ex-export-${p}-${fmt}`, ['ledger', 'export', '--period', p, '--format', fmt, '--ledger', L]);
  cli('ledger-ex-verify', ['ledger', 'verify', '--ledger', L]);
  cli('ledger-ex-verify-head', (out) => ['ledger', 'verify', '--ledger', L, '--head', headOf(out, 'ledger-ex-verify')]);
  cli('ledger-ex-verify-head-unknown', ['ledger', 'verify', '--ledger', L, '--head', 'ab'.repeat(32)]);
  cli('ledger-ex-verify-head-bad', ['ledger', 'verify', '--ledger', L, '--head', 'xyz']);
  for (const [a, p] of [['P-001', '2026-11'], ['P-005', '2026-11'], ['P-005', '2026-12'], ['P-012', '2026-12'], ['R-1001', '2026-11']]) cli(`ledger-ex-replay-${a}-${p}`, ['ledger', 'replay', a, p, '--ledger', L]);
  cli('ledger-err-replay-unknown', ['ledger', 'replay', 'X-404', '2026-11', '--ledger', L]);
  cli('ledger-err-replay-bad-period', ['ledger', 'replay', 'P-001', '2026-13', '--ledger', L]);
  cli('ledger-err-missing', ['ledger', 'show', '--ledger', join(T, 'no-such.sqlite')]);
  cli('ledger-err-not-sqlite', ['ledger', 'verify', '--ledger', 'examples/portfolio.ndjson']);
  cli('ledger-folder-show-csv', ['ledger', 'show', '--format', 'csv', '--ledger', L2]);
  cli('ledger-folder-verify', ['ledger', 'verify', '--ledger', L2]);
  cli('ledger-mixed-show-json', ['ledger', 'show', '--format', 'json', '--ledger', join(T, 'ledger-mixed.sqlite')]);
  s.push({ kind: 'dump', name: 'ledger-ex-dump', file: L });
  s.push({ kind: 'dump', name: 'ledger-folder-dump', file: L2 });

  // ---- issue and ledger: 10,000 snapshots ---------------------------------------------
  const L3 = join(T, 'ledger-10k.sqlite');
  issue('issue-10k-first-ndjson', ['--period', '2026-11', '--format', 'ndjson', '--ledger', L3, P10K]);
  issue('issue-10k-again-csv-jobs1', ['--period', '2026-11', '--format', 'csv', '--jobs', '1', '--ledger', L3, P10K]);
  issue('issue-10k-again-text', ['--period', '2026-11', '--ledger', L3, P10K]);
  issue('issue-10k-again-json', ['--period', '2026-11', '--format', 'json', '--ledger', L3, P10K]);
  const L4 = join(T, 'ledger-10k-jobs1.sqlite');
  issue('issue-10k-first-json-jobs1', ['--period', '2026-11', '--format', 'json', '--jobs', '1', '--ledger', L4, P10K]);
  issue('issue-10kmixed-dryrun-csv', ['--period', '2026-11', '--format', 'csv', '--dry-run', '--ledger', join(T, 'ledger-none.sqlite'), MIXED]);
  for (const fmt of ['text', 'json', 'csv']) cli(`ledger-10k-show-${fmt}`, ['ledger', 'show', '--format', fmt, '--ledger', L3]);
  cli('ledger-10kjobs1-show-csv', ['ledger', 'show', '--format', 'csv', '--ledger', L4]);
  for (const fmt of ['csv', 'json']) cli(`ledger-10k-export-${fmt}`, ['ledger', 'export', '--period', '2026-11', '--format', fmt, '--ledger', L3]);
  cli('ledger-10k-verify', ['ledger', 'verify', '--ledger', L3]);
  cli('ledger-10kjobs1-verify', ['ledger', 'verify', '--ledger', L4]);
  cli('ledger-10k-replay', () => ['ledger', 'replay', firstAccount(P10K), '2026-11', '--ledger', L3]);
  s.push({ kind: 'dump', name: 'ledger-10k-dump', file: L3 });
  s.push({ kind: 'dump', name: 'ledger-10kjobs1-dump', file: L4 });
  return s;
}

/** The head hash a `ledger verify` step printed. */
function headOf(outDir, step) {
  const m = /^head ([0-9a-f]{64}),/m.exec(readFileSync(join(outDir, `${step}.stdout`), 'utf8'));
  if (!m) throw new Error(`no head in ${step}.stdout`);
  return m[1];
}

function firstAccount(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(4096);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  return JSON.parse(buf.subarray(0, n).toString('utf8').split('\n')[0]).account;
}

const require = createRequire(join(ROOT, 'package.json'));
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The environment of every step: colours off, UTC, no inherited seams. */
function baseEnv() {
  const env = { ...process.env, NO_COLOR: '1', TZ: 'UTC', LC_ALL: 'C' };
  delete env.FORCE_COLOR;
  for (const k of Object.keys(env)) if (k.startsWith('RESELLER_CREDITS_')) delete env[k];
  return env;
}

/** Writes the inputs the steps derive from the examples and the generator into `T`. */
function prepare(T, outDir) {
  const lines = [];
  for (const [name, p] of Object.entries(PORTFOLIOS)) {
    const file = join(T, name);
    const r = spawnSync(process.execPath, [join(ROOT, 'bench/generate.js'), ...p.args, '--out', file], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`bench/generate.js failed for ${name}`);
    const got = sha256(file);
    if (got !== p.sha256) process.stderr.write(`WARNING: ${name} has sha256 ${got}, not ${p.sha256}: bench/generate.js changed; outputs cannot match\n`);
    lines.push(`${got}  ${name}  (bench/generate.js ${p.args.join(' ')})`);
  }
  writeFileSync(join(outDir, '_portfolios.txt'), `${lines.join('\n')}\n`);
  const portfolio = readFileSync(join(ROOT, 'examples/portfolio.ndjson'), 'utf8');
  // a late correction: P-005 has 12 Starter Plus users, not 10 (an adjustment of its credit)
  const corrected = portfolio.split('\n').map((l) => (l.includes('"account":"P-005"') ? l.replace('"quantity":10,', '"quantity":12,') : l)).join('\n');
  if (corrected === portfolio) throw new Error('examples/portfolio.ndjson: P-005 has no "quantity":10 to correct');
  writeFileSync(join(T, 'portfolio-corrected.ndjson'), corrected);
  writeFileSync(join(T, 'portfolio-2026-12.ndjson'), portfolio.replaceAll('"period":"2026-11"', '"period":"2026-12"'));
}

/** Replaces the temp folder and the repository root in a written file; true when it did. */
function normalize(file, T) {
  const buf = readFileSync(file);
  if (buf.indexOf(T) < 0 && buf.indexOf(ROOT) < 0) return false;
  writeFileSync(file, buf.toString('latin1').replaceAll(T, '<TMP>').replaceAll(ROOT, '<ROOT>'), 'latin1');
  return true;
}

function runCli(step, outDir, T, env) {
  const args = typeof step.args === 'function' ? step.args(outDir) : step.args;
  const stdout = openSync(join(outDir, `${step.name}.stdout`), 'w');
  const stderr = openSync(join(outDir, `${step.name}.stderr`), 'w');
  const stdin = step.stdin ? openSync(join(ROOT, step.stdin), 'r') : 'ignore';
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...env, ...step.env }, stdio: [stdin, stdout, stderr] });
  closeSync(stdout); closeSync(stderr);
  if (typeof stdin === 'number') closeSync(stdin);
  if (r.error) throw r.error;
  writeFileSync(join(outDir, `${step.name}.status`), `${r.status ?? r.signal}\n`);
  const envText = Object.entries(step.env ?? {}).map(([k, v]) => `${k}=${v} `).join('');
  return `${envText}reseller-credits ${args.map((a) => (/^[\w./:@=-]+$/.test(a) ? a : `'${a}'`)).join(' ')}${step.stdin ? ` < ${step.stdin}` : ''}`;
}

/** Every table of a SQLite file: its schema, then its rows in rowid order (or in column order). */
function dumpLedger(step, outDir) {
  const Database = require('better-sqlite3');
  const db = new Database(step.file, { readonly: true, fileMustExist: true });
  const parts = [];
  try {
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('table','index','trigger','view') ORDER BY type, name").all();
    for (const t of tables) parts.push(`${t.sql ?? `-- ${t.name}`};`);
    for (const { name } of tables.filter((t) => /^CREATE TABLE/i.test(t.sql ?? ''))) {
      parts.push(`-- rows of ${name}`);
      let rows;
      try { rows = db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).raw().all(); } catch { rows = db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).raw().all(); }
      for (const row of rows) parts.push(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? `${v}n` : Buffer.isBuffer(v) || v instanceof Uint8Array ? `x'${Buffer.from(v).toString('hex')}'` : v)));
    }
  } finally {
    db.close();
  }
  writeFileSync(join(outDir, `${step.name}.stdout`), `${parts.join('\n')}\n`);
  writeFileSync(join(outDir, `${step.name}.stderr`), '');
  writeFileSync(join(outDir, `${step.name}.status`), '0\n');
  return `(dump of every table of ${step.file})`;
}

/** The files under a folder (sorted), each after a `==> path <==` line. */
function dumpFiles(step, outDir) {
  const parts = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && (!step.only || step.only.includes(e.name))) parts.push(`==> ${relative(step.dir, p)} <==\n${readFileSync(p, 'latin1')}`);
    }
  };
  if (existsSync(step.dir)) walk(step.dir);
  writeFileSync(join(outDir, `${step.name}.stdout`), parts.join('\n'), 'latin1');
  writeFileSync(join(outDir, `${step.name}.stderr`), '');
  writeFileSync(join(outDir, `${step.name}.status`), '0\n');
  return `(the files under ${step.dir})`;
}

function runAll(outArg) {
  const outDir = resolve(outArg);
  if (!existsSync(join(ROOT, 'dist'))) throw new Error('no dist/: run `npm run build` first');
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (/\.(stdout|stderr|status)$|^_.*\.txt$/.test(f)) rmSync(join(outDir, f));
  const T = mkdtempSync(join(tmpdir(), 'rc-compare-'));
  const env = baseEnv();
  const started = Date.now();
  const commands = [];
  const normalized = [];
  try {
    prepare(T, outDir);
    const list = steps(T);
    const names = new Set();
    for (const [i, step] of list.entries()) {
      if (names.has(step.name)) throw new Error(`two steps named ${step.name}`);
      names.add(step.name);
      const t0 = Date.now();
      const line = step.kind === 'cli' ? runCli(step, outDir, T, env) : step.kind === 'dump' ? dumpLedger(step, outDir) : dumpFiles(step, outDir);
      commands.push(`${step.name}: ${line}`.replaceAll(T, '<TMP>'));
      for (const ext of ['stdout', 'stderr']) if (normalize(join(outDir, `${step.name}.${ext}`), T)) normalized.push(`${step.name}.${ext}`);
      const status = readFileSync(join(outDir, `${step.name}.status`), 'utf8').trim();
      process.stderr.write(`[${i + 1}/${list.length}] ${step.name}: status ${status}, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    rmSync(T, { recursive: true, force: true });
  }
  writeFileSync(join(outDir, '_commands.txt'), `${commands.join('\n')}\n`);
  writeFileSync(join(outDir, '_normalized.txt'), normalized.length ? `${normalized.join('\n')}\n` : '');
  process.stderr.write(`${commands.length} steps written to ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s; ${normalized.length} file(s) had the temp folder or the repository path replaced (see _normalized.txt)\n`);
}

/** The first line where two buffers differ (1-based), with both lines. */
function firstDifference(a, b) {
  const la = a.toString('utf8').split('\n');
  const lb = b.toString('utf8').split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) {
      const cut = (l) => (l === undefined ? '(end of file)' : JSON.stringify(l.length > 200 ? `${l.slice(0, 200)}…` : l));
      return `line ${i + 1}\n    A: ${cut(la[i])}\n    B: ${cut(lb[i])}`;
    }
  }
  return 'bytes differ (same lines)';
}

function diffDirs(a, b) {
  const files = (d) => new Set(readdirSync(d).filter((f) => statSync(join(d, f)).isFile()));
  const fa = files(a);
  const fb = files(b);
  const all = [...new Set([...fa, ...fb])].sort();
  let differ = 0;
  let onlyA = 0;
  let onlyB = 0;
  for (const f of all) {
    if (!fb.has(f)) { onlyA++; process.stdout.write(`only in A: ${f}\n`); continue; }
    if (!fa.has(f)) { onlyB++; process.stdout.write(`only in B: ${f}\n`); continue; }
    const ba = readFileSync(join(a, f));
    const bb = readFileSync(join(b, f));
    if (!ba.equals(bb)) { differ++; process.stdout.write(`differs: ${f}: ${firstDifference(ba, bb)}\n`); }
  }
  const same = all.length - differ - onlyA - onlyB;
  process.stdout.write(`${all.length} file(s): ${same} identical, ${differ} differ, ${onlyA} only in A, ${onlyB} only in B\n`);
  return differ + onlyA + onlyB ? 1 : 0;
}

const argv = process.argv.slice(2);
if (argv[0] === '--diff' && argv.length === 3) process.exit(diffDirs(argv[1], argv[2]));
else if (argv.length === 1 && !argv[0].startsWith('-')) runAll(argv[0]);
else {
  process.stderr.write('usage: node scripts/compare-outputs.mjs OUTDIR | --diff DIR_A DIR_B\n');
  process.exit(2);
}
