/**
 * Issue a period over HTTP (SPEC §9, §13): `POST /v1/periods/{period}/issue`
 * with an NDJSON body and an `Idempotency-Key`. The body is spooled to a
 * private temporary file while its sha256 is taken; the key is looked up in
 * the ledger (the run entry that recorded it, with the body's sha256): the
 * same key with the same body answers the first run's answer again, rebuilt
 * from that run's entries (byte for byte: the answer is only ever built from
 * the ledger, after the commit); with another body 422; while the first is
 * still running in this process 409. Otherwise the run issues with the
 * token's principal as its operator and the key and body hash in its run
 * entry, and answers after its commit (never 202). A process killed between
 * the commit and the answer leaves the run entry: the retry finds it.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { RcError } from '../../errors.js';
import type { RunBody } from '../../ledger/entry.js';
import type { Ledger } from '../../ledger/store.js';
import { HttpProblem } from '../problem.js';
import { ruleChoice, type ServiceContext } from '../context.js';
import { ref } from '../schema-store.js';
import { issueRun } from '../issue-run.js';
import { checkRules } from './evaluate.js';
import { approvalPolicy } from '../../compose/approval-policy.js';

/** The key as sent: a bare token, or a quoted string without its quotes. */
export function idempotencyKey(header: string): string {
  return header.startsWith('"') ? header.slice(1, -1) : header;
}

/** The default largest issue body: 1 GiB, about a million snapshots. */
export const ISSUE_BODY_BYTES = 1024 ** 3;

/**
 * Spools `body` to a new private folder's `request.ndjson` (mode 0600);
 * resolves with its path and sha256. Past `maxBytes` nothing more is written
 * (the rest is read and dropped, so the 413 can still be answered) and it
 * rejects with BODY_TOO_LARGE.
 */
async function spool(body: unknown, maxBytes: number): Promise<{ dir: string; file: string; sha256: string; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'rc-issue-'));
  const file = join(dir, 'request.ndjson');
  const hash = createHash('sha256');
  let bytes = 0;
  const source = (typeof body === 'string' ? Readable.from([Buffer.from(body, 'utf8')]) : body as IncomingMessage) as AsyncIterable<Buffer>;
  const out = createWriteStream(file, { mode: 0o600 });
  try {
    for await (const chunk of source) {
      bytes += chunk.length;
      if (bytes > maxBytes) continue;
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await finished(out);
  } catch (err) {
    out.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  if (bytes > maxBytes) {
    rmSync(dir, { recursive: true, force: true });
    throw new HttpProblem('BODY_TOO_LARGE', `an issue body is at most ${maxBytes} bytes (--issue-limit); issue the period in parts: each account is issued once whichever run has it`);
  }
  return { dir, file, sha256: hash.digest('hex'), bytes };
}

/** The answer to an issue run: its run entry and the entries it wrote, as stored (built from the ledger only). */
export function runAnswer(ledger: Ledger, run: { body: RunBody; hash: string; seq: number }): string {
  const entries: string[] = [];
  for (const e of ledger.entries({ period: run.body.period })) if (e.runId === run.body.runId) entries.push(JSON.stringify(e));
  return `{\n  "run": ${JSON.stringify({ ...run.body, hash: run.hash, seq: run.seq })},\n  "entries": [${entries.length ? `\n    ${entries.join(',\n    ')}\n  ` : ''}]\n}\n`;
}

/** The same key's earlier run: its answer, or 422 when it was another body. */
function repeat(ledger: Ledger, key: string, sha256: string): string | undefined {
  const prior = ledger.runByIdempotencyKey(key);
  if (!prior) return undefined;
  if (prior.body.requestSha256 !== sha256) {
    throw new HttpProblem('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${JSON.stringify(key)} was used for run ${prior.body.runId} with another body; use a new key for a new run`);
  }
  return runAnswer(ledger, prior);
}

/**
 * No unsigned run where runs must be signed (SPEC §11): with signers
 * configured, or on a ledger that already holds a signed run, a server
 * without `--sign-key` refuses to issue (503: the operator must configure it).
 */
function refuseUnsigned(ctx: ServiceContext, ledger: Ledger): void {
  if (ctx.options.sign) return;
  const why = approvalPolicy() ? 'signers are configured (--signers)' : ledger.hasSignedRun() ? 'this ledger\'s runs are signed' : undefined;
  if (why) throw new HttpProblem('UNAVAILABLE', `${why}: the server issues only signed runs; start it with --sign-key KEY (a key with the reseller-credits-issue role)`, { code: 'SIGNERS_REQUIRED' });
}

/** Registers `POST /v1/periods/{period}/issue`. */
export async function issuePlugin(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const running = new Set<string>();

  app.post('/v1/periods/:period/issue', {
    config: { role: 'issue' },
    schema: { params: { $ref: ref('service', 'periodParams') }, headers: { $ref: ref('service', 'idempotencyHeaders') } },
  }, async (request, reply) => {
    const { period } = request.params as { period: string };
    const key = idempotencyKey(request.headers['idempotency-key'] as string);
    if (typeof request.body === 'string') { // JSON or YAML: the run reads its snapshots as NDJSON
      throw new HttpProblem('UNSUPPORTED_MEDIA_TYPE', 'send the period\'s snapshots as application/x-ndjson');
    }
    if (running.has(key)) {
      throw new HttpProblem('IDEMPOTENCY_KEY_IN_USE', `a run with Idempotency-Key ${JSON.stringify(key)} is still running; retry when it has answered`, { headers: { 'retry-after': '1' } });
    }
    running.add(key);
    let spooled: Awaited<ReturnType<typeof spool>> | undefined;
    try {
      spooled = await spool(request.body, ctx.options.issueBodyBytes ?? ISSUE_BODY_BYTES);
      const { Ledger } = await import('../../ledger/store.js');
      let ledger: Ledger;
      try {
        ledger = Ledger.open(ctx.options.ledger);
      } catch (err) {
        if (err instanceof RcError) throw new HttpProblem('UNAVAILABLE', err.message, { code: err.code });
        throw err;
      }
      try {
        const again = repeat(ledger, key, spooled.sha256);
        if (again !== undefined) return reply.type('application/json').header('idempotent-replayed', 'true').send(again);
        refuseUnsigned(ctx, ledger);
        const repo = ctx.rules.current();
        checkRules(repo);
        await issueRun(ledger, ctx, {
          period, file: spooled.file, sha256: spooled.sha256, key, operator: request.principal ?? 'local', choice: ruleChoice(repo),
        }).catch((err: unknown) => {
          // another process's run with this key committed first (the key is unique in the ledger)
          if (ledger.runByIdempotencyKey(key)) return;
          // the server's key could not sign (or signed for a principal the verifier does not trust): rolled back, the operator's to fix
          if (err instanceof RcError && (err.code === 'SIGN_FAILED' || err.code === 'SIGNATURE_INVALID')) {
            throw new HttpProblem('UNAVAILABLE', `the run could not be signed, nothing was recorded: ${err.message.replaceAll(ctx.options.sign?.key ?? '\0', '<key>')}`, { code: err.code });
          }
          throw err;
        });
        const answer = repeat(ledger, key, spooled.sha256);
        if (answer === undefined) throw new Error(`internal: the run with Idempotency-Key ${key} committed no run entry`);
        return reply.type('application/json').send(answer);
      } finally {
        ledger.close();
      }
    } finally {
      running.delete(key);
      if (spooled) rmSync(spooled.dir, { recursive: true, force: true });
    }
  });
}
