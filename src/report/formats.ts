/**
 * Output formats of `evaluate`, written record by record so a portfolio of
 * any size streams: `json` (one object, or an array for several), `ndjson`,
 * `csv` and `text`.
 */
import { stringify } from 'csv-stringify/sync';
import type { OutputRecord } from '../model/records.js';
import type { EvaluationResult } from '../model/types.js';
import { explain, explainError } from './text.js';
import type { TierStep } from './near-miss.js';
import { csvText } from '../text/csv-cell.js';
import { formatError } from '../errors.js';

/** The formats `evaluate` writes. */
export type OutputFormat = 'text' | 'json' | 'ndjson' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'ndjson', 'csv'];

/** Options of the writers. */
export interface FormatOptions {
  /** Include the rule engine's decisions (`trace`) in json/ndjson. Default false. */
  trace?: boolean;
  /** The tiers of a rule set by id (text: the near-miss line); undefined leaves the line out. */
  tiersOf?: (rulesId: string) => readonly TierStep[] | undefined;
}

/** Turns output records into text chunks; call `end()` once after the last record. */
export interface RecordWriter {
  record(r: OutputRecord): string;
  end(): string;
}

/** The plain object printed for a record. */
export function outputObject(r: OutputRecord, opts: FormatOptions = {}): object {
  if (!r.ok) return r.error;
  if (opts.trace) return r.result;
  const { trace: _trace, ...rest } = r.result;
  return rest;
}

export const CSV_COLUMNS = [
  'account', 'period', 'rules', 'tier', 'creditPercent', 'tierBasis', 'creditBase', 'paymentsTotal', 'valueTotal',
  'affiliatePayments', 'affiliateValue', 'eligible', 'reasons', 'credit', 'charges', 'amountDue', 'warnings', 'error',
];

export function csvRow(r: OutputRecord): string[] {
  if (!r.ok) {
    const row = CSV_COLUMNS.map(() => '');
    row[0] = csvText(r.error.account ?? '');
    row[1] = r.error.period ?? '';
    row[CSV_COLUMNS.length - 1] = csvText(formatError(r.error.error));
    return row;
  }
  const x: EvaluationResult = r.result;
  return [
    csvText(x.account), x.period, x.rules.id, x.tier.name, x.creditPercent, x.tierBasis, x.creditBase,
    x.monthlyPayments.total, x.monthlyValue.total, x.monthlyPayments.affiliate ?? '', x.monthlyValue.affiliate ?? '', String(x.eligibility.eligible), csvText(x.eligibility.reasons.join('; ')),
    x.credit, x.statement.charges, x.statement.amountDue, csvText(x.warnings.join('; ')), '',
  ];
}

/**
 * The text of one record in `format`, without the framing between records
 * (array brackets, CSV header, blank lines). Pure: workers call it.
 */
export function formatBody(r: OutputRecord, format: OutputFormat, opts: FormatOptions = {}): string {
  switch (format) {
    case 'ndjson': return JSON.stringify(outputObject(r, opts));
    case 'json': return JSON.stringify(outputObject(r, opts), null, 2);
    case 'csv': return stringify([csvRow(r)]).replace(/\r?\n$/, '');
    case 'text': return r.ok ? explain(r.result, opts.tiersOf?.(r.result.rules.id)) : explainError(r.error);
  }
}

/**
 * What a batch of records becomes: NDJSON and CSV as the UTF-8 bytes of the
 * batch's lines (each ending in a newline; the CSV header is the framer's)
 * with the end offset of each record's bytes (a run replaces a refused
 * record's bytes by its error record: `validate/held-output.ts`), json and
 * text as one body per record (their framing needs them apart).
 */
export type BatchOutput = { bytes: Uint8Array; ends: number[] } | { bodies: string[] };

/** Formats the records of a batch one by one, as each is evaluated. */
export interface BodyBuilder {
  add(r: OutputRecord): void;
  finish(): BatchOutput;
}

/** Bytes a batch's NDJSON buffer starts with; it doubles when full. */
const FIRST_BYTES = 1 << 20;

/**
 * A builder of a batch's output. Each NDJSON line is written into one
 * off-heap buffer as its record is evaluated, so neither the result nor its
 * text outlives the record (a batch's results or texts would otherwise all
 * be alive at once, copied by every young-generation collection until the
 * batch ends), and the buffer is handed to the writing thread without a copy
 * (see worker.ts). CSV keeps each record's row and formats the batch with one
 * csv-stringify call. Every buffer is the batch's own (`allocUnsafeSlow`), so
 * it can be moved.
 */
export function createBodyBuilder(format: OutputFormat, opts: FormatOptions = {}): BodyBuilder {
  switch (format) {
    case 'ndjson': {
      let buf: Buffer | undefined;
      let used = 0;
      const ends: number[] = [];
      return {
        add: (r) => {
          const t = formatBody(r, 'ndjson', opts);
          const need = used + t.length * 3 + 1; // a UTF-16 code unit is at most 3 bytes of UTF-8
          if (!buf || need > buf.length) {
            const grown = Buffer.allocUnsafeSlow(Math.max(FIRST_BYTES, need, buf ? buf.length * 2 : 0));
            buf?.copy(grown, 0, 0, used);
            buf = grown;
          }
          used += buf.write(t, used, 'utf8');
          buf[used++] = NEWLINE;
          ends.push(used);
        },
        finish: () => ({ bytes: buf ? buf.subarray(0, used) : new Uint8Array(0), ends }),
      };
    }
    case 'csv': {
      const rows: string[][] = [];
      return {
        add: (r) => { rows.push(csvRow(r)); },
        finish: () => {
          const bytes = rows.length ? ownBytes(stringify(rows)) : new Uint8Array(0);
          return { bytes, ends: csvRowEnds(bytes) };
        },
      };
    }
    default: {
      const bodies: string[] = [];
      return { add: (r) => { bodies.push(formatBody(r, format, opts)); }, finish: () => ({ bodies }) };
    }
  }
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;

/**
 * The end offset of each CSV record in `bytes`: a newline outside quotes
 * (a quoted field's own quotes are doubled, so the count of quotes before a
 * newline tells whether it is inside a field).
 */
export function csvRowEnds(bytes: Uint8Array): number[] {
  const ends: number[] = [];
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) quoted = !quoted;
    else if (c === NEWLINE && !quoted) ends.push(i + 1);
  }
  return ends;
}

/**
 * `text` as UTF-8 in a buffer of its own. Never `Buffer.from(text)`: a short
 * text would land in Node's shared Buffer pool, whose memory cannot be moved
 * to another thread (Node 20 copies it, Node 21 and later throw).
 */
function ownBytes(text: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  b.write(text);
  return b;
}

/** Joins record bodies into the output stream; call `end()` once after the last. */
export interface Framer {
  body(text: string): string;
  /** What goes before a batch of NDJSON or CSV bytes (`BatchOutput`): the CSV header before the first. */
  head(): string;
  end(): string;
}

/** The framing of `format`: one JSON object alone or an array, a CSV header, blank lines between texts. */
export function createFramer(format: OutputFormat): Framer {
  switch (format) {
    case 'ndjson':
      return { body: (t) => `${t}\n`, head: () => '', end: () => '' };
    case 'csv': {
      let first = true;
      const header = stringify([CSV_COLUMNS]);
      const head = () => { const h = first ? header : ''; first = false; return h; };
      return {
        body: (t) => `${head()}${t}\n`,
        head,
        end: () => (first ? header : ''),
      };
    }
    case 'text': {
      let n = 0;
      return { body: (t) => `${n++ ? '\n' : ''}${t}\n`, head: () => '', end: () => '' };
    }
    case 'json': {
      // one record prints one object; several print an array (decided when the second arrives)
      let held: string | undefined;
      let count = 0;
      const indent = (s: string) => s.replace(/\n/g, '\n  ');
      return {
        head: () => '',
        body: (text) => {
          count++;
          if (count === 1) { held = text; return ''; }
          if (count === 2) { const h = held!; held = undefined; return `[\n  ${indent(h)},\n  ${indent(text)}`; }
          return `,\n  ${indent(text)}`;
        },
        end: () => (count === 0 ? '[]\n' : count === 1 ? `${held}\n` : '\n]\n'),
      };
    }
  }
}

/**
 * The framing of `format` by position, for output written once the run is
 * over (held: `run/evaluate.ts`): the same bytes as `createFramer`, but each
 * record's piece depends only on its index, so a refused record's error
 * record can take its place. `start` and `end` know the count of records.
 */
export interface PositionFraming {
  start(count: number): string;
  /** The text of record `index`; for `json` with one record, `single` gives it instead. */
  piece(index: number, body: string): string;
  /** json only: the whole output of a run of one record. */
  single(body: string): string;
  end(count: number): string;
}

/** The position framing of `format` (see `PositionFraming`). */
export function positionFraming(format: OutputFormat): PositionFraming {
  const indent = (s: string) => s.replace(/\n/g, '\n  ');
  switch (format) {
    case 'ndjson':
      return { start: () => '', piece: (_i, t) => `${t}\n`, single: (t) => `${t}\n`, end: () => '' };
    case 'csv': {
      const header = stringify([CSV_COLUMNS]);
      return { start: () => header, piece: (_i, t) => `${t}\n`, single: (t) => `${header}${t}\n`, end: () => '' };
    }
    case 'text':
      return { start: () => '', piece: (i, t) => `${i ? '\n' : ''}${t}\n`, single: (t) => `${t}\n`, end: () => '' };
    case 'json':
      return {
        start: (n) => (n === 0 ? '[]\n' : n === 1 ? '' : '[\n'),
        piece: (i, t) => `${i ? ',\n  ' : '  '}${indent(t)}`,
        single: (t) => `${t}\n`,
        end: (n) => (n > 1 ? '\n]\n' : ''),
      };
  }
}

/** A writer for `format`: `formatBody` and `createFramer` together. */
export function createWriter(format: OutputFormat, opts: FormatOptions = {}): RecordWriter {
  const framer = createFramer(format);
  return { record: (r) => framer.body(formatBody(r, format, opts)), end: () => framer.end() };
}
