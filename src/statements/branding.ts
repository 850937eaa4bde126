/**
 * Branding of the statements (SPEC §12): company name, address lines and a
 * logo (PNG or JPEG), from a config file (YAML or JSON). Nothing of it is
 * required; a missing file is an error, an empty one is no branding.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RcError } from '../errors.js';
import { resolveLimits } from '../limits.js';
import { parseYamlDocuments } from '../parse/source-doc.js';

/** The branding, read. */
export interface Branding {
  company?: { name?: string; address?: string[]; email?: string };
  /** the logo's bytes and type */
  logo?: { bytes: Buffer; type: 'png' | 'jpeg' };
  /** an accent colour, #rrggbb */
  color?: string;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

/** Reads a branding file; throws `RcError` naming the file and field. */
export function readBranding(file: string): Branding {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch {
    throw new RcError('FILE_NOT_FOUND', 'cannot read the branding file', { file });
  }
  const doc = parseYamlDocuments(text, { file, limits: resolveLimits() })[0];
  if (!doc) return {};
  if (!doc.ok) throw doc.errors[0]!;
  const v = (doc.doc.value ?? {}) as Record<string, unknown>;
  const bad = (path: string, why: string) => new RcError('SCHEMA', why, { file, path });
  if (typeof v !== 'object' || Array.isArray(v)) throw bad('', 'the branding file must be a mapping (company, logo, color)');
  for (const k of Object.keys(v)) if (!['company', 'logo', 'color'].includes(k)) throw bad(k, `unknown field ${JSON.stringify(k)} (company, logo, color)`);
  const out: Branding = {};
  if (v.company !== undefined) {
    const c = v.company as Record<string, unknown>;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw bad('company', 'company must be a mapping (name, address, email)');
    for (const k of Object.keys(c)) if (!['name', 'address', 'email'].includes(k)) throw bad(`company.${k}`, `unknown field ${JSON.stringify(k)} (name, address, email)`);
    if (c.name !== undefined && typeof c.name !== 'string') throw bad('company.name', 'must be text');
    if (c.email !== undefined && typeof c.email !== 'string') throw bad('company.email', 'must be text');
    if (c.address !== undefined && !(Array.isArray(c.address) && c.address.every((l) => typeof l === 'string'))) throw bad('company.address', 'must be a list of lines');
    out.company = { name: c.name as string | undefined, address: c.address as string[] | undefined, email: c.email as string | undefined };
  }
  if (v.color !== undefined) {
    if (typeof v.color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(v.color)) throw bad('color', 'must be a colour written #rrggbb');
    out.color = v.color;
  }
  if (v.logo !== undefined) {
    if (typeof v.logo !== 'string') throw bad('logo', 'must be the path of a PNG or JPEG file (relative to the branding file)');
    const path = resolve(dirname(file), v.logo);
    let bytes: Buffer;
    try { bytes = readFileSync(path); } catch { throw bad('logo', `cannot read the logo ${path}`); }
    const type = bytes.subarray(0, 4).equals(PNG) ? 'png' : bytes.subarray(0, 3).equals(JPEG) ? 'jpeg' : undefined;
    if (!type) throw bad('logo', 'the logo must be a PNG or JPEG file');
    out.logo = { bytes, type };
  }
  return out;
}
