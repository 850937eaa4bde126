/** What a review check gives: passed or failed, with a concrete counterexample. */
import type { SnapshotDoc } from './generate.js';

/** The names of the checks, in report order. */
export type CheckName = 'monotone' | 'bounded' | 'services-kept' | 'window' | 'region';

/** A concrete case that breaks a check. */
export interface Counterexample {
  /** What goes wrong, in words. */
  text: string;
  /** The snapshot that shows it, when the check is about snapshots. */
  snapshot?: SnapshotDoc;
  /** The tier basis that shows it, when the check is about tiers. */
  tierBasis?: string;
}

/** The outcome of one check. */
export interface CheckOutcome {
  name: CheckName;
  title: string;
  passed: boolean;
  /** One line: what was checked and how it came out. */
  summary: string;
  counterexample?: Counterexample;
  /** fast-check's seed and number of runs, for checks over generated snapshots. */
  generated?: { seed: number; runs: number };
}

/** Options of the generated-snapshot checks. */
export interface GenOptions { seed: number; runs: number }
