/** One entry of a rule set diff: where it is, what kind, before and after, and the words. */

/** The part of a rule set a change belongs to, in report order. */
export type DiffSection =
  | 'effective' | 'tiers' | 'services' | 'commissionClasses' | 'eligibility'
  | 'tierBasis' | 'creditBase' | 'rounding' | 'currency' | 'version';

/** One change, from the first rule set (`before`) to the second (`after`). */
export interface RuleSetChange {
  section: DiffSection;
  /** e.g. `tier-moved`, `service-reclassified`, `eligibility-approval`. */
  kind: string;
  /** The tier name, service id or class percent concerned. */
  subject?: string;
  before?: unknown;
  after?: unknown;
  /** The change in words. */
  text: string;
}

/** One change entry, its keys in a stable order. */
export function change(section: DiffSection, kind: string, subject: string | undefined, before: unknown, after: unknown, text: string): RuleSetChange {
  return {
    section,
    kind,
    ...(subject !== undefined ? { subject } : {}),
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
    text,
  };
}
