/**
 * A small, careful XML writer for reports read by other programs (JUnit XML
 * for CI systems). Text and attribute values are escaped (`&`, `<`, `>`, `"`,
 * `'`), and characters that XML 1.0 does not allow at all — most control
 * characters, even as `&#x1b;`, lone surrogates, U+FFFE/U+FFFF — are shown
 * escaped as on a terminal (`\x1b`, `\ud800`): the document always parses.
 */
import { safeText } from './safe-text.js';

// allowed: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** `text` safe as XML character data or an attribute value; with `lines`, its newlines are kept (character data). */
export function xmlEscape(text: string, lines = false): string {
  const shown = lines ? text.split('\n').map(safeText).join('\n') : safeText(text);
  return shown
    .replace(NOT_XML, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

/** An element: name, attributes (undefined ones left out), children or text. */
export interface XmlElement {
  name: string;
  attrs?: Record<string, string | number | undefined>;
  children?: XmlElement[];
  text?: string;
}

/** The element as indented XML text (names are ours and trusted; values escaped). */
export function xmlElement(e: XmlElement, indent = ''): string {
  const attrs = Object.entries(e.attrs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('');
  if (e.text !== undefined) return `${indent}<${e.name}${attrs}>${xmlEscape(e.text, true)}</${e.name}>\n`;
  if (!e.children?.length) return `${indent}<${e.name}${attrs}/>\n`;
  return `${indent}<${e.name}${attrs}>\n${e.children.map((c) => xmlElement(c, `${indent}  `)).join('')}${indent}</${e.name}>\n`;
}

/** A whole document with its XML declaration. */
export function xmlDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xmlElement(root)}`;
}
