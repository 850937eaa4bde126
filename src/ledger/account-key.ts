/**
 * The account key of SPEC §4 as the ledger stores and indexes it beside the id
 * as written: the identifier checks' key (`validate/identifiers.ts`), for ids
 * that passed them (every snapshot the ledger records did).
 */
import { accountKeyOf } from '../validate/identifiers.js';

/** The ledger's key of an account id. */
export function ledgerAccountKey(id: string): string {
  return accountKeyOf(id);
}
