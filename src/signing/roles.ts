/**
 * Roles are SSHSIG namespaces (SPEC §11): a key signs as an author, an
 * approver or an issuer only where its allowed_signers line's
 * `namespaces="…"` grants that namespace, and a signature made for one role
 * never verifies for another.
 */

/** The namespace of each role. */
export const ROLE_NAMESPACE = {
  author: 'reseller-credits-author',
  approve: 'reseller-credits-approve',
  issue: 'reseller-credits-issue',
} as const;

/** A role. */
export type Role = keyof typeof ROLE_NAMESPACE;
