#!/usr/bin/env node
// `npm run coverage` (and CI): the whole suite under V8 coverage of every process.
// NODE_V8_COVERAGE is inherited by the vitest workers, by the CLI processes the
// tests spawn (bin/ -> dist/) and by the piscina worker threads; c8 reads what
// they all wrote and maps dist/ back to src/ through dist's source maps
// (vitest.coverage.config.ts makes the in-process tests run dist/ too).
// Prints c8's summary, one row per folder of src/, the floors that failed
// (coverage-floors.json), and then again the suite's last line
// `N passed, N failed`, so that this output, like `npm test`'s, ends with it.
// Exit status: the suite's, or 1 when a floor is not reached.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const temp = join(root, 'coverage', 'tmp');
rmSync(join(root, 'coverage'), { recursive: true, force: true });

// the suite, its output passed on as it comes, its last line kept
let last = '';
let tail = '';
const suite = spawn(bin('vitest'), ['run', '--config', 'vitest.coverage.config.ts', ...process.argv.slice(2)], {
  cwd: root, env: { ...process.env, NODE_V8_COVERAGE: temp }, stdio: ['ignore', 'pipe', 'inherit'],
});
suite.stdout.on('data', (b) => {
  process.stdout.write(b);
  tail = (tail + b.toString('utf8')).slice(-4096);
});
const status = await new Promise((resolve) => suite.on('close', (code, signal) => resolve(signal ? 1 : code ?? 1)));
last = tail.trim().split('\n').filter((l) => /^\d+ passed, \d+ failed/.test(l)).pop() ?? `the suite ended with status ${status} and no summary line`;

// modules of types only compile to `export {};`: there is nothing in them to run
const typesOnly = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.js'))
  .filter((f) => readFileSync(join(root, 'dist', f), 'utf8').replace(/\/\/#.*$/gm, '').trim() === 'export {};')
  .flatMap((f) => ['--exclude', `dist/${f.split(sep).join('/')}`]);

const report = spawnSync(bin('c8'), [
  'report', '--temp-directory', temp, '--report-dir', 'coverage',
  '--reporter=text-summary', '--reporter=json-summary', '--reporter=html',
  '--all', '--include', 'dist/**', '--exclude', 'dist/**/*.d.ts', '--exclude', 'dist/validate/validators.generated.cjs', ...typesOnly,
], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (report.status !== 0) {
  process.stdout.write(`\nc8 report failed (status ${report.status})\n${last}\n`);
  process.exit(1);
}

// one row per folder of src/
const summary = JSON.parse(readFileSync(join(root, 'coverage', 'coverage-summary.json'), 'utf8'));
const keys = ['lines', 'branches', 'functions'];
const folders = new Map();
const add = (name, s) => {
  const f = folders.get(name) ?? Object.fromEntries(keys.map((k) => [k, { covered: 0, total: 0 }]));
  for (const k of keys) { f[k].covered += s[k].covered; f[k].total += s[k].total; }
  folders.set(name, f);
};
for (const [file, s] of Object.entries(summary)) {
  if (file === 'total') continue;
  const rel = relative(root, file).split(sep);
  if (rel[0] !== 'src') continue;
  add(rel.length > 2 ? `src/${rel[1]}/` : 'src/ (top level)', s);
  add('src', s);
}
const pct = (c) => (c.total === 0 ? 100 : (100 * c.covered) / c.total);
const cell = (c) => `${pct(c).toFixed(1).padStart(5)}% ${`(${c.covered}/${c.total})`.padEnd(12)}`;
const names = [...folders.keys()].filter((n) => n !== 'src').sort();
const width = Math.max(...names.map((n) => n.length), 6);
const lines = [`${'folder'.padEnd(width)}  ${'lines'.padEnd(20)}${'branches'.padEnd(20)}functions`];
for (const n of [...names, 'src']) {
  const f = folders.get(n);
  lines.push(`${(n === 'src' ? 'all of src/' : n).padEnd(width)}  ${keys.map((k) => cell(f[k])).join('  ')}`);
}
process.stdout.write(`\n${lines.join('\n')}\n`);

// the floors
const floors = JSON.parse(readFileSync(join(root, 'coverage-floors.json'), 'utf8'));
const failures = [];
for (const n of [...names, 'src']) {
  const floor = n === 'src' ? floors.src : { ...floors.folders, ...(floors.folder[n] ?? {}) };
  for (const [k, min] of Object.entries(floor)) {
    const got = pct(folders.get(n)[k]);
    if (got < min) failures.push(`${n}: ${k} ${got.toFixed(1)}% is below the floor of ${min}%`);
  }
}
if (failures.length) process.stdout.write(`\ncoverage below the floor (coverage-floors.json):\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
process.stdout.write(`\n${last}\n`);
process.exit(status !== 0 ? status : failures.length ? 1 : 0);
