/** Eligibility reasons in the words of the program (SPEC §1). */
import type { RuleSet } from '../model/types.js';
import type { EligibilityCriterion, Facts } from '../compile/compile.js';

/** Why a reseller failed one eligibility rule; undefined when another reason already says it. */
export function eligibilityReason(criterion: EligibilityCriterion, facts: Facts, rs: RuleSet): string | undefined {
  switch (criterion) {
    case 'subClients': {
      const min = rs.eligibility.minDistinctSubClients;
      return `needs at least ${min} distinct sub-clients, has ${facts.distinctSubClients}`;
    }
    case 'approved':
      return 'not approved by billing';
    case 'notRetroactive':
      if (!facts.approved) return undefined; // "not approved" already says it
      return `approved on ${facts.approvedOn}, after this period began (${facts.periodStart}); no retroactive credits: credits start with the first period beginning on or after approval`;
  }
}
