/**
 * A reseller's statement over HTTP (SPEC §12, §13; role `read`):
 * `GET /v1/ledger/statements/{account}/{period}` answers what `ledger
 * statement ACCOUNT PERIOD --format F` writes — text, the self-contained
 * HTML page, or the byte-identical PDF (statements/render.ts) — chosen by
 * `?format=` or else by Accept. Branding is the operator's
 * (`serve --branding FILE`, read at each request). An account-period with
 * nothing issued is 404; a pinned rule set no longer in the rules folder 409.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RcError } from '../../errors.js';
import type { StatementFormat } from '../../statements/render.js';
import { HttpProblem } from '../problem.js';
import type { ServiceContext } from '../context.js';
import { ref } from '../schema-store.js';
import { withLedger } from './ledger.js';

const TYPES: Readonly<Record<StatementFormat, string>> = {
  text: 'text/plain; charset=utf-8', html: 'text/html; charset=utf-8', pdf: 'application/pdf',
};

/** The format asked for: `?format=`, else the first of Accept's types that is one, else text. */
export function statementFormat(request: FastifyRequest, given?: StatementFormat): StatementFormat {
  if (given) return given;
  for (const t of (request.headers.accept ?? '').split(',').map((x) => x.split(';')[0]!.trim().toLowerCase())) {
    if (t === 'application/pdf') return 'pdf';
    if (t === 'text/html') return 'html';
    if (t === 'text/plain') return 'text';
  }
  return 'text';
}

/** The problem for an RcError of a statement or an evidence bundle. */
export function readProblem(err: RcError): HttpProblem {
  const errors = [{ code: err.code, message: err.message }]; // without the server's file paths
  if (err.code === 'LEDGER_NOT_FOUND') return new HttpProblem('NOT_FOUND', err.message, { code: err.code, errors });
  if (err.code === 'RULES_PIN_MISMATCH') return new HttpProblem('CONFLICT', err.message, { code: err.code, errors });
  return new HttpProblem('UNAVAILABLE', err.message, { code: err.code, errors });
}

/** Registers `GET /v1/ledger/statements/:account/:period`. */
export async function statementsPlugin(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;

  app.get('/v1/ledger/statements/:account/:period', {
    config: { role: 'read' },
    schema: { params: { $ref: ref('service', 'replayParams') }, querystring: { $ref: ref('service', 'statementQuery') } },
  }, async (request, reply) => {
    const p = request.params as { account: string; period: string };
    const format = statementFormat(request, (request.query as { format?: StatementFormat }).format);
    const [{ statementOf }, { renderStatement }, { readBranding }] = await Promise.all([
      import('../../statements/load.js'), import('../../statements/render.js'), import('../../statements/branding.js')]);
    const body = await withLedger(ctx, async (l) => {
      try {
        const b = ctx.options.branding ? readBranding(ctx.options.branding) : {};
        const v = await statementOf(l, ctx.rules.current(), p.account, p.period, ctx.options.limits);
        return await renderStatement(format, v, b);
      } catch (err) {
        if (err instanceof RcError) throw readProblem(err);
        throw err;
      }
    });
    return reply.type(TYPES[format]).header('vary', 'accept').send(body);
  });
}
