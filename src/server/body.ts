/**
 * Request bodies. JSON and YAML bodies are read whole, up to a byte limit
 * (413 beyond it, refused from Content-Length before reading when it says
 * so) and within a time limit (408 for a body that trickles in), then
 * decoded as strict UTF-8 as the CLI decodes files. NDJSON bodies are not
 * read here: the route streams them record by record (`ndjsonChunks`).
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { RcErrors, asRcErrors } from '../errors.js';
import { decodeFile } from '../read/read-file.js';
import { HttpProblem } from './problem.js';

/** The name errors give the body, in place of a file name. */
export const BODY_NAME = '<body>';

/** Limits of the bodies read whole. */
export interface BodyLimits {
  /** Largest JSON or YAML body, in bytes (413 beyond). */
  maxBytes: number;
  /** Longest time to receive a whole body, in ms (408 beyond). */
  timeoutMs: number;
}

/** Reads `stream` whole within `limits`; rejects with an `HttpProblem`. */
export function readBody(stream: IncomingMessage, limits: BodyLimits): Promise<string> {
  const declared = Number(stream.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    return Promise.reject(tooLarge(limits.maxBytes));
  }
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | undefined, text?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (err) {
        stream.resume(); // drain (unread bytes would stall the socket for the answer)
        reject(err);
      } else resolve(text!);
    };
    const timer = setTimeout(() => finish(new HttpProblem('REQUEST_TIMEOUT',
      `the body did not arrive within ${limits.timeoutMs} ms (${size} bytes received)`)), limits.timeoutMs);
    timer.unref();
    const onData = (b: Buffer) => {
      size += b.length;
      if (size > limits.maxBytes) finish(tooLarge(limits.maxBytes));
      else pieces.push(b);
    };
    const onEnd = () => {
      try {
        const { text, problems } = decodeFile(BODY_NAME, Buffer.concat(pieces, size));
        if (problems.length) throw new RcErrors(problems);
        finish(undefined, text);
      } catch (err) {
        finish(new HttpProblem('ENCODING', 'the body is not valid UTF-8', { errors: asRcErrors(err).map((e) => e.toJSON()) }));
      }
    };
    const onError = (err: Error) => finish(err);
    const onAborted = () => finish(new HttpProblem('BAD_REQUEST', 'the client closed the request'));
    stream.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

function tooLarge(max: number): HttpProblem {
  return new HttpProblem('BODY_TOO_LARGE', `the body is larger than ${max} bytes; send a portfolio as application/x-ndjson (streamed, limited per record)`);
}

/** The content types the service reads whole, and NDJSON passed on as a stream. */
export const WHOLE_TYPES = ['application/json', 'application/yaml', 'text/yaml'] as const;
export const NDJSON_TYPE = 'application/x-ndjson';

/** Replaces Fastify's body parsers with these: text for JSON and YAML, the stream for NDJSON. */
export function installBodyParsers(app: FastifyInstance, limits: BodyLimits): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...WHOLE_TYPES], (request, payload, done) => {
    readBody(payload as IncomingMessage, limits).then((t) => done(null, t), (err: Error) => done(err, undefined));
  });
  app.addContentTypeParser(NDJSON_TYPE, (_request, payload, done) => done(null, payload));
}
