/**
 * `retire ID`: a published version stops being selected for its window. Its
 * `status` line becomes `retired` (the rest of the file untouched), its lock
 * entry stays (its content stays pinned), and the change is appended to
 * publish-log.ndjson with `action: "retire"` — the same lock, recovery and
 * journal as `publish`, so a retire is never half done and never unlogged.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { RcError } from '../errors.js';
import { logLineText, PUBLISH_LOG_FILE, type LogSignature, type PublishLogEntry } from '../folder/publish-log.js';
import { readBytes } from '../folder/publish-journal.js';
import { resolveLimits } from '../limits.js';
import { NoRuleSetError } from '../compose/resolve-rule-set.js';
import { findRuleSet, loadRules, unknownIdMessage } from '../compose/rules-dir.js';
import { parseRuleSetText, type RuleSetLoadOptions } from '../compose/ruleset-loader.js';
import { PublishRefused, underFolderLock, type FolderWriteOptions } from './publish.js';
import { setStatusText } from './status-edit.js';
import { writeThroughJournal } from './write.js';

/** Options of `retireVersion`. */
export interface RetireOptions extends RuleSetLoadOptions, FolderWriteOptions {
  rulesDir?: string;
  /** Who approved it: a typed name, or the approvers' principals. */
  approvedBy: string;
  /** The signed statements the retire rests on (SPEC §11). */
  signatures?: LogSignature[];
  /** The content hash the signatures were checked for: refused if the lock says otherwise by the time the lock is held. */
  expectSha256?: string;
  dryRun?: boolean;
}

/** What `retireVersion` did (or would do). */
export interface RetireOutcome {
  id: string;
  file: string;
  sha256: string;
  dryRun: boolean;
  logEntry: PublishLogEntry;
  changes: { file: string; text: string }[];
}

/** Retires published version `id`. Throws like `publishVersion`. */
export function retireVersion(id: string, options: RetireOptions): RetireOutcome {
  const dir = options.rulesDir ?? 'rules';
  if (options.dryRun) return plan(id, dir, options).outcome;
  return underFolderLock(dir, options, (writer, refresh) => {
    const p = plan(id, dir, options);
    writeThroughJournal(dir, { id, approvedBy: options.approvedBy, startedAt: p.outcome.logEntry.publishedAt, writes: p.writes, warnings: [], action: 'retire' }, writer, refresh);
    return p.outcome;
  });
}

function plan(id: string, dir: string, options: RetireOptions): { outcome: RetireOutcome; writes: { name: string; text: string }[] } {
  const repo = loadRules(dir, options);
  const found = findRuleSet(repo, id);
  if (!found) throw new NoRuleSetError([new RcError('UNKNOWN_RULE_SET', unknownIdMessage(repo, id))]);
  const rs = found.ruleSet;
  if (!rs) throw new PublishRefused(found.errors);
  const locked = repo.lock.entries[rs.id];
  const refuse = (msg: string) => new PublishRefused([new RcError('LOCK_MISMATCH', msg, { file: found.file, path: 'status' })]);
  if (rs.status !== 'published') throw refuse(`${rs.id} is ${rs.status}, not published: only a published version can be retired`);
  if (locked !== rs.sha256) throw refuse(`${rs.id} does not match rules.lock: run \`reseller-credits validate\``);
  if (options.expectSha256 && options.expectSha256 !== locked) throw refuse(`${rs.id} changed since its retire was approved`);
  const raw = readFileSync(found.file, 'utf8');
  const bom = raw.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  const next = setStatusText(raw.slice(bom.length), found.file, 'retired');
  const check = parseRuleSetText(next, found.file, resolveLimits(options.limits));
  if (check.ruleSet?.status !== 'retired' || check.ruleSet.sha256 !== locked) {
    throw new PublishRefused([new RcError('SCHEMA', 'changing the status line would change other content; set `status: retired` by hand', { file: found.file, path: 'status' })]);
  }
  const logEntry: PublishLogEntry = {
    id: rs.id, sha256: locked, approvedBy: options.approvedBy,
    publishedAt: (options.now ?? (() => new Date()))().toISOString().replace(/\.\d{3}Z$/, 'Z'), review: null, action: 'retire',
    ...(options.signatures ? { signatures: options.signatures } : {}),
  };
  const before = readBytes(repo.log.file)?.toString('utf8') ?? '';
  const line = logLineText(logEntry);
  const writes = [
    { name: basename(found.file), text: bom + next },
    { name: PUBLISH_LOG_FILE, text: before + (before && !before.endsWith('\n') ? '\n' : '') + line },
  ];
  const changes = [
    { file: found.file, text: 'status: published → status: retired (no other byte changes; the lock entry stays)' },
    { file: repo.log.file, text: `append ${line.trimEnd()}` },
  ];
  return { outcome: { id: rs.id, file: found.file, sha256: locked, dryRun: Boolean(options.dryRun), logEntry, changes }, writes };
}
