/**
 * The domain, after loading and validation: rule sets and snapshots whose
 * money is already exact `Dec`, and the result of one evaluation.
 */
import type { Dec, RoundingMode } from '../money/decimal.js';

/** Where an amount comes from (SPEC §1). */
export type Source = 'own' | 'managed' | 'affiliate';
/** Which sum of an account is taken. */
export type Measure = 'payments' | 'value';
/** The fixed order in which an account seen twice is attributed. */
export const SOURCES: readonly Source[] = ['own', 'managed', 'affiliate'];

/** One summand of the tier basis or credit base. */
export interface Term { source: Source; measure: Measure }

/** A tier: it covers [from, next tier's from). */
export interface Tier {
  name: string;
  from: Dec;
  creditPercent: Dec;
}

/** A service the program knows and its commissionable percentage. */
export interface Service { name: string; commissionable: number }

/** Lifecycle of a version. */
export type RuleSetStatus = 'draft' | 'published' | 'retired';

/** One version of the program, validated. */
export interface RuleSet {
  id: string;
  title: string;
  description?: string;
  status: RuleSetStatus;
  effective: { from: string; until?: string };
  currency: string;
  rounding: { scale: number; mode: RoundingMode };
  /** `distinctBy` absent means `host` (SPEC §4); it is never written into a file by the program. */
  eligibility: { minDistinctSubClients: number; requireApproval: boolean; retroactive: boolean; distinctBy?: 'host' | 'registrable-domain' };
  tierBasis: Term[];
  creditBase: Term[];
  /** The credit may exceed the charges (a credit base with affiliate terms, SPEC §3); absent means false. */
  allowCreditAboveCharges?: boolean;
  tiers: Tier[];
  commissionClasses: { percent: number; category: 'full' | 'partial' | 'none' }[];
  /** id → service; a Map so that no id can ever reach an object prototype. */
  services: Map<string, Service>;
  /** The file it was read from. */
  file: string;
  /** sha256 of the canonical JSON of the document (SPEC §6). */
  sha256: string;
  /** The parsed document as plain data (what the hash covers). */
  document: unknown;
}

/** A line of a statement. */
export interface LineItem {
  service: string;
  quantity: Dec;
  /** Present when the line was given as quantity × unitPrice. */
  unitPrice?: Dec;
  /** quantity × unitPrice, or the given amount. */
  charge: Dec;
  /** Where in the snapshot the line is (for error messages). */
  path: (string | number)[];
}

/** An account and its lines. */
export interface AccountLines { account: string; lineItems: LineItem[]; path: (string | number)[] }

/** One reseller's month, validated. */
export interface Snapshot {
  account: string;
  period: string;
  reseller: { approved: boolean; approvedOn?: string };
  subClients: string[];
  /** The host key of each entry (null: blank), when validation computed them (SPEC §4); else computed when counted. */
  subClientKeys?: (string | null)[];
  lineItems: LineItem[];
  managedAccounts: AccountLines[];
  linkedAffiliate?: {
    account: string;
    referredAccounts?: AccountLines[];
    /** Either measure may be missing (an affiliate export with only the value). */
    totals?: { payments?: Dec; value?: Dec };
  };
}

/**
 * Per-source sums as money strings. `affiliate` is null when the snapshot's
 * affiliate totals do not give this measure; `total` adds what is given.
 */
export interface SourceTotals { own: string; managed: string; affiliate: string | null; total: string }

/** One valued line in a result. */
export interface ResultLine {
  account: string;
  source: Source;
  service: string;
  quantity?: string;
  unitPrice?: string;
  charge: string;
  commissionable: number;
  value: string;
}

/** The outcome of evaluating one snapshot under one rule set (SPEC §5). */
export interface EvaluationResult {
  account: string;
  period: string;
  rules: { id: string; sha256: string };
  currency: string;
  monthlyPayments: SourceTotals;
  monthlyValue: SourceTotals;
  tierBasis: string;
  creditBase: string;
  /** The summands of the tier basis and credit base, as the rule set defines them. */
  bases: { tierBasis: Term[]; creditBase: Term[] };
  tier: { name: string; from: string; creditPercent: string };
  eligibility: { eligible: boolean; distinctSubClients: number; reasons: string[] };
  creditPercent: string;
  credit: string;
  statement: { charges: string; credit: string; amountDue: string };
  lines: ResultLine[];
  warnings: string[];
  /** The rule-engine decisions behind the result (when asked for: `EvaluateOptions.trace`). */
  trace?: TraceEntry[];
  /** The service's decision id (SPEC §13, run/decision.ts), with the snapshot's canonical sha256 and the program version it is computed from. Never in the CLI's output. */
  decisionId?: string;
  snapshotSha256?: string;
  programVersion?: string;
}

/** One rule the engine evaluated, with its facts and outcome. */
export interface TraceEntry {
  rule: string;
  passed: boolean;
  conditions: { name: string; fact: string; operator: string; value: string; factValue: string; result: boolean }[];
}
