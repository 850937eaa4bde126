/**
 * Ledger reads (SPEC §13, role `read`): entries, the credit notes of a period
 * (JSON or CSV), pending adjustments, verify, replay. The ledger is opened read-only for each
 * request (never migrated), as `reseller-credits ledger` does; each answer is
 * what that command prints, from the same report functions.
 */
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { RcError } from '../../errors.js';
import type { Ledger } from '../../ledger/store.js';
import { HttpProblem } from '../problem.js';
import type { ServiceContext } from '../context.js';
import { ref } from '../schema-store.js';

/** Runs `fn` on the ledger opened read-only (`writable`: for a write that is not a run, a vendor export's record); a missing ledger is 404, an unusable one 503. */
export async function withLedger<T>(ctx: ServiceContext, fn: (l: Ledger) => Promise<T> | T, writable = false): Promise<T> {
  const file = ctx.options.ledger;
  if (!existsSync(file)) throw new HttpProblem('NOT_FOUND', 'there is no ledger yet (nothing was issued)', { code: 'LEDGER_NOT_FOUND' });
  const { Ledger } = await import('../../ledger/store.js');
  let ledger: Ledger;
  try {
    ledger = Ledger.open(file, { readonly: !writable });
  } catch (err) {
    if (err instanceof RcError) throw new HttpProblem('UNAVAILABLE', err.message, { code: err.code });
    throw err;
  }
  try {
    return await fn(ledger);
  } finally {
    ledger.close();
  }
}

/** A JSON array written as `ledger show --format json` writes it: one compact element per line. */
function jsonLines(items: Iterable<unknown>): string {
  let out = '[';
  let n = 0;
  for (const it of items) out += `${n++ ? ',' : ''}\n  ${JSON.stringify(it)}`;
  return out + (n ? '\n]\n' : ']\n');
}

/** Registers the ledger endpoints. */
export async function ledgerPlugin(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;

  app.get('/v1/ledger/entries', {
    config: { role: 'read' },
    schema: { querystring: { $ref: ref('service', 'entriesQuery') } },
  }, async (request, reply) => {
    const q = request.query as { account?: string; period?: string };
    const text = await withLedger(ctx, (l) => jsonLines(l.entries({ account: q.account, period: q.period })));
    return reply.type('application/json').send(text);
  });

  app.get('/v1/ledger/export', {
    config: { role: 'read' },
    schema: { querystring: { $ref: ref('service', 'exportQuery') } },
  }, async (request, reply) => {
    const q = request.query as { period: string; format?: 'json' | 'csv' };
    const { creditNote, exportCsvHeader, exportCsvRow } = await import('../../ledger/render.js');
    const notes = await withLedger(ctx, (l) => [...l.entries({ period: q.period, kind: 'issue' })].map(creditNote));
    if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(exportCsvHeader() + notes.map(exportCsvRow).join(''));
    return reply.type('application/json').send(jsonLines(notes));
  });

  app.get('/v1/ledger/pending', {
    config: { role: 'read' },
    schema: { querystring: { $ref: ref('service', 'pendingQuery') } },
  }, async (request, reply) => {
    const q = request.query as { format?: 'json' | 'csv' };
    const { pendingAdjustments, pendingCsv } = await import('../../ledger/pending.js');
    const list = await withLedger(ctx, (l) => pendingAdjustments(l));
    if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(pendingCsv(list));
    return reply.type('application/json').send(`${JSON.stringify(list, null, 2)}\n`); // as `ledger pending --format json`
  });

  app.get('/v1/ledger/verify', {
    config: { role: 'read' },
    schema: { querystring: { $ref: ref('service', 'verifyQuery') } },
  }, async (request, reply) => {
    const q = request.query as { head?: string };
    const { verifyLedger } = await import('../../ledger/verify.js');
    const report = await withLedger(ctx, (l) => verifyLedger(l, ctx.rules.current(), ctx.options.limits, { head: q.head }));
    const body = { head: report.head, entries: report.entries, problems: report.problems };
    return reply.type('application/json').send(`${JSON.stringify(body, null, 2)}\n`);
  });

  app.get('/v1/ledger/replay/:account/:period', {
    config: { role: 'read' },
    schema: { params: { $ref: ref('service', 'replayParams') } },
  }, async (request, reply) => {
    const p = request.params as { account: string; period: string };
    const { replayText } = await import('../../ledger/replay.js');
    try {
      const text = await withLedger(ctx, (l) => replayText(l, ctx.rules.current(), p.account, p.period, ctx.options.limits));
      return reply.type('text/plain; charset=utf-8').send(`${text}\n`);
    } catch (err) {
      if (err instanceof RcError && err.code === 'LEDGER_NOT_FOUND') throw new HttpProblem('NOT_FOUND', err.message, { code: err.code });
      throw err;
    }
  });
}
