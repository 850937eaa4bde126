/**
 * Evaluate and what-if (SPEC §13): one snapshot or a JSON array
 * (`application/json`), or NDJSON in → NDJSON out (`application/x-ndjson`,
 * streamed: result lines are written while the body is still arriving). The
 * body goes through the CLI's own reader and run engine (`evaluatePortfolio`
 * reading it as standard input) and the answer is the bytes the CLI prints.
 * A batch answers 200 with error records in place; a single snapshot with
 * errors is a problem document (422, or 400 for a JSON syntax error).
 */
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { evaluatePortfolio } from '../../run/evaluate.js';
import { whatIfPortfolio } from '../../whatif/run-whatif.js';
import { createWhatIfWriter } from '../../whatif/render.js';
import { NoRuleSetError, resolveRuleSet } from '../../compose/resolve-rule-set.js';
import { evaluateRecord } from '../../run/record.js';
import type { ErrorRecord } from '../../model/records.js';
import { STDIN_NAME } from '../../read/portfolio.js';
import { createWriter } from '../../report/formats.js';
import type { RuleRepository } from '../../compose/rules-dir.js';
import { HttpProblem } from '../problem.js';
import { NDJSON_TYPE } from '../body.js';
import { ruleChoice, type ServiceContext } from '../context.js';
import { ref } from '../schema-store.js';
import { programVersion } from '../../ledger/version.js';
import { prefersNdjson } from '../accept.js';

/** The body as the run engine's standard input: the text of a JSON body, or the NDJSON stream itself. */
function bodySource(body: unknown): () => AsyncIterable<Uint8Array> {
  if (body === undefined || body === null) return () => Readable.from([]);
  if (typeof body === 'string') return () => Readable.from([Buffer.from(body, 'utf8')]);
  return () => body as IncomingMessage;
}

/** Refuses a YAML body where snapshots are expected (JSON or NDJSON only). */
function snapshotsOnly(request: FastifyRequest): void {
  if (/yaml/i.test(request.headers['content-type'] ?? '')) {
    throw new HttpProblem('UNSUPPORTED_MEDIA_TYPE', 'send snapshots as application/json (one, or an array) or application/x-ndjson');
  }
}

/** Whether the body is NDJSON (streamed) rather than a JSON text. */
const isNdjson = (request: FastifyRequest) => request.body !== undefined && typeof request.body !== 'string';

/** A problem when the folder has no usable published rule set, or `id` names none. */
export function checkRules(repo: RuleRepository, id?: string): void {
  try {
    if (id !== undefined) resolveRuleSet(repo, id);
    else if (!repo.ruleSets.some((r) => r.status === 'published')) {
      throw new HttpProblem('UNAVAILABLE', `no usable published rule set in the rules folder`, { errors: repo.errors.map((e) => e.toJSON()), code: 'NO_RULE_SET' });
    }
  } catch (err) {
    if (err instanceof NoRuleSetError) throw new HttpProblem('INVALID_CONTENT', err.errors[0]?.message ?? 'no such rule set', { errors: err.errors.map((e) => e.toJSON()), code: err.errors[0]?.code ?? 'UNKNOWN_RULE_SET' });
    throw err;
  }
}

/** The problem for a lone snapshot that could not be evaluated: its error record's errors. */
function singleProblem(rec: ErrorRecord): HttpProblem {
  const errors = rec.errors ?? [rec.error];
  const code = rec.error.code;
  return new HttpProblem(code === 'JSON_SYNTAX' ? 'JSON_SYNTAX' : 'INVALID_CONTENT', rec.error.message, { errors, code });
}

/** Writes streamed output to the response, honouring backpressure. */
function streamWriter(reply: FastifyReply, type: string): (text: string | Uint8Array) => Promise<void> {
  let started = false;
  return async (chunk) => {
    if (!chunk.length) return;
    const raw = reply.raw;
    if (!started) {
      started = true;
      reply.hijack();
      raw.writeHead(200, { 'content-type': type, 'x-request-id': String(reply.request.id) });
    }
    if (!raw.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => { raw.off('drain', done); raw.off('close', done); resolve(); };
        raw.on('drain', done).on('close', done);
      });
    }
  };
}

/** Registers `POST /v1/evaluate` and `POST /v1/whatif`. */
export async function evaluatePlugin(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const decision = programVersion(); // every result carries its decisionId (SPEC §13, run/decision.ts)

  app.post('/v1/evaluate', {
    config: { role: 'evaluate' },
    schema: { querystring: { $ref: ref('service', 'evaluateQuery') } },
  }, async (request, reply) => {
    snapshotsOnly(request);
    const q = request.query as { trace?: string; rules?: string };
    const repo = await ctx.rules.fresh(); // once per request: the run's view of the folder
    checkRules(repo, q.rules);
    const trace = q.trace === 'true';
    if (ctx.options.evaluator && typeof request.body === 'string') {
      return reply.type('application/json').send(ctx.options.evaluator(request.body));
    }
    if (isNdjson(request)) {
      const write = streamWriter(reply, NDJSON_TYPE);
      await evaluatePortfolio(['-'], {
        rules: { rulesDir: ctx.options.rulesDir, ref: q.rules }, choice: ruleChoice(repo, q.rules), format: 'ndjson', trace, decision, limits: ctx.options.limits, inputFormat: 'ndjson',
        stdin: bodySource(request.body), jobs: ctx.options.jobs, runner: ctx.pool, write, writeBytes: write,
        refusals: 'appended', // result lines leave while the body is read (SPEC §13); refusals follow the last one
      });
      if (!reply.sent) { reply.hijack(); reply.raw.writeHead(200, { 'content-type': NDJSON_TYPE }); } // nothing written: empty body
      reply.raw.end();
      return reply;
    }
    const text = (request.body as string | undefined) ?? '';
    // `Accept: application/x-ndjson`: the CLI's `--format ndjson` lines instead of its `--format json` bytes
    const format = prefersNdjson(request.headers.accept) ? 'ndjson' : 'json';
    const type = format === 'ndjson' ? NDJSON_TYPE : 'application/json';
    void reply.header('vary', 'Accept');
    if (!/^[ \t\r\n]*\[/.test(text)) {
      // one snapshot: the record the CLI reads from a JSON file or standard input, evaluated
      // and written as `evaluate --format json` writes one record, without the portfolio stream
      const choice = ruleChoice(repo, q.rules);
      const raw = { seq: 0, file: STDIN_NAME, line: 1, column: 1, text, format: 'json' as const };
      const r = await evaluateRecord(raw, choice, ctx.options.limits, { trace, lines: true, decision });
      if (!r.ok) throw singleProblem(r.error);
      const writer = createWriter(format, { trace });
      return reply.type(type).send(writer.record(r) + writer.end());
    }
    let out = '';
    await evaluatePortfolio(['-'], {
      rules: { rulesDir: ctx.options.rulesDir, ref: q.rules }, choice: ruleChoice(repo, q.rules), format, trace, decision, limits: ctx.options.limits, inputFormat: 'json',
      stdin: bodySource(text), jobs: 1, runner: ctx.inline, write: (t) => { out += t; },
    });
    return reply.type(type).send(out);
  });

  app.post('/v1/whatif', {
    config: { role: 'evaluate' },
    schema: { querystring: { $ref: ref('service', 'whatIfQuery') } },
  }, async (request, reply) => {
    snapshotsOnly(request);
    const q = request.query as { baseline: string; candidate: string };
    const repo = await ctx.rules.fresh();
    checkRules(repo, q.baseline);
    checkRules(repo, q.candidate);
    const baseline = resolveRuleSet(repo, q.baseline);
    const candidate = resolveRuleSet(repo, q.candidate);
    const writer = createWhatIfWriter('json', baseline, candidate);
    const ndjson = isNdjson(request);
    let out = '';
    const write = ndjson ? streamWriter(reply, 'application/json') : async (t: string) => { out += t; };
    await write(writer.start());
    const tally = await whatIfPortfolio(['-'], {
      rulesDir: ctx.options.rulesDir, baseline, candidate, limits: ctx.options.limits,
      inputFormat: ndjson ? 'ndjson' : 'json', stdin: bodySource(request.body), jobs: 1,
      minScale: Math.max(baseline.rounding.scale, candidate.rounding.scale),
      onRow: (r) => write(writer.row(r)),
    });
    await write(writer.end(tally));
    if (ndjson) { reply.raw.end(); return reply; }
    return reply.type('application/json').send(out);
  });
}

