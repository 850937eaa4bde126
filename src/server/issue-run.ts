/**
 * One issue run for the service: `issuePeriod` as the CLI runs it, with the
 * run entry (SPEC §11, §13) appended inside the run's transaction, before
 * its commit — the operator (the token's principal), the request body's
 * sha256 as the run's input, the Idempotency-Key and the body's sha256. The
 * key and the credit entries are committed together or not at all, so a
 * process killed between the commit and the answer leaves a run the retry
 * finds, and one killed before it leaves nothing. With `serve --sign-key`
 * the run entry is signed as `issue --sign-key` signs it (SPEC §11): its
 * operator is the key's principal, and the caller's principal is named with
 * the request body among the run's inputs.
 */
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../parse/canonical.js';
import { entryHash, runEntryId, type RunBody } from '../ledger/entry.js';
import { faultFromEnv, issuePeriod, type IssueSummary } from '../ledger/issue.js';
import type { Ledger } from '../ledger/store.js';
import { programVersion } from '../ledger/version.js';
import type { RuleChoice } from '../run/record.js';
import type { ServiceContext } from './context.js';
import { approvalPolicy } from '../compose/approval-policy.js';
import { signRun } from '../signing/run-signature.js';

/** What the request brings to its run. */
export interface IssueRequest {
  period: string;
  /** the spooled body */
  file: string;
  sha256: string;
  key: string;
  operator: string;
  choice: RuleChoice;
}

/** Issues `req.period` from the spooled body into `ledger`, with its run entry; resolves after the commit. */
export async function issueRun(ledger: Ledger, ctx: ServiceContext, req: IssueRequest): Promise<IssueSummary> {
  let first: string | undefined;
  let last: string | undefined;
  const counts = { issued: 0, unchanged: 0, adjusted: 0, errors: 0 };
  const rules = new Map<string, { id: string; sha256: string }>();
  const headBefore = ledger.head().hash;
  return issuePeriod(ledger, [req.file], {
    period: req.period, rulesDir: ctx.options.rulesDir, choice: req.choice, limits: ctx.options.limits,
    jobs: ctx.options.jobs, format: 'csv', waitSeconds: 60,
    fault: faultFromEnv(process.env.RESELLER_CREDITS_FAULT),
    onRecord: (r) => {
      if (!r.ok) { counts.errors++; return; }
      counts[r.ledger.status]++;
      rules.set(r.result.rules.sha256, { id: r.result.rules.id, sha256: r.result.rules.sha256 });
      if (r.ledger.status !== 'unchanged') {
        first ??= r.ledger.entry;
        last = r.ledger.entry;
      }
    },
    beforeCommit: () => {
      const head = ledger.head();
      // the run's id is the one its entries carry (none written: a fresh one)
      const runId = (last && ledger.entryById(last)?.runId) || randomUUID();
      const sign = ctx.options.sign;
      const body: RunBody = {
        // signed (SPEC §11): the run is the key holder's, and the caller's principal is named with the input it sent
        id: runEntryId(runId), kind: 'run', runId, period: req.period, operator: sign ? sign.principal : req.operator,
        inputs: [{ name: sign ? `request body from ${req.operator}` : 'request body', sha256: req.sha256 }],
        rules: [...rules.values()],
        counts, first: first ?? '', last: last ?? '', lastHash: head.hash, headBefore,
        idempotencyKey: req.key, requestSha256: req.sha256,
        programVersion: programVersion(), recordedAt: new Date().toISOString(), prev: head.hash,
      };
      const text = canonicalJson(body);
      // signed before the commit: a refused signature throws and rolls the run back
      const signed = sign ? { signer: sign.principal, signature: signRun(body, sign.key, approvalPolicy()?.signers) } : undefined;
      ledger.appendRun(body, text, entryHash(head.hash, text), signed);
    },
  });
}
