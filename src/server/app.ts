/**
 * The service (SPEC §13) as a Fastify 5 instance: the project's JSON Schemas
 * added once by `$id` and compiled with its own Ajv2020 (Fastify's default
 * AJV is draft-07), one error handler writing RFC 9457 problem documents,
 * tokens and roles checked before any work, a bound on concurrent work, a
 * plugin per area, and the OpenAPI document assembled from `schemas/` and
 * the routes once they are all registered. `onClose` closes the worker pool.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { createRunner } from '../run/pool.js';
import { programVersion } from '../ledger/version.js';
import { installBodyParsers } from './body.js';
import { HttpProblem, installProblemHandler } from './problem.js';
import { createAjv, schemaFiles, type SchemaAjv } from './schema-store.js';
import { bearerToken, hasRole, type Role } from './tokens.js';
import { buildOpenApi, type RouteInfo } from './openapi.js';
import { RulesCache } from './rules-cache.js';
import type { ServiceContext, ServiceOptions } from './context.js';
import { evaluatePlugin } from './plugins/evaluate.js';
import { rulesPlugin } from './plugins/rules.js';
import { reviewPlugin } from './plugins/review.js';
import { ledgerPlugin } from './plugins/ledger.js';
import { issuePlugin } from './plugins/issue.js';
import { healthPlugin } from './plugins/health.js';
import { vendorExportPlugin } from './plugins/vendor-export.js';
import { statementsPlugin } from './plugins/statements.js';
import { evidencePlugin } from './plugins/evidence.js';

declare module 'fastify' {
  interface FastifyContextConfig { role?: Role | null }
  interface FastifyRequest { principal?: string }
}

/** A built server: the Fastify instance, what its routes share, and its OpenAPI document. */
export interface Service { app: FastifyInstance; ctx: ServiceContext; openapi: () => Record<string, unknown> }

/** Builds the service; `listen` is the caller's (see `startService`). */
export async function buildServer(options: ServiceOptions, logger: FastifyServerOptions['logger'] = false): Promise<Service> {
  const app = Fastify({
    logger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: false,
    connectionTimeout: Math.max(60_000, options.body.timeoutMs * 2),
    requestTimeout: 0, // NDJSON bodies may take long; JSON bodies have their own limit (body.ts)
    forceCloseConnections: 'idle',
  });
  const ctx: ServiceContext = {
    options,
    rules: new RulesCache(options.rulesDir),
    inline: createRunner(1),
    pool: createRunner(options.jobs),
    busy: 0,
  };
  let closing = false;

  // the schemas, added once by $id; requests are validated with the project's own Ajv2020
  for (const f of schemaFiles()) app.addSchema(f.schema as { $id: string });
  let ajv: SchemaAjv | undefined;
  app.setValidatorCompiler(({ schema }) => (ajv ??= createAjv()).compile(schema));
  installProblemHandler(app);
  installBodyParsers(app, options.body);

  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      routes.push({ method, url: r.url, role: r.config?.role ?? null, schema: r.schema as RouteInfo['schema'] });
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
    if (closing) throw new HttpProblem('UNAVAILABLE', 'the server is shutting down', { headers: { connection: 'close', 'retry-after': '1' }, code: 'SHUTTING_DOWN' });
    const role = request.routeOptions.config?.role;
    if (role === undefined || role === null) return; // health, the document, unknown paths
    if (options.tokens) {
      const token = bearerToken(request.headers.authorization);
      const who = token === undefined ? undefined : options.tokens.find(token);
      if (!who) {
        throw new HttpProblem('UNAUTHORIZED', token === undefined ? 'send Authorization: Bearer <token>' : 'the token is not known',
          { headers: { 'www-authenticate': 'Bearer realm="reseller-credits"' } });
      }
      if (!hasRole(who, role)) throw new HttpProblem('FORBIDDEN', `${who.principal} lacks the role "${role}"`);
      request.principal = who.principal;
    } else {
      request.principal = 'local';
    }
    // every later log line of the request (its "request completed" too) names who called: the
    // request's own logger gets the binding (pino's setBindings), cheaper than a child of it
    const log = request.log as typeof request.log & { setBindings?: (b: object) => void };
    if (typeof log.setBindings === 'function') log.setBindings({ principal: request.principal });
    else request.log = reply.log = request.log.child({ principal: request.principal });
    if (ctx.busy >= options.maxConcurrent) {
      throw new HttpProblem('BUSY', `${ctx.busy} requests are being worked on (the limit); retry later`, { headers: { 'retry-after': '1' } });
    }
    ctx.busy++;
    reply.raw.once('close', () => { ctx.busy--; });
  });

  let document: Record<string, unknown> | undefined;
  const openapi = () => (document ??= buildOpenApi(routes, programVersion().replace(/^reseller-credits@/, '')));
  app.get('/openapi.json', { config: { role: null } }, async (_request, reply) =>
    reply.type('application/json').send(`${JSON.stringify(openapi(), null, 2)}\n`));

  await app.register(evaluatePlugin, { ctx });
  await app.register(rulesPlugin, { ctx });
  await app.register(reviewPlugin, { ctx });
  await app.register(ledgerPlugin, { ctx });
  await app.register(issuePlugin, { ctx });
  await app.register(healthPlugin, { ctx });
  await app.register(vendorExportPlugin, { ctx });
  await app.register(statementsPlugin, { ctx });
  await app.register(evidencePlugin, { ctx });

  app.addHook('preClose', async () => { closing = true; });
  app.addHook('onClose', async () => {
    ctx.rules.close();
    await ctx.pool.close();
    await ctx.inline.close();
  });
  await app.ready();
  openapi(); // a route without documentation fails here, at start
  return { app, ctx, openapi };
}
