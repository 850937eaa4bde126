/**
 * The OpenAPI 3.1 document, assembled at start from `schemas/` and the
 * routes (one source of truth): every schema file becomes a component named
 * after it (`evaluation-result`), each of its `$defs` a component of its own
 * (`common.amount`), and every `$ref` is rewritten to point inside the
 * document (`#/components/schemas/…`), since client generators ignore `$id`.
 * Paths come from the registered routes — method, path, role, the query,
 * path and header parameters of their schemas — and `OPERATIONS`.
 */
import { OPERATIONS, type MediaSchema } from './operations.js';
import { SCHEMA_BASE, schemaFiles, type SchemaFile } from './schema-store.js';

/** A route as registered (collected by an `onRoute` hook). */
export interface RouteInfo {
  method: string;
  url: string;
  role: string | null;
  schema?: { querystring?: unknown; params?: unknown; headers?: unknown };
}

const COMPONENT = '#/components/schemas/';

/** The component a `$ref` names, seen from the schema file `from`. */
export function componentRef(target: string, from?: string): string {
  const [file, pointer = ''] = target.split('#');
  let name = from ?? '';
  if (file) name = file.replace(SCHEMA_BASE, '').replace(/\.schema\.json$/, '');
  if (!pointer) return `${COMPONENT}${name}`;
  const m = /^\/\$defs\/([^/]+)$/.exec(pointer);
  if (!m) throw new Error(`cannot place $ref ${target} (from ${from ?? 'a route'}) in the OpenAPI document`);
  return `${COMPONENT}${name}.${m[1]}`;
}

/** `node` with every `$ref` rewritten to a component; `$id`, `$schema` and `$defs` dropped. */
function rewrite(node: unknown, from?: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, from));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$id' || k === '$schema' || k === '$defs') continue;
    out[k] = k === '$ref' && typeof v === 'string' ? componentRef(v, from) : rewrite(v, from);
  }
  return out;
}

/** Every schema file and its `$defs` as components. */
function components(files: readonly SchemaFile[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of files) {
    out[f.name] = rewrite(f.schema, f.name);
    const defs = (f.schema.$defs ?? {}) as Record<string, unknown>;
    for (const [name, def] of Object.entries(defs)) out[`${f.name}.${name}`] = rewrite(def, f.name);
  }
  return out;
}

const media = (s: MediaSchema) => ({ schema: typeof s === 'string' ? { $ref: componentRef(s) } : rewrite(s) });

/** The OpenAPI parameters of a route's query, path or header schema (a `$ref` to a service definition). */
function parameters(schema: unknown, where: 'query' | 'path' | 'header', comps: Record<string, unknown>): object[] {
  const target = (schema as { $ref?: string } | undefined)?.$ref;
  if (!target) return [];
  const def = comps[componentRef(target).slice(COMPONENT.length)] as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(def.properties ?? {}).map(([name, s]) => ({
    name, in: where, required: where === 'path' || (def.required ?? []).includes(name), schema: s,
    ...(typeof (s as { description?: unknown }).description === 'string' ? { description: (s as { description: string }).description } : {}),
  }));
}

/** The document for `routes`, of program `version`. Throws when a route has no entry in `OPERATIONS`. */
export function buildOpenApi(routes: readonly RouteInfo[], version: string): Record<string, unknown> {
  const comps = components(schemaFiles());
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (r.method === 'HEAD') continue;
    const key = `${r.method} ${r.url}`;
    const doc = OPERATIONS[key];
    if (!doc) throw new Error(`route ${key} has no entry in src/server/operations.ts`);
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, res] of Object.entries(doc.responses)) {
      responses[status] = {
        description: res.description,
        ...(res.headers ? { headers: Object.fromEntries(Object.entries(res.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
        ...(res.content ? { content: Object.fromEntries(Object.entries(res.content).map(([t, s]) => [t, media(s)])) } : {}),
      };
    }
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      operationId: doc.operationId,
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      ...(r.role ? { 'x-required-role': r.role } : {}),
      security: r.role ? [{ bearer: [] }] : [],
      parameters: [
        ...parameters(r.schema?.params, 'path', comps),
        ...parameters(r.schema?.querystring, 'query', comps),
        ...parameters(r.schema?.headers, 'header', comps),
      ],
      ...(doc.body ? { requestBody: { required: doc.body.required, content: Object.fromEntries(Object.entries(doc.body.content).map(([t, s]) => [t, media(s)])) } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'reseller-credits',
      version,
      description: 'Reseller statement credits over HTTP (SPEC §13). Every error is an RFC 9457 problem document. With a tokens file, endpoints need a bearer token whose principal has the role in `x-required-role` (`admin` has all).',
    },
    paths,
    components: { schemas: comps, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token listed (by its sha256) in the server\'s tokens file' } } },
  };
}

