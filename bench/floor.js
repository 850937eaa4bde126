#!/usr/bin/env node
// How far the engine-based design can go (issue 11): `npm run bench:floor`
// (= node bench/floor.js [--count N (20000)]).
//
// In one process and on one thread, over the same generated snapshots
// (bench/out/portfolio-<N>.ndjson, made by `npm run bench:profile` or
// bench/generate.js), after a warm-up pass, median of 7 passes, µs per record:
//
//   baseline        the hand-written evaluator's whole work per record
//                   (bench/baseline.js: JSON.parse, decimal.js, its summary's
//                   JSON.stringify)
//   JSON.parse      the input's JSON.parse alone (part of the baseline)
//   engine          our two json-rules-engine runs (tier, eligibility with its
//                   memo) on the record's facts, precomputed
//   stringify       JSON.stringify of the full result (what --format ndjson
//                   prints), precomputed
//   ours            what a worker does per record: parse, schema and amount
//                   checks, valuation, the engine, the result and its line
//                   (runTask over 256 KiB chunks, as the workers get them)
//
// floor = baseline + engine + stringify: what any implementation that keeps
// the rules of issue 11 (the engine decides every record; the full result is
// printed) must do at least, with validation, valuation and building the
// result for free. The ratio floor / baseline bounds the one-core ratio.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readOptions } from './args.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const imp = (p) => import(pathToFileURL(join(ROOT, p)).href);
const USAGE = 'usage: node bench/floor.js [--count N (20000)]';
const { count = 20_000 } = readOptions(process.argv.slice(2), { name: 'bench/floor.js', usage: USAGE, ints: { count: 1 } });
const label = (n) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));
const file = join(ROOT, 'bench/out', `portfolio-${label(count)}.ndjson`);
let text;
try {
  text = readFileSync(file, 'utf8');
} catch {
  process.stderr.write(`bench/floor.js: ${file} is missing: make it with node bench/generate.js --count ${count} --out ${file}\n`);
  process.exit(2);
}

const { evaluateRecord } = await imp('dist/run/record.js');
const { compiled } = await imp('dist/evaluate/evaluate.js');
const { runRules } = await imp('dist/evaluate/decisions.js');
const { DEFAULT_LIMITS } = await imp('dist/limits.js');
const { Dec } = await imp('dist/money/decimal.js');
const { loadRules } = await imp('dist/compose/rules-dir.js');
const { resolveRuleSet } = await imp('dist/compose/resolve-rule-set.js');
const { runTask } = await imp('dist/run/tasks.js');
const { pinRules } = await imp('dist/run/rules.js');
const B = await imp('bench/baseline.js');

const R = B.loadRules(join(ROOT, 'rules/2026-01.yaml'));
const rs = resolveRuleSet(loadRules(join(ROOT, 'rules')), '2026-01');
const pinned = pinRules({ kind: 'fixed', ruleSet: rs });
const lines = text.split('\n').filter(Boolean);
const N = lines.length;
const raw = (i) => ({ seq: i, file: 'p.ndjson', line: i + 1, column: 1, text: lines[i], format: 'json' });

// the chunks a worker is given
const chunks = [];
for (let i = 0, size = 0, from = 0; i < N; i++) {
  size += lines[i].length + 1;
  if (size >= 256 * 1024 || i === N - 1) {
    chunks.push({ file: 'p.ndjson', firstLine: from + 1, text: `${lines.slice(from, i + 1).join('\n')}\n` });
    from = i + 1;
    size = 0;
  }
}

const c = compiled(rs);
let sink = 0;
async function time(fn) {
  await fn();
  const t = [];
  for (let k = 0; k < 7; k++) {
    const t0 = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1000 / N);
  }
  return t.sort((a, b) => a - b)[3];
}
const m = {};
// first what runs on the records' text alone, before the results computed below are held in memory
m.baseline = await time(() => { for (let i = 0; i < N; i++) sink += JSON.stringify(B.evaluateSnapshot(JSON.parse(lines[i]), R)).length; });
m.parse = await time(() => { for (let i = 0; i < N; i++) sink += JSON.parse(lines[i]).lineItems.length; });
m.ours = await time(async () => {
  for (const ch of chunks) {
    const out = await runTask({ kind: 'evaluate', rules: pinned, format: 'ndjson', trace: false, limits: DEFAULT_LIMITS, items: [{ lines: ch }] });
    sink += out.records;
  }
});
// the facts and the full results, computed once
const results = [];
const facts = [];
for (let i = 0; i < N; i++) {
  const o = await evaluateRecord(raw(i), { kind: 'fixed', ruleSet: rs }, DEFAULT_LIMITS);
  if (!o.ok) throw new Error(`record ${i + 1} is an error record: the generated portfolio should have none`);
  const s = JSON.parse(lines[i]);
  results.push(o.result);
  facts.push({
    tierBasis: new Dec(o.result.tierBasis), distinctSubClients: o.result.eligibility.distinctSubClients,
    approved: s.reseller?.approved ?? false, approvedOn: s.reseller?.approved ? s.reseller.approvedOn : undefined, periodStart: `${s.period}-01`,
  });
}
m.engine = await time(async () => { c.eligibilityMemo.clear(); for (let i = 0; i < N; i++) sink += (await runRules(c, facts[i])).length; });
m.stringify = await time(() => { for (let i = 0; i < N; i++) sink += JSON.stringify(results[i]).length; });
const floor = m.baseline + m.engine + m.stringify;
const f = (x) => x.toFixed(1);
process.stdout.write(`${N.toLocaleString('en-US')} snapshots, one thread, median of 7 passes, µs per record (node ${process.version}; ${sink > 0 ? 'ok' : ''})\n\n`);
process.stdout.write('| part | µs / record | vs baseline |\n| --- | ---: | ---: |\n');
const row = (name, v) => process.stdout.write(`| ${name} | ${f(v)} | ${(v / m.baseline).toFixed(2)}× |\n`);
row('hand-written baseline, everything (of which JSON.parse below)', m.baseline);
row('JSON.parse of the input', m.parse);
row('json-rules-engine: tier and eligibility runs (memo on)', m.engine);
row('JSON.stringify of the full result', m.stringify);
row('**floor** = baseline + engine + stringify', floor);
row('ours: a worker\'s whole work (`runTask`, ndjson)', m.ours);
process.stdout.write(`\nours − floor = ${f(m.ours - floor)} µs: schema and amount checks, duplicate keys, the result's lines and money texts, the memo and batch handling.\n`);
process.stdout.write(`one-core bound of any engine-based implementation: baseline / floor = ${(m.baseline / floor).toFixed(2)}×; ours in-process: ${(m.baseline / m.ours).toFixed(2)}×\n`);
