/** A statement as plain text (an e-mail body, a terminal). Input text is shown with control characters escaped. */
import { money, pct } from '../text/money-text.js';
import { safeText as s } from '../text/safe-text.js';
import type { Branding } from './branding.js';
import type { StatementView } from './model.js';

/** `-$2.50` / `$2.50` for a signed amount. */
export function signed$(a: string, currency: string): string {
  return a.startsWith('-') ? `-${money(a.slice(1), currency)}` : money(a, currency);
}

/** The statement as text lines. */
export function statementText(v: StatementView, b: Branding = {}): string {
  const $ = (a: string) => signed$(a, v.currency);
  const out: string[] = [];
  if (b.company?.name) out.push(s(b.company.name), ...(b.company.address ?? []).map(s), '');
  out.push(`Reseller credit statement · ${s(v.account)} · ${v.period}`);
  out.push(`Issued ${v.recordedAt.slice(0, 10)} under ${s(v.rules.id)} (${s(v.rules.title)}) · entry ${v.entry}`, '');
  out.push('Lines:');
  for (const l of v.lines) {
    const qty = l.unitPrice !== undefined ? `${l.quantity} × ${$(l.unitPrice)}` : $(l.charge);
    out.push(`  ${l.source === 'own' ? '' : `${l.source} ${s(l.account)}: `}${s(l.service)}  ${qty} = ${$(l.charge)} · ${pct(l.commissionable)} commissionable = ${$(l.value)}`);
  }
  out.push(`Monthly Payment ${$(v.monthlyPayment)} · Monthly Value ${$(v.monthlyValue)}`, '');
  out.push(`Tier basis = ${v.basis.map((t) => `${t.source} ${t.measure} ${t.amount === null ? 'not given' : $(t.amount)}`).join(' + ')} = ${$(v.tierBasis)}`);
  out.push(`Tier reached: ${s(v.tier.name)} (from ${$(v.tier.from)}, ${pct(v.tier.creditPercent)})`);
  out.push(v.nearMiss);
  out.push(`Eligibility: ${v.eligibility.map(s).join('; ')}`);
  out.push(v.eligible ? `Credit = ${pct(v.creditPercent)} × credit base ${$(v.creditBase)} = ${$(v.credit)}` : `Credit = ${$(v.credit)} (not eligible)`);
  for (const a of v.adjustments) out.push(`Adjustment carried for ${a.origin}: ${a.amount.startsWith('-') ? '' : '+'}${$(a.amount)} (${a.reason}; entry ${a.entry})`);
  out.push(`Charges ${$(v.charges)} − credit ${$(v.credit)}${v.adjustments.length ? ` − adjustments ${$(v.adjustmentsTotal)}` : ''} = amount due ${$(v.amountDue)}`);
  if (v.amountDue.startsWith('-')) out.push(`A credit balance: ${money(v.amountDue.slice(1), v.currency)} in your favour, nothing to pay`);
  return `${out.join('\n')}\n`;
}
