/**
 * RFC 9457 problem documents: every error the service answers with, in one
 * shape (`application/problem+json`), with the program's error records in
 * `errors` when the request's content had errors. One `setErrorHandler`
 * (`installProblemHandler`) turns whatever a route threw into one.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RcError, RcErrors, type ErrorRecordBody } from '../errors.js';

/** Where the problem types live: `type` is this plus the code in kebab case. */
export const PROBLEM_BASE = 'https://reseller-credits.dev/problems/';

/** The HTTP problems the service itself names (the program's codes come from `RcError`). */
export const PROBLEMS = Object.freeze({
  BAD_REQUEST: { status: 400, title: 'The request is malformed' },
  JSON_SYNTAX: { status: 400, title: 'The body is not valid JSON' },
  ENCODING: { status: 400, title: 'The body is not valid UTF-8' },
  IDEMPOTENCY_KEY_MISSING: { status: 400, title: 'An Idempotency-Key header is required' },
  UNAUTHORIZED: { status: 401, title: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, title: 'The token lacks the role this endpoint needs' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  REQUEST_TIMEOUT: { status: 408, title: 'The body did not arrive in time' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, title: 'A request with this Idempotency-Key is still running' },
  CONFLICT: { status: 409, title: 'The request conflicts with what the ledger or the rules folder holds' },
  BODY_TOO_LARGE: { status: 413, title: 'The body is larger than the limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Content-Type' },
  INVALID_CONTENT: { status: 422, title: 'The content has errors' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'This Idempotency-Key was used with another body' },
  BUSY: { status: 503, title: 'Too much work in progress; retry later' },
  UNAVAILABLE: { status: 503, title: 'The service cannot answer this now' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const);

/** An error record in a problem's `errors`: the program's, or one about the request (code SCHEMA). */
export type ProblemError = ErrorRecordBody | { code: string; message: string; path?: string };

/** A code of `PROBLEMS`. */
export type ProblemCode = keyof typeof PROBLEMS;

/** An answer other than success: thrown by routes and hooks, written by the error handler. */
export class HttpProblem extends Error {
  readonly status: number;
  /** The kind of problem (its title); `code` may be more specific (the program's error code). */
  readonly kind: ProblemCode;
  readonly code: string;
  readonly errors?: ProblemError[];
  readonly headers: Record<string, string>;
  constructor(code: ProblemCode, detail: string, opts: { errors?: ProblemError[]; headers?: Record<string, string>; status?: number; code?: string } = {}) {
    super(detail);
    this.name = 'HttpProblem';
    this.kind = code;
    this.status = opts.status ?? PROBLEMS[code].status;
    this.code = opts.code ?? code;
    this.errors = opts.errors;
    this.headers = opts.headers ?? {};
  }
}

/** The problem of content with errors (a snapshot, a rule file): 422, headed by the first error's code. */
export function contentProblem(errors: readonly RcError[], detail?: string): HttpProblem {
  const first = errors[0];
  return new HttpProblem('INVALID_CONTENT', detail ?? first?.message ?? 'the content has errors',
    { errors: errors.map((e) => e.toJSON()), code: first?.code ?? 'INVALID_CONTENT' });
}

const kebab = (code: string) => code.toLowerCase().replace(/_/g, '-');

/** The problem document's text for `p`, at `instance`. */
export function problemBody(p: HttpProblem, instance: string, requestId: string): string {
  const title = PROBLEMS[p.kind].title;
  return `${JSON.stringify({
    type: `${PROBLEM_BASE}${kebab(p.kind)}`,
    title,
    status: p.status,
    detail: p.message,
    instance,
    code: p.code,
    requestId,
    ...(p.errors?.length ? { errors: p.errors } : {}),
  })}\n`;
}

/** Sends `p` as the answer to `request`. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, p: HttpProblem): FastifyReply {
  for (const [k, v] of Object.entries(p.headers)) void reply.header(k, v);
  return reply.code(p.status).type('application/problem+json').send(problemBody(p, request.url.split('?')[0]!, String(request.id)));
}

/** What Fastify's own errors and the program's errors become. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof RcErrors) return contentProblem(err.errors);
  if (err instanceof RcError) return contentProblem([err]);
  const fe = err as FastifyError & { validation?: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[]; validationContext?: string };
  if (fe?.validation) {
    const where = fe.validationContext ?? 'request';
    const errors = fe.validation.map((v) => {
      const name = typeof v.params.additionalProperty === 'string' ? `/${v.params.additionalProperty}`
        : typeof v.params.missingProperty === 'string' ? `/${v.params.missingProperty}` : '';
      const path = `${where}${(v.instancePath + name).replace(/\//g, '.')}`;
      const what = v.keyword === 'additionalProperties' ? 'is not a known parameter' : v.message ?? v.keyword;
      return { code: 'SCHEMA', message: `${path}: ${what}`, path };
    });
    if (where === 'headers' && fe.validation.some((v) => v.params.missingProperty === 'idempotency-key')) {
      return new HttpProblem('IDEMPOTENCY_KEY_MISSING', 'send an Idempotency-Key header (a token or a quoted string of at most 255 characters): a retry with the same key cannot issue twice', { errors });
    }
    return new HttpProblem('BAD_REQUEST', errors.map((e) => e.message).join('; '), { errors });
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new HttpProblem('BODY_TOO_LARGE', fe.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new HttpProblem('UNSUPPORTED_MEDIA_TYPE', fe.message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_TYPE':
    case 'FST_ERR_CTP_EMPTY_TYPE': return new HttpProblem('BAD_REQUEST', fe.message);
    default: break;
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new HttpProblem('BAD_REQUEST', fe.message, { status: fe.statusCode, code: fe.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST' });
  }
  return new HttpProblem('INTERNAL', 'internal error (see the server log for this request id)');
}

/** The one error handler (and the not-found handler) of the service. */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const p = toProblem(err);
    if (p.status >= 500 && p.code === 'INTERNAL') request.log.error({ err }, 'request failed');
    if (reply.sent || reply.raw.headersSent) { // a stream already answering: nothing more can be said
      reply.raw.destroy();
      return reply;
    }
    return sendProblem(request, reply, p);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(request, reply,
    new HttpProblem('NOT_FOUND', `no endpoint ${request.method} ${request.url.split('?')[0]}`)));
}
