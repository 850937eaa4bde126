/**
 * Standard input and pipes (SPEC §5 "Inputs"): read as they arrive, the
 * format given by `--input-format` or recognised from the first bytes.
 * NDJSON is streamed chunk by chunk like a file; a JSON or YAML document
 * has to be read whole (up to `maxFileBytes`) before it can be parsed.
 */
import { RcError } from '../errors.js';
import { hasUtf8Bom } from './utf8.js';

/** The formats an input can be given in. */
export type InputFormat = 'yaml' | 'json' | 'ndjson';
export const INPUT_FORMATS: readonly InputFormat[] = ['yaml', 'json', 'ndjson'];

const isBlank = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * The format of a stream from its first bytes, and the stream again from its
 * start (the bytes looked at are not lost). `undefined` when it holds only
 * blanks. A first non-blank `[` is a JSON array; `{` is NDJSON when the
 * first line is a complete JSON value, else one JSON document; anything else
 * is YAML. Reads at most up to the first newline after a `{`, or
 * `maxLookBytes`.
 */
export async function detectFormat(source: AsyncIterable<Uint8Array>, maxLookBytes: number): Promise<{ format: InputFormat | undefined; bytes: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let format: InputFormat | undefined;
  let done = false;
  for (;;) {
    const all = head.length === 1 ? head[0]! : Buffer.concat(head);
    const decided = decide(all, done, maxLookBytes);
    if (decided !== 'more') {
      format = decided;
      break;
    }
    const next = await it.next();
    if (next.done) {
      done = true;
      continue;
    }
    const b = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(b);
  }
  async function* again(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (done) return;
    for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
  }
  return { format, bytes: again() };
}

function decide(all: Buffer, done: boolean, maxLookBytes: number): InputFormat | undefined | 'more' {
  let i = hasUtf8Bom(all) ? 3 : 0;
  while (i < all.length && isBlank(all[i]!)) i++;
  if (i >= all.length) return done ? undefined : 'more';
  if (all[i] === 0x5b) return 'json'; // [
  if (all[i] !== 0x7b) return 'yaml'; // not {
  const nl = all.indexOf(0x0a, i);
  if (nl < 0 && !done && all.length - i <= maxLookBytes) return 'more';
  if (nl < 0 && !done) return 'json'; // a first line this long is not a record of NDJSON
  const line = all.subarray(i, nl < 0 ? all.length : nl).toString('utf8');
  try {
    JSON.parse(line);
    return 'ndjson';
  } catch {
    return 'json';
  }
}

/** All of `source`, refusing more than `maxBytes` (then the rest is not read). */
export async function readAll(source: AsyncIterable<Uint8Array>, maxBytes: number, file: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const piece of source) {
    size += piece.length;
    if (size > maxBytes) {
      throw new RcError('FILE_TOO_LARGE', `more than ${maxBytes} bytes of one JSON or YAML document (limit maxFileBytes); use NDJSON (one snapshot per line) for large portfolios`, { file });
    }
    parts.push(Buffer.isBuffer(piece) ? piece : Buffer.from(piece));
  }
  return Buffer.concat(parts);
}
