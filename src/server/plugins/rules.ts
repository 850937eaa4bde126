/**
 * Rule sets (SPEC §13): validate a rule file sent in the body, list the
 * folder's rule sets with their validity (the `validate --format json`
 * report of the folder), read one. The reports are the CLI's (`validateJson`).
 */
import type { FastifyInstance } from 'fastify';
import { parseRuleSetText } from '../../compose/ruleset-loader.js';
import { findRuleSet } from '../../compose/rules-dir.js';
import { validateJson } from '../../report/validate-json.js';
import { HttpProblem, contentProblem } from '../problem.js';
import { BODY_NAME } from '../body.js';
import type { ServiceContext } from '../context.js';
import { ref } from '../schema-store.js';

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Registers `POST /v1/validate`, `GET /v1/rulesets` and `GET /v1/rulesets/{id}`. */
export async function rulesPlugin(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;

  app.post('/v1/validate', {
    config: { role: 'evaluate' },
    schema: { querystring: { $ref: ref('service', 'validateQuery') } },
  }, async (request, reply) => {
    if (typeof request.body !== 'string') throw new HttpProblem('UNSUPPORTED_MEDIA_TYPE', 'send the rule file as application/yaml or application/json');
    // the file name the id must match (ID_MISMATCH): given, or the one its own id asks for
    let name = (request.query as { name?: string }).name;
    if (name === undefined) {
      const id = (parseRuleSetText(request.body, BODY_NAME, ctx.options.limits).doc?.value as { id?: unknown } | undefined)?.id;
      name = typeof id === 'string' && ID.test(id) ? `${id}.yaml` : BODY_NAME;
    }
    const result = parseRuleSetText(request.body, name, ctx.options.limits);
    return reply.type('application/json').send(validateJson(null, [result], result.errors));
  });

  app.get('/v1/rulesets', { config: { role: 'read' } }, async (_request, reply) => {
    const repo = ctx.rules.current();
    return reply.type('application/json').send(validateJson(ctx.options.rulesDir, repo.files, repo.errors));
  });

  app.get('/v1/rulesets/:id', {
    config: { role: 'read' },
    schema: { params: { $ref: ref('service', 'ruleSetParams') } },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const repo = ctx.rules.current();
    const found = findRuleSet(repo, id);
    if (!found) throw new HttpProblem('NOT_FOUND', `no rule set ${JSON.stringify(id)} in the rules folder`, { code: 'UNKNOWN_RULE_SET' });
    if (!found.ruleSet) throw contentProblem(found.errors, `rule set ${id} is invalid`);
    const rs = found.ruleSet;
    return reply.type('application/json').header('etag', `"${rs.sha256}"`).header('x-rules-sha256', rs.sha256)
      .send(`${JSON.stringify(rs.document, null, 2)}\n`);
  });
}
