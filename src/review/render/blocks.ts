/**
 * The review as a document: headings, paragraphs, lists, tables (numbers
 * right-aligned, with thousands separators), code and chart slots. The text,
 * markdown and HTML renderers each write these blocks their own way, so the
 * three formats always say the same thing.
 */
import { DIFF_SECTIONS } from '../../diff/diff.js';
import type { ReviewReport } from '../review.js';
import { Dec } from '../../money/decimal.js';
import { amount, grouped, pct, signed } from '../../text/money-text.js';
import type { Block } from './block.js';
import { financeBlocks } from './finance.js';

export type { Block, ChartName } from './block.js';

const check = (passed: boolean) => (passed ? 'passed' : 'FAILED');

/** The blocks of a review. */
export function reviewBlocks(r: ReviewReport): Block[] {
  const cur = r.candidate.currency;
  const $ = (s: string) => amount(s, cur);
  const out: Block[] = [];
  const failed = r.checks.filter((c) => !c.passed);
  const errors = r.impact?.errors.length ?? 0;
  out.push({ kind: 'h', level: 1, text: `Review of ${r.candidate.id} against ${r.baseline.id}` });
  out.push({
    kind: 'p', strong: true, tone: r.passed ? 'pass' : 'fail',
    text: r.passed
      ? `PASSED: all ${r.checks.length} checks passed${r.impact ? ', and every portfolio record was evaluated' : ''}.`
      : `FAILED: ${[failed.length ? `${failed.length} check(s) failed (${failed.map((c) => c.name).join(', ')})` : '', errors ? `${errors} portfolio record(s) could not be evaluated` : ''].filter(Boolean).join('; ')}.`,
  });
  out.push(...financeBlocks(r));
  out.push({ kind: 'table', head: ['', 'version', 'file', 'status', 'sha256'], align: ['l', 'l', 'l', 'l', 'l'], rows: [
    ['candidate', r.candidate.id, r.candidate.file, r.candidate.status, r.candidate.sha256],
    ['(as it will be locked)', r.candidate.id, '', 'published', r.candidate.publishedSha256],
    [`baseline (${r.baseline.chosen === 'default' ? 'default: the version in force before it' : 'given'})`, r.baseline.id, r.baseline.file, '', r.baseline.sha256],
  ] });
  out.push(...summaryBlocks(r));

  out.push({ kind: 'h', level: 2, text: 'Changes' });
  const d = r.changes;
  if (d.identical) out.push({ kind: 'p', text: 'No changes: the two versions are identical apart from the id.' });
  for (const { section, heading } of DIFF_SECTIONS) {
    const list = d.changes.filter((c) => c.section === section);
    if (!list.length) continue;
    out.push({ kind: 'h', level: 3, text: heading });
    out.push({ kind: 'list', items: list.map((c) => c.text) });
    if (section === 'tiers' && d.tierEffects.length) {
      out.push({ kind: 'table', head: ['tier basis', r.baseline.id, r.candidate.id], align: ['l', 'l', 'l'],
        rows: d.tierEffects.map((e) => [e.until === undefined ? `${$(e.from)} and up` : `${$(e.from)} to under ${$(e.until)}`,
          `${e.before.tier} ${pct(e.before.creditPercent)}`, `${e.after.tier} ${pct(e.after.creditPercent)}`]) });
    }
  }

  out.push({ kind: 'h', level: 2, text: 'Checks' });
  out.push({ kind: 'table', head: ['check', 'result', 'details'], align: ['l', 'l', 'l'],
    rows: r.checks.map((c) => [c.title, check(c.passed), c.summary]) });
  for (const c of r.checks) {
    if (!c.counterexample) continue;
    out.push({ kind: 'h', level: 3, text: `Counterexample: ${c.name}` });
    out.push({ kind: 'p', text: c.counterexample.text });
    if (c.counterexample.snapshot) out.push({ kind: 'code', text: JSON.stringify(c.counterexample.snapshot, null, 2) });
    if (c.generated) out.push({ kind: 'p', text: `Generated with fast-check, seed ${c.generated.seed}: run the review again with --seed ${c.generated.seed} to see it again.` });
  }

  out.push({ kind: 'h', level: 2, text: 'Cliffs' });
  if (!r.cliffs.applicable) out.push({ kind: 'p', text: `Cliffs are ${r.cliffs.reason}.` });
  else {
    out.push({ kind: 'p', text: `Where buying up to a threshold lowers the amount due, for ${r.cliffs.model}; information, not a failure.` });
    if (!r.cliffs.cliffs.length) out.push({ kind: 'p', text: 'No threshold raises the percentage: no cliffs.' });
    else {
      out.push({ kind: 'table', head: ['threshold', 'percentage', 'due at the threshold', 'bases that pay more', 'worst (pays more by)'], align: ['r', 'l', 'r', 'l', 'l'],
        rows: r.cliffs.cliffs.map((c) => [$(c.threshold), `${pct(c.percentBelow)} → ${pct(c.percentAt)} (${c.tier})`, $(c.dueAtThreshold),
          c.band ? `${$(c.band.from)} to ${$(c.band.to)}` : 'none', c.worst ? `${$(c.worst.basis)} (${$(c.worst.overpays)})` : '']) });
      for (const c of r.cliffs.cliffs) {
        if (c.band) out.push({ kind: 'p', text: `At ${$(c.threshold)} (${pct(c.percentBelow)} → ${pct(c.percentAt)}), every basis from ${$(c.band.from)} to ${$(c.band.to)} pays more than the ${$(c.dueAtThreshold)} due at ${$(c.threshold)}.` });
      }
    }
  }

  out.push({ kind: 'h', level: 2, text: 'Where results can differ' });
  out.push({ kind: 'p', strong: true, text: `Results can differ ${r.region.text}.` });
  if (r.region.parts.length) {
    out.push({ kind: 'table', head: ['part of the region', 'effect', 'portfolio accounts in it', 'of which differ', 'on the portfolio'], align: ['l', 'l', 'r', 'r', 'l'],
      rows: r.region.parts.map((p) => [p.text, p.kind === 'tier-band' ? p.effect : '', String(p.inPart), String(p.differ),
        p.portfolio === 'differs' ? 'differs' : 'none of its accounts: cost not shown']) });
    // a part no portfolio account reaches passes silently otherwise: its cost is simply not in the money impact
    for (const p of r.region.parts) {
      if (p.portfolio === 'differs' || !r.impact) continue;
      out.push({ kind: 'p', tone: 'fail', text: p.inPart
        ? `The portfolio has ${p.inPart} account(s) with ${p.text}, but none of them changes credit there: the money impact cannot show what this part of the change costs.`
        : `No account of the portfolio has ${p.text}: the money impact cannot show what this part of the change costs; only generated snapshots tried it.` });
    }
  }
  const rc = r.checks.find((c) => c.name === 'region')!;
  out.push({ kind: 'p', tone: rc.passed ? 'pass' : 'fail', text: `Check: ${rc.summary}.` });

  out.push(...impactBlocks(r));
  out.push(...coverageBlocks(r));
  return out;
}

function summaryBlocks(r: ReviewReport): Block[] {
  const items = r.checks.map((c) => `${check(c.passed)}: ${c.title}`);
  const cur = r.candidate.currency;
  if (r.impact) {
    const s = r.impact.summary;
    items.push(`Money: total credit ${amount(s.baselineCredit, cur)} → ${amount(s.candidateCredit, cur)} (${signed(s.delta, cur)}) on ${s.accounts} account(s); ${s.gaining} gain, ${s.losing} lose, ${s.unchanged} unchanged; ${s.errors} record(s) could not be evaluated`);
  } else items.push('Money: no portfolio given (name portfolio files to see the impact)');
  const missing = r.coverage.items.filter((i) => i.status === 'missing').length;
  items.push(`Coverage: ${r.coverage.cases.length} case(s) pinned to ${r.candidate.id}; ${missing} edge case(s) missing`);
  items.push(`Region: ${r.region.text}`);
  return [{ kind: 'h', level: 2, text: 'Summary' }, { kind: 'list', items }];
}

function impactBlocks(r: ReviewReport): Block[] {
  const out: Block[] = [{ kind: 'h', level: 2, text: 'Money impact' }];
  const im = r.impact;
  const cur = r.candidate.currency;
  const $ = (s: string) => amount(s, cur);
  if (!im) {
    out.push({ kind: 'p', text: 'No portfolio given: name portfolio files after the candidate to see the impact.' });
    return out;
  }
  const s = im.summary;
  const [b, c] = [r.baseline.id, r.candidate.id];
  out.push({ kind: 'p', text: `Portfolio: ${im.files.join(', ')} — ${s.accounts} account(s) compared, ${s.errors} error(s).` });
  out.push({ kind: 'table', head: ['', b, c, 'delta'], align: ['l', 'r', 'r', 'r'],
    rows: [['total credit', $(s.baselineCredit), $(s.candidateCredit), signed(s.delta, cur)]] });
  out.push({ kind: 'table', head: ['accounts', 'gain', 'lose', 'unchanged', 'errors'], align: ['r', 'r', 'r', 'r', 'r'],
    rows: [[s.accounts, s.gaining, s.losing, s.unchanged, s.errors].map((n) => grouped(String(n)))] });

  out.push({ kind: 'h', level: 3, text: 'Tier migration' });
  const names = im.byTier.map((t) => t.tier);
  const cell = (from: string, to: string) => im.matrix.find((m) => m.from === from && m.to === to)?.accounts;
  out.push({ kind: 'chart', chart: 'migration', title: `Tier migration (accounts): ${b} tier → ${c} tier` });
  out.push({ kind: 'table', head: [`${b} ↓ / ${c} →`, ...names], align: ['l', ...names.map(() => 'r' as const)],
    rows: names.map((from) => [from, ...names.map((to) => { const n = cell(from, to); return n === undefined ? (from === to ? '0' : '·') : grouped(String(n)); })]) });

  out.push({ kind: 'h', level: 3, text: 'Credit deltas' });
  out.push({ kind: 'chart', chart: 'deltas', title: `Distribution of credit deltas per account (${c} − ${b})` });

  out.push({ kind: 'h', level: 3, text: 'Credit by tier' });
  out.push({ kind: 'chart', chart: 'by-tier', title: 'Credit by tier, before and after' });
  const side = (x: { accounts: number; credit: string } | null) => (x ? [grouped(String(x.accounts)), $(x.credit)] : ['—', '—']);
  out.push({ kind: 'table', head: ['tier', `${b} accounts`, `${b} credit`, `${c} accounts`, `${c} credit`], align: ['l', 'r', 'r', 'r', 'r'],
    rows: im.byTier.map((t) => [t.tier, ...side(t.baseline), ...side(t.candidate)]) });

  out.push({ kind: 'h', level: 3, text: 'Credit by commission class' });
  // the figures are exact (unrounded) in the JSON report; a table shows them to the credits' decimals
  const scale = (s.baselineCredit.split('.')[1] ?? '').length;
  const shown = (x: string) => new Dec(x).toDecimalPlaces(scale, Dec.ROUND_HALF_UP).toFixed(scale);
  out.push({ kind: 'p', text: `Percentage applied × the class's value in the credit base, each side under its own classification; shown rounded to ${scale} decimals (the JSON report has the exact figures).` });
  out.push({ kind: 'table', head: ['class', b, c, 'delta'], align: ['l', 'r', 'r', 'r'],
    rows: im.byClass.map((k) => {
      const delta = subtract(k.candidate, k.baseline);
      return [k.percent === 'other' ? 'not by class (payments terms, affiliate totals)' : pct(k.percent), $(shown(k.baseline)), $(shown(k.candidate)), signed(shown(delta), cur)];
    }) });

  out.push({ kind: 'h', level: 3, text: 'Largest movers' });
  if (!im.movers.length) out.push({ kind: 'p', text: 'No account changes credit.' });
  else {
    out.push({ kind: 'table', head: ['account', 'period', b, c, 'delta'], align: ['l', 'l', 'r', 'r', 'r'],
      rows: im.movers.map((a) => [a.account, a.period, `${a.baseline.tier} ${$(a.baseline.credit)}`, `${a.candidate.tier} ${$(a.candidate.credit)}`, signed(a.delta, cur)]) });
  }
  if (im.errors.length) {
    out.push({ kind: 'h', level: 3, text: 'Portfolio records that could not be evaluated' });
    out.push({ kind: 'p', tone: 'fail', text: `${im.errors.length} record(s): the impact above is incomplete, and the review fails.` });
    out.push({ kind: 'list', items: im.errors.map((e) => {
      const where = [e.error.file, e.error.line, e.error.column].filter((x) => x !== undefined).join(':');
      return `${e.account ?? '(no account)'}${where ? ` (${where})` : ''}: ${e.error.path ? `${e.error.path}: ` : ''}${e.error.message}`;
    }) });
  }
  return out;
}

function subtract(a: string, b: string): string {
  const scale = Math.max((a.split('.')[1] ?? '').length, (b.split('.')[1] ?? '').length);
  return new Dec(a).minus(b).toFixed(scale);
}

function coverageBlocks(r: ReviewReport): Block[] {
  const cv = r.coverage;
  const out: Block[] = [{ kind: 'h', level: 2, text: 'Regression coverage' }];
  out.push({ kind: 'p', text: `${cv.cases.length} case file(s) in ${cv.folders.join(', ')} are pinned to ${r.candidate.id}.` });
  out.push({ kind: 'table', head: ['edge', 'status', 'cases'], align: ['l', 'l', 'l'],
    rows: cv.items.map((i) => [i.text, i.status === 'n/a' ? `n/a (${i.note})` : i.status, i.cases.map((f) => f.split('/').at(-1)!).join(', ')]) });
  const missing = cv.items.filter((i) => i.status === 'missing').length;
  if (missing) out.push({ kind: 'p', text: `${missing} edge case(s) missing: \`--write-cases DIR\` writes them as case files pinned to ${r.candidate.id} (sha256 ${r.candidate.sha256.slice(0, 12)}…); check their figures, then run \`reseller-credits test DIR\`.` });
  for (const p of cv.problems) out.push({ kind: 'p', text: `Not counted: ${p}` });
  return out;
}
