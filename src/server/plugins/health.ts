/**
 * `GET /health/live` (the process answers) and `GET /health/ready` (the rules
 * folder validates, the ledger can be opened, the pool is up), re-checked at
 * most every `readyEverySeconds`: readiness turns 503 while the rules folder
 * on disk does not validate, while liveness stays 200. No token needed.
 */
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';

interface Check { ok: boolean; detail?: string; errors?: object[] }
interface Ready { status: 'ok' | 'unavailable'; checks: { rules: Check; ledger: Check }; checkedAt: string }

/** The rules folder: valid (no error at all) and at least one published rule set. */
function rulesCheck(ctx: ServiceContext): Check {
  const repo = ctx.rules.current();
  if (repo.errors.length) return { ok: false, detail: `${repo.errors.length} error(s) in ${ctx.options.rulesDir}/`, errors: repo.errors.slice(0, 20).map((e) => e.toJSON()) };
  if (!repo.ruleSets.some((r) => r.status === 'published')) return { ok: false, detail: `no published rule set in ${ctx.options.rulesDir}/` };
  return { ok: true };
}

/** The ledger: absent is fine (the first issue creates it); present must open read-only. */
async function ledgerCheck(ctx: ServiceContext): Promise<Check> {
  const file = ctx.options.ledger;
  if (!existsSync(file)) return { ok: true, detail: 'no ledger (create it with `reseller-credits ledger init` before the first issue run)' };
  try {
    const { Ledger } = await import('../../ledger/store.js');
    const l = Ledger.open(file, { readonly: true });
    try {
      const h = l.head();
      return { ok: true, detail: `${h.count} entries` };
    } finally {
      l.close();
    }
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

/** Registers the health endpoints. */
export async function healthPlugin(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  let last: { at: number; ready: Ready } | undefined;

  app.get('/health/live', { config: { role: null } }, async (_request, reply) =>
    reply.type('application/json').header('cache-control', 'no-store').send('{"status":"ok"}\n'));

  app.get('/health/ready', { config: { role: null } }, async (_request, reply) => {
    const now = Date.now();
    if (!last || now - last.at >= ctx.options.readyEverySeconds * 1000) {
      const rules = rulesCheck(ctx);
      const ledger = await ledgerCheck(ctx);
      last = { at: now, ready: { status: rules.ok && ledger.ok ? 'ok' : 'unavailable', checks: { rules, ledger }, checkedAt: new Date(now).toISOString() } };
    }
    return reply.code(last.ready.status === 'ok' ? 200 : 503).type('application/json').header('cache-control', 'no-store')
      .send(`${JSON.stringify(last.ready)}\n`);
  });
}
