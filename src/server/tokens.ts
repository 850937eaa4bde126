/**
 * Who may call (SPEC §13): a tokens file lists principals by the sha256 of
 * their bearer token (never the token) and their roles. A presented token is
 * hashed and compared with every entry in constant time, so neither a match
 * nor its position leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parse } from 'yaml';
import { RcError, RcErrors } from '../errors.js';
import { tryReadTextFile } from '../read/read-file.js';
import { createAjv, ref } from './schema-store.js';

/** A role: `evaluate` (evaluate, what-if, validate, review), `read` (rule sets, ledger reads), `issue`, `admin` (all). */
export type Role = 'evaluate' | 'read' | 'issue' | 'admin';

/** One caller. */
export interface Principal { principal: string; roles: readonly Role[] }

/** The callers of a tokens file, checked against a presented token. */
export interface TokenTable {
  /** The principal whose token this is, or undefined. */
  find(token: string): Principal | undefined;
  readonly size: number;
}

const MAX_TOKENS_FILE = 1024 * 1024;

/** Reads and checks a tokens file (YAML or JSON); throws `RcErrors` with positions of what is wrong. */
export function readTokens(file: string): TokenTable {
  const read = tryReadTextFile(file, MAX_TOKENS_FILE);
  if ('errors' in read) throw new RcErrors(read.errors);
  let value: unknown;
  try {
    value = parse(read.text, { schema: 'core', merge: false, resolveKnownTags: false, uniqueKeys: true, maxAliasCount: 0 });
  } catch (err) {
    throw new RcError('YAML_SYNTAX', `tokens file: ${(err as Error).message}`, { file });
  }
  const check = createAjv().getSchema(ref('service', 'tokensFile'))!;
  if (!check(value)) {
    throw new RcErrors((check.errors ?? []).map((e) => new RcError('SCHEMA',
      `tokens file${e.instancePath ? ` ${e.instancePath}` : ''}: ${e.message ?? e.keyword}`, { file, path: e.instancePath })));
  }
  const entries = (value as { tokens: { principal: string; sha256: string; roles: Role[] }[] }).tokens
    .map((t) => ({ principal: { principal: t.principal, roles: Object.freeze([...t.roles]) }, digest: Buffer.from(t.sha256, 'hex') }));
  return {
    size: entries.length,
    find(token) {
      const digest = createHash('sha256').update(token, 'utf8').digest();
      let found: Principal | undefined;
      for (const e of entries) if (timingSafeEqual(e.digest, digest) && !found) found = e.principal;
      return found;
    },
  };
}

/** Whether `p` may use an endpoint that needs `role`. */
export function hasRole(p: Principal, role: Role): boolean {
  return p.roles.includes('admin') || p.roles.includes(role);
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(header ?? '');
  return m?.[1];
}

/** Whether `host` is a loopback address (binding anything else needs a tokens file). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}
