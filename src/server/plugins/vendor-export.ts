/**
 * Vendor exports over HTTP (SPEC §12, §13; role `read`):
 * `POST /v1/ledger/export?period=P&target=T` runs what `ledger export
 * --period P --target T` runs (exports/vendor-export.ts): the same file,
 * the same sha256, recorded in the ledger the same way, the same refusals.
 * It is a POST because it writes: each export is recorded, and a repeat is
 * refused (409) without `again=true` — a GET that a proxy or a prefetch
 * repeats must not use up an export.
 *
 * The mapping is the operator's (`serve --export-mapping FILE`, read at each
 * export): it decides which customer a credit is posted to, so a caller
 * cannot bring its own. The answer is the file itself (NDJSON for stripe,
 * killbill and quickbooks; Xero's CSV) with the counts in `X-Export-*`
 * headers, or with `Accept: application/json` the file as text beside the
 * counts and the error records (`service.vendorExport`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RcError } from '../../errors.js';
import { errorRecord } from '../../model/records.js';
import type { TargetName } from '../../exports/types.js';
import { HttpProblem } from '../problem.js';
import type { ServiceContext } from '../context.js';
import { ref } from '../schema-store.js';
import { withLedger } from './ledger.js';

/** The media type of each target's file. */
export const TARGET_TYPES: Readonly<Record<TargetName, string>> = {
  stripe: 'application/x-ndjson', killbill: 'application/x-ndjson', quickbooks: 'application/x-ndjson', xero: 'text/csv',
};

/** Whether the caller asked for the JSON answer (`application/json` named in Accept). */
export function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').split(',').some((t) => t.split(';')[0]!.trim().toLowerCase() === 'application/json');
}

/** The problem for what the CLI refuses with exit 2. */
function refusal(err: RcError): HttpProblem {
  // the server's file paths are the operator's business: the record keeps the code and message only
  const errors = [{ code: err.code, message: err.message }];
  switch (err.code) {
    case 'LEDGER_NOT_FOUND': return new HttpProblem('NOT_FOUND', err.message, { code: err.code, errors });
    case 'EXPORT_REPEAT': {
      const detail = err.message.replace(/Use --again .*$/, 'Send again=true to write them anyway, or onlyNew=true to write only the others');
      return new HttpProblem('CONFLICT', detail, { code: err.code, errors: [{ code: err.code, message: detail }] });
    }
    case 'EXPORT_UNMAPPED': // the operator's mapping lacks what the target needs (xero's account code, quickbooks' item)
    default: return new HttpProblem('UNAVAILABLE', err.message, { code: err.code, errors });
  }
}

/** Registers `POST /v1/ledger/export`. */
export async function vendorExportPlugin(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;

  app.post('/v1/ledger/export', {
    config: { role: 'read' },
    schema: { querystring: { $ref: ref('service', 'vendorExportQuery') } },
  }, async (request, reply) => {
    const q = request.query as { period: string; target: TargetName; includeZero?: string; again?: string; onlyNew?: string };
    const file = ctx.options.exportMapping;
    if (file === undefined) {
      throw new HttpProblem('UNAVAILABLE', `vendor exports need the server started with --export-mapping FILE (schemas/mapping.schema.json): the account ids in ${q.target}`, { code: 'EXPORT_UNMAPPED' });
    }
    const [{ readMapping, MappingErrors }, { runVendorExport }] = await Promise.all([import('../../exports/mapping.js'), import('../../exports/vendor-export.js')]);
    let mapping;
    try {
      mapping = readMapping(file);
    } catch (err) {
      if (err instanceof MappingErrors) {
        throw new HttpProblem('UNAVAILABLE', `the server's export mapping has errors: ${err.errors[0]?.message ?? ''}`, { code: err.errors[0]?.code ?? 'EXPORT_UNMAPPED', errors: err.errors.map((e) => { const { file: _file, ...rest } = e.toJSON(); return rest; }) });
      }
      throw err;
    }
    const done = await withLedger(ctx, (l) => {
      try {
        return runVendorExport(l, {
          period: q.period, target: q.target, mapping, includeZero: q.includeZero === 'true', again: q.again === 'true', onlyNew: q.onlyNew === 'true',
          recordedAt: new Date().toISOString(),
        });
      } catch (err) {
        if (err instanceof RcError) throw refusal(err);
        throw err;
      }
    }, true);
    request.log.info({ target: q.target, period: q.period, records: done.records, errors: done.errors.length, export: done.exportNo, sha256: done.sha256 }, 'vendor export');
    void reply.headers({
      'x-export-records': String(done.records), 'x-export-zero': String(done.zero), 'x-export-skipped': String(done.skipped),
      'x-export-errors': String(done.errors.length), 'x-export-total': done.total, 'x-export-sha256': done.sha256,
      ...(done.exportNo === undefined ? {} : { 'x-export-number': String(done.exportNo) }),
    });
    if (wantsJson(request)) {
      return reply.type('application/json').send(`${JSON.stringify({
        period: q.period, target: q.target, records: done.records, zero: done.zero, skipped: done.skipped, total: done.total,
        sha256: done.sha256, export: done.exportNo ?? null, errors: done.errors.map((e) => errorRecord([e], undefined, q.period)), content: done.text,
      }, null, 2)}\n`);
    }
    return reply.type(`${TARGET_TYPES[q.target]}; charset=utf-8`).send(done.text);
  });
}
