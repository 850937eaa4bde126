/**
 * Text from input (account ids, service names, tier names, file names) put
 * into markdown as plain text (SPEC §10 "Formats": the markdown review is
 * meant for pull-request comments, where `![x](…)` would load a tracker and
 * `[Approve](…)` would be a live link). Every character that markdown (GFM)
 * can make active is escaped with a backslash, which CommonMark allows
 * before any ASCII punctuation and which shows as the character itself:
 * emphasis, code, links and images, raw HTML and entities, tables,
 * strikethrough, autolinks (`https://`, `www.`, `a@b.c`), and the block
 * markers a line may start with (`#`, `>`, `-`, `+`, `1.`). Characters that
 * are only active next to these (`(`, `:`, `.`) stay as they are elsewhere,
 * so amounts and sentences read normally in the raw text too.
 */
import { safeText } from './safe-text.js';

// active anywhere in a line
const INLINE = /[\\`*_[\]<>|~&@!]/g;
// active at the start of a line: headings, block quotes, list items, ordered list items
const LINE_START = /^(\s*)([#>+-]|\d+[.)])/;

/** `text` as literal markdown text: control characters escaped (`safeText`), every active character backslash-escaped. */
export function markdownText(text: string): string {
  return safeText(text)
    .replace(INLINE, (c) => `\\${c}`)
    .replace(/:\/\//g, '\\://')
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}\\.`)
    .replace(LINE_START, (_, sp: string, m: string) => `${sp}${/\d/.test(m[0]!) ? `${m.slice(0, -1)}\\${m.slice(-1)}` : `\\${m}`}`);
}
