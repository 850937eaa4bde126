/** Constants of the review that the command line (and publish --review) need before fast-check is loaded. */

/** The `kind` of a review report (JSON). */
export const REVIEW_KIND = 'reseller-credits review';

/** The seed the checks use unless told otherwise: a failure is reproducible run after run. */
export const DEFAULT_SEED = 20260110;
export const DEFAULT_RUNS = 400;
