/**
 * Semantic checks of one rule set that JSON Schema cannot express (SPEC §3).
 * Runs only on a document that passed the schema, so shapes can be trusted.
 */
import { basename, extname } from 'node:path';
import { RcError, type ErrorCode } from '../errors.js';
import { Dec, HUNDRED } from '../money/decimal.js';
import { formatPath, type PathSeg, type SourceDoc } from '../parse/source-doc.js';
import { quoteInput } from '../text/safe-text.js';

/** The document's shape once the schema accepted it. */
export interface RuleSetDocument {
  schemaVersion: 1;
  id: string;
  title: string;
  description?: string;
  status: 'draft' | 'published' | 'retired';
  effective: { from: string; until?: string };
  currency: string;
  rounding: { scale: number; mode: 'half-up' | 'half-even' | 'down' };
  eligibility: { minDistinctSubClients: number; requireApproval: boolean; retroactive: boolean; distinctBy?: 'host' | 'registrable-domain' };
  allowCreditAboveCharges?: boolean;
  tierBasis: { source: 'own' | 'managed' | 'affiliate'; measure: 'payments' | 'value' }[];
  creditBase: { source: 'own' | 'managed' | 'affiliate'; measure: 'payments' | 'value' }[];
  tiers: { name: string; from: string; creditPercent: string }[];
  commissionClasses: { percent: number; category: 'full' | 'partial' | 'none' }[];
  services: Record<string, { name: string; commissionable: number; note?: string }>;
}

/** Every semantic problem of the rule set in `doc`, positioned. */
export function checkRuleSet(doc: SourceDoc): RcError[] {
  const rs = doc.value as RuleSetDocument;
  const errors: RcError[] = [];
  const fail = (code: ErrorCode, path: PathSeg[], message: string, key = false) =>
    errors.push(new RcError(code, message, { file: doc.file, ...doc.locate(path, key), path: formatPath(path) }));

  const expectedId = basename(doc.file, extname(doc.file));
  if (rs.id !== expectedId) {
    fail('ID_MISMATCH', ['id'], `id "${rs.id}" must equal the file name "${expectedId}" (rename the file or the id)`);
  }
  if (rs.effective.until !== undefined && rs.effective.until <= rs.effective.from) {
    fail('EFFECTIVE_WINDOW', ['effective', 'until'], `until ${rs.effective.until} must be after from ${rs.effective.from}`);
  }

  const names = new Map<string, number>();
  rs.tiers.forEach((t, i) => {
    const from = new Dec(t.from);
    if (i === 0 && !from.isZero()) fail('TIERS_ORDER', ['tiers', 0, 'from'], `the first tier must start at "0", not ${quoteInput(t.from)}`);
    if (i > 0) {
      const prev = rs.tiers[i - 1]!;
      if (!from.gt(new Dec(prev.from))) {
        fail('TIERS_ORDER', ['tiers', i, 'from'],
          `tiers must be strictly ascending: ${quoteInput(t.from)} is not above the previous tier's ${quoteInput(prev.from)} (${prev.name})`);
      }
    }
    const pct = new Dec(t.creditPercent);
    if (pct.gt(HUNDRED)) fail('PERCENT_RANGE', ['tiers', i, 'creditPercent'], `creditPercent ${quoteInput(t.creditPercent)} is above 100`);
    const before = names.get(t.name);
    if (before !== undefined) fail('TIER_NAME_DUPLICATE', ['tiers', i, 'name'], `tier name "${t.name}" is already used by tiers[${before}]`);
    else names.set(t.name, i);
  });

  const classes = new Set<number>();
  rs.commissionClasses.forEach((c, i) => {
    if (classes.has(c.percent)) fail('UNKNOWN_CLASS', ['commissionClasses', i, 'percent'], `class ${c.percent}% is listed twice`);
    classes.add(c.percent);
  });
  const listed = [...classes].sort((a, b) => b - a).join(', ');
  for (const [id, svc] of Object.entries(rs.services)) {
    if (!classes.has(svc.commissionable)) {
      fail('UNKNOWN_CLASS', ['services', id, 'commissionable'],
        `${svc.commissionable}% is not one of the commissionClasses (${listed})`);
    }
  }

  for (const field of ['tierBasis', 'creditBase'] as const) {
    const seen = new Set<string>();
    rs[field].forEach((t, i) => {
      if (seen.has(t.source)) fail('SCHEMA', [field, i, 'source'], `source "${t.source}" is counted twice in ${field}`);
      seen.add(t.source);
    });
  }
  const above = creditAboveCharges(rs);
  if (above && rs.status === 'draft') fail('CREDIT_ABOVE_CHARGES', ['creditBase', above.index], above.message);
  return errors;
}

/**
 * SPEC §3: a credit base with a term of source `affiliate` counts money that
 * is not on the statement (the charges are own + managed payments), so the
 * credit can exceed the charges and the amount due turn negative. Refused in
 * a draft unless the file says `allowCreditAboveCharges: true`; for a
 * published or retired version (already locked) the folder check warns.
 */
export function creditAboveCharges(rs: Pick<RuleSetDocument, 'creditBase' | 'allowCreditAboveCharges'>): { index: number; message: string } | undefined {
  if (rs.allowCreditAboveCharges === true) return undefined;
  const index = rs.creditBase.findIndex((t) => t.source === 'affiliate');
  if (index < 0) return undefined;
  return {
    index,
    message: `the credit base counts affiliate ${rs.creditBase[index]!.measure}, which is not part of the charges (own + managed payments): ` +
      'a credit could exceed the charges and make the amount due negative. Remove the affiliate term, or add ' +
      '"allowCreditAboveCharges: true" if the program means it',
  };
}
