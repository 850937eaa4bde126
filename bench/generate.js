#!/usr/bin/env node
// Seeded, reproducible portfolio generator for the benchmark (issue 4).
//
//   node bench/generate.js --count 100000 --seed 42 --out bench/out/portfolio-100k.ndjson
//   node bench/generate.js --count 2000 --seed 7 --bad 20 --out bench/out/check.ndjson
//
// Writes NDJSON snapshots (SPEC §4) valid under rules/2026-01.yaml: its service
// ids only, money as decimal strings with cents (a few 4-decimal unit prices),
// quantities as integers. Periods run 2025-01..2026-12, so evaluate them with
// `--rules-version 2026-01` (the rule set is effective only from 2026-01).
//
// `--line-items N` gives every snapshot exactly N own line items (managed and
// referred accounts as usual): the bench's cost-per-line-item rows.
//
// Streams: records are built one at a time and written in ~1 MiB chunks with
// backpressure, so 1,000,000 snapshots never sit in memory.
//
// `--bad N` inserts N bad records (invalid JSON, an unknown service, an
// exponent amount) at random positions; the good records are the same with or
// without them (the bad ones use their own random stream), so the output has
// count + N lines.
//
// No Math.random: everything comes from mulberry32 seeded with --seed.
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the output for a given (count, seed, bad) changes; run.js regenerates stale files. */
export const GENERATOR_VERSION = 2;

/** mulberry32: a tiny 32-bit seeded PRNG; returns floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random helpers over one PRNG. */
function helpers(rand) {
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const chance = (p) => rand() < p;
  /** Picks from [[weight, value], …]. */
  const weighted = (table) => {
    let total = 0;
    for (const [w] of table) total += w;
    let r = rand() * total;
    for (const [w, v] of table) {
      r -= w;
      if (r < 0) return v;
    }
    return table[table.length - 1][1];
  };
  return { rand, int, pick, chance, weighted };
}

/** Integer cents → "123.45" (no floating point touches the money). */
export function centsText(cents) {
  const whole = Math.floor(cents / 100);
  const frac = cents % 100;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

const pad = (n, w) => String(n).padStart(w, '0');

// The services of rules/2026-01.yaml with typical prices (cents). `unit`: sold
// per unit (users, servers, disk) — usually quantity × unitPrice; otherwise a
// fee — usually an amount. `w`: how often it appears.
const SERVICES = [
  { id: 'base-account-fee', unit: false, prices: [1000, 2500, 3000, 5000], w: 6 },
  { id: 'starter-user', unit: true, prices: [300], maxQty: 60, w: 8 },
  { id: 'starter-plus-user', unit: true, prices: [400], maxQty: 60, w: 10 },
  { id: 'basic-user', unit: true, prices: [600], maxQty: 50, w: 8 },
  { id: 'premium-user', unit: true, prices: [900], maxQty: 40, w: 7 },
  { id: 'enterprise-user', unit: true, prices: [1200], maxQty: 30, w: 5 },
  { id: 'shared-smart-hosting', unit: false, prices: [1500, 2900], w: 4 },
  { id: 'secureform', unit: false, prices: [1995], w: 4 },
  { id: 'secureline', unit: true, prices: [850], maxQty: 20, w: 4 },
  { id: 'mailer', unit: false, prices: [1000, 2500, 4500, 9900], w: 4 },
  { id: 'high-volume-sending-shared', unit: false, prices: [2500, 9900, 24900], w: 2 },
  { id: 'private-labeling', unit: true, prices: [1500, 2000], maxQty: 3, w: 2 },
  { id: 'hipaa-fee', unit: false, prices: [2500], w: 3 },
  { id: 'managed-email-migration', unit: false, prices: [9900, 29900, 99900], w: 1 },
  { id: 'training', unit: false, prices: [9999, 15000], w: 2 },
  { id: 'vpn', unit: false, prices: [1200], w: 3 },
  { id: 'enterprise-dedicated-server', unit: true, prices: [120000], maxQty: 2, w: 1 },
  { id: 'business-dedicated-server', unit: true, prices: [30000, 45000], maxQty: 3, w: 2 },
  { id: 'px2-dedicated-server', unit: true, prices: [20000], maxQty: 3, w: 2 },
  { id: 'disk-space', unit: true, prices: [150, 200], maxQty: 150, w: 6 },
];
const SERVICE_TABLE = SERVICES.map((s) => [s.w, s]);
// Small accounts: no servers.
const SMALL_TABLE = SERVICES.filter((s) => !/server/.test(s.id)).map((s) => [s.w, s]);

// Sub-client names: letters only (no digit runs that would look like numbers).
const WORDS = ['north', 'south', 'lake', 'pine', 'harbor', 'smile', 'bright', 'acme', 'bolt', 'cedar', 'delta',
  'ember', 'fjord', 'grove', 'hill', 'iris', 'jade', 'kite', 'lumen', 'maple', 'noble', 'oak', 'pearl', 'quill',
  'river', 'stone', 'tide', 'umber', 'vale', 'willow', 'yarrow', 'zephyr'];
const KINDS = ['dental', 'clinic', 'law', 'bank', 'lab', 'ortho', 'pediatrics', 'realty', 'school', 'studio'];

// Account sizes: 'small' (1-3 cheap lines, no servers), 'medium', 'large' (bigger quantities, more servers).
const LARGE_TABLE = SERVICES.map((s) => [/server/.test(s.id) ? s.w * 4 : s.w, s]);

/** One line item of an account of `size`. */
function lineItem(h, size) {
  const small = size === 'small';
  const s = h.weighted(small ? SMALL_TABLE : size === 'large' ? LARGE_TABLE : SERVICE_TABLE);
  let price = h.pick(s.prices);
  if (s.id === 'private-labeling' && h.chance(0.3)) {
    // an exact 4-decimal unit price (3 × 3.3333 = 9.9999): charges/bases need more than cents
    const qty = h.int(1, 3);
    return { service: s.id, quantity: qty, unitPrice: '3.3333' };
  }
  if (!s.unit) {
    // fees: vary the amount a little around the list price, keep cents
    if (h.chance(0.3)) price = Math.max(100, price + h.int(-price >> 2, price >> 2));
    if (h.chance(0.75)) return { service: s.id, amount: centsText(price) };
    return h.chance(0.5) ? { service: s.id, quantity: 1, unitPrice: centsText(price) } : { service: s.id, unitPrice: centsText(price) };
  }
  const maxQty = small ? Math.min(s.maxQty, 8) : size === 'large' ? s.maxQty * 4 : s.maxQty;
  // skewed toward small quantities
  const qty = 1 + Math.floor(h.rand() * h.rand() * maxQty);
  if (h.chance(0.8)) return { service: s.id, quantity: qty, unitPrice: centsText(price) };
  return { service: s.id, amount: centsText(price * qty) };
}

function lineItems(h, n, size) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = lineItem(h, size);
  return out;
}

/** YYYY-MM-DD of month index m (0 = 2025-01) and day d; indexes may go below 0 or past 23. */
/** 2025-01 → 0. */
function periodIndexOf(period) {
  const [y, m] = period.split('-').map(Number);
  return (y - 2025) * 12 + m - 1;
}

function dateOf(monthIndex, day) {
  const y = 2025 + Math.floor(monthIndex / 12);
  const m = ((monthIndex % 12) + 12) % 12 + 1;
  return `${y}-${pad(m, 2)}-${pad(day, 2)}`;
}

function subClients(h) {
  // 0-6 distinct names, most resellers with the 3 or more the program asks for
  const k = h.weighted([[5, 0], [7, 1], [10, 2], [22, 3], [22, 4], [18, 5], [16, 6]]);
  const names = [];
  const seen = new Set();
  while (names.length < k) {
    const n = `${h.pick(WORDS)}-${h.pick(KINDS)}.example`;
    if (!seen.has(n)) {
      seen.add(n);
      names.push(n);
    }
  }
  // case/space variants of names already present: they do not add distinct sub-clients
  if (k > 0 && h.chance(0.3)) {
    const dups = h.int(1, 2);
    for (let i = 0; i < dups; i++) {
      const base = h.pick(names);
      const variant = h.weighted([
        [1, ` ${base} `],
        [1, base.toUpperCase()],
        [1, `${base[0].toUpperCase()}${base.slice(1)}  `],
        [1, base],
      ]);
      names.splice(h.int(0, names.length), 0, variant);
    }
  }
  return names;
}

function reseller(h, periodIndex) {
  const r = h.rand();
  if (r < 0.03) return undefined; // no reseller block: not approved
  if (r < 0.15) return { approved: false };
  const approval = h.weighted([
    [70, 'before'], // approved months before the period: eligible
    [10, 'first-day'], // approved on the first day of the period: eligible (boundary)
    [12, 'same-month'], // approved later in the period's month: not retroactive → ineligible
    [8, 'later'], // approved after the period: ineligible
  ]);
  let on;
  switch (approval) {
    case 'before': on = dateOf(periodIndex - h.int(1, 36), h.int(1, 28)); break;
    case 'first-day': on = dateOf(periodIndex, 1); break;
    case 'same-month': on = dateOf(periodIndex, h.int(2, 28)); break;
    default: on = dateOf(periodIndex + h.int(1, 12), h.int(1, 28)); break;
  }
  return { approved: true, approvedOn: on };
}

/**
 * The i-th good snapshot (0-based), drawn from `h`. `lineItemCount` (when
 * set): exactly that many own line items instead of the drawn 1-20 (managed
 * and referred accounts as usual), for the cost-per-line-item rows of the bench.
 */
function snapshot(h, i, fixedPeriod, lineItemCount) {
  const account = `R-${pad(i + 1, 7)}`;
  const drawn = h.int(0, 23); // 2025-01 .. 2026-12
  // one period for all (an `issue` run): the same draws, so the other figures do not change
  const periodIndex = fixedPeriod === undefined ? drawn : periodIndexOf(fixedPeriod);
  const size = h.weighted([[12, 'small'], [78, 'medium'], [10, 'large']]);
  const small = size === 'small';
  const drawnN = small ? h.int(1, 3) : h.int(1, 20);
  const n = lineItemCount ?? drawnN;
  const snap = { schemaVersion: 1, account, period: dateOf(periodIndex, 1).slice(0, 7) };
  const res = reseller(h, periodIndex);
  if (res) snap.reseller = res;
  snap.subClients = subClients(h);
  snap.lineItems = lineItems(h, n, size);

  let managed;
  if (h.chance(1 / 3)) {
    const m = h.int(1, 3);
    managed = [];
    for (let k = 1; k <= m; k++) managed.push({ account: `${account}-M${k}`, lineItems: lineItems(h, h.int(1, 6), size) });
    // now and then the same managed account listed twice: counted once
    if (h.chance(0.03)) managed.push({ account: managed[0].account, lineItems: lineItems(h, h.int(1, 3), size) });
    snap.managedAccounts = managed;
  }
  if (h.chance(0.25)) {
    // ids derived from the reseller's number, so that no two resellers claim one account by chance (SPEC §4
    // refuses both); the draws are kept so that every other figure stays as it was
    h.int(1, 99999);
    const aff = { account: `AF-${pad(i + 1, 7)}` };
    if (h.chance(0.5)) {
      const m = h.int(1, 3);
      const referred = [];
      for (let k = 1; k <= m; k++) {
        h.int(1, 999999);
        referred.push({ account: `C-${pad(i + 1, 7)}-${k}`, lineItems: lineItems(h, h.int(1, 6), size) });
      }
      // an account both managed and referred: counted once, as managed (own > managed > affiliate)
      if (managed && h.chance(0.15)) {
        referred.splice(h.int(0, referred.length), 0, { account: h.pick(managed).account, lineItems: lineItems(h, h.int(1, 4), size) });
      }
      // rarely, the reseller's own account among the referred: counted once, as own
      if (h.chance(0.02)) referred.push({ account, lineItems: lineItems(h, 1, size) });
      aff.referredAccounts = referred;
    } else {
      const payments = h.int(0, 300000);
      const value = Math.floor(payments * h.int(0, 100) / 100); // integer cents, value ≤ payments
      aff.totals = { payments: centsText(payments), value: centsText(value) };
    }
    snap.linkedAffiliate = aff;
  }
  return snap;
}

/** One bad record (kind by `hb`), built from a good snapshot drawn from `hb`. */
function badRecord(hb, i) {
  const snap = snapshot(hb, i);
  snap.account = `BAD-${pad(i + 1, 7)}`;
  const kind = hb.pick(['json', 'service', 'exponent']);
  if (kind === 'json') {
    const text = JSON.stringify(snap);
    return text.slice(0, hb.int(1, text.length - 1)); // truncated: invalid JSON
  }
  const item = hb.pick(snap.lineItems);
  if (kind === 'service') {
    item.service = hb.pick(['fax-line', 'ssl-certificate', 'Starter-User', 'web-hosting']);
  } else {
    const text = hb.pick(['1e3', '2.5E2', '4e0', '1e-2']);
    if (item.amount !== undefined) item.amount = text;
    else item.unitPrice = text;
  }
  return JSON.stringify(snap);
}

/**
 * Writes `count` good snapshots (plus `bad` bad records at random positions)
 * as NDJSON to `out` (a path; "-" for stdout). Resolves to the number of lines.
 */
export async function generatePortfolio({ count, seed = 42, bad = 0, out = '-', period, lineItems: lineItemCount }) {
  if (lineItemCount !== undefined && (!Number.isInteger(lineItemCount) || lineItemCount < 1)) throw new Error('lineItems must be a whole number ≥ 1');
  if (period !== undefined && !/^20[0-9]{2}-(0[1-9]|1[0-2])$/.test(period)) throw new Error('period must be YYYY-MM');
  if (!Number.isInteger(count) || count < 0) throw new Error('count must be a whole number ≥ 0');
  if (!Number.isInteger(bad) || bad < 0) throw new Error('bad must be a whole number ≥ 0');
  const h = helpers(mulberry32(seed));
  const hb = helpers(mulberry32((seed ^ 0x9e3779b9) >>> 0)); // bad records: their own stream

  let stream;
  let tmp;
  if (out === '-') stream = process.stdout;
  else {
    await mkdir(dirname(resolve(out)), { recursive: true });
    tmp = `${out}.tmp-${process.pid}`;
    stream = createWriteStream(tmp);
  }
  const failed = new Promise((_, reject) => stream.once('error', reject));
  failed.catch(() => {});
  const write = async (text) => {
    if (!stream.write(text)) await Promise.race([new Promise((r) => stream.once('drain', r)), failed]);
  };

  const total = count + bad;
  let chunk = '';
  let goodLeft = count;
  let badLeft = bad;
  let g = 0;
  let b = 0;
  for (let pos = 0; pos < total; pos++) {
    // selection sampling: exactly `bad` bad lines, uniformly placed
    const isBad = badLeft > 0 && hb.rand() * (goodLeft + badLeft) < badLeft;
    if (isBad) {
      chunk += `${badRecord(hb, b++)}\n`;
      badLeft--;
    } else {
      chunk += `${JSON.stringify(snapshot(h, g++, period, lineItemCount))}\n`;
      goodLeft--;
    }
    if (chunk.length >= 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
  if (tmp) {
    await Promise.race([new Promise((r) => stream.end(r)), failed]);
    await rename(tmp, out); // never leave a half-written portfolio under the final name
  }
  return total;
}

function parseArgs(argv) {
  const opts = { count: 100000, seed: 42, bad: 0, out: '-' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const int = () => {
      const v = val();
      if (!/^\d+$/.test(v)) usage(`${a} needs a whole number, got "${v}"`);
      return Number(v);
    };
    if (a === '--count') opts.count = int();
    else if (a === '--seed') opts.seed = int();
    else if (a === '--bad') opts.bad = int();
    else if (a === '--out') opts.out = val();
    else if (a === '--period') opts.period = val();
    else if (a === '--line-items') opts.lineItems = int();
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown option ${a}`);
  }
  return opts;
}

function usage(problem) {
  const text = 'usage: node bench/generate.js [--count N (100000)] [--seed N (42)] [--bad N (0)] [--out FILE|- (stdout)] [--period YYYY-MM (all snapshots of one period)] [--line-items N (exactly N own line items each)]';
  if (problem) {
    process.stderr.write(`generate: ${problem}\n${text}\n`);
    process.exit(2);
  }
  process.stdout.write(`${text}\n`);
  process.exit(0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = process.hrtime.bigint();
  const n = await generatePortfolio(opts);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (opts.out !== '-') process.stderr.write(`wrote ${n} records to ${opts.out} in ${(ms / 1000).toFixed(1)} s\n`);
}
