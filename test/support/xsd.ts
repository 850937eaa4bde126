/**
 * A small reader of XML Schema documents (Intuit's QuickBooks Online XSD),
 * enough to check that a JSON object uses only the element and attribute
 * names its type declares, with values of the declared kinds: complex types
 * with their `extension` chain, sequences and choices, simple types with
 * enumerations, and simple content (`ReferenceType` is `{ value, name? }` in
 * JSON). Parsed with saxes.
 */
import { readFileSync } from 'node:fs';
import { SaxesParser } from 'saxes';

interface Particle { name: string; type: string; min: number; max: number; inChoice: boolean }
interface ComplexType { base?: string; simpleContent: boolean; elements: Particle[]; attributes: string[] }
interface SimpleType { base?: string; enumerations: string[] }

/** The named types of some XSD files. */
export interface Xsd { complex: Map<string, ComplexType>; simple: Map<string, SimpleType> }

/** Reads the top-level named types of `files`. */
export function readXsd(files: string[]): Xsd {
  const xsd: Xsd = { complex: new Map(), simple: new Map() };
  for (const f of files) {
    const p = new SaxesParser();
    const stack: string[] = [];
    let ct: ComplexType | undefined;
    let st: SimpleType | undefined;
    let choiceDepth = 0;
    let anonymousDepth = 0;
    p.on('opentag', (t) => {
      const n = t.name.replace(/^xs:/, '');
      const a = t.attributes as Record<string, string>;
      stack.push(n);
      const depth = stack.length;
      if (depth === 2 && n === 'complexType') { ct = { simpleContent: false, elements: [], attributes: [] }; xsd.complex.set(a.name!, ct); return; }
      if (depth === 2 && n === 'simpleType') { st = { enumerations: [] }; xsd.simple.set(a.name!, st); return; }
      if (anonymousDepth) return;
      if (ct) {
        if (n === 'complexType' || n === 'simpleType') { anonymousDepth = depth; return; }
        if (n === 'simpleContent') ct.simpleContent = true;
        if (n === 'extension' || n === 'restriction') ct.base ??= a.base;
        if (n === 'choice') choiceDepth++;
        if (n === 'element' && a.name) {
          ct.elements.push({ name: a.name, type: a.type ?? 'xs:anyType', min: a.minOccurs === undefined ? 1 : Number(a.minOccurs),
            max: a.maxOccurs === 'unbounded' ? Infinity : a.maxOccurs === undefined ? 1 : Number(a.maxOccurs), inChoice: choiceDepth > 0 });
        }
        if (n === 'attribute' && a.name) ct.attributes.push(a.name);
      }
      if (st) {
        if (n === 'restriction') st.base = a.base;
        if (n === 'enumeration') st.enumerations.push(a.value!);
      }
    });
    p.on('closetag', (t) => {
      const n = t.name.replace(/^xs:/, '');
      if (anonymousDepth && stack.length === anonymousDepth) anonymousDepth = 0;
      if (!anonymousDepth && ct && n === 'choice') choiceDepth--;
      if (stack.length === 2) { ct = undefined; st = undefined; choiceDepth = 0; }
      stack.pop();
    });
    p.write(readFileSync(f, 'utf8')).close();
  }
  return xsd;
}

/** A complex type's elements and attributes, its bases' first. */
export function members(xsd: Xsd, type: string): { elements: Particle[]; attributes: string[]; simpleContent: boolean } {
  const chain: ComplexType[] = [];
  let t = xsd.complex.get(type);
  while (t) { chain.unshift(t); t = t.base ? xsd.complex.get(t.base) : undefined; }
  return { elements: chain.flatMap((c) => c.elements), attributes: chain.flatMap((c) => c.attributes), simpleContent: chain.some((c) => c.simpleContent) };
}

/** Every way `value` departs from XSD type `type` ("path: why"); empty when it conforms. */
export function conform(xsd: Xsd, value: unknown, type: string, path = '$'): string[] {
  const local = type.replace(/^xs:/, '');
  if (type.startsWith('xs:')) {
    const ok = local === 'string' || local === 'anyType' ? typeof value === 'string'
      : local === 'decimal' ? typeof value === 'number' && Number.isFinite(value)
        : local === 'date' ? typeof value === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)
          : local === 'boolean' ? typeof value === 'boolean'
            : local === 'positiveInteger' ? Number.isInteger(value) && (value as number) > 0
              : false;
    return ok ? [] : [`${path}: ${JSON.stringify(value)} is not an xs:${local}`];
  }
  const simple = xsd.simple.get(type);
  if (simple) {
    if (simple.enumerations.length && !simple.enumerations.includes(value as string)) return [`${path}: ${JSON.stringify(value)} is not one of ${type}`];
    return simple.base ? conform(xsd, value, simple.base, path) : [];
  }
  if (!xsd.complex.has(type)) return [`${path}: unknown type ${type}`];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: not an object (${type})`];
  const m = members(xsd, type);
  const out: string[] = [];
  const obj = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (m.simpleContent && k === 'value') continue;
    const el = m.elements.find((e) => e.name === k);
    if (!el) {
      if (!m.attributes.includes(k)) out.push(`${path}.${k}: ${type} has no element or attribute ${k}`);
      else if (typeof v !== 'string') out.push(`${path}.${k}: attribute is not text`);
      continue;
    }
    if (el.max > 1) {
      if (!Array.isArray(v)) { out.push(`${path}.${k}: ${type}.${k} repeats: an array is expected`); continue; }
      v.forEach((item, i) => out.push(...conform(xsd, item, el.type, `${path}.${k}[${i}]`)));
    } else out.push(...conform(xsd, v, el.type, `${path}.${k}`));
  }
  if (m.simpleContent && typeof obj.value !== 'string') out.push(`${path}.value: missing (simple content of ${type})`);
  for (const el of m.elements) if (el.min > 0 && !el.inChoice && !(el.name in obj)) out.push(`${path}.${el.name}: required by ${type}`);
  return out;
}
