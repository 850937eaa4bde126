/**
 * Running the service: listen, say where on stderr, and shut down on
 * SIGTERM or SIGINT — stop accepting, let the requests in flight finish (an
 * issue commits or rolls back: a 2xx answer means committed), close the
 * pool, exit 0; past `shutdownTimeoutMs` the remaining connections are cut
 * and the exit status is 1.
 */
import type { FastifyServerOptions } from 'fastify';
import { buildServer, type Service } from './app.js';
import type { ServiceOptions } from './context.js';
import { isLoopback } from './tokens.js';

/** Where and how to listen. */
export interface ListenOptions { host: string; port: number; shutdownTimeoutMs: number }

/** Refuses binding a non-loopback address without a tokens file (SPEC §13); the message, or undefined when allowed. */
export function bindRefusal(host: string, options: Pick<ServiceOptions, 'tokens'>): string | undefined {
  if (isLoopback(host) || options.tokens) return undefined;
  return `binding ${host} (not a loopback address) needs --tokens FILE: anyone who can reach it could issue credits`;
}

/** Starts listening; resolves to the service and its URL. */
export async function startService(options: ServiceOptions, listen: ListenOptions, logger: FastifyServerOptions['logger']): Promise<Service & { url: string }> {
  const refusal = bindRefusal(listen.host, options);
  if (refusal) throw new Error(refusal);
  const service = await buildServer(options, logger);
  await service.app.listen({ host: listen.host, port: listen.port });
  const addr = service.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  const host = listen.host.includes(':') && !listen.host.startsWith('[') ? `[${listen.host}]` : listen.host;
  return { ...service, url: `http://${host}:${port}` };
}

/** Closes `service` on the first SIGTERM or SIGINT; `exit` gets 0, or 1 when the bound was passed. */
export function shutdownOnSignals(service: Service, shutdownTimeoutMs: number, exit: (code: number) => void): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.app.log.info({ signal }, 'shutting down: no new connections; waiting for the requests in flight');
    const timer = setTimeout(() => {
      service.app.log.error({ shutdownTimeoutMs }, 'shutdown bound passed: cutting the remaining connections');
      service.app.server.closeAllConnections();
      exit(1);
    }, shutdownTimeoutMs);
    timer.unref();
    service.app.close().then(() => { clearTimeout(timer); exit(0); }, (err: unknown) => {
      service.app.log.error({ err }, 'shutdown failed');
      exit(1);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
