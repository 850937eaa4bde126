/**
 * The canonical JSON of a rule set and its hash (SPEC §6): object keys sorted
 * at every level, arrays in order, no whitespace, UTF-8, lower-case hex sha256.
 * Comments and layout of the YAML do not change it.
 */
import { createHash } from 'node:crypto';

/**
 * `JSON.stringify` with keys sorted at every level. Written out by hand because
 * JS objects always enumerate integer-like keys ("9", "10") first, whatever
 * order they were inserted in.
 */
export function canonicalJson(value: unknown): string {
  // loops and string concatenation: `issue` canonicalizes every snapshot of a run
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i ? ',' : '') + canonicalJson(v === undefined ? null : v);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** sha256 (lower-case hex) of the canonical JSON of `value`. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

/**
 * The hash of a rule set document as it reads with `status` set to `status`.
 * A version's identity is its content under `published`: the hash in
 * rules.lock, kept when the version is retired, and what pinned cases accept.
 */
export function hashWithStatus(document: unknown, status: 'draft' | 'published' | 'retired'): string {
  return contentHash({ ...(document as object), status });
}
