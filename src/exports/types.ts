/**
 * What every export target reads and returns. A target is a pure function
 * from one statement (an issue entry, as issued) and the operator's mapping
 * to that system's record: no clock, no file, no database.
 */
import type { LedgerEntry, Statement } from '../ledger/entry.js';
import type { ExponentRule } from './currency.js';
import type { TARGET_NAMES } from './target-names.js';

/** The statement of an issue entry, as an export reads it. */
export interface ExportStatement {
  /** the issue entry's id: the idempotency key and external reference everywhere */
  entry: string;
  account: string;
  period: string;
  currency: string;
  rules: { id: string; sha256: string };
  /** when the statement was recorded (UTC ISO 8601): the date every target gets */
  recordedAt: string;
  statement: Statement;
}

/** The export view of a stored issue entry. */
export function exportStatement(e: Pick<LedgerEntry, 'id' | 'account' | 'period' | 'currency' | 'rules' | 'recordedAt' | 'statement'>): ExportStatement {
  if (!e.statement) throw new Error(`entry ${e.id} is not an issue entry (it has no statement)`);
  return { entry: e.id, account: e.account, period: e.period, currency: e.currency, rules: e.rules, recordedAt: e.recordedAt, statement: e.statement };
}

/** The names of the targets. */
export type TargetName = (typeof TARGET_NAMES)[number];

/** The mapping file (schemas/mapping.schema.json), validated. */
export interface Mapping {
  schemaVersion: 1;
  /** account → the id it has in each target; a Map so that no account id reaches an object prototype */
  accounts: Map<string, Partial<Record<TargetName, string>>>;
  stripe?: { descriptionPrefix?: string };
  killbill?: { createdBy?: string; reason?: string };
  xero?: { accountCode: string; taxType: string; dateFormat?: 'DD/MM/YYYY' | 'MM/DD/YYYY' | 'YYYY-MM-DD'; numberPrefix?: string };
  quickbooks?: { itemId: string; docNumberPrefix?: string };
}

/** The amount a target posts for one statement. */
export interface PostAmount {
  /** credit + Σ carried adjustments, decimal text; negative = a charge back */
  net: string;
  /** |net| in the target's form: minor units (Stripe) or decimal text with the currency's exponent */
  magnitude: string;
  /** the exponent the target uses for this currency */
  exponent: number;
  chargeBack: boolean;
}

/** What a target makes of one statement: its record, or the reason it cannot take it. */
export type Built = { record: unknown } | { refused: string };

/** One export target: a row in `TARGETS`. */
export interface ExportTarget {
  name: TargetName;
  /** what a file of its records is */
  format: 'ndjson' | 'csv';
  /** the CSV header (csv targets) */
  columns?: readonly string[];
  /** the target's exponent for a currency (undefined: the target does not know the currency) */
  exponent(currency: string): ExponentRule | undefined;
  /** whether `magnitude` is integer minor units (true) or decimal text (false) */
  minorUnits: boolean;
  /** what the mapping must hold besides the accounts, or undefined when it does */
  mappingProblem(m: Mapping): string | undefined;
  /** the record of one statement; `customer` is the account's id in the target */
  build(s: ExportStatement, amount: PostAmount, customer: string, m: Mapping): Built;
}

/** The statement's date as the target gets it: the day it was recorded (UTC), never the export's clock. */
export function recordedDate(s: ExportStatement): string {
  return s.recordedAt.slice(0, 10);
}

/** A short human description, the same in every target. */
export function describe(s: ExportStatement, prefix = 'Reseller credit'): string {
  const origins = [...new Set(s.statement.adjustments.map((a) => a.origin))];
  return `${prefix} ${s.period}${origins.length ? ` incl. adjustments for ${origins.join(', ')}` : ''}`;
}
