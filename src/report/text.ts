/**
 * The explanation of one result, in the words of the program's own worked
 * example: `Monthly Value = 100% × 25 × $4.00 + 75% × 1 × $200.00 = $250.00`.
 * Text from input (account ids, names, warnings) is shown with control
 * characters escaped (`safeText`), so no input can forge a line of it.
 */
import { Dec, formatMoney } from '../money/decimal.js';
import type { EvaluationResult, ResultLine, Term } from '../model/types.js';
import type { ErrorRecord } from '../model/records.js';
import { money, pct } from '../text/money-text.js';
import { nearMissLine, type TierStep } from './near-miss.js';
import { formatError } from '../errors.js';
import { cutText, safeText as s } from '../text/safe-text.js';

/** A multi-line explanation of `r`; with the rule set's `tiers`, the near-miss line after the tier basis. */
export function explain(r: EvaluationResult, tiers?: readonly TierStep[]): string {
  const $ = (a: string) => money(a, r.currency);
  const scale = (r.credit.split('.')[1] ?? '').length;
  const out: string[] = [];
  out.push(`${s(r.account)} · period ${s(r.period)} · rules ${s(r.rules.id)} (sha256 ${r.rules.sha256.slice(0, 12)}…)`);
  const groups = groupLines(r.lines);
  for (const [key, lines] of groups) {
    const label = groups.size > 1 ? ` of ${key}` : '';
    const total = (f: 'charge' | 'value') => $(formatMoney(lines.reduce((s, l) => s.plus(l[f]), new Dec(0)), scale));
    out.push(`Monthly Payment${label} = ${lines.map((l) => chargeTerm(l, $)).join(' + ')} = ${total('charge')}`);
    out.push(`Monthly Value${label} = ${lines.map((l) => `${pct(l.commissionable)} × ${chargeTerm(l, $)}`).join(' + ')} = ${total('value')}`);
  }
  const affP = r.monthlyPayments.affiliate;
  const affV = r.monthlyValue.affiliate;
  if (!r.lines.some((l) => l.source === 'affiliate') && (affP === null || affV === null || new Dec(affP).gt(0))) {
    out.push(`Linked affiliate (totals): payments ${given(affP, $)}, value ${given(affV, $)}`);
  }
  out.push(`Tier basis = ${terms(r, r.bases.tierBasis, $)} = ${$(r.tierBasis)} → ${s(r.tier.name)} (from ${$(r.tier.from)}, ${pct(r.tier.creditPercent)})`);
  if (tiers) out.push(nearMissLine(r, tiers, scale));
  out.push(`Credit base = ${terms(r, r.bases.creditBase, $)} = ${$(r.creditBase)}`);
  const e = r.eligibility;
  out.push(e.eligible
    ? `Eligible: ${e.distinctSubClients} distinct sub-clients; every eligibility rule passed`
    : `Not eligible: ${s(e.reasons.join('; '))}`);
  out.push(e.eligible
    ? `Credit = ${pct(r.creditPercent)} × ${$(r.creditBase)} = ${$(r.credit)}`
    : `Credit = ${$(r.credit)} (not eligible; ${s(r.tier.name)} would give ${pct(r.tier.creditPercent)})`);
  out.push(`Statement: charges ${$(r.statement.charges)} − credit ${$(r.statement.credit)} = amount due ${$(r.statement.amountDue)}`);
  for (const w of r.warnings) out.push(`Warning: ${s(w)}`);
  if (r.trace) {
    out.push('Rule engine decisions:');
    for (const t of r.trace) {
      out.push(`  rule ${s(t.rule)}: ${t.passed ? 'passed' : 'failed'}`);
      for (const c of t.conditions) {
        out.push(`    ${c.result ? '✓' : '✗'} ${s(String(c.fact))} ${s(String(c.factValue))} ${s(String(c.operator))} ${s(String(c.value))}`);
      }
    }
  }
  return out.join('\n');
}

function terms(r: EvaluationResult, list: readonly Term[], $: (a: string) => string): string {
  return list.map((t) => {
    const v = t.measure === 'payments' ? r.monthlyPayments[t.source] : r.monthlyValue[t.source];
    return `${t.source} ${t.measure} ${given(v, $)}`;
  }).join(' + ');
}

/** An amount, or "not given" for an affiliate measure the snapshot leaves out. */
function given(v: string | null, $: (a: string) => string): string {
  return v === null ? 'not given' : $(v);
}

/** `25 × $4.00`, or `$25.00` for a line given as an amount. */
function chargeTerm(l: ResultLine, $: (a: string) => string): string {
  return l.unitPrice !== undefined ? `${l.quantity} × ${$(l.unitPrice)}` : $(l.charge);
}

function groupLines(lines: readonly ResultLine[]): Map<string, ResultLine[]> {
  const m = new Map<string, ResultLine[]>();
  for (const l of lines) {
    const k = `${l.source} account ${s(l.account)}`;
    const g = m.get(k);
    if (g) g.push(l);
    else m.set(k, [l]);
  }
  return m;
}

/** One line for an error record. */
export function explainError(e: ErrorRecord): string {
  return `ERROR${e.account ? ` (${s(cutText(e.account))})` : ''}: ${formatError(e.error)}`;
}
