/**
 * `publish --review FILE` (SPEC §6 Approvals): a review report holds an
 * approver to what was reviewed. It must be a `review --format json` report
 * made for exactly the content about to be locked, with every check passed
 * and no portfolio error.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RcError } from '../errors.js';
import { fsError } from '../read/fs-errors.js';
import { REVIEW_KIND } from './defaults.js';

/**
 * Checks the review report `reportFile` for publishing content whose lock
 * hash is `publishedSha256`; returns the sha256 of the file's bytes. Throws
 * `RcError` saying why the report cannot approve it.
 */
export function checkReviewForPublish(reportFile: string, publishedSha256: string): { reviewSha256: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(reportFile);
  } catch (err) {
    throw fsError(err, reportFile);
  }
  const fail = (message: string) => new RcError('REVIEW_REJECTED', message, { file: reportFile });
  let report: unknown;
  try {
    report = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw fail('is not a review report: not JSON (write one with `reseller-credits review DRAFT --format json --out FILE`)');
  }
  const r = report as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || r.kind !== REVIEW_KIND || typeof r.candidate !== 'object' || r.candidate === null || !Array.isArray(r.checks)) {
    throw fail('is not a review report (write one with `reseller-credits review DRAFT --format json --out FILE`)');
  }
  const cand = r.candidate as Record<string, unknown>;
  if (cand.publishedSha256 !== publishedSha256) {
    throw fail(`was made for other content: it reviewed ${String(cand.id)} with lock hash ${String(cand.publishedSha256).slice(0, 12)}…, but the version to publish has ${publishedSha256.slice(0, 12)}…; review the draft as it is now`);
  }
  const failed = (r.checks as { name?: unknown; passed?: unknown }[]).filter((c) => c?.passed !== true).map((c) => String(c?.name));
  if (failed.length) throw fail(`records failed checks (${failed.join(', ')}): fix the draft and review it again`);
  const impact = r.impact as { errors?: unknown[] } | null | undefined;
  if (impact && Array.isArray(impact.errors) && impact.errors.length) {
    throw fail(`had ${impact.errors.length} portfolio record(s) that could not be evaluated: the money impact is incomplete; fix them and review again`);
  }
  if (r.passed !== true) throw fail('did not pass: review the draft again');
  return { reviewSha256: createHash('sha256').update(bytes).digest('hex') };
}
