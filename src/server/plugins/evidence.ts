/**
 * An auditor's evidence bundle over HTTP (SPEC §11, §13; role `read`):
 * `GET /v1/ledger/evidence/{account}/{period}` writes the bundle `ledger
 * evidence` writes (the same files: ledger/evidence-input.ts and
 * writeEvidence) into a private temporary folder and streams it as a tar or
 * zip archive (archiver), under one top folder `evidence-<account>-<period>`,
 * so `evidence verify` runs on the unpacked folder. The folder is removed
 * once the answer is sent or the client goes away.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RcError } from '../../errors.js';
import { HttpProblem } from '../problem.js';
import type { ServiceContext } from '../context.js';
import { ref } from '../schema-store.js';
import { withLedger } from './ledger.js';
import { readProblem } from './statements.js';

type ArchiveFormat = 'tar' | 'zip';
const TYPES: Readonly<Record<ArchiveFormat, string>> = { tar: 'application/x-tar', zip: 'application/zip' };

/** The archive asked for: `?format=`, else zip when Accept names it first, else tar. */
function archiveFormat(request: FastifyRequest, given?: ArchiveFormat): ArchiveFormat {
  if (given) return given;
  for (const t of (request.headers.accept ?? '').split(',').map((x) => x.split(';')[0]!.trim().toLowerCase())) {
    if (t === 'application/zip') return 'zip';
    if (t === 'application/x-tar') return 'tar';
  }
  return 'tar';
}

/** The bundle's top folder: the account and period, with anything but [A-Za-z0-9._-] as `_`. */
export function bundleName(account: string, period: string): string {
  return `evidence-${account.replace(/[^A-Za-z0-9._-]/g, '_')}-${period}`;
}

/** Registers `GET /v1/ledger/evidence/:account/:period`. */
export async function evidencePlugin(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;

  app.get('/v1/ledger/evidence/:account/:period', {
    config: { role: 'read' },
    schema: { params: { $ref: ref('service', 'replayParams') }, querystring: { $ref: ref('service', 'evidenceQuery') } },
  }, async (request, reply) => {
    const p = request.params as { account: string; period: string };
    const format = archiveFormat(request, (request.query as { format?: ArchiveFormat }).format);
    const [{ evidenceInput }, { writeEvidence }] = await Promise.all([import('../../ledger/evidence-input.js'), import('../../ledger/evidence.js')]);
    const tmp = mkdtempSync(join(tmpdir(), 'rc-evidence-'));
    const dir = join(tmp, 'bundle');
    const cleanup = () => rmSync(tmp, { recursive: true, force: true });
    try {
      await withLedger(ctx, (l) => {
        const input = evidenceInput(l, p.account, p.period, ctx.options.rulesDir);
        if (!input) throw new HttpProblem('NOT_FOUND', `no entry for ${p.account} in ${p.period}`, { code: 'LEDGER_NOT_FOUND' });
        try {
          writeEvidence(input, dir);
        } catch (err) {
          if (err instanceof RcError) throw readProblem(err);
          // a rule file the entries pin is gone from the rules folder (ENOENT): the bundle cannot be whole
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new HttpProblem('CONFLICT', `the bundle cannot be made: ${(err as Error).message.replace(ctx.options.rulesDir, '<rules>')}`, { code: 'RULES_PIN_MISMATCH' });
          throw err;
        }
      });
    } catch (err) {
      cleanup();
      throw err;
    }
    const { TarArchive, ZipArchive } = await import('archiver');
    const archive = format === 'zip' ? new ZipArchive({ zlib: { level: 9 } }) : new TarArchive();
    const name = bundleName(p.account, p.period);
    archive.on('warning', (err) => request.log.warn({ err }, 'evidence archive'));
    archive.on('error', (err) => { request.log.error({ err }, 'evidence archive failed'); reply.raw.destroy(err); });
    archive.on('end', cleanup);
    reply.raw.once('close', cleanup);
    archive.directory(dir, name);
    void archive.finalize();
    return reply.type(TYPES[format]).header('content-disposition', `attachment; filename="${name}.${format}"`).send(archive);
  });
}
