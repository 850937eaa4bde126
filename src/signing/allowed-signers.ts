/**
 * The OpenSSH `allowed_signers` file (ssh-keygen(1), "ALLOWED SIGNERS"): the
 * verifier's trust root (SPEC §11). Each line is
 * `PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT]`; the options read are
 * `namespaces="…"` (the roles), `valid-after="…"` and `valid-before="…"`.
 *
 * Stricter than OpenSSH in three ways, each refusing the whole file with the
 * line named, because a trust root that is half understood is not one:
 * a line that does not parse (OpenSSH skips it unless its principal is the
 * one asked for), `cert-authority` (certificates are not supported: list
 * each person's key), and a time without `Z` (OpenSSH reads it in the
 * machine's local time zone, so the verdict would depend on the machine).
 */
import { readFileSync } from 'node:fs';
import { RcError } from '../errors.js';
import { matchPatternList } from './pattern.js';
import { parsePublicKeyText, type SshPublicKey } from './ssh-key.js';

/** One trusted key. */
export interface SignerLine {
  /** The principals pattern list, as written. */
  principals: string;
  key: SshPublicKey;
  /** The `namespaces="…"` pattern list, or undefined (every namespace). */
  namespaces?: string;
  /** Seconds since the epoch, inclusive bounds as OpenSSH checks them. */
  validAfter?: number;
  validBefore?: number;
  /** 1-based line number in the file. */
  line: number;
}

/** A parsed allowed_signers file. */
export interface AllowedSigners {
  file: string;
  lines: SignerLine[];
}

/** `YYYYMMDD[HHMM[SS]]Z` (or `UTC`) → seconds since the epoch. */
export function parseSignerTime(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z|UTC)?$/i.exec(s);
  if (!m) throw new Error(`"${s}" is not a time (YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, ending in Z)`);
  if (!m[7]) throw new Error(`"${s}" has no time zone: end it in Z (UTC); OpenSSH would read it in this machine's local time`);
  const [y, mo, d, h = '0', mi = '0', se = '0'] = m.slice(1, 7).map((v) => v ?? undefined) as string[];
  const t = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +se);
  const back = new Date(t);
  if (back.getUTCMonth() !== +mo! - 1 || back.getUTCDate() !== +d! || +h > 23 || +mi > 59 || +se > 59) {
    throw new Error(`"${s}" is not a valid date and time`);
  }
  return t / 1000;
}

/** Splits off the first whitespace-delimited token, honouring double quotes (OpenSSH `strdelimw`, options). */
function token(s: string): [string, string] {
  let i = 0;
  let quoted = false;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ' ' || c === '\t')) break;
  }
  if (quoted) throw new Error('unterminated quote');
  return [s.slice(0, i), s.slice(i).replace(/^[ \t]+/, '')];
}

/** The options of one line: `name` or `name="value"`, comma-separated. */
function parseOptions(opts: string, out: SignerLine): void {
  const re = /^([A-Za-z-]+)(?:="([^"]*)")?(?:,|$)/;
  let rest = opts;
  while (rest) {
    const m = re.exec(rest);
    if (!m) throw new Error(`cannot read the options "${opts}"`);
    rest = rest.slice(m[0].length);
    if (m[0].endsWith(',') && !rest) throw new Error('unexpected end of options');
    const name = m[1]!.toLowerCase();
    const value = m[2];
    if (name === 'cert-authority') throw new Error('cert-authority lines are not supported: list each person\'s own key');
    if (value === undefined) throw new Error(`option ${name} needs a quoted value`);
    if (name === 'namespaces') {
      if (out.namespaces !== undefined) throw new Error('namespaces given twice');
      out.namespaces = value;
    } else if (name === 'valid-after' || name === 'valid-before') {
      const key = name === 'valid-after' ? 'validAfter' : 'validBefore';
      if (out[key] !== undefined) throw new Error(`${name} given twice`);
      out[key] = parseSignerTime(value);
    } else {
      throw new Error(`unknown option ${name}`);
    }
  }
  if (out.validAfter !== undefined && out.validBefore !== undefined && out.validBefore <= out.validAfter) {
    throw new Error('valid-before is not after valid-after');
  }
}

/** Parses the text of an allowed_signers file; throws `RcError('SIGNERS_INVALID')` naming the line. */
export function parseAllowedSigners(text: string, file: string): AllowedSigners {
  const lines: SignerLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) return;
    try {
      const [principals, rest] = token(line);
      if (!rest) throw new Error('a line needs principals and a key');
      const entry = { principals: principals.replace(/^"|"$/g, ''), line: i + 1 } as SignerLine;
      let keyText = rest;
      const [first, after] = token(rest);
      if (!/^(ssh-|ecdsa-|sk-|rsa-)/.test(first)) {
        parseOptions(first, entry);
        keyText = after;
        if (/^[A-Za-z-]+=/.test(keyText)) throw new Error('options are separated by commas, not spaces');
      }
      entry.key = parsePublicKeyText(keyText);
      lines.push(entry);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new RcError('SIGNERS_INVALID', `allowed signers: ${msg}`, { file, line: i + 1, column: 1 });
    }
  });
  return { file, lines };
}

/** Reads and parses the allowed_signers file `file`. */
export function readAllowedSigners(file: string): AllowedSigners {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RcError('SIGNERS_INVALID', `cannot read the allowed signers file (${code ?? 'error'})`, { file });
  }
  return parseAllowedSigners(text, file);
}

/** What `findSigner` concluded. */
export type SignerMatch = { ok: true; line: SignerLine } | { ok: false; reason: string };

/**
 * OpenSSH `sshsig_check_allowed_keys`: the first line that lists `principal`,
 * holds `key`, grants `namespace` and is valid at `time` (seconds). When none
 * does, the reason given is the nearest miss, for the message.
 */
export function findSigner(signers: AllowedSigners, key: SshPublicKey, principal: string, namespace: string, time: number): SignerMatch {
  let reason = `no line of ${signers.file} lists principal "${principal}" with this key (${key.fingerprint})`;
  for (const l of signers.lines) {
    if (matchPatternList(principal, l.principals) !== 1) continue;
    if (l.key.identity !== key.identity) continue;
    if (l.namespaces !== undefined && matchPatternList(namespace, l.namespaces) !== 1) {
      reason = `line ${l.line}: the key of "${principal}" is not permitted for "${namespace}" (namespaces="${l.namespaces}")`;
      continue;
    }
    if (l.validAfter !== undefined && time < l.validAfter) {
      reason = `line ${l.line}: the key of "${principal}" is not yet valid at ${iso(time)} (valid-after ${iso(l.validAfter)})`;
      continue;
    }
    if (l.validBefore !== undefined && time > l.validBefore) {
      reason = `line ${l.line}: the key of "${principal}" had expired at ${iso(time)} (valid-before ${iso(l.validBefore)})`;
      continue;
    }
    return { ok: true, line: l };
  }
  return { ok: false, reason };
}

/** The principals a key may sign as (for `--principal` left out): the literal names of the lines holding it. */
export function principalsOf(signers: AllowedSigners, key: SshPublicKey): string[] {
  const out = new Set<string>();
  for (const l of signers.lines) {
    if (l.key.identity !== key.identity) continue;
    for (const p of l.principals.split(',')) if (p && !/[*?!]/.test(p)) out.add(p);
  }
  return [...out];
}

const iso = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
