/**
 * The inputs a run entry names (SPEC §11): each input file with the sha256
 * of its bytes, so an auditor can tell which portfolio a run was made from.
 * Standard input and pipes cannot be read twice: they are named `<stdin>`
 * with the sha256 of the run's snapshot hashes, one per line, in order.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { listInputs, STDIN_NAME } from '../read/input-files.js';

/** `[{ name, sha256 }]` for the inputs of a run that recorded the snapshots `snapshotSha256s`. */
export function inputDigests(inputs: readonly string[], snapshotSha256s: readonly string[]): { name: string; sha256: string }[] {
  const out: { name: string; sha256: string }[] = [];
  for (const f of listInputs(inputs)) {
    if (f.error) continue;
    if (f.stream) {
      out.push({ name: STDIN_NAME, sha256: createHash('sha256').update(snapshotSha256s.join('\n')).digest('hex') });
      continue;
    }
    try {
      out.push({ name: f.file, sha256: createHash('sha256').update(readFileSync(f.file)).digest('hex') });
    } catch { /* unreadable now: its records were errors already */ }
  }
  return out;
}
