/**
 * SPEC §11: with signers configured, `evaluate`, `whatif` and `issue` refuse
 * (exit 2) a rules folder whose published or retired versions fail
 * verification, rather than compute with what is left: a forged folder must
 * stop the run, not quietly move a period to another version.
 */
import type { RuleRepository } from '../compose/rules-dir.js';
import { EXIT, errorLine, printErrors } from './io.js';

/** Prints why and sets exit status 2 when the folder's approvals do not verify; true when refused. */
export function refuseUnapproved(repo: RuleRepository): boolean {
  if (!repo.approvalErrors?.length) return false;
  printErrors(repo.approvalErrors);
  errorLine(`the approvals of ${repo.dir}/ do not verify against the signers file: nothing was computed (run \`reseller-credits validate\`)`);
  process.exitCode = EXIT.USAGE;
  return true;
}
