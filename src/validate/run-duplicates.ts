/**
 * One account, one claim per period across a run (SPEC §4 "In one run"):
 * two snapshots of one period whose resellers have the same account key,
 * or an account (own, managed, referred, the linked affiliate) claimed by
 * two resellers for one period, make BOTH records error records, each naming
 * the other — never "the first file wins", since the first may be the stale one.
 *
 * The second claim is only met after the first record's result exists, so a
 * run that uses this check holds its output until `finish()` (see
 * `held-output.ts`) and then writes the refused records as error records.
 *
 * Memory: a Map of a million runs' keys costs ~500 MB of heap (measured:
 * 2.2M entries, 501 MB RSS). So each claim is appended, as one JSON line, to
 * one of `partitions` temporary files chosen by a hash of (period, key) as a
 * tab-separated line (index, role, period, key, id as written, reseller, where), and
 * `finish()` reads one partition at a time: the run holds ~32 KiB per
 * partition while it evaluates, and one partition's Map at the end (exact
 * comparison of the keys, no fingerprints that could collide).
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountKey, quoteIdentifier, quoteVariants } from './identifiers.js';
import { onTempFile } from './held-output.js';

/** Where an account id stands in its snapshot. */
export type AccountRole = 'own' | 'managed' | 'referred' | 'affiliate';

/** The account ids of one record, as written; the first is the reseller's own. */
export interface RecordAccounts {
  period: string;
  accounts: readonly { text: string; role: AccountRole }[];
  /** How a message points at this record, e.g. `portfolio.ndjson:17`. */
  where: string;
}

/**
 * The account ids of a snapshot in the form `add` takes: the run's worker
 * puts these on each record's mark, so the main thread never re-reads a snapshot.
 */
export function accountsOfSnapshot(s: {
  account: string;
  managedAccounts?: readonly { account: string }[];
  linkedAffiliate?: { account: string; referredAccounts?: readonly { account: string }[] };
}): RecordAccounts['accounts'] {
  return [
    { text: s.account, role: 'own' },
    ...(s.managedAccounts ?? []).map((m) => ({ text: m.account, role: 'managed' as const })),
    ...(s.linkedAffiliate?.referredAccounts ?? []).map((r) => ({ text: r.account, role: 'referred' as const })),
    ...(s.linkedAffiliate ? [{ text: s.linkedAffiliate.account, role: 'affiliate' as const }] : []),
  ];
}

/** One refused record and the claim it conflicts with. */
export interface RunConflict {
  /** The refused record. */
  index: number;
  /** The record it conflicts with. */
  other: number;
  message: string;
  /** The refused record's reseller (as written), period, and `where`. */
  account: string;
  period: string;
  where: string;
}

/**
 * A record's claims as the check stores them, built where the record was
 * evaluated (a worker): for each distinct account key, the hash that picks
 * its partition and its line without the record's index. The main thread
 * then only copies these strings into the partition buffers: built there,
 * the lines and the marks' account objects raised a 100,000-snapshot run's
 * peak RSS by 30–40 MB (measured).
 */
export type ClaimLines = readonly (number | string)[];

/** The claim lines of `record` (`ClaimLines`); ids that are not valid account ids are left out (the record is refused already). */
export function claimLines(record: RecordAccounts): ClaimLines {
  const out: (number | string)[] = [];
  const seen = new Set<string>();
  const period = esc(record.period);
  const tail = `${esc(record.accounts[0]?.text ?? '')}\t${esc(record.where)}\n`;
  for (const a of record.accounts) {
    const k = accountKey(a.text);
    if (k.key === undefined || k.key === null || seen.has(k.key)) continue; // a repeat inside one snapshot is the snapshot's rule
    seen.add(k.key);
    const key = esc(k.key);
    out.push(hash(`${period}\t${key}`), `\t${ROLE_CODE[a.role]}\t${period}\t${key}\t${a.text === k.key ? key : esc(a.text)}\t${tail}`);
  }
  return out;
}

/** The check of one run; records are added in input order. */
export interface DuplicateCheck {
  /** Adds the accounts of record `index` (ids that are not valid account ids are skipped: the record is refused already). */
  add(index: number, record: RecordAccounts): void;
  /** Adds record `index`'s claims built by `claimLines` (in a worker). */
  addLines(index: number, claims: ClaimLines): void;
  /** Every refused record with its conflicts, ordered by record; removes the temporary files. */
  finish(): Map<number, RunConflict[]>;
  /** Removes the temporary files without finishing (a run that stops early). */
  close(): void;
}

/** Options of `createDuplicateCheck`; the defaults suit a run of millions. */
export interface DuplicateCheckOptions {
  /** Folder for the temporary partition files (default: the system's temporary folder). */
  dir?: string;
  /** Number of partition files (default 128: what `finish` holds at once is one of them). */
  partitions?: number;
  /** Bytes buffered per partition before it is written (default 32 KiB: 4 MiB in all). */
  bufferBytes?: number;
}

const ROLE_TEXT: Record<AccountRole, string> = {
  own: "the reseller's own account", managed: 'managed account', referred: 'referred account', affiliate: 'linked affiliate account',
};

/** FNV-1a over the UTF-16 code units: spreads claims over the partitions. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

type Entry = [index: number, period: string, role: AccountRole, key: string, text: string, reseller: string, where: string];

const ROLE_CODE: Record<AccountRole, string> = { own: 'o', managed: 'm', referred: 'r', affiliate: 'a' };
const ROLE_OF: Record<string, AccountRole> = { o: 'own', m: 'managed', r: 'referred', a: 'affiliate' };
const SPECIAL = /[\t\n\\]/;
// a tab-separated line is ~3x cheaper to write and read than JSON; the rare field with a tab, newline or backslash is escaped
const esc = (s: string): string => (SPECIAL.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n') : s);
const unesc = (s: string): string => (s.includes('\\') ? s.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c)) : s);

function readEntry(line: string): Entry {
  const f = line.split('\t');
  return [Number(f[0]), unesc(f[2]!), ROLE_OF[f[1]!]!, unesc(f[3]!), unesc(f[4]!), unesc(f[5]!), unesc(f[6]!)];
}

/** The whole of an open partition file, from its start (the file may have no name any more). */
function readAll(fd: number): string {
  const size = fstatSync(fd).size;
  const buf = Buffer.allocUnsafe(size);
  let done = 0;
  while (done < size) {
    const n = readSync(fd, buf, done, size - done, done);
    if (n <= 0) break;
    done += n;
  }
  return buf.toString('utf8', 0, done);
}

/** A new check for one run (see the module comment for how it keeps memory flat). */
export function createDuplicateCheck(options: DuplicateCheckOptions = {}): DuplicateCheck {
  const parts = options.partitions ?? 128;
  const limit = options.bufferBytes ?? 32768;
  // each partition's pending lines as UTF-8 in a buffer of its own, off the JS heap: kept as strings, the lines
  // (ropes of their parts) cost ~80 MB of heap for 100,000 snapshots (measured), as bytes 32 KiB a partition
  const buffers: (Buffer | undefined)[] = new Array(parts);
  const used = new Array<number>(parts).fill(0);
  const fds: (number | undefined)[] = new Array(parts);
  let dir: string | undefined;

  const open = (p: number): number => {
    dir ??= onTempFile(join(options.dir ?? tmpdir(), 'rc-claims-…'), () => mkdtempSync(join(options.dir ?? tmpdir(), 'rc-claims-')));
    if (fds[p] !== undefined) return fds[p];
    const file = join(dir, `${p}.ndjson`);
    fds[p] = onTempFile(file, () => openSync(file, 'a+'));
    // the open file lives on without its name: a run killed midway leaves nothing in TMPDIR (see close())
    try { rmSync(file, { force: true }); } catch { /* removed with the folder by close() */ }
    return fds[p];
  };
  const flush = (p: number): void => {
    if (!used[p]) return;
    const fd = open(p);
    onTempFile(join(dir!, `${p}.ndjson`), () => {
      let done = 0;
      while (done < used[p]!) done += writeSync(fd, buffers[p]!, done, used[p]! - done);
    });
    used[p] = 0;
  };
  // one line is `index` then `rest` (rest starts with a tab): written as two pieces, never joined into a new string
  const push = (p: number, index: string, rest: string): void => {
    const buf = (buffers[p] ??= Buffer.allocUnsafe(limit));
    const size = (index.length + rest.length) * 3; // a UTF-16 code unit is at most 3 bytes of UTF-8
    if (used[p]! + size > limit) flush(p);
    if (size > limit) { // a line longer than the buffer (a very long id) is written alone
      const fd = open(p);
      onTempFile(join(dir!, `${p}.ndjson`), () => writeSync(fd, index + rest));
      return;
    }
    used[p]! += buf.write(index, used[p]!, 'latin1');
    used[p]! += buf.write(rest, used[p]!);
  };
  const pending = (p: number): string => (used[p] ? buffers[p]!.toString('utf8', 0, used[p]) : '');
  const close = (): void => {
    for (const fd of fds) if (fd !== undefined) closeSync(fd);
    fds.fill(undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  };

  return {
    add(index, record) {
      this.addLines(index, claimLines(record));
    },
    addLines(index, claims) {
      if (!claims.length) return;
      const at = `${index}`;
      for (let i = 0; i < claims.length; i += 2) {
        const p = (claims[i] as number) % parts;
        push(p, at, claims[i + 1] as string);
      }
    },
    finish() {
      const refused = new Map<number, RunConflict[]>();
      const refuse = (e: Entry, other: Entry): void => {
        const list = refused.get(e[0]) ?? [];
        if (list.some((c) => c.other === other[0])) return;
        list.push({ index: e[0], other: other[0], message: conflictMessage(e, other), account: e[5], period: e[1], where: e[6] });
        refused.set(e[0], list);
      };
      try {
        for (let p = 0; p < parts; p++) {
          const text = (fds[p] !== undefined ? readAll(fds[p]!) : '') + pending(p);
          used[p] = 0;
          buffers[p] = undefined;
          if (!text) continue;
          // the first line of each (period, key), kept as text: a line is only split when it conflicts
          const first = new Map<string, string>();
          let start = 0;
          while (start < text.length) {
            let end = text.indexOf('\n', start);
            if (end < 0) end = text.length;
            const line = text.slice(start, end);
            start = end + 1;
            const t1 = line.indexOf('\t');
            const t3 = line.indexOf('\t', line.indexOf('\t', t1 + 1) + 1);
            const id = line.slice(line.indexOf('\t', t1 + 1) + 1, line.indexOf('\t', t3 + 1));
            const f = first.get(id);
            if (f === undefined) first.set(id, line);
            else if (f.slice(0, f.indexOf('\t')) !== line.slice(0, t1)) {
              const a = readEntry(f);
              const b = readEntry(line);
              refuse(a, b);
              refuse(b, a);
            }
          }
        }
      } finally {
        close();
      }
      return new Map([...refused.entries()].sort((a, b) => a[0] - b[0]));
    },
    close,
  };
}

/** What record `e` is told about its conflict with `other`. */
function conflictMessage(e: Entry, other: Entry): string {
  const [, period, role, , text] = e;
  const [, , oRole, , oText, oReseller, oWhere] = other;
  if (role === 'own' && oRole === 'own') {
    const [mine, theirs] = quoteVariants(text, oText);
    return `reseller ${mine} has another snapshot for ${period} in this run (${oWhere}, written ${theirs}); ` +
      'both are refused: keep only the right one';
  }
  const [qText, qOther] = quoteVariants(text, oText);
  const claimed = role === 'own' ? `the reseller's own account ${qText}` : `${ROLE_TEXT[role]} ${qText}`;
  const theirs = oRole === 'own' ? 'its own account' : `${ROLE_TEXT[oRole]} ${qOther}`;
  return `${claimed} is also claimed for ${period} by reseller ${quoteIdentifier(oReseller)} (${oWhere}, as ${theirs}); ` +
    'both claims are refused: an account counts for one reseller a period';
}
