/**
 * Regression coverage of a candidate (SPEC §10): which tier edges (each
 * threshold and one rounding unit below it), commission classes and
 * eligibility criteria (passing and failing) the cases pinned to its id
 * exercise; and the missing edge cases written as case files pinned to its
 * id and content hash, never overwriting a file.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { RcError } from '../errors.js';
import { Dec } from '../money/decimal.js';
import type { EvaluationResult, RuleSet, Snapshot } from '../model/types.js';
import type { LoadLimits } from '../limits.js';
import { evaluate, distinctSubClients } from '../evaluate/evaluate.js';
import { findCaseFiles, locate } from '../cases/runner.js';
import { readCaseFile } from '../cases/file.js';
import { pct, amount } from '../text/money-text.js';
import { dayBefore, firstPeriod, toLocated, unitOf, type SnapshotDoc } from './generate.js';

/** One thing the cases should exercise. */
export interface CoverageItem {
  group: 'tier-edge' | 'class' | 'eligibility';
  /** Stable key, also the written case's file name part. */
  key: string;
  text: string;
  status: 'covered' | 'missing' | 'n/a';
  /** Case files that exercise it. */
  cases: string[];
  note?: string;
}

/** The coverage section of a review. */
export interface Coverage {
  /** Where the cases were read from. */
  folders: string[];
  /** Case files pinned to the candidate's id. */
  cases: string[];
  items: CoverageItem[];
  /** Case files that could not be read or evaluated (named, not counted). */
  problems: string[];
}

interface Seen { file: string; snapshot: Snapshot; result: EvaluationResult }

/** The items to cover for `rs`, each with a predicate over an evaluated case. */
function itemsOf(rs: RuleSet): { item: CoverageItem; hit?: (s: Seen) => boolean; build?: () => SnapshotDoc | string }[] {
  const u = unitOf(rs);
  const $ = (d: Dec) => amount(d.toFixed(rs.rounding.scale), rs.currency);
  const out: { item: CoverageItem; hit?: (s: Seen) => boolean; build?: () => SnapshotDoc | string }[] = [];
  const item = (group: CoverageItem['group'], key: string, text: string, status: CoverageItem['status'] = 'missing', note?: string): CoverageItem =>
    ({ group, key, text, status, cases: [], ...(note ? { note } : {}) });
  for (const t of rs.tiers) {
    if (!t.from.gt(0)) continue;
    for (const [where, basis] of [['at', t.from], ['below', t.from.minus(u)]] as const) {
      out.push({
        item: item('tier-edge', `${t.name}-${where}-${basis.toFixed(rs.rounding.scale)}`,
          where === 'at' ? `${t.name} threshold: a tier basis of exactly ${$(basis)}` : `one unit below ${t.name}: a tier basis of ${$(basis)}`),
        hit: (s) => new Dec(s.result.tierBasis).eq(basis),
        build: () => basisSnapshot(rs, basis),
      });
    }
  }
  for (const c of rs.commissionClasses) {
    const services = [...rs.services.entries()].filter(([, s]) => s.commissionable === c.percent).map(([id]) => id);
    const key = `class-${c.percent}`;
    const text = `commission class ${pct(c.percent)} (${c.category})`;
    if (!services.length) {
      out.push({ item: item('class', key, text, 'n/a', 'no service in this class') });
      continue;
    }
    out.push({ item: item('class', key, text), hit: (s) => s.result.lines.some((l) => l.commissionable === c.percent),
      build: () => baseSnapshot(rs, { lineItems: [{ service: services[0]!, amount: '100.00' }] }) });
  }
  const el = rs.eligibility;
  const start = (s: Seen) => `${s.snapshot.period}-01`;
  const min = el.minDistinctSubClients;
  out.push({ item: item('eligibility', 'sub-clients-passing', `at least ${min} distinct sub-clients: passing`),
    hit: (s) => distinctSubClients(s.snapshot.subClients, el.distinctBy, s.snapshot.subClientKeys) >= min, build: () => baseSnapshot(rs) });
  if (min <= 0) out.push({ item: item('eligibility', 'sub-clients-failing', 'distinct sub-clients: failing', 'n/a', 'a minimum of 0 cannot fail') });
  else {
    out.push({ item: item('eligibility', 'sub-clients-failing', `fewer than ${min} distinct sub-clients: failing`),
      hit: (s) => distinctSubClients(s.snapshot.subClients, el.distinctBy, s.snapshot.subClientKeys) < min, build: () => baseSnapshot(rs, { subClients: names(min - 1) }) });
  }
  if (!el.requireApproval) {
    out.push({ item: item('eligibility', 'approval-passing', 'approved by billing: passing', 'n/a', 'approval is not required: cannot fail') });
    out.push({ item: item('eligibility', 'approval-failing', 'not approved by billing: failing', 'n/a', 'approval is not required: cannot fail') });
  } else {
    out.push({ item: item('eligibility', 'approval-passing', 'approved by billing: passing'), hit: (s) => s.snapshot.reseller.approved, build: () => baseSnapshot(rs) });
    out.push({ item: item('eligibility', 'approval-failing', 'not approved by billing: failing'), hit: (s) => !s.snapshot.reseller.approved,
      build: () => baseSnapshot(rs, { reseller: { approved: false } }) });
  }
  if (el.retroactive) {
    out.push({ item: item('eligibility', 'retroactive-passing', 'no retroactive credits: passing', 'n/a', 'credits are retroactive: cannot fail') });
    out.push({ item: item('eligibility', 'retroactive-failing', 'no retroactive credits: failing', 'n/a', 'credits are retroactive: cannot fail') });
  } else {
    const dated = (s: Seen) => s.snapshot.reseller.approved && s.snapshot.reseller.approvedOn !== undefined;
    out.push({ item: item('eligibility', 'retroactive-passing', 'approved on or before the period began: passing'),
      hit: (s) => dated(s) && s.snapshot.reseller.approvedOn! <= start(s), build: () => baseSnapshot(rs) });
    out.push({ item: item('eligibility', 'retroactive-failing', 'approved after the period began (no retroactive credits): failing'),
      hit: (s) => dated(s) && s.snapshot.reseller.approvedOn! > start(s),
      build: () => baseSnapshot(rs, { reseller: { approved: true, approvedOn: `${firstPeriod(rs)}-15` } }) });
  }
  return out;
}

const names = (n: number) => Array.from({ length: Math.max(0, n) }, (_, i) => `client-${i + 1}.example`);

/** An eligible snapshot of the candidate's first period, with `over` replacing parts of it. */
function baseSnapshot(rs: RuleSet, over: Partial<SnapshotDoc> = {}): SnapshotDoc | string {
  const full = fullService(rs);
  if (!full && !over.lineItems) return 'no 100% commissionable service to bill';
  const period = firstPeriod(rs);
  return {
    schemaVersion: 1,
    account: 'EDGE-1',
    period,
    reseller: { approved: true, approvedOn: dayBefore(`${period}-01`) },
    subClients: names(Math.max(rs.eligibility.minDistinctSubClients, 3)),
    lineItems: [{ service: full, amount: '100.00' }],
    ...over,
  };
}

function fullService(rs: RuleSet): string | undefined {
  return [...rs.services.entries()].find(([, s]) => s.commissionable === 100)?.[0];
}

/** An eligible snapshot whose tier basis is exactly `basis`: one 100% line on the first term's source. */
function basisSnapshot(rs: RuleSet, basis: Dec): SnapshotDoc | string {
  const full = fullService(rs);
  if (!full) return 'no 100% commissionable service to bill';
  const term = rs.tierBasis[0]!;
  const k = rs.tierBasis.filter((t) => t.source === term.source).length;
  const amount = basis.div(k);
  if (amount.decimalPlaces() > 6) return `a tier basis of ${basis.toFixed()} is not ${k} × an amount of at most 6 decimals`;
  const a = amount.toFixed(Math.max(2, amount.decimalPlaces()));
  if (term.source === 'own') return baseSnapshot(rs, { lineItems: [{ service: full, amount: a }] });
  if (term.source === 'managed') return baseSnapshot(rs, { lineItems: [], managedAccounts: [{ account: 'EDGE-1-M', lineItems: [{ service: full, amount: a }] }] });
  return baseSnapshot(rs, { lineItems: [], linkedAffiliate: { account: 'EDGE-AF', totals: { payments: a, value: a } } });
}

/** Reads the cases pinned to `rs.id` under `folders` and tells which items they exercise. */
export async function coverageOf(rs: RuleSet, folders: readonly string[], limits: LoadLimits): Promise<Coverage> {
  const { files, errors } = findCaseFiles(folders);
  const problems = errors.map((e) => `${e.file ?? ''}: ${e.message}`);
  const seen: Seen[] = [];
  const cases: string[] = [];
  for (const file of files) {
    const read = readCaseFile(file, limits);
    if (!read.case) continue; // not a case of this candidate that we can tell; `test` reports it
    if (read.case.rules !== rs.id) continue;
    cases.push(file);
    if (read.case.expect.error !== undefined) continue;
    try {
      const located = locate(read.case, limits);
      seen.push({ file, snapshot: located.snapshot, result: await evaluate(located.snapshot, rs, located.doc) });
    } catch (err) {
      problems.push(`${file}: ${err instanceof RcError ? err.message : 'the snapshot cannot be evaluated under the candidate'}`);
    }
  }
  const items = itemsOf(rs).map(({ item, hit }) => {
    if (!hit) return item;
    const by = seen.filter(hit).map((s) => s.file);
    return { ...item, cases: by, status: by.length ? 'covered' as const : 'missing' as const };
  });
  return { folders: [...folders], cases, items, problems };
}

/** What `--write-cases` did. */
export interface WrittenCases { dir: string; written: string[]; skipped: { file: string; reason: string }[] }

/**
 * Writes a case file for every missing item, pinned to `rs.id` and its
 * content hash, expecting what the candidate computes now (to be checked by
 * the analyst); an existing file is never overwritten.
 */
export async function writeMissingCases(rs: RuleSet, coverage: Coverage, dir: string): Promise<WrittenCases> {
  const out: WrittenCases = { dir, written: [], skipped: [] };
  const builders = new Map(itemsOf(rs).map((x) => [x.item.key, x.build]));
  for (const item of coverage.items) {
    if (item.status !== 'missing') continue;
    const file = join(dir, `${rs.id}-${item.key}.yaml`);
    const doc = builders.get(item.key)?.();
    if (doc === undefined || typeof doc === 'string') {
      out.skipped.push({ file, reason: doc ?? 'no snapshot can be built for it' });
      continue;
    }
    const located = toLocated(doc);
    const r = await evaluate(located.snapshot, rs, located.doc);
    const expect = {
      tierBasis: r.tierBasis, tier: r.tier.name, creditPercent: r.creditPercent, eligible: r.eligibility.eligible,
      credit: r.credit, amountDue: r.statement.amountDue,
    };
    const body = { name: `${rs.id} edge: ${item.text}`, rules: rs.id, rulesSha256: rs.sha256, snapshot: doc, expect };
    const text = `# Written by \`reseller-credits review --write-cases\` for ${rs.id} (${basename(rs.file)}).\n`
      + `# The expected figures are what ${rs.id} computes today: check them by hand before committing.\n`
      + stringify(body, { lineWidth: 0 });
    try {
      writeFileSync(file, text, { flag: 'wx' });
      out.written.push(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') out.skipped.push({ file, reason: 'a file of this name exists; not overwritten' });
      else throw new RcError('WRITE_FAILED', `cannot write the case file (${code ?? (err as Error).message})`, { file });
    }
  }
  return out;
}
