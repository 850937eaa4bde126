/**
 * Writing a period's statements into a folder: one file per account and
 * format, named so that no account id can leave the folder or collide
 * (`<safe account>-<entry id prefix>.<ext>`), and a manifest with each
 * file's sha256 (the PDFs' go into the evidence bundle).
 */
import { createHash } from 'node:crypto';

/** The file name stem of a statement: the account reduced to safe characters, then the entry id's first 12 hex digits. */
export function statementStem(account: string, entry: string): string {
  const safe = account.normalize('NFKC').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[-._]+/, '').slice(0, 60) || 'account';
  return `${safe}-${entry.slice(0, 12)}`;
}

/** Lower-case hex sha256 of bytes or text. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
