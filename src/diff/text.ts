/** The words of `reseller-credits diff`: a change review a billing analyst can read. */
import { amount as amountText, pct } from '../text/money-text.js';
import { safeText as s } from '../text/safe-text.js';
import { DIFF_SECTIONS, type RuleSetDiff } from './diff.js';

/** The diff as text, one section per part of the rule set that changed; text from the rule sets with control characters escaped. */
export function diffText(d: RuleSetDiff, currency = 'USD', scale = 2): string {
  const out: string[] = [];
  const sideLine = (x: RuleSetDiff['a']) => `  ${s(x.id)}: ${s(x.file)} · ${s(x.status)} · sha256 ${x.sha256.slice(0, 12)}…`;
  out.push(`Changes from ${s(d.a.id)} to ${s(d.b.id)}`, sideLine(d.a), sideLine(d.b));
  if (d.identical) {
    out.push('', `${s(d.a.id)} and ${s(d.b.id)} are identical: no changes.`);
    return `${out.join('\n')}\n`;
  }
  if (d.sameProgram) {
    out.push('', 'The program is the same: window, tiers, services, classes, eligibility, bases, rounding and currency are unchanged.');
  }
  for (const { section, heading } of DIFF_SECTIONS) {
    const list = d.changes.filter((c) => c.section === section);
    if (!list.length) continue;
    out.push('', heading);
    for (const c of list) out.push(`  - ${s(c.text)}`);
    if (section === 'tiers' && d.tierEffects.length) {
      out.push('  Effect on the tier basis:');
      for (const e of d.tierEffects) {
        const $ = (x: string) => amountText(x, currency, scale);
        const band = e.until === undefined ? `from ${$(e.from)} up` : `from ${$(e.from)} to under ${$(e.until)}`;
        out.push(`    ${band}: ${s(e.before.tier)} ${pct(e.before.creditPercent)} → ${s(e.after.tier)} ${pct(e.after.creditPercent)}`);
      }
    }
  }
  const n = d.changes.length;
  out.push('', `${n} change${n === 1 ? '' : 's'}.`);
  return `${out.join('\n')}\n`;
}
