/**
 * One export: the period's statements through one target. Pure: statements
 * and mapping in; the file's lines, the error records, and the counts out.
 * The amount to post is the statement's net credit (credit + Σ carried
 * adjustments); zero nets are left out and counted unless asked for; an
 * account without a mapping, a currency the target does not know, an amount
 * that is not a whole minor unit, or a charge back the target cannot take is
 * an error record naming the account, and the rest are written.
 */
import { stringify } from 'csv-stringify/sync';
import { RcError } from '../errors.js';
import { Dec } from '../money/decimal.js';
import { toMinorUnits, fromMinorUnits } from './currency.js';
import { jsonText } from './json-line.js';
import type { ExportStatement, ExportTarget, Mapping, PostAmount } from './types.js';

/** Options of one export. */
export interface ExportOptions {
  /** keep statements whose net credit is 0 (default: left out and counted) */
  includeZero?: boolean;
}

/** What an export made. */
export interface ExportResult {
  /** the file's text, line by line (each ends with a newline; a CSV header first) */
  lines: string[];
  /** one per statement the target cannot take */
  errors: RcError[];
  /** statements left out because their net credit is 0 */
  zero: number;
  /** the entry ids written, in order */
  entries: string[];
  /** Σ net credit of the written records, decimal text */
  total: string;
}

/** The net credit of a statement: credit + Σ carried adjustments (exact). */
export function netCredit(s: ExportStatement): Dec {
  return s.statement.adjustments.reduce((t, a) => t.plus(a.amount), new Dec(s.statement.credit));
}

/** The amount `target` posts for `s`, or the reason it cannot. */
export function postAmount(target: ExportTarget, s: ExportStatement): PostAmount | { problem: string } {
  const rule = target.exponent(s.currency);
  if (!rule) return { problem: `${target.name} does not know the currency ${JSON.stringify(s.currency)}` };
  const net = netCredit(s);
  const m = toMinorUnits(net.abs().toFixed(), rule);
  if ('problem' in m) return m;
  return {
    net: `${net.isNegative() && !net.isZero() ? '-' : ''}${fromMinorUnits(m.minor, rule.exponent)}`,
    magnitude: target.minorUnits ? m.minor : fromMinorUnits(m.minor, rule.exponent),
    exponent: rule.exponent,
    chargeBack: net.isNegative() && !net.isZero(),
  };
}

/** Exports `statements` (issue entries of one period, in ledger order) to `target`. */
export function exportStatements(statements: Iterable<ExportStatement>, target: ExportTarget, mapping: Mapping, opts: ExportOptions = {}): ExportResult {
  const mp = target.mappingProblem(mapping);
  if (mp) throw new RcError('EXPORT_UNMAPPED', mp);
  const out: ExportResult = { lines: [], errors: [], zero: 0, entries: [], total: '0' };
  if (target.format === 'csv') out.lines.push(stringify([target.columns as string[]]));
  let total = new Dec(0);
  for (const s of statements) {
    const refuse = (code: 'EXPORT_UNMAPPED' | 'EXPORT_REFUSED', why: string) =>
      out.errors.push(new RcError(code, `${target.name}: statement ${s.period} (entry ${s.entry}) not exported: ${why}`, { account: s.account }));
    const amount = postAmount(target, s);
    if ('problem' in amount) { refuse('EXPORT_REFUSED', amount.problem); continue; }
    if (new Dec(amount.net).isZero() && !opts.includeZero) { out.zero++; continue; }
    const customer = mapping.accounts.get(s.account)?.[target.name];
    if (customer === undefined) { refuse('EXPORT_UNMAPPED', `the mapping has no ${target.name} id for this account`); continue; }
    const built = target.build(s, amount, customer, mapping);
    if ('refused' in built) { refuse('EXPORT_REFUSED', built.refused); continue; }
    out.lines.push(target.format === 'csv' ? stringify([built.record as string[]]) : `${jsonText(built.record)}\n`);
    out.entries.push(s.entry);
    total = total.plus(amount.net);
  }
  out.total = total.toFixed();
  return out;
}
