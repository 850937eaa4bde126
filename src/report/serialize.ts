/**
 * The NDJSON serializers of `evaluate`'s records, compiled with
 * fast-json-stringify from the shipped output schemas
 * (`schemas/evaluation-result.schema.json`, `schemas/error-record.schema.json`,
 * docs/output-schemas.md): a result and an error record are written straight
 * from the objects, without `JSON.stringify` walking them generically.
 *
 * The build compiles them once into standalone code
 * (`scripts/build-serializers.mjs` → `dist/report/serializers.generated.cjs`,
 * which loads in milliseconds: fast-json-stringify itself takes ~200 ms to
 * import); when that file is missing or was made from other schema text, they
 * are compiled here at run time, as the validators are (src/validate/schemas.ts).
 * Either way once per thread, on first use.
 *
 * fast-json-stringify writes only the fields its schema names, required ones
 * first: test/serialize.test.ts compares its output with `JSON.stringify` of
 * the same objects.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorRecord } from '../evaluate/record.js';
import type { EvaluationResult } from '../model/types.js';

const require = createRequire(import.meta.url);

/** The base of the schemas' `$id`s. */
export const SCHEMA_ID_BASE = 'https://reseller-credits.dev/schemas/';

/** The schema files the serializers are compiled from. */
export const SERIALIZER_SCHEMAS = ['common', 'evaluation-result', 'error-record'] as const;

/** Where the build puts the pre-compiled serializers (the same from src/ and dist/). */
export const GENERATED_SERIALIZERS = fileURLToPath(new URL('../../dist/report/serializers.generated.cjs', import.meta.url));

/** The serializers: a result with or without its trace, and an error record. */
export interface RecordSerializers {
  result: (x: EvaluationResult) => string;
  resultWithTrace: (x: EvaluationResult) => string;
  error: (x: ErrorRecord) => string;
}
type Name = keyof RecordSerializers;

/** Where the serializers in use came from (see `LoadedValidators`). */
export interface LoadedSerializers {
  serializers: RecordSerializers;
  origin: 'pre-compiled' | 'compiled';
  reason?: 'missing' | 'stale';
}

/** What `scripts/build-serializers.mjs` compiles: each serializer's schema, and the external schemas they refer to. */
export interface SerializerSources {
  schemas: Record<Name, object>;
  externals: Record<string, object>;
  sha256: string;
}

let cache: LoadedSerializers | undefined;

const schemaFile = (name: string) => fileURLToPath(new URL(`../../schemas/${name}.schema.json`, import.meta.url));

/** The schemas of the serializers, read from `schemas/`, and the SHA-256 of their texts. */
export function serializerSources(): SerializerSources {
  const texts = SERIALIZER_SCHEMAS.map((n) => readFileSync(schemaFile(n), 'utf8'));
  const hash = createHash('sha256');
  for (const t of texts) hash.update(t);
  const [common, result, error] = texts.map((t) => absoluteRefs(JSON.parse(t)) as Record<string, unknown>);
  markUnescaped(common!);
  const { trace: _trace, ...untraced } = result!.properties as Record<string, unknown>;
  return {
    schemas: { resultWithTrace: result!, result: { ...result!, properties: untraced }, error: error! },
    externals: { [common!.$id as string]: common! },
    sha256: hash.digest('hex'),
  };
}

/**
 * The definitions whose strings never need JSON escaping: their patterns
 * admit only digits, a-f, "-" and ".", which the writer copies between quotes
 * as they are (fast-json-stringify's `format: "unsafe"`) instead of scanning
 * each for characters to escape. Only in the writer's copy of the schema; the
 * shipped schema is unchanged. Their values are the program's own money
 * strings, hashes and periods (Decimal#toFixed, sha256 hex, validated input),
 * never free text.
 */
export const UNESCAPED_DEFS = ['amount', 'signedAmount', 'percent', 'sha256', 'period'] as const;

export function markUnescaped(common: Record<string, unknown>): void {
  const defs = common.$defs as Record<string, Record<string, unknown>>;
  for (const name of UNESCAPED_DEFS) {
    const def = defs[name]!;
    if (def.type !== 'string' || typeof def.pattern !== 'string' || !/^\^[-\[\]0-9a-f{}(),.?+*|\\]*\$$/.test(def.pattern) || /["\u0000-\u001f]/.test(def.pattern)) {
      throw new Error(`common.schema.json#/$defs/${name} is not a digits-only string any more; take it out of UNESCAPED_DEFS`);
    }
    def.format = 'unsafe';
  }
}

/** `$ref`s relative to the schema's `$id` made absolute: fast-json-stringify resolves only those. */
function absoluteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(absoluteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' && !/^(#|[a-z]+:)/.test(v) ? `${SCHEMA_ID_BASE}${v}` : absoluteRefs(v);
  }
  return out;
}

/** Compiles the serializers at run time (the fallback; fast-json-stringify is loaded only here). */
export function compileSerializers(src: SerializerSources = serializerSources()): RecordSerializers {
  const build = require('fast-json-stringify') as (schema: object, options: object) => (x: never) => string;
  const options = { schema: src.externals };
  return {
    result: build(src.schemas.result, options),
    resultWithTrace: build(src.schemas.resultWithTrace, options),
    error: build(src.schemas.error, options),
  } as RecordSerializers;
}

/** The serializers of the module at `generated` when it was built from these schema texts; otherwise compiled now. */
export function loadSerializers(generated: string, src: SerializerSources = serializerSources()): LoadedSerializers {
  if (!existsSync(generated)) return { serializers: compileSerializers(src), origin: 'compiled', reason: 'missing' };
  const pre = require(generated) as RecordSerializers & { schemasSha256: string; precompiled: true };
  if (pre.precompiled !== true || pre.schemasSha256 !== src.sha256) return { serializers: compileSerializers(src), origin: 'compiled', reason: 'stale' };
  return { serializers: { result: pre.result, resultWithTrace: pre.resultWithTrace, error: pre.error }, origin: 'pre-compiled' };
}

/** This thread's serializers with where they came from, loaded (or compiled) on first use. */
export function loadedSerializers(): LoadedSerializers {
  return (cache ??= loadSerializers(GENERATED_SERIALIZERS));
}

/** This thread's serializers. */
export function recordSerializers(): RecordSerializers {
  return loadedSerializers().serializers;
}
