/**
 * Review a draft (SPEC §10, §13): the body is the draft rule file, compared
 * with a version of the rules folder (default: the published one in force
 * the day before the draft starts, as `review` chooses). The answer is the
 * report `review --format json` (or `--format html|markdown`) writes, from
 * the same `reviewChange` and renderer; without a portfolio (no money
 * impact: send what-if for that).
 */
import type { FastifyInstance } from 'fastify';
import { parseRuleSetText } from '../../compose/ruleset-loader.js';
import { resolveRuleSet } from '../../compose/resolve-rule-set.js';
import { contentProblem, HttpProblem } from '../problem.js';
import { BODY_NAME } from '../body.js';
import type { ServiceContext } from '../context.js';
import { ref } from '../schema-store.js';
import { checkRules } from './evaluate.js';

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TYPES = { json: 'application/json', html: 'text/html; charset=utf-8', markdown: 'text/markdown; charset=utf-8' } as const;

/** Registers `POST /v1/review`. */
export async function reviewPlugin(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  app.post('/v1/review', {
    config: { role: 'evaluate' },
    schema: { querystring: { $ref: ref('service', 'reviewQuery') } },
  }, async (request, reply) => {
    if (typeof request.body !== 'string') throw new HttpProblem('UNSUPPORTED_MEDIA_TYPE', 'send the draft rule file as application/yaml or application/json');
    const q = request.query as { baseline?: string; format?: 'json' | 'html' | 'markdown'; runs?: string; seed?: string };
    const id = (parseRuleSetText(request.body, BODY_NAME, ctx.options.limits).doc?.value as { id?: unknown } | undefined)?.id;
    const read = parseRuleSetText(request.body, typeof id === 'string' && ID.test(id) ? `${id}.yaml` : BODY_NAME, ctx.options.limits);
    if (!read.ruleSet) throw contentProblem(read.errors, 'the draft has errors');
    const repo = ctx.rules.current();
    if (q.baseline !== undefined) checkRules(repo, q.baseline);
    const [{ defaultBaseline }, { reviewChange, DEFAULT_RUNS, DEFAULT_SEED }, { renderReview }] = await Promise.all([
      import('../../review/baseline.js'), import('../../review/review.js'), import('../../review/render/render.js'),
    ]);
    const candidate = read.ruleSet;
    const baseline = q.baseline !== undefined ? resolveRuleSet(repo, q.baseline) : defaultBaseline(repo, candidate);
    if (!baseline) {
      throw new HttpProblem('INVALID_CONTENT', `no published version is in force on the day before ${candidate.id} starts (${candidate.effective.from}); name one with ?baseline=ID`, { code: 'NO_RULE_SET' });
    }
    const report = await reviewChange({
      candidate, baseline, baselineChosen: q.baseline !== undefined ? 'given' : 'default',
      published: repo.ruleSets.filter((r) => r.status === 'published'),
      portfolio: [], caseFolders: [], limits: ctx.options.limits,
      seed: q.seed !== undefined ? Number(q.seed) : DEFAULT_SEED, runs: q.runs !== undefined ? Number(q.runs) : DEFAULT_RUNS,
    });
    const format = q.format ?? 'json';
    return reply.type(TYPES[format]).send(await renderReview(report, format));
  });
}
