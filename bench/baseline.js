#!/usr/bin/env node
// The benchmark's baseline (issue 4): a straightforward, single-threaded,
// hand-written evaluator of the same rules — no rules engine, nothing from
// src/ or dist/. It is what the engine-based CLI is measured against.
//
//   node bench/baseline.js [--rules rules/2026-01.yaml] PORTFOLIO.ndjson > results.ndjson
//
// Per SPEC §1/§2: charge per line (quantity × unitPrice, or amount); value =
// charge × class / 100; per-source payments and values, an account counted
// once under the first of own > managed > affiliate; tier basis and credit
// base from the rule set's terms; tier = the highest whose `from` ≤ basis;
// eligibility = distinct sub-clients (trim + lower-case) ≥ min, approved, and
// (not retroactive) period start ≥ approvedOn; credit = round(pct/100 × base);
// amountDue = round(charges − credit). All money in a private decimal.js clone.
//
// Writes one compact line per input record:
//   {"account","period","tier","creditPercent","credit","amountDue"}
// or {"account"?, "error": "message"} for a record it cannot evaluate.
// It checks what the arithmetic needs (amount text per SPEC §2, known services,
// snapshot shape) but not the whole JSON Schema: e.g. a JSON number literal in
// exponent form (1e2, which JSON.parse turns into 100), a quantity next to an
// amount, or affiliate totals with value > payments pass here and are errors
// in the CLI. The generator never writes those.
// Counts go to stderr; with RESELLER_CREDITS_REPORT_RSS=1 also `maxRSS <KiB>` at exit.
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Decimal } from 'decimal.js';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
const ZERO = new D(0);
const HUNDRED = new D(100);
const MODES = { 'half-up': Decimal.ROUND_HALF_UP, 'half-even': Decimal.ROUND_HALF_EVEN, down: Decimal.ROUND_DOWN };

const DECIMAL_TEXT = /^(0|[1-9][0-9]*)(\.[0-9]{1,6})?$/;

/** An amount (string or JSON number, SPEC §2) as a Decimal; throws on anything else. */
function amount(v, what) {
  if (typeof v === 'string') {
    if (!DECIMAL_TEXT.test(v)) throw new Error(`${what}: "${v}" is not a plain decimal amount`);
    return new D(v);
  }
  if (typeof v === 'number') {
    const s = String(v);
    if (!Number.isFinite(v) || v < 0 || /e/i.test(s)) throw new Error(`${what}: ${s} is not an acceptable number`);
    if (s.replace('.', '').replace(/^0+/, '').length > 15) throw new Error(`${what}: ${s} has more than 15 significant digits`);
    if ((s.split('.')[1]?.length ?? 0) > 6) throw new Error(`${what}: ${s} has more than 6 decimals`);
    return new D(s);
  }
  throw new Error(`${what}: missing or not an amount`);
}

/** The rule set, read with the yaml package (core schema) into what the evaluator needs. */
export function loadRules(file) {
  const doc = parse(readFileSync(file, 'utf8'), { schema: 'core', merge: false, resolveKnownTags: false });
  const services = new Map();
  for (const [id, s] of Object.entries(doc.services)) services.set(id, s.commissionable);
  return {
    id: doc.id,
    services,
    scale: doc.rounding.scale,
    mode: MODES[doc.rounding.mode],
    minSubClients: doc.eligibility.minDistinctSubClients,
    requireApproval: doc.eligibility.requireApproval,
    retroactive: doc.eligibility.retroactive,
    tierBasis: doc.tierBasis.map((t) => [t.source, t.measure]),
    creditBase: doc.creditBase.map((t) => [t.source, t.measure]),
    tiers: doc.tiers.map((t) => ({ name: t.name, from: new D(t.from), pct: new D(t.creditPercent), pctText: new D(t.creditPercent).toFixed() })),
  };
}

/** One snapshot (a parsed object) → the result object; throws on invalid input. */
export function evaluateSnapshot(s, R) {
  if (typeof s !== 'object' || s === null || typeof s.account !== 'string' || typeof s.period !== 'string'
    || !/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(s.period) || !Array.isArray(s.lineItems)) {
    throw new Error('not a snapshot (account, period YYYY-MM and lineItems are required)');
  }
  const sums = {
    own: { payments: ZERO, value: ZERO },
    managed: { payments: ZERO, value: ZERO },
    affiliate: { payments: ZERO, value: ZERO },
  };
  const seen = new Set();
  const add = (source, account, items) => {
    if (seen.has(account)) return; // counted once, under the first source met
    seen.add(account);
    let pay = sums[source].payments;
    let val = sums[source].value;
    for (const it of items) {
      const cls = R.services.get(it.service);
      if (cls === undefined) throw new Error(`unknown service "${it.service}"`);
      const charge = it.unitPrice !== undefined
        ? (it.quantity === undefined ? amount(it.unitPrice, 'unitPrice') : amount(it.quantity, 'quantity').times(amount(it.unitPrice, 'unitPrice')))
        : amount(it.amount, 'amount');
      pay = pay.plus(charge);
      if (cls === 100) val = val.plus(charge);
      else if (cls !== 0) val = val.plus(charge.times(cls).div(HUNDRED));
    }
    sums[source].payments = pay;
    sums[source].value = val;
  };
  add('own', s.account, s.lineItems);
  if (s.managedAccounts) for (const m of s.managedAccounts) add('managed', m.account, m.lineItems);
  const aff = s.linkedAffiliate;
  if (aff) {
    if (aff.referredAccounts) for (const r of aff.referredAccounts) add('affiliate', r.account, r.lineItems);
    if (aff.totals) {
      sums.affiliate.payments = sums.affiliate.payments.plus(amount(aff.totals.payments, 'totals.payments'));
      sums.affiliate.value = sums.affiliate.value.plus(amount(aff.totals.value, 'totals.value'));
    }
  }

  let basis = ZERO;
  for (const [src, measure] of R.tierBasis) basis = basis.plus(sums[src][measure]);
  let base = ZERO;
  for (const [src, measure] of R.creditBase) base = base.plus(sums[src][measure]);
  let tier = R.tiers[0];
  for (const t of R.tiers) if (basis.gte(t.from)) tier = t;

  const distinct = new Set();
  for (const n of s.subClients ?? []) {
    const k = n.trim().toLowerCase();
    if (k) distinct.add(k);
  }
  let eligible = distinct.size >= R.minSubClients;
  if (R.requireApproval) {
    const r = s.reseller;
    const approved = r?.approved === true;
    if (!approved) eligible = false;
    else if (!R.retroactive && !(typeof r.approvedOn === 'string' && `${s.period}-01` >= r.approvedOn)) eligible = false;
  }

  const credit = eligible ? tier.pct.times(base).div(HUNDRED).toDecimalPlaces(R.scale, R.mode) : ZERO;
  const charges = sums.own.payments.plus(sums.managed.payments);
  const amountDue = charges.minus(credit).toDecimalPlaces(R.scale, R.mode);
  return {
    account: s.account,
    period: s.period,
    tier: tier.name,
    creditPercent: eligible ? tier.pctText : '0',
    credit: credit.toFixed(R.scale),
    amountDue: amountDue.toFixed(R.scale),
  };
}

async function main(argv) {
  let rulesFile = 'rules/2026-01.yaml';
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rules') rulesFile = argv[++i];
    else files.push(argv[i]);
  }
  if (files.length !== 1 || !rulesFile) {
    process.stderr.write('usage: node bench/baseline.js [--rules rules/2026-01.yaml] PORTFOLIO.ndjson\n');
    return 2;
  }
  const R = loadRules(rulesFile);
  const out = process.stdout;
  const lines = createInterface({ input: createReadStream(files[0], { encoding: 'utf8' }), crlfDelay: Infinity });
  let chunk = '';
  let records = 0;
  let errors = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    records++;
    let result;
    let s;
    try {
      s = JSON.parse(line);
      result = evaluateSnapshot(s, R);
    } catch (err) {
      errors++;
      result = typeof s?.account === 'string' ? { account: s.account, error: err.message } : { error: err.message };
    }
    chunk += `${JSON.stringify(result)}\n`;
    if (chunk.length >= 1 << 16) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      chunk = '';
    }
  }
  if (chunk && !out.write(chunk)) await new Promise((r) => out.once('drain', r));
  process.stderr.write(`${records} record(s): ${records - errors} evaluated, ${errors} error(s)\n`);
  return errors ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.env.RESELLER_CREDITS_REPORT_RSS === '1') {
    process.on('exit', () => process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`));
  }
  process.exitCode = await main(process.argv.slice(2));
}
