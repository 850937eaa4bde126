/**
 * Identifiers compared as a person reads them (SPEC §4 "Identifiers"): the
 * key of a sub-client (a host name) and of an account id. Pure functions, no
 * I/O, so the snapshot checks, the evaluation and a run's duplicate check
 * all compare the same way.
 *
 * Why `tr46` and not `url.domainToASCII`: Node's function drops some
 * invisible characters silently and says nothing about why a name fails
 * (it returns ""), and its Unicode tables are those of the Node release
 * (ada in Node 20, newer tables in 22 and 24), so one snapshot could count a
 * different number of sub-clients after a Node upgrade. `tr46` (the UTS #46
 * implementation behind the WHATWG URL package, pinned) gives the same keys
 * on every Node version and reports failures. It is slow (~25 µs a name), so
 * plain ASCII names, where UTS #46 is only lower-casing, skip it (a property
 * test checks that the shortcut gives tr46's key).
 */
import { createRequire } from 'node:module';
import type * as Tr46 from 'tr46';
import type * as Tldts from 'tldts';
import { quoteInput } from '../text/safe-text.js';

// tr46 (the UTS #46 tables) and tldts (the Public Suffix List) cost ~10 and ~12 MB of memory in every thread
// that loads them (measured), and most runs need neither: plain ASCII host names never reach tr46, and only
// `distinctBy: registrable-domain` asks tldts. So each is loaded, synchronously, the first time it is needed.
const requireHere = createRequire(import.meta.url);
let tr46Module: typeof Tr46 | undefined;
let tldtsModule: typeof Tldts | undefined;
const tr46 = (): typeof Tr46 => (tr46Module ??= requireHere('tr46') as typeof Tr46);
const tldts = (): typeof Tldts => (tldtsModule ??= requireHere('tldts') as typeof Tldts);

/** How sub-clients are told apart (`eligibility.distinctBy` of a rule set; absent means `host`). */
export type DistinctBy = 'host' | 'registrable-domain';

/** Why an identifier is refused; the code is the `RcError` code the snapshot checks use. */
export interface IdentifierProblem {
  code: 'INVISIBLE_CHARACTER' | 'CONTROL_CHARACTER' | 'BAD_HOST_NAME' | 'BAD_ACCOUNT_ID' | 'ACCOUNT_VARIANT';
  /** What is wrong, without the field path (the caller adds it). */
  message: string;
}

/** A key, or the reason there is none. `key: null` (no problem) is a blank sub-client entry, ignored. */
export type KeyResult = { key: string | null; problem?: undefined } | { key?: undefined; problem: IdentifierProblem };

// Default_Ignorable_Code_Point and format characters (Cf): U+200B, U+00AD,
// U+2060, U+FEFF, joiners, bidi marks, variation selectors, tag characters…
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u;
const CONTROL = /\p{Cc}/u;
const WHITE_SPACE = /^\p{White_Space}*$/u;
const EDGE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

const NAMES: Record<number, string> = {
  0x00: 'NULL', 0x09: 'CHARACTER TABULATION', 0x0a: 'LINE FEED', 0x0d: 'CARRIAGE RETURN', 0x1b: 'ESCAPE', 0x7f: 'DELETE',
  0x85: 'NEXT LINE', 0xad: 'SOFT HYPHEN', 0x34f: 'COMBINING GRAPHEME JOINER', 0x61c: 'ARABIC LETTER MARK',
  0x115f: 'HANGUL CHOSEONG FILLER', 0x1160: 'HANGUL JUNGSEONG FILLER', 0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE', 0x200c: 'ZERO WIDTH NON-JOINER', 0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK', 0x200f: 'RIGHT-TO-LEFT MARK', 0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING', 0x202c: 'POP DIRECTIONAL FORMATTING', 0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE', 0x2060: 'WORD JOINER', 0x2061: 'FUNCTION APPLICATION', 0x2062: 'INVISIBLE TIMES',
  0x2063: 'INVISIBLE SEPARATOR', 0x2064: 'INVISIBLE PLUS', 0x2066: 'LEFT-TO-RIGHT ISOLATE', 0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE', 0x2069: 'POP DIRECTIONAL ISOLATE', 0x3164: 'HANGUL FILLER',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE', 0xffa0: 'HALFWIDTH HANGUL FILLER',
};

/** `U+200B ZERO WIDTH SPACE`, or only the code point when the name is not in our short table. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[cp] ?? (cp >= 0xfe00 && cp <= 0xfe0f ? `VARIATION SELECTOR-${cp - 0xfe00 + 1}` : undefined);
  return name ? `${hex} ${name}` : hex;
}

const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');
/**
 * An identifier as a message quotes it: cut, control characters escaped,
 * and invisible characters shown as `\uXXXX` so the reader sees them.
 */
export function quoteIdentifier(text: string): string {
  return quoteInput(text).replace(INVISIBLE_ALL, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/**
 * Two spellings of one account as a message quotes them. When they look
 * alike (equal after NFC, e.g. `Ä03` precomposed and `A` + U+0308), every
 * non-ASCII character is shown as `\uXXXX`: otherwise the reader sees the
 * same text twice and cannot tell what to correct.
 */
export function quoteVariants(a: string, b: string): [string, string] {
  if (a === b || a.normalize('NFC') !== b.normalize('NFC')) return [quoteIdentifier(a), quoteIdentifier(b)];
  const esc = (t: string) => quoteIdentifier(t).replace(/[^\x00-\x7f]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  return [esc(a), esc(b)];
}

/** The first invisible or control character of the raw text, as a problem; undefined when there is none. */
function rawProblem(text: string): IdentifierProblem | undefined {
  const inv = INVISIBLE.exec(text);
  if (inv) return { code: 'INVISIBLE_CHARACTER', message: `${quoteIdentifier(text)} holds an invisible character (${describeChar(inv[0])})` };
  const ctl = CONTROL.exec(text);
  if (ctl) return { code: 'CONTROL_CHARACTER', message: `${quoteIdentifier(text)} holds a control character (${describeChar(ctl[0])})` };
  return undefined;
}

const ASCII_HOST = /^[A-Za-z0-9.-]+$/;
const PUNYCODE_LABEL = /(^|\.)xn--/i;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// WHATWG URL's "ends in a number": such a host is parsed as an IPv4 address
const NUMERIC_LABEL = /^(?:[0-9]+|0[xX][0-9a-fA-F]*)$/;
const TR46_OPTIONS = {
  useSTD3ASCIIRules: true, checkHyphens: false, checkBidi: true, checkJoiners: true,
  transitionalProcessing: false, verifyDNSLength: false, ignoreInvalidPunycode: false,
} as const;

/**
 * The key of one sub-client entry: its host name after UTS #46 mapping (ASCII,
 * punycode for Unicode labels, lower case) with one trailing dot removed.
 * A blank entry gives `key: null` (ignored); an entry with an invisible or
 * control character, or that is no valid host name, gives a problem.
 */
export function hostKey(raw: string): KeyResult {
  // the common case, in one pass over the characters: a valid host name in plain ASCII
  const plain = plainHostKey(raw);
  if (plain !== undefined) return { key: plain };
  if (WHITE_SPACE.test(raw)) return { key: null };
  const problem = rawProblem(raw);
  if (problem) return { problem };
  const text = raw.replace(EDGE_SPACE, '');
  let mapped: string | null;
  if (ASCII_HOST.test(text) && !PUNYCODE_LABEL.test(text)) mapped = text.toLowerCase();
  else mapped = tr46().toASCII(text, TR46_OPTIONS);
  return checkHost(raw, mapped);
}

/**
 * The key of a name that is already a valid host name in plain ASCII
 * (letters, digits, hyphens, dots; spaces around; one trailing dot), where
 * UTS #46 only lower-cases: one loop over the characters, ~10x cheaper than
 * the checks below. Undefined for anything else (punycode labels, an IP
 * address, a bad label, any other character), which takes the full path.
 */
function plainHostKey(raw: string): string | undefined {
  let start = 0;
  let end = raw.length;
  while (start < end && raw.charCodeAt(start) === 32) start++;
  while (end > start && raw.charCodeAt(end - 1) === 32) end--;
  if (end > start && raw.charCodeAt(end - 1) === 46) end--;
  if (end === start || end - start > 253) return undefined;
  let label = start;
  let upper = false;
  let digitsOnly = true;
  let last = start;
  for (let i = start; i <= end; i++) {
    const c = i < end ? raw.charCodeAt(i) : 46;
    if (c === 46) {
      const len = i - label;
      if (len < 1 || len > 63 || raw.charCodeAt(label) === 45 || raw.charCodeAt(i - 1) === 45) return undefined;
      // `xn--`: a punycode label, which tr46 decodes and checks
      if (len >= 4 && raw.charCodeAt(label + 2) === 45 && raw.charCodeAt(label + 3) === 45 && (raw.charCodeAt(label) | 32) === 120 && (raw.charCodeAt(label + 1) | 32) === 110) return undefined;
      if (i < end) {
        digitsOnly = true;
        last = i + 1;
      }
      label = i + 1;
      continue;
    }
    if (c >= 48 && c <= 57) continue;
    digitsOnly = false;
    if ((c >= 97 && c <= 122) || c === 45) continue;
    if (c >= 65 && c <= 90) { upper = true; continue; }
    return undefined;
  }
  // a last label of digits (an IPv4 address), or `0x…`: the full path says why it is refused
  if (digitsOnly || (raw.charCodeAt(last) === 48 && (raw.charCodeAt(last + 1) | 32) === 120)) return undefined;
  const key = raw.slice(start, end);
  return upper ? key.toLowerCase() : key;
}

/** The §4 host-name grammar on the mapped name (null: UTS #46 refused it), with the reason when it fails. */
function checkHost(raw: string, mapped: string | null): KeyResult {
  const bad = (why: string): KeyResult => ({ problem: { code: 'BAD_HOST_NAME', message: `${quoteIdentifier(raw)} is not a host name: ${why}` } });
  if (mapped === null) return bad('it has a character or label that IDNA (UTS #46) does not allow');
  if (mapped.endsWith('.')) mapped = mapped.slice(0, -1);
  if (mapped.length === 0) return bad('it has no label');
  if (mapped.length > 253) return bad(`${mapped.length} characters after mapping; at most 253`);
  const labels = mapped.split('.');
  for (const label of labels) {
    if (label.length === 0) return bad('it has an empty label (two dots in a row, or a dot at the start or more than one at the end)');
    if (label.length > 63) return bad(`the label "${label.slice(0, 20)}…" has ${label.length} characters; at most 63`);
    if (!LABEL.test(label)) {
      return bad(`the label "${label}" may hold only letters, digits and hyphens, and may not start or end with a hyphen`);
    }
  }
  if (NUMERIC_LABEL.test(labels[labels.length - 1]!)) return bad('it is an IP address (or ends in a number), not a host name');
  return { key: mapped };
}

/**
 * The key sub-clients are counted by under `distinctBy`: the host key, or its
 * registrable domain by the Public Suffix List (ICANN and private sections,
 * `tldts`, pinned). A host that has no registrable domain (a single label, or
 * itself a public suffix such as `co.uk`) stays its own key.
 */
export function clientKey(host: string, distinctBy: DistinctBy = 'host'): string {
  if (distinctBy === 'host') return host;
  return tldts().getDomain(host, { allowPrivateDomains: true, extractHostname: false, validateHostname: false }) ?? host;
}

/** The result of keying a list of sub-clients. */
export interface SubClientKeys {
  /** One key per entry; null for a blank or refused entry. */
  keys: (string | null)[];
  /** Problems by entry index. */
  problems: { index: number; problem: IdentifierProblem }[];
}

/** Keys every entry of a `subClients` list (host keys; see `clientKey` for the rule set's grouping). */
export function subClientKeys(names: readonly string[]): SubClientKeys {
  const keys: (string | null)[] = new Array(names.length);
  const problems: SubClientKeys['problems'] = [];
  for (let i = 0; i < names.length; i++) {
    const r = hostKey(names[i]!);
    if (r.problem) {
      problems.push({ index: i, problem: r.problem });
      keys[i] = null;
    } else keys[i] = r.key;
  }
  return { keys, problems };
}

/** How many distinct clients the host keys make under `distinctBy` (nulls skipped). */
export function countDistinct(keys: readonly (string | null)[], distinctBy: DistinctBy = 'host'): number {
  const set = new Set<string>();
  for (const k of keys) if (k !== null) set.add(clientKey(k, distinctBy));
  return set.size;
}

const PLAIN_ASCII = /^[\x21-\x7e]+$/;

/**
 * The account key: trimmed, NFKC-normalised and case-folded
 * (`toUpperCase().toLowerCase()`, so `ß`/`SS` and full-width letters meet).
 * An id with an invisible or control character, or blank after trimming, is refused.
 */
export function accountKey(raw: string): KeyResult {
  // printable ASCII without spaces: NFKC changes nothing and case folding is lower-casing
  if (PLAIN_ASCII.test(raw)) return { key: raw.toLowerCase() };
  const problem = rawProblem(raw);
  if (problem) return { problem };
  const key = raw.replace(EDGE_SPACE, '').normalize('NFKC').toUpperCase().toLowerCase();
  if (!key) return { problem: { code: 'BAD_ACCOUNT_ID', message: `${quoteIdentifier(raw)} is blank` } };
  return { key };
}

/** The account key of an id known to be valid (as `accountKey`, without the checks): for hot paths after validation. */
export function accountKeyOf(raw: string): string {
  if (PLAIN_ASCII.test(raw)) return raw.toLowerCase();
  return raw.replace(EDGE_SPACE, '').normalize('NFKC').toUpperCase().toLowerCase();
}
