/**
 * A statement as one self-contained HTML page: inline CSS and SVG, the logo
 * as a data URI, no script, no request; prints on A4 and Letter.
 */
import { money, pct } from '../text/money-text.js';
import type { Branding } from './branding.js';
import type { StatementView } from './model.js';
import { signed$ } from './text.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The page. `chartSvg` is the tier chart (statements/chart.ts). */
export function statementHtml(v: StatementView, chartSvg: string, b: Branding = {}): string {
  const $ = (a: string) => esc(signed$(a, v.currency));
  const accent = b.color ?? '#4c78a8';
  const logo = b.logo ? `<img class="logo" alt="" src="data:image/${b.logo.type};base64,${b.logo.bytes.toString('base64')}">` : '';
  const company = b.company?.name ? `<div class="company"><strong>${esc(b.company.name)}</strong>${(b.company.address ?? []).map((l) => `<br>${esc(l)}`).join('')}${b.company.email ? `<br>${esc(b.company.email)}` : ''}</div>` : '';
  const rows = v.lines.map((l) => `<tr><td>${l.source === 'own' ? '' : `${esc(l.source)} ${esc(l.account)}: `}${esc(l.service)}</td><td class="r">${l.unitPrice !== undefined ? `${esc(l.quantity ?? '')} × ${$(l.unitPrice)}` : ''}</td><td class="r">${$(l.charge)}</td><td class="r">${pct(l.commissionable)}</td><td class="r">${$(l.value)}</td></tr>`).join('\n');
  const adj = v.adjustments.map((a) => `<tr><td>Adjustment for ${esc(a.origin)} <span class="why">(${esc(a.reason)})</span></td><td class="r">${a.amount.startsWith('-') ? `+${$(a.amount.slice(1))}` : `−${$(a.amount)}`}</td></tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Statement ${esc(v.account)} ${esc(v.period)}</title>
<style>
@page { size: A4; margin: 16mm; }
@media print { body { margin: 0; } .page { box-shadow: none; } }
body { font-family: "DejaVu Sans", Verdana, sans-serif; color: #111; margin: 2em; font-size: 13px; }
.page { max-width: 180mm; margin: auto; }
header { display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 3px solid ${accent}; padding-bottom: .6em; }
.logo { max-height: 48px; }
h1 { font-size: 20px; margin: .6em 0 .2em; }
.meta { color: #555; font-size: 11px; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: .8em 0; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f3f6fa; }
.r { text-align: right; white-space: nowrap; }
.near { background: #fff7e0; border-left: 4px solid #e6a700; padding: .5em .8em; margin: .8em 0; }
.elig li { margin: .1em 0; }
.total td { font-weight: bold; border-top: 2px solid #111; }
.why { color: #555; }
svg { max-width: 100%; height: auto; }
</style></head>
<body><div class="page">
<header><div>${logo}</div>${company}</header>
<h1>Reseller credit statement</h1>
<p><strong id="account">${esc(v.account)}</strong> · period <strong>${esc(v.period)}</strong></p>
<p class="meta">Issued ${esc(v.recordedAt.slice(0, 10))} under ${esc(v.rules.id)} (${esc(v.rules.title)}) · entry ${esc(v.entry)}</p>
<h2>Your services</h2>
<table><thead><tr><th>Service</th><th class="r">Quantity × price</th><th class="r">Charge</th><th class="r">Commissionable</th><th class="r">Value</th></tr></thead>
<tbody>
${rows}
<tr class="total"><td>Monthly Payment / Monthly Value</td><td></td><td class="r">${$(v.monthlyPayment)}</td><td></td><td class="r">${$(v.monthlyValue)}</td></tr>
</tbody></table>
<h2>Your tier</h2>
<table><tbody>
${v.basis.map((t) => `<tr><td>${esc(t.source)} ${esc(t.measure)}</td><td class="r">${t.amount === null ? 'not given' : $(t.amount)}</td></tr>`).join('\n')}
<tr class="total"><td>Tier basis</td><td class="r" id="tier-basis">${$(v.tierBasis)}</td></tr>
</tbody></table>
<p>Tier reached: <strong>${esc(v.tier.name)}</strong> (from ${$(v.tier.from)}, ${esc(pct(v.tier.creditPercent))})</p>
<div class="chart">${chartSvg}</div>
<p class="near" id="near-miss">${esc(v.nearMiss)}</p>
<h2>Eligibility</h2>
<ul class="elig">${v.eligibility.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>
<h2>Credit and amount due</h2>
<table><tbody>
<tr><td>Charges</td><td class="r">${$(v.charges)}</td></tr>
<tr><td>Credit (${v.eligible ? `${esc(pct(v.creditPercent))} × credit base ${$(v.creditBase)}` : 'not eligible'})</td><td class="r" id="credit">−${$(v.credit)}</td></tr>
${adj}
<tr class="total"><td>Amount due</td><td class="r" id="amount-due">${$(v.amountDue)}</td></tr>
</tbody></table>
${v.amountDue.startsWith('-') ? `<p>A credit balance: ${esc(money(v.amountDue.slice(1), v.currency))} in your favour, nothing to pay.</p>` : ''}
</div></body></html>
`;
}
