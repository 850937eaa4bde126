/**
 * What changed between two rule sets, as data: one entry per change a billing
 * analyst would name in a change review (a tier moved, a service
 * reclassified, approval no longer required …), each with its words. The
 * text and JSON reports are views of this.
 */
import { canonicalJson } from '../parse/canonical.js';
import { pct } from '../text/money-text.js';
import type { RuleSet, Term } from '../model/types.js';
import type { RuleSetDocument } from '../validate/ruleset-checks.js';
import { change, type DiffSection, type RuleSetChange } from './change.js';
import { tierChanges, tierEffects, type TierEffect } from './tiers.js';

export type { DiffSection, RuleSetChange } from './change.js';
export type { TierEffect } from './tiers.js';

/** Report order and headings of the sections. */
export const DIFF_SECTIONS: readonly { section: DiffSection; heading: string }[] = [
  { section: 'effective', heading: 'Effective window' },
  { section: 'tiers', heading: 'Tiers' },
  { section: 'services', heading: 'Services' },
  { section: 'commissionClasses', heading: 'Commission classes' },
  { section: 'eligibility', heading: 'Eligibility' },
  { section: 'tierBasis', heading: 'Tier basis' },
  { section: 'creditBase', heading: 'Credit base' },
  { section: 'rounding', heading: 'Rounding' },
  { section: 'currency', heading: 'Currency' },
  { section: 'version', heading: 'Version details (not part of the program)' },
];

/** Which rule set a side of the diff is. */
export interface DiffSide { id: string; file: string; status: string; sha256: string }

/** Everything that differs between two rule sets. */
export interface RuleSetDiff {
  a: DiffSide;
  b: DiffSide;
  /** Same content apart from the id. */
  identical: boolean;
  /** Only the title, description or status differ: every figure is the same. */
  sameProgram: boolean;
  changes: RuleSetChange[];
  /** For tier changes: which tier bases end up in another tier or percentage. */
  tierEffects: TierEffect[];
}

/** The differences from rule set `a` to rule set `b`. */
export function diffRuleSets(a: RuleSet, b: RuleSet): RuleSetDiff {
  const A = a.document as RuleSetDocument;
  const B = b.document as RuleSetDocument;
  const changes: RuleSetChange[] = [
    ...effectiveChanges(A, B),
    ...tierChanges(A, B),
    ...serviceChanges(A, B),
    ...classChanges(A, B),
    ...eligibilityChanges(A, B),
    ...termChanges('tierBasis', 'tier basis', A.tierBasis, B.tierBasis),
    ...termChanges('creditBase', 'credit base', A.creditBase, B.creditBase),
    ...roundingChanges(A, B),
    ...(A.currency !== B.currency ? [change('currency', 'currency', undefined, A.currency, B.currency, `amounts are in ${B.currency} (was ${A.currency})`)] : []),
    ...versionChanges(A, B),
    ...aboveChargesChange(A, B),
  ];
  const identical = canonicalJson({ ...A, id: '' }) === canonicalJson({ ...B, id: '' });
  return {
    a: side(a),
    b: side(b),
    identical,
    sameProgram: changes.every((c) => c.section === 'version'),
    changes,
    tierEffects: tierEffects(A, B),
  };
}

/** `allowCreditAboveCharges` changes what validate accepts, never a figure: a version detail. */
function aboveChargesChange(A: RuleSetDocument, B: RuleSetDocument): RuleSetChange[] {
  const [a, b] = [A.allowCreditAboveCharges === true, B.allowCreditAboveCharges === true];
  if (a === b) return [];
  return [change('version', 'credit-above-charges', 'allowCreditAboveCharges', a, b, b
    ? 'allowCreditAboveCharges: true — a credit above the charges (a negative amount due) is allowed (was refused)'
    : 'allowCreditAboveCharges removed — a credit base that can exceed the charges is refused (was allowed)')];
}

function side(r: RuleSet): DiffSide {
  return { id: r.id, file: r.file, status: r.status, sha256: r.sha256 };
}

function effectiveChanges(A: RuleSetDocument, B: RuleSetDocument): RuleSetChange[] {
  const out: RuleSetChange[] = [];
  const [a, b] = [A.effective, B.effective];
  if (a.from !== b.from) out.push(change('effective', 'effective-from', undefined, a.from, b.from, `starts on ${b.from} (was ${a.from})`));
  if (a.until !== b.until) {
    const text = b.until === undefined
      ? `no longer has an end date (was: ends before ${a.until})`
      : a.until === undefined
        ? `ends before ${b.until} (was open-ended)`
        : `ends before ${b.until} (was: before ${a.until})`;
    out.push(change('effective', 'effective-until', undefined, a.until ?? null, b.until ?? null, text));
  }
  return out;
}

function serviceChanges(A: RuleSetDocument, B: RuleSetDocument): RuleSetChange[] {
  const cls = (d: RuleSetDocument, p: number) => {
    const c = d.commissionClasses.find((k) => k.percent === p);
    return c ? `${pct(p)} (${c.category})` : pct(p);
  };
  const reclassified: RuleSetChange[] = [];
  const added: RuleSetChange[] = [];
  const removed: RuleSetChange[] = [];
  const renamed: RuleSetChange[] = [];
  const ids = [...new Set([...Object.keys(A.services), ...Object.keys(B.services)])].sort();
  for (const id of ids) {
    const sa = Object.hasOwn(A.services, id) ? A.services[id] : undefined;
    const sb = Object.hasOwn(B.services, id) ? B.services[id] : undefined;
    if (!sa && sb) {
      added.push(change('services', 'service-added', id, undefined, { ...sb }, `new service ${id} "${sb.name}": ${cls(B, sb.commissionable)}`));
    } else if (sa && !sb) {
      removed.push(change('services', 'service-removed', id, { ...sa }, undefined,
        `service ${id} "${sa.name}" removed (was ${cls(A, sa.commissionable)}): a statement line for it becomes an error`));
    } else if (sa && sb) {
      if (sa.commissionable !== sb.commissionable) {
        reclassified.push(change('services', 'service-reclassified', id, sa.commissionable, sb.commissionable,
          `${id} "${sb.name}" reclassified: ${cls(A, sa.commissionable)} → ${cls(B, sb.commissionable)}`));
      }
      if (sa.name !== sb.name) {
        renamed.push(change('services', 'service-renamed', id, sa.name, sb.name, `${id} is now called "${sb.name}" (was "${sa.name}")`));
      }
      if (sa.note !== sb.note) {
        renamed.push(change('services', 'service-note', id, sa.note ?? null, sb.note ?? null,
          sb.note === undefined ? `${id}: note removed (was "${sa.note}")` : sa.note === undefined ? `${id}: note added: "${sb.note}"` : `${id}: note now "${sb.note}" (was "${sa.note}")`));
      }
    }
  }
  return [...reclassified, ...added, ...removed, ...renamed];
}

function classChanges(A: RuleSetDocument, B: RuleSetDocument): RuleSetChange[] {
  const out: RuleSetChange[] = [];
  const inA = new Map(A.commissionClasses.map((c) => [c.percent, c.category]));
  const inB = new Map(B.commissionClasses.map((c) => [c.percent, c.category]));
  const percents = [...new Set([...inA.keys(), ...inB.keys()])].sort((x, y) => y - x);
  for (const p of percents) {
    const ca = inA.get(p);
    const cb = inB.get(p);
    if (ca === undefined) out.push(change('commissionClasses', 'class-added', String(p), undefined, cb, `new class ${pct(p)} (${cb})`));
    else if (cb === undefined) out.push(change('commissionClasses', 'class-removed', String(p), ca, undefined, `class ${pct(p)} removed (was ${ca})`));
    else if (ca !== cb) out.push(change('commissionClasses', 'class-category', String(p), ca, cb, `class ${pct(p)} is now "${cb}" (was "${ca}")`));
  }
  const order = (d: RuleSetDocument) => d.commissionClasses.map((c) => c.percent).join(',');
  if (!out.length && order(A) !== order(B)) {
    out.push(change('commissionClasses', 'class-order', undefined, order(A), order(B), 'the same classes, listed in another order (no effect)'));
  }
  return out;
}

function eligibilityChanges(A: RuleSetDocument, B: RuleSetDocument): RuleSetChange[] {
  const out: RuleSetChange[] = [];
  const [a, b] = [A.eligibility, B.eligibility];
  if (a.minDistinctSubClients !== b.minDistinctSubClients) {
    out.push(change('eligibility', 'eligibility-sub-clients', 'minDistinctSubClients', a.minDistinctSubClients, b.minDistinctSubClients,
      `a reseller needs at least ${b.minDistinctSubClients} distinct sub-clients (was ${a.minDistinctSubClients})`));
  }
  if (a.requireApproval !== b.requireApproval) {
    out.push(change('eligibility', 'eligibility-approval', 'requireApproval', a.requireApproval, b.requireApproval, b.requireApproval
      ? 'billing approval is now required (was not required)'
      : 'billing approval is no longer required (was required)'));
  }
  const [byA, byB] = [a.distinctBy ?? 'host', b.distinctBy ?? 'host'];
  if (byA !== byB) {
    const words = (by: string) => (by === 'host' ? 'by host name' : 'by registrable domain (www.acme.example and acme.example are one)');
    out.push(change('eligibility', 'eligibility-distinct-by', 'distinctBy', byA, byB, `sub-clients are now told apart ${words(byB)} (was ${words(byA)})`));
  }
  if (a.retroactive !== b.retroactive) {
    out.push(change('eligibility', 'eligibility-retroactive', 'retroactive', a.retroactive, b.retroactive, b.retroactive
      ? 'credits are now retroactive: a period that began before the approval date earns a credit (was: no retroactive credits)'
      : 'no retroactive credits: only periods beginning on or after the approval date earn a credit (was: retroactive)'));
  }
  return out;
}

/** `own payments + managed payments + affiliate value`. */
export function termsText(terms: readonly Term[]): string {
  return terms.map((t) => `${t.source} ${t.measure}`).join(' + ');
}

function termChanges(section: 'tierBasis' | 'creditBase', label: string, a: readonly Term[], b: readonly Term[]): RuleSetChange[] {
  const key = (t: Term) => `${t.source} ${t.measure}`;
  const count = (list: readonly Term[]) => {
    const m = new Map<string, number>();
    for (const t of list) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
    return m;
  };
  const ca = count(a);
  const cb = count(b);
  const out: RuleSetChange[] = [];
  const formula = { before: termsText(a), after: termsText(b) };
  for (const k of new Set([...ca.keys(), ...cb.keys()])) {
    const na = ca.get(k) ?? 0;
    const nb = cb.get(k) ?? 0;
    if (nb > na) {
      out.push(change(section, `${section === 'tierBasis' ? 'tier-basis' : 'credit-base'}-added`, k, formula.before, formula.after,
        `${label} now ${na ? `counts ${k} ${nb} times (was ${na})` : `also counts ${k}`}: ${formula.after} (was ${formula.before})`));
    } else if (nb < na) {
      out.push(change(section, `${section === 'tierBasis' ? 'tier-basis' : 'credit-base'}-removed`, k, formula.before, formula.after,
        `${label} ${nb ? `counts ${k} ${nb} times (was ${na})` : `no longer counts ${k}`}: ${formula.after} (was ${formula.before})`));
    }
  }
  if (!out.length && formula.before !== formula.after) {
    out.push(change(section, `${section === 'tierBasis' ? 'tier-basis' : 'credit-base'}-order`, undefined, formula.before, formula.after,
      `${label}: the same terms, listed in another order (the sum is the same)`));
  }
  return out;
}

const MODE_WORDS: Record<string, string> = {
  'half-up': 'half-up (exactly half a cent goes up)',
  'half-even': 'half-even (exactly half a cent goes to the even cent)',
  down: 'down (extra digits dropped)',
};

function roundingChanges(A: RuleSetDocument, B: RuleSetDocument): RuleSetChange[] {
  const out: RuleSetChange[] = [];
  const [a, b] = [A.rounding, B.rounding];
  if (a.scale !== b.scale) {
    out.push(change('rounding', 'rounding-scale', 'scale', a.scale, b.scale, `credit and amount due are rounded to ${b.scale} decimals (was ${a.scale})`));
  }
  if (a.mode !== b.mode) {
    out.push(change('rounding', 'rounding-mode', 'mode', a.mode, b.mode, `rounding mode ${MODE_WORDS[b.mode]} (was ${MODE_WORDS[a.mode]})`));
  }
  return out;
}

function versionChanges(A: RuleSetDocument, B: RuleSetDocument): RuleSetChange[] {
  const out: RuleSetChange[] = [];
  if (A.title !== B.title) out.push(change('version', 'title', 'title', A.title, B.title, `title "${B.title}" (was "${A.title}")`));
  if (A.status !== B.status) out.push(change('version', 'status', 'status', A.status, B.status, `status ${B.status} (was ${A.status})`));
  if (A.description !== B.description) {
    out.push(change('version', 'description', 'description', A.description ?? null, B.description ?? null,
      B.description === undefined ? 'description removed' : A.description === undefined ? `description added: "${B.description}"` : `description now "${B.description}"`));
  }
  if (A.schemaVersion !== B.schemaVersion) {
    out.push(change('version', 'schema-version', 'schemaVersion', A.schemaVersion, B.schemaVersion, `file format version ${B.schemaVersion} (was ${A.schemaVersion})`));
  }
  return out;
}
