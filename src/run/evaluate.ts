/**
 * `evaluate` over a portfolio on all cores: batches go to the workers, the
 * formatted results come back in input order. A record may be refused by a
 * LATER one (SPEC §4 "In one run": both of two claims on one account are
 * error records), so the output is held (`validate/held-output.ts`: a
 * temporary file, not memory) and written when the input ends, each refused
 * record's bytes replaced by its error record in the run's format.
 */
import { StringDecoder } from 'node:string_decoder';
import { csvRow, formatBody, positionFraming, type BatchOutput, type OutputFormat } from '../report/formats.js';
import { stringify } from 'csv-stringify/sync';
import { formatError } from '../errors.js';
import type { ErrorRecord } from '../model/records.js';
import { createHeldOutput, type HeldOutput } from '../validate/held-output.js';
import { createRunRefusals } from './refusals.js';
import { resolveRuleSet } from '../compose/resolve-rule-set.js';
import { loadRules } from '../compose/rules-dir.js';
import type { RunCounts } from './sequential.js';
import { runEngine, type RunInputOptions } from './engine.js';
import type { PoolStats, TaskRunner } from './pool.js';
import type { RuleChoice } from './record.js';
import { pinRules } from './rules.js';
import type { EvaluateOut, EvaluateTask } from './evaluate-task.js';
import type { RecordMark } from './tasks.js';

/** Where a run's rule sets come from: the folder, and an id or file (none: by period). */
export interface RulesSpec {
  rulesDir: string;
  ref?: string;
}

/**
 * The rule choice of `spec`, read now: the run pins what this returns
 * (`run/rules.ts`). Throws `NoRuleSetError` for a reference that names no
 * usable rule set.
 */
export function readRuleChoice(spec: RulesSpec): RuleChoice {
  const repo = loadRules(spec.rulesDir);
  return spec.ref ? { kind: 'fixed', ruleSet: resolveRuleSet(repo, spec.ref) } : { kind: 'by-period', repo };
}

/** Options of a parallel evaluate run. */
export interface EvaluateRunOptions extends RunInputOptions {
  rules: RulesSpec;
  /** The rule choice already read by the caller (the command line reads it to report problems first); default: read from `rules` when the run starts. */
  choice?: RuleChoice;
  format: OutputFormat;
  trace?: boolean;
  /** The program version: each result gets the service's `decisionId` (run/decision.ts); the CLI leaves it out. */
  decision?: string;
  /** Told at the end what the run used: the most worker threads at once and the batches. */
  onPoolStats?: (stats: PoolStats) => void;
  /** Receives the output text in order; awaited (backpressure). */
  write: (text: string) => Promise<void> | void;
  /**
   * Receives each batch of NDJSON and CSV records as UTF-8 bytes instead of
   * text (the CLI writes them to stdout as they are); without it they go to
   * `write` as text. The CSV header still goes to `write`: give both the same
   * destination (they are called in output order).
   */
  writeBytes?: (bytes: Uint8Array) => Promise<void> | void;
  /** Receives each error record's `file:line:col: path: message` line (a refusal's at the end of the run). */
  onErrorLine?: (line: string) => void;
  /** Called as each batch is read, with the input bytes read so far (read-ahead is bounded by the window). */
  onRead?: (bytes: number) => void;
  /** Called after each batch with the running counts and input bytes done. */
  onProgress?: (counts: RunCounts, bytes: number) => void;
  /** A runner of `jobs` workers to use instead of a new one; it is left open (tests share one pool). */
  runner?: TaskRunner;
  /** Each record, in input order, before its batch is written (run-wide checks). */
  onRecord?: (mark: RecordMark) => void;
  /**
   * Where the run-wide duplicate check's refusals go (SPEC §4 "In one run"). `in-place` (default, every
   * command): the output is held until the input ends and each refused record is written as its error
   * record in its own place. `appended` (`ndjson` only; the service's streamed NDJSON, SPEC §13, whose
   * result lines must leave while the body is still being read): each result is written as soon as it is
   * ready, and after the last one an error record for each refused record, whose `replaces` names the
   * position of the line it voids (docs/service.md, "Streamed NDJSON and duplicates").
   */
  refusals?: 'in-place' | 'appended';
}

/** Evaluates every record of `inputs`; resolves to the counts (a refused record counts as an error). */
export async function evaluatePortfolio(inputs: readonly string[], opts: EvaluateRunOptions): Promise<RunCounts> {
  const counts: RunCounts = { records: 0, evaluated: 0, errors: 0 };
  const framing = positionFraming(opts.format);
  let bytes = 0;
  // the rule sets are read once, now, and every batch carries them (SPEC §9: one rule set per run)
  const rules = pinRules(opts.choice ?? readRuleChoice(opts.rules));
  const trace = Boolean(opts.trace);
  const refusals = createRunRefusals();
  const appended = opts.refusals === 'appended';
  if (appended && opts.format !== 'ndjson') throw new Error(`refusals 'appended' needs the ndjson format, not ${opts.format}`);
  // appended: nothing is held (the lines leave as they are ready); otherwise a held file until the input ends
  const held = appended ? undefined : createHeldOutput();
  const send = async (output: BatchOutput): Promise<void> => {
    if ('bodies' in output) throw new Error('internal: ndjson output comes as bytes');
    if (!output.bytes.byteLength) return;
    if (opts.writeBytes) await opts.writeBytes(output.bytes);
    else await opts.write(Buffer.from(output.bytes.buffer, output.bytes.byteOffset, output.bytes.byteLength).toString('utf8'));
  };
  let first: string | undefined; // json: a run of one record prints it alone
  let next = 0; // index of the next record's output
  const hold = (held: HeldOutput, output: BatchOutput): void => {
    if ('bodies' in output) {
      for (const body of output.bodies) {
        if (next === 0) first = body;
        held.appendRecord(next, Buffer.from(framing.piece(next++, body)));
      }
      return;
    }
    let from = 0;
    for (const end of output.ends) {
      held.appendRecord(next++, output.bytes.subarray(from, end));
      from = end;
    }
  };
  let stats: PoolStats;
  let refused: Map<number, ErrorRecord>;
  try {
    stats = await runEngine<EvaluateTask, EvaluateOut>(inputs, {
      limits: opts.limits, inputFormat: opts.inputFormat, stdin: opts.stdin, jobs: opts.jobs, cores: opts.cores,
      runner: opts.runner, onRead: opts.onRead, onWorkerLost: opts.onWorkerLost,
      onRecord: (mark) => { refusals.add(mark); opts.onRecord?.(mark); },
      task: (items) => ({ kind: 'evaluate', rules, format: opts.format, trace, limits: opts.limits, items, ...(opts.decision === undefined ? {} : { decision: opts.decision }) }),
      onBatch: async (out, batchBytes) => {
        counts.records += out.records;
        counts.evaluated += out.evaluated;
        counts.errors += out.errors;
        bytes += batchBytes;
        for (const l of out.errorLines) opts.onErrorLine?.(l);
        if (held) hold(held, out.output);
        else await send(out.output);
        opts.onProgress?.(counts, bytes);
      },
    });
    refused = refusals.finish();
  } catch (err) {
    refusals.close();
    held?.close();
    throw err;
  }
  counts.evaluated -= refused.size;
  counts.errors += refused.size;
  for (const r of refused.values()) for (const e of r.errors ?? [r.error]) opts.onErrorLine?.(formatError(e));
  if (!held) {
    // `replaces`: the position of the line written before, which this error record voids (schemas/common.schema.json)
    const lines = [...refused].map(([index, error]) => `{"replaces":${index},${formatBody({ seq: index, ok: false, error }, 'ndjson').slice(1)}\n`);
    if (lines.length) await opts.write(lines.join(''));
  } else {
    await writeHeld(opts, held, framing, next, first, refused);
  }
  opts.onPoolStats?.(stats);
  return counts;
}

/** Writes the held output of `count` records, refused ones as their error record. */
async function writeHeld(
  opts: EvaluateRunOptions, held: ReturnType<typeof createHeldOutput>, framing: ReturnType<typeof positionFraming>,
  count: number, first: string | undefined, refused: Map<number, ErrorRecord>,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  const writeBytes = opts.writeBytes ?? ((b: Uint8Array) => opts.write(decoder.write(Buffer.from(b.buffer, b.byteOffset, b.byteLength))));
  const text = (t: string): Promise<void> | void => (t ? opts.write(t) : undefined);
  if (opts.format === 'json' && count === 1) {
    held.close();
    await text(framing.single(first!)); // one record: no other record can refuse it
    return;
  }
  await text(framing.start(count));
  await held.drainTo(writeBytes, (index) => {
    const error = refused.get(index);
    if (!error) return undefined;
    const r = { seq: index, ok: false as const, error };
    const body = opts.format === 'csv' ? stringify([csvRow(r)]).replace(/\r?\n$/, '') : formatBody(r, opts.format, { trace: opts.trace });
    return Buffer.from(framing.piece(index, body));
  });
  if (!opts.writeBytes) await text(decoder.end());
  await text(framing.end(count));
}
