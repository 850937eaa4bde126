/**
 * The account key of SPEC §4: the id trimmed, NFKC-normalised and case-folded
 * (`toUpperCase().toLowerCase()`), so that full-width and case variants of one
 * account meet. The ledger stores and indexes it beside the id as written.
 *
 * One function in one place: the identifier checks (src/validate/identifiers.ts)
 * will own the key; this module then re-exports theirs and the ledger follows.
 */
export function accountKey(id: string): string {
  return id.trim().normalize('NFKC').toUpperCase().toLowerCase();
}
