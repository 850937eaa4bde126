/** `reseller-credits serve`: the HTTP service (SPEC §13). */
import type { Command } from 'commander';
import { resolveLimits } from '../../limits.js';
import { defaultJobs } from '../../run/pool.js';
import { DEFAULT_LEDGER } from '../../ledger/defaults.js';
import { asRcErrors } from '../../errors.js';
import { EXIT, UsageError, printErrors, stderrLine } from '../io.js';
import { parseJobs } from '../jobs.js';

interface ServeOptions {
  rulesDir: string; host: string; port: string; tokens?: string; ledger: string; bodyLimit: string; bodyTimeout: string;
  maxConcurrent: string; issueLimit: string; jobs: number; shutdownTimeout: string; readyEvery: string;
  exportMapping?: string; branding?: string; signKey?: string; principal?: string;
}

function count(name: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`${name} must be a whole number of at least ${min}, not "${text}"`);
  return Number(text);
}

/** Registers the command. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve evaluate, what-if, rule sets and the ledger over HTTP (OpenAPI at /openapi.json)')
    .option('--host <host>', 'address to bind; anything but loopback needs --tokens', '127.0.0.1')
    .option('--port <port>', 'port (0: a free one)', '8080')
    .option('--tokens <file>', 'tokens file (YAML or JSON): tokens: [{ principal, sha256, roles }]')
    .option('--ledger <file>', 'the ledger file', DEFAULT_LEDGER)
    .option('--body-limit <bytes>', 'largest JSON or YAML body (NDJSON is limited per record)', String(16 * 1024 * 1024))
    .option('--issue-limit <bytes>', 'largest issue body (NDJSON, spooled to a temporary file)', String(1024 ** 3))
    .option('--body-timeout <seconds>', 'longest time to receive a JSON or YAML body', '30')
    .option('--max-concurrent <n>', 'most requests worked on at once (503 with Retry-After beyond)', '64')
    .option('--jobs <n>', 'worker threads for NDJSON bodies', parseJobs, defaultJobs())
    .option('--ready-every <seconds>', 'how often /health/ready re-checks the rules folder and the ledger', '2')
    .option('--shutdown-timeout <seconds>', 'on SIGTERM, how long in-flight requests may take', '30')
    .option('--export-mapping <file>', 'the mapping file of vendor exports (POST /v1/ledger/export; schemas/mapping.schema.json), read at each export')
    .option('--branding <file>', 'company name, address, logo and colour of statements (docs/statements.md), read at each statement')
    .option('--sign-key <key>', 'sign every issue run with this SSH key (SPEC §11); required with --signers for issuing')
    .option('--principal <name>', 'the key\'s principal, as in the verifier\'s allowed_signers file (optional when --signers names the key)')
    .addHelpText('after', `
Examples:
  $ reseller-credits serve --port 8080
  $ reseller-credits serve --host 0.0.0.0 --tokens /etc/reseller-credits/tokens.yaml
  $ curl -s -H 'content-type: application/json' --data-binary @examples/seed-px2.json localhost:8080/v1/evaluate`)
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<ServeOptions>();
      const port = count('--port', o.port, 0);
      if (port > 65535) throw new UsageError(`--port must be at most 65535, not ${port}`);
      const { readTokens } = await import('../../server/tokens.js');
      const { bindRefusal, startService, shutdownOnSignals } = await import('../../server/start.js');
      let tokens;
      try {
        tokens = o.tokens === undefined ? undefined : readTokens(o.tokens);
      } catch (err) {
        printErrors(asRcErrors(err));
        process.exitCode = EXIT.USAGE;
        return;
      }
      let sign: { key: string; principal: string } | undefined;
      if (o.signKey !== undefined) {
        const [{ signerPrincipal }, { approvalPolicy }] = await Promise.all([import('../approval-flow.js'), import('../../compose/approval-policy.js')]);
        sign = { key: o.signKey, principal: signerPrincipal(o.signKey, o.principal, approvalPolicy()) };
      } else if (o.principal !== undefined) {
        throw new UsageError('--principal is for signed runs: give --sign-key too');
      }
      const refusal = bindRefusal(o.host, { tokens });
      if (refusal) throw new UsageError(refusal);
      const options = {
        rulesDir: o.rulesDir, ledger: o.ledger, tokens, limits: resolveLimits(), jobs: o.jobs,
        body: { maxBytes: count('--body-limit', o.bodyLimit, 1), timeoutMs: count('--body-timeout', o.bodyTimeout, 1) * 1000 },
        maxConcurrent: count('--max-concurrent', o.maxConcurrent, 1),
        issueBodyBytes: count('--issue-limit', o.issueLimit, 1),
        readyEverySeconds: count('--ready-every', o.readyEvery, 0),
        exportMapping: o.exportMapping, branding: o.branding, sign,
      };
      const service = await startService(options, { host: o.host, port, shutdownTimeoutMs: count('--shutdown-timeout', o.shutdownTimeout, 0) * 1000 },
        { level: process.env.RESELLER_CREDITS_LOG_LEVEL ?? 'info' });
      stderrLine(`reseller-credits serving ${service.url} (rules ${o.rulesDir}/, ledger ${o.ledger}${tokens ? `, ${tokens.size} token(s)` : ', no tokens: loopback only'}${sign ? `, issue runs signed by ${sign.principal}` : ''})\n`);
      // the process lives until a signal: the action's promise resolves at shutdown
      await new Promise<void>((resolve) => {
        shutdownOnSignals(service, count('--shutdown-timeout', o.shutdownTimeout, 0) * 1000, (code) => {
          process.exitCode = code;
          resolve();
        });
      });
    });
}
