/**
 * Recovery trusts nothing it did not write (SPEC §6): a publish journal is
 * rolled forward only when it has the shape of a change this program makes.
 *
 * - publish: the version's file goes from `draft` or `retired` to
 *   `published` with no other change to its content; a lock entry is added
 *   for a version the lock does not hold (every other entry byte-for-byte
 *   the same); one log line is appended naming that version, that hash and
 *   action `publish`. Its repairs: the lock entry alone (the file is
 *   already published), or the file alone (restoring a draft whose lock
 *   entry is there already); the log line is always appended.
 * - retire: the file goes from `published` to `retired`, one log line with
 *   action `retire`; the lock is not touched.
 * - Every name is a file directly inside the rules folder — the version's
 *   `<id>.yaml`, `rules.lock` or `publish-log.ndjson` — that is a regular
 *   file or does not exist yet: no symbolic link, no `..`, nothing else.
 *
 * The reason given names what is wrong; an empty result means the journal
 * may be completed. `checkLine` adds the caller's check of the appended log
 * line (its signatures, where signers are configured).
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { canonicalJson, hashWithStatus } from '../parse/canonical.js';
import { SAFE_YAML_OPTIONS } from '../parse/source-doc.js';
import { LOCK_FILE } from './lock.js';
import { viewJournal, type Journal, type JournalView } from './publish-journal.js';
import { parsePublishLog, PUBLISH_LOG_FILE, type PublishLogLine } from './publish-log.js';

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
type Doc = Record<string, unknown>;

/**
 * The journal of `dir` (as `viewJournal`), judged: a journal whose shape is
 * not one this program writes gets `refused` and is not completable.
 */
export function judgedJournal(dir: string, checkLine?: (line: PublishLogLine) => string[]): JournalView | undefined {
  const view = viewJournal(dir);
  if (!view) return undefined;
  const problems = journalShapeProblems(dir, view.journal, checkLine);
  if (!problems.length) return view;
  return { ...view, completable: false, refused: problems.join('; ') };
}

/** What is wrong with the journal's shape; empty when it is one this program writes. */
export function journalShapeProblems(dir: string, j: Journal, checkLine?: (line: PublishLogLine) => string[]): string[] {
  const action = j.action ?? 'publish';
  if (action !== 'publish' && action !== 'retire') return [`unknown action ${JSON.stringify(action)}`];
  if (!ID.test(j.id) || j.id.includes('..')) return [`the version id ${JSON.stringify(j.id).slice(0, 60)} is not one`];
  const yamlName = `${j.id}.yaml`;
  const allowed = new Set([yamlName, LOCK_FILE, PUBLISH_LOG_FILE]);
  const names = j.files.map((f) => f.name);
  const odd = names.filter((n) => !allowed.has(n));
  if (odd.length) return [`it names ${odd.map((n) => JSON.stringify(n).slice(0, 80)).join(', ')}: a ${action} of ${j.id} writes only ${[...allowed].join(', ')}`];
  if (new Set(names).size !== names.length) return ['it names a file twice'];
  for (const f of j.files) {
    const kind = fileKind(join(dir, f.name));
    if (kind !== 'file' && kind !== 'none') return [`${f.name} is ${kind}: recovery writes only regular files inside the rules folder`];
    if ((f.beforeBase64 === null) !== (f.beforeSha256 === null)) return [`the entry of ${f.name} is inconsistent`];
  }
  const entry = (n: string) => j.files.find((f) => f.name === n);
  const text = (b64: string | null) => (b64 === null ? null : Buffer.from(b64, 'base64').toString('utf8'));
  const yamlEntry = entry(yamlName);
  const lockEntry = entry(LOCK_FILE);
  const logEntry = entry(PUBLISH_LOG_FILE);
  if (!logEntry) return [`it appends no line to ${PUBLISH_LOG_FILE}: every ${action} is logged`];

  // the version's content as it will be: from the journal, or as on disk when the journal leaves the file alone
  let after: Doc | undefined;
  if (yamlEntry) {
    const before = yamlDoc(text(yamlEntry.beforeBase64));
    after = yamlDoc(yamlEntry.after);
    if (!before || !after) return [`${yamlName}: its content before and after must both be rule sets`];
    const from = action === 'publish' ? ['draft', 'retired'] : ['published'];
    const to = action === 'publish' ? 'published' : 'retired';
    if (!from.includes(String(before.status)) || after.status !== to) return [`${yamlName}: a ${action} sets status ${from.join(' or ')} → ${to}, not ${String(before.status)} → ${String(after.status)}`];
    if (canonicalJson({ ...before, status: to }) !== canonicalJson(after)) return [`${yamlName}: the content after differs from the content before in more than its status`];
  } else {
    if (action === 'retire') return [`a retire changes ${yamlName}'s status, and the journal does not`];
    const { bytes } = readRegular(join(dir, yamlName));
    after = yamlDoc(bytes);
    if (!after || after.status !== 'published') return [`${yamlName} is not published on disk, and the journal does not publish it`];
  }
  if (after.id !== j.id) return [`${yamlName} holds version ${JSON.stringify(after.id)}, not ${j.id}`];
  const hash = hashWithStatus(after, 'published');

  const lockBefore = lockDoc(lockEntry ? text(lockEntry.beforeBase64) ?? '{}' : readRegular(join(dir, LOCK_FILE)).bytes ?? '{}');
  if (!lockBefore) return [`${LOCK_FILE}: its content before is not a lock`];
  if (lockEntry) {
    if (action === 'retire') return [`a retire never changes ${LOCK_FILE}`];
    const lockAfter = lockDoc(lockEntry.after);
    if (!lockAfter) return [`${LOCK_FILE}: its content after is not a lock`];
    if (Object.hasOwn(lockBefore, j.id)) return [`${LOCK_FILE} already holds ${j.id}: recovery never changes an existing lock entry`];
    if (canonicalJson({ ...lockBefore, [j.id]: hash }) !== canonicalJson(lockAfter)) return [`${LOCK_FILE}: the journal does more than add ${j.id} with the hash of its content (${hash.slice(0, 12)}…)`];
  } else if (lockBefore[j.id] !== hash) {
    return [`${LOCK_FILE} does not hold ${j.id} with the hash of its content (${hash.slice(0, 12)}…), and the journal does not add it`];
  }

  const logBefore = text(logEntry.beforeBase64) ?? '';
  const sep = logBefore && !logBefore.endsWith('\n') ? '\n' : '';
  if (!logEntry.after.startsWith(logBefore + sep)) return [`${PUBLISH_LOG_FILE}: the journal rewrites earlier lines; a ${action} only appends one`];
  const added = logEntry.after.slice(logBefore.length + sep.length);
  const parsed = parsePublishLog(PUBLISH_LOG_FILE, added);
  if (parsed.errors.length || parsed.lines.length !== 1 || !added.endsWith('\n') || added.indexOf('\n') !== added.length - 1) return [`${PUBLISH_LOG_FILE}: the journal does not append exactly one valid line`];
  const line = parsed.lines[0]!;
  if (line.id !== j.id || line.sha256 !== hash || (line.action ?? 'publish') !== action) {
    return [`${PUBLISH_LOG_FILE}: the appended line records ${line.action ?? 'publish'} of ${line.id} (${line.sha256.slice(0, 12)}…), not the ${action} of ${j.id} (${hash.slice(0, 12)}…)`];
  }
  return checkLine ? checkLine(line) : [];
}

/** `file`, `none`, `a symbolic link`, `a folder`, … */
function fileKind(path: string): string {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return 'a symbolic link';
    if (st.isFile()) return 'file';
    return st.isDirectory() ? 'a folder' : 'not a regular file';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : 'unreadable';
  }
}

function readRegular(path: string): { bytes: string | null } {
  if (fileKind(path) !== 'file') return { bytes: null };
  try {
    return { bytes: readFileSync(path, 'utf8') };
  } catch {
    return { bytes: null };
  }
}

function yamlDoc(text: string | null): Doc | undefined {
  if (text === null) return undefined;
  try {
    const v: unknown = parse(text.replace(/^\ufeff/, ''), { ...SAFE_YAML_OPTIONS });
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : undefined;
  } catch {
    return undefined;
  }
}

function lockDoc(text: string | null): Record<string, string> | undefined {
  if (text === null) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((h) => typeof h === 'string') ? (v as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}
