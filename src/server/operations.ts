/**
 * What the OpenAPI document says of each endpoint beyond what its route
 * declares (method, path, role, query and path parameters, headers come from
 * the route itself): a summary, the request bodies and the answers, each by
 * the `$id` of a schema in `schemas/`. A route without an entry here stops
 * the server from starting (`buildOpenApi`), so the document cannot fall
 * behind the routes.
 */
import { ref } from './schema-store.js';

/** A media type's schema: a shipped schema's `$id`, or an inline schema. */
export type MediaSchema = string | Record<string, unknown>;

/** One answer. */
export interface ResponseDoc { description: string; content?: Record<string, MediaSchema>; headers?: Record<string, string> }

/** The documentation of one operation. */
export interface OperationDoc {
  operationId: string;
  summary: string;
  description?: string;
  body?: { required: boolean; content: Record<string, MediaSchema>; description?: string };
  responses: Record<string, ResponseDoc>;
}

const PROBLEM = { 'application/problem+json': ref('service', 'problem') };
const problem = (description: string): ResponseDoc => ({ description, content: PROBLEM });
const SNAPSHOTS = { anyOf: [{ $ref: ref('snapshot') }, { type: 'array', items: { $ref: ref('snapshot') } }] };
const NDJSON_IN = { type: 'string', description: 'Snapshots, one JSON object per line (each line validated on its own).' };
const RULE_FILE = { type: 'string', description: 'The text of a rule set file (YAML or JSON).' };

/** Answers every authenticated endpoint may give. */
const COMMON: Record<string, ResponseDoc> = {
  400: problem('Malformed request: an unknown or bad query parameter, bad JSON, bad UTF-8'),
  401: problem('No token, or not a known token (only when the server has a tokens file)'),
  403: problem('The token lacks the role this endpoint needs'),
  503: { ...problem('Too much work in progress (with Retry-After), or the rules folder has no usable rule set'), headers: { 'Retry-After': 'Seconds to wait before retrying (with BUSY)' } },
};
const WITH_BODY: Record<string, ResponseDoc> = {
  ...COMMON,
  408: problem('The body did not arrive within the time limit'),
  413: problem('The JSON or YAML body is larger than the limit'),
  415: problem('Unsupported Content-Type'),
};

/** The documentation of every operation, by `METHOD path` (Fastify's path syntax). */
export const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  'POST /v1/evaluate': {
    operationId: 'evaluate',
    summary: 'Evaluate one snapshot, a JSON array of them, or an NDJSON stream',
    description: 'The answer is what `reseller-credits evaluate --format json` (or `--format ndjson` for an NDJSON body) prints. A lone snapshot with errors is a 422 (400 for a JSON syntax error); in a batch each invalid snapshot becomes its error record in place and the answer is 200. NDJSON answers stream: result lines are written while the body is still arriving. A JSON array of one snapshot answers one record, as the CLI does. A JSON body with `Accept: application/x-ndjson` (preferred to `application/json`) is answered with what `--format ndjson` prints instead: one compact line per record, about two thirds of the bytes.',
    body: { required: true, content: { 'application/json': SNAPSHOTS, 'application/x-ndjson': NDJSON_IN } },
    responses: {
      200: { description: 'The results, or error records in place', content: { 'application/json': ref('evaluate'), 'application/x-ndjson': { description: 'One record per line', $ref: ref('evaluate', 'record') } } },
      422: problem('The lone snapshot has errors (its error record\'s errors), or the rule set asked for is unknown or invalid'),
      ...WITH_BODY,
    },
  },
  'POST /v1/whatif': {
    operationId: 'whatIf',
    summary: 'Compare two rule set versions over snapshots',
    description: 'The answer is what `reseller-credits whatif --format json` prints, with error records in place among the accounts.',
    body: { required: true, content: { 'application/json': SNAPSHOTS, 'application/x-ndjson': NDJSON_IN } },
    responses: {
      200: { description: 'The what-if report', content: { 'application/json': ref('whatif') } },
      422: problem('A rule set named is unknown or invalid'),
      ...WITH_BODY,
    },
  },
  'POST /v1/validate': {
    operationId: 'validateRuleFile',
    summary: 'Validate a rule set file',
    description: 'The answer is `reseller-credits validate --format json FILE` of the body (file name `<body>`): 200 whether or not it is valid; `summary.invalid` says.',
    body: { required: true, content: { 'application/yaml': RULE_FILE, 'application/json': RULE_FILE } },
    responses: { 200: { description: 'The validation report', content: { 'application/json': ref('validate') } }, ...WITH_BODY },
  },
  'POST /v1/review': {
    operationId: 'reviewDraft',
    summary: 'Review a draft rule set against a published version',
    description: 'The body is the draft rule file; the answer is what `reseller-credits review DRAFT --format json` (or `html`, `markdown`) writes, without a portfolio: the diff, the generated checks and the coverage. Send the snapshots to what-if for the money impact.',
    body: { required: true, content: { 'application/yaml': RULE_FILE, 'application/json': RULE_FILE } },
    responses: {
      200: { description: 'The review report', content: { 'application/json': ref('review'), 'text/html': { type: 'string' }, 'text/markdown': { type: 'string' } } },
      422: problem('The draft has errors, or no version to compare with'),
      ...WITH_BODY,
    },
  },
  'GET /v1/rulesets': {
    operationId: 'listRuleSets',
    summary: 'The rule sets of the rules folder, each with its status and errors',
    description: 'What `reseller-credits validate --format json` prints for the folder.',
    responses: { 200: { description: 'The folder\'s validation report', content: { 'application/json': ref('validate') } }, ...COMMON },
  },
  'GET /v1/rulesets/:id': {
    operationId: 'getRuleSet',
    summary: 'One rule set version as JSON (the document its sha256 covers)',
    responses: {
      200: { description: 'The rule set; ETag and X-Rules-Sha256 carry its sha256', content: { 'application/json': ref('ruleset') } },
      404: problem('No rule set with this id'),
      422: problem('The rule set file is invalid (its errors)'),
      ...COMMON,
    },
  },
  'GET /v1/ledger/entries': {
    operationId: 'ledgerEntries',
    summary: 'Ledger entries, oldest first (as `ledger show --format json`)',
    responses: { 200: { description: 'The entries', content: { 'application/json': ref('ledger-show') } }, 404: problem('No ledger yet'), ...COMMON },
  },
  'GET /v1/ledger/export': {
    operationId: 'ledgerExport',
    summary: 'The credit notes of a period (as `ledger export`)',
    responses: {
      200: { description: 'One credit note per issued statement', content: { 'application/json': ref('ledger-export'), 'text/csv': { type: 'string' } } },
      404: problem('No ledger yet'),
      ...COMMON,
    },
  },
  'GET /v1/ledger/pending': {
    operationId: 'ledgerPending',
    summary: 'Adjustments that no statement carries yet (as `ledger pending`), to post or write off',
    description: 'JSON (default) or CSV by `?format=`; the bytes `reseller-credits ledger pending --format json|csv` prints.',
    responses: {
      200: { description: 'The adjustments, oldest first (an empty list when there are none)', content: { 'application/json': ref('service', 'pendingList'), 'text/csv': { type: 'string' } } },
      404: problem('No ledger yet'),
      ...COMMON,
    },
  },
  'GET /v1/ledger/verify': {
    operationId: 'ledgerVerify',
    summary: 'Check the hash chain and recompute every entry (as `ledger verify`)',
    responses: { 200: { description: 'The report: problems, if any, are listed (200 either way)', content: { 'application/json': ref('service', 'verifyReport') } }, 404: problem('No ledger yet'), ...COMMON },
  },
  'GET /v1/ledger/replay/:account/:period': {
    operationId: 'ledgerReplay',
    summary: 'Explain an issued credit again (as `ledger replay`)',
    responses: { 200: { description: 'The explanation as text', content: { 'text/plain': { type: 'string' } } }, 404: problem('No ledger, or nothing issued for this account and period'), ...COMMON },
  },
  'POST /v1/periods/:period/issue': {
    operationId: 'issuePeriod',
    summary: 'Issue a period: record each snapshot\'s credit in the ledger (idempotent with Idempotency-Key)',
    description: 'The body is the period\'s snapshots as NDJSON (read as `reseller-credits issue --period P FILE` reads a file). Requires an Idempotency-Key: the same key with the same body answers the first run\'s answer again, byte for byte (the key and the body\'s sha256 are kept in the run\'s entry in the ledger, and the answer is rebuilt from the ledger); with another body 422; while the first is still running 409. The answer comes after the commit (never 202): the run entry, with the token\'s principal as operator, and the credit entries it wrote. Snapshots with errors are counted in `run.counts.errors`, not recorded (send the same body to evaluate to see them). With `serve --sign-key KEY` every run entry is signed as `issue --sign-key` signs it (SPEC §11): its operator is the key\'s principal and the caller\'s principal is named in its input (`request body from <principal>`); `ledger verify --signers FILE` checks it. With signers configured, or on a ledger that holds a signed run, a server without a key refuses (503 SIGNERS_REQUIRED).',
    body: { required: true, content: { 'application/x-ndjson': NDJSON_IN } },
    responses: {
      200: { description: 'Committed: the run entry and the entries it wrote (Idempotent-Replayed: true on a repeat)', content: { 'application/json': ref('service', 'issueRun') } },
      409: problem('A run with this Idempotency-Key is still running'),
      422: problem('This Idempotency-Key was used with another body'),
      ...WITH_BODY,
    },
  },
  'POST /v1/ledger/export': {
    operationId: 'ledgerVendorExport',
    summary: 'Export a period\'s statements to an invoicing system (as `ledger export --target`), recorded in the ledger',
    description: 'Runs what `reseller-credits ledger export --period P --target T --mapping FILE` runs, with the mapping the server was started with (`--export-mapping FILE`): one record per statement with something to post, recorded in the ledger\'s export record (period, target, entries, the file\'s sha256). A POST because it writes: exporting the same entries to the same target again is refused (409 EXPORT_REPEAT) unless `again=true` (or `onlyNew=true` writes only the others). The answer is the file itself (NDJSON for stripe, killbill and quickbooks; CSV for xero), byte for byte what the CLI writes, with the counts in X-Export-* headers; with `Accept: application/json` it is `service.vendorExport`: the file as text beside the counts and the error records (an account without a mapping, a charge back the target cannot take; the rest are written, as the CLI does with exit 1).',
    responses: {
      200: {
        description: 'The file (or with Accept: application/json, the file, counts and error records)',
        content: { 'application/x-ndjson': { type: 'object', description: 'One line each (stripe and killbill: the request to send, `{ method, path, headers?, idempotencyKey?, body }`; quickbooks: a CreditMemo object); docs/invoicing.md' }, 'text/csv': { type: 'string', description: 'xero: the credit note import CSV' }, 'application/json': ref('service', 'vendorExport') },
        headers: {
          'X-Export-Records': 'Records written', 'X-Export-Zero': 'Statements with net credit 0 left out', 'X-Export-Skipped': 'Statements exported before and left out (onlyNew)',
          'X-Export-Errors': 'Error records (send Accept: application/json to read them)', 'X-Export-Total': 'Net credit of the records written', 'X-Export-Sha256': 'The file\'s sha256, as recorded',
          'X-Export-Number': 'The export\'s number in the ledger\'s record (absent when nothing was written)',
        },
      },
      404: problem('No ledger yet, or a ledger without entries'),
      409: problem('Statements of this period were exported to this target before (EXPORT_REPEAT): nothing was written'),
      ...COMMON,
      503: { ...problem('No --export-mapping, a mapping with errors or without what the target needs (EXPORT_UNMAPPED), a busy ledger; or too much work in progress (BUSY, with Retry-After)'), headers: { 'Retry-After': 'Seconds to wait before retrying (with BUSY)' } },
    },
  },
  'GET /v1/ledger/statements/:account/:period': {
    operationId: 'ledgerStatement',
    summary: 'A reseller\'s statement as issued (as `ledger statement ACCOUNT PERIOD --format F`)',
    description: 'Text, the self-contained HTML page, or the PDF (byte-identical for the same entry), by `?format=` or else Accept (text/html, application/pdf; default text). Branding comes from the server\'s `--branding FILE`.',
    responses: {
      200: { description: 'The statement', content: { 'text/plain': { type: 'string' }, 'text/html': { type: 'string' }, 'application/pdf': { type: 'string', format: 'binary' } } },
      404: problem('No ledger, or nothing issued for this account and period'),
      409: problem('The rule set the entry pins is no longer in the rules folder (RULES_PIN_MISMATCH)'),
      ...COMMON,
    },
  },
  'GET /v1/ledger/evidence/:account/:period': {
    operationId: 'ledgerEvidence',
    summary: 'An auditor\'s evidence bundle for one statement, as a tar or zip archive (the files `ledger evidence` writes)',
    description: 'The bundle under one top folder `evidence-<account>-<period>` (characters other than letters, digits, `.`, `_` and `-` of the account become `_`): entries, snapshots, rule files, lock and log, approvals, signed run records, README and MANIFEST.sha256. Unpack it and run `reseller-credits evidence verify DIR --signers FILE`. `?format=tar|zip`, or else Accept (application/zip); default tar.',
    responses: {
      200: { description: 'The archive (streamed)', content: { 'application/x-tar': { type: 'string', format: 'binary' }, 'application/zip': { type: 'string', format: 'binary' } }, headers: { 'Content-Disposition': 'attachment; filename="evidence-<account>-<period>.tar" (or .zip)' } },
      404: problem('No ledger, or no entry for this account and period'),
      409: problem('A rule file the entries pin is no longer in the rules folder'),
      ...COMMON,
    },
  },
  'GET /health/live': {
    operationId: 'healthLive',
    summary: 'The process answers (no token needed)',
    responses: { 200: { description: 'Alive', content: { 'application/json': ref('service', 'health') } } },
  },
  'GET /health/ready': {
    operationId: 'healthReady',
    summary: 'The rules folder validates and the ledger can be opened (no token needed; re-checked every few seconds)',
    responses: {
      200: { description: 'Ready', content: { 'application/json': ref('service', 'health') } },
      503: { description: 'Not ready: which check failed', content: { 'application/json': ref('service', 'health') } },
    },
  },
  'GET /openapi.json': {
    operationId: 'openApi',
    summary: 'This document (no token needed)',
    responses: { 200: { description: 'The OpenAPI 3.1 document', content: { 'application/json': { type: 'object' } } } },
  },
};
