/**
 * The service on a real port for contract tests: `startService` of the
 * built `dist/` on 127.0.0.1 port 0, requests over real HTTP (fetch, or
 * `node:http` where a body must trickle), and every answer checked against
 * the OpenAPI document the server itself serves: the status must be one the
 * operation documents and the body must match that status and content
 * type's schema (each line of an NDJSON answer, the record schema).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from 'vitest';

const require = createRequire(import.meta.url);
const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
const addFormats = require('ajv-formats') as (ajv: unknown, names: string[]) => void;

/** The three callers the service tests use: one token per role family. */
export const TOKENS = { ev: 'tok-evaluate-0001', rd: 'tok-read-0002', adm: 'tok-admin-0003' } as const;

/** A tokens file under `dir` listing `TOKENS` by sha256 (the file never holds a token); its path. */
export function writeTokensFile(dir: string): string {
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  const file = join(dir, 'tokens.yaml');
  writeFileSync(file, `tokens:
  - { principal: billing-portal, sha256: ${sha(TOKENS.ev)}, roles: [evaluate] }
  - { principal: finance-reader, sha256: ${sha(TOKENS.rd)}, roles: [read] }
  - { principal: ops-admin, sha256: ${sha(TOKENS.adm)}, roles: [admin] }
`);
  return file;
}

/** One answer, checked against the document. */
export interface Answer { status: number; headers: Headers; text: string; json?: any; bytes?: Buffer }

/** The paths of a document as patterns, and a validator per response media type. */
export class ContractChecker {
  readonly doc: any;
  private readonly ajv: InstanceType<typeof Ajv2020>;
  private readonly paths: { re: RegExp; template: string }[];
  /** Every (operation, status) seen, for the coverage test. */
  readonly seen = new Set<string>();

  constructor(doc: any) {
    this.doc = doc;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as { default?: typeof addFormats }).default?.(this.ajv, ['date']) ?? addFormats(this.ajv, ['date']);
    this.ajv.addSchema(structuredClone(doc), 'https://openapi.test/doc.json');
    this.paths = Object.keys(doc.paths).map((template) => ({
      template, re: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** Asserts `answer` to `method path` is documented and matches its schema. */
  check(method: string, path: string, answer: Answer): void {
    const bare = path.split('?')[0]!;
    const p = this.paths.find((x) => x.re.test(bare));
    if (!p && answer.status === 404) { // an unknown path: still a problem document
      const validate = this.ajv.getSchema('https://openapi.test/doc.json#/components/schemas/service.problem')!;
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(validate(JSON.parse(answer.text)), JSON.stringify(validate.errors)).toBe(true);
      return;
    }
    expect(p, `${method} ${bare} is not in the OpenAPI document`).toBeDefined();
    const op = this.doc.paths[p!.template][method.toLowerCase()];
    expect(op, `${method} ${p!.template} has no operation`).toBeDefined();
    const res = op.responses[String(answer.status)];
    expect(res, `${method} ${p!.template} answered ${answer.status}, which it does not document: ${answer.text.slice(0, 300)}`).toBeDefined();
    this.seen.add(`${op.operationId} ${answer.status}`);
    const type = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (!res.content) return;
    expect(Object.keys(res.content), `${op.operationId} ${answer.status}: content type ${type}`).toContain(type);
    const pointer = ['paths', p!.template, method.toLowerCase(), 'responses', String(answer.status), 'content', type, 'schema']
      .map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
    const validate = this.ajv.getSchema(`https://openapi.test/doc.json#/${pointer}`)!;
    const values = type === 'application/x-ndjson' ? answer.text.split('\n').filter(Boolean).map((l) => JSON.parse(l))
      : /json$/.test(type) ? [JSON.parse(answer.text)] : [answer.text];
    for (const v of values) {
      const ok = validate(v);
      expect(ok, `${op.operationId} ${answer.status} ${type}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  }
}

/** A client of one running server whose every answer is checked. */
export function client(base: string, checker: ContractChecker) {
  return async function call(method: string, path: string, opts: { body?: string | Buffer; type?: string; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.type) headers['content-type'] = opts.type;
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const r = await fetch(`${base}${path}`, { method, headers, body: opts.body });
    const bytes = Buffer.from(await r.arrayBuffer()); // binary answers (PDF, tar, zip) kept as they came
    const text = bytes.toString('utf8');
    const answer: Answer = { status: r.status, headers: r.headers, text, bytes };
    if (/json/.test(r.headers.get('content-type') ?? '') && !/ndjson/.test(r.headers.get('content-type') ?? '')) answer.json = JSON.parse(text);
    checker.check(method, path, answer);
    return answer;
  };
}

/**
 * A request whose body is written piece by piece, by the test, over a real
 * socket: `write` a piece, `firstBytes()` resolves with the first answer
 * bytes (status and text so far), `end()` finishes the body and resolves with
 * the whole answer.
 */
export function trickle(base: string, path: string, headers: Record<string, string>) {
  const url = new URL(path, base);
  let resolveFirst: (v: { status: number; text: string }) => void;
  const first = new Promise<{ status: number; text: string }>((r) => { resolveFirst = r; });
  let chunks = '';
  const handle: { req?: ReturnType<typeof httpRequest> } = {};
  const whole = new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => { chunks += d; resolveFirst({ status: res.statusCode!, text: chunks }); });
      res.on('end', () => { resolveFirst({ status: res.statusCode!, text: chunks }); resolve({ status: res.statusCode!, headers: res.headers, text: chunks }); });
      res.on('error', reject);
    });
    req.on('error', reject);
    handle.req = req;
  });
  whole.catch(() => undefined);
  return {
    write: (piece: string) => new Promise<void>((r) => { handle.req!.write(piece, () => r()); }),
    firstBytes: () => first,
    end: () => { handle.req!.end(); return whole; },
    destroy: () => handle.req!.destroy(),
  };
}
