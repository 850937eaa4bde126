/**
 * The CLI run in this process: `main(['node', 'reseller-credits', ...args])`
 * of the built `dist/cli/main.js`, with what it writes to stdout and stderr
 * captured, and its exit status. It returns what the spawn helpers return
 * (`versions-cli.ts` `cli()`), at a fraction of the cost: a spawned
 * `node bin/reseller-credits.js` costs about half a second of CPU (Node
 * start-up and module loading), and the suite ran about 500 of them.
 *
 * It imports `dist/`, never `src/`, so that the coverage run (which collects
 * V8 coverage of every process and thread, and maps `dist/` back to `src/`)
 * counts it as it counted the CLI processes (vitest.coverage.config.ts loads
 * `dist/` through Node itself).
 *
 * Runs share the process's globals, so they go one at a time; each one gets
 * its own environment (by default `NO_COLOR=1`, as the spawn helpers set),
 * `process.exitCode`, standard input (`stdin`, else an empty one) and a
 * fresh `--quiet` and progress state, all restored or reset after. (Each
 * evaluate, whatif and issue run reads the rules folder once, when it starts,
 * and hands its workers what it read: src/run/rules.ts.)
 *
 * What needs a real process keeps spawning one: colours (decided once, when
 * `io.ts` is loaded), a terminal, signals and kills (the RESELLER_CREDITS_FAULT
 * seam kills its own process), another working directory (worker threads
 * cannot chdir), pipes and FIFOs, a closed stdout (EPIPE ends the process),
 * RSS reporting at exit, overlapping runs, and the bin launcher and real exit
 * codes themselves.
 */
import { Readable } from 'node:stream';
import type { CliRun } from './versions-cli.js';

export type { CliRun };

/** What a run may set: environment variables (undefined removes one) and standard input. */
export interface RunOptions { env?: Record<string, string | undefined>; stdin?: string | Buffer }

/** Variables a run in this process cannot honour: the test must spawn the CLI instead. */
const NEEDS_A_PROCESS = ['RESELLER_CREDITS_FAULT', 'RESELLER_CREDITS_REPORT_RSS'];

let queue: Promise<unknown> = Promise.resolve();

/** Runs the CLI in this process after every earlier run has ended. */
export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliRun> {
  const run = queue.then(() => runNow(args, opts));
  queue = run.catch(() => undefined);
  return run;
}

type Write = typeof process.stdout.write;

async function runNow(args: readonly string[], opts: RunOptions): Promise<CliRun> {
  const savedEnv = { ...process.env };
  const savedExitCode = process.exitCode;
  const savedStdin = Object.getOwnPropertyDescriptor(process, 'stdin');
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const chunks: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  try {
    setEnv({ NO_COLOR: '1', ...opts.env });
    const cli = await load();
    if (cli.colors.isColorSupported || NEEDS_A_PROCESS.some((v) => process.env[v])) {
      throw new Error('runCli: colours, RESELLER_CREDITS_FAULT and RSS reports need a real process: spawn the CLI');
    }
    cli.setQuiet(false);
    cli.setProgressEnabled(true);
    process.exitCode = undefined;
    const input = opts.stdin === undefined || opts.stdin.length === 0 ? [] : [Buffer.from(opts.stdin)];
    Object.defineProperty(process, 'stdin', { value: Readable.from(input), configurable: true, writable: true });
    for (const name of ['stdout', 'stderr'] as const) {
      process[name].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        chunks[name].push(typeof chunk === 'string' ? Buffer.from(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8') : Buffer.from(chunk));
        const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        if (done) process.nextTick(done);
        return true;
      }) as Write;
    }
    const status = await cli.main(['node', 'reseller-credits', ...args]);
    return { status, stdout: Buffer.concat(chunks.stdout).toString('utf8'), stderr: Buffer.concat(chunks.stderr).toString('utf8') };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    if (savedStdin) Object.defineProperty(process, 'stdin', savedStdin);
    process.exitCode = savedExitCode;
    setEnv(Object.fromEntries([...Object.keys(process.env), ...Object.keys(savedEnv)].map((k) => [k, savedEnv[k]])));
  }
}

/** Sets (or, for undefined, removes) environment variables. */
function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/** The built CLI's modules, loaded on the first run (with NO_COLOR set, so `io.ts` picks no colours). */
async function load() {
  const [main, io, progress] = await Promise.all([
    import('../../dist/cli/main.js'),
    import('../../dist/cli/io.js'),
    import('../../dist/cli/progress.js'),
  ]);
  return { main: main.main, colors: io.colors, setQuiet: io.setQuiet, setProgressEnabled: progress.setProgressEnabled };
}
