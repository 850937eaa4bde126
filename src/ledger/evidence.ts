/**
 * The auditor's evidence bundle for one statement (SPEC §11 `ledger
 * evidence`): everything needed offline — the account-period's entries, the
 * snapshots they hash, the rule files they pin with the lock and the publish
 * log, the approval statements and signatures of those versions, the signed
 * run records — plus a README with the commands that check each piece and a
 * `MANIFEST.sha256` (the format `sha256sum -c` reads) covering every file.
 *
 * `verifyEvidence` is `evidence verify DIR`: the manifest, each entry's hash,
 * each snapshot's hash, each rule file against the lock, and with signers
 * every approval and run signature. It reads only the bundle, so it works
 * on a copy made anywhere, and it refuses a bundle with any byte changed.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { canonicalJson, hashWithStatus } from '../parse/canonical.js';
import { SAFE_YAML_OPTIONS } from '../parse/source-doc.js';
import { parsePublishLog } from '../folder/publish-log.js';
import { verifyFolderApprovals, type ApprovalPolicy } from '../signing/folder-approvals.js';
import { ROLE_NAMESPACE } from '../signing/roles.js';
import { APPROVALS_DIR } from '../signing/rounds.js';
import { runStatement, type RunBodyLike } from '../signing/run-signature.js';
import { verifyStatement } from '../signing/verify.js';

/** The manifest's file name. */
export const MANIFEST = 'MANIFEST.sha256';

/** One stored entry of the statement: its place, hash, prev and body (snapshot included). */
export interface EvidenceEntry {
  seq: number;
  hash: string;
  prev: string;
  body: { id: string; kind: string; rules: { id: string; sha256: string }; snapshotSha256: string; snapshot: unknown; [k: string]: unknown };
}

/** What goes into a bundle. */
export interface EvidenceInput {
  account: string;
  period: string;
  entries: readonly EvidenceEntry[];
  /** The rules folder the entries' rule sets come from. */
  rulesDir: string;
  /** The signed run records of the runs that wrote the entries. */
  runs?: readonly { body: RunBodyLike; signature: string | null }[];
  /** The ledger's head when the bundle was made. */
  head: string;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Writes the bundle into `out` (which must not exist or be empty); returns its files. */
export function writeEvidence(input: EvidenceInput, out: string): string[] {
  if (existsSync(out) && readdirSync(out).length) throw new Error(`${out} is not empty`);
  const put = (rel: string, data: Buffer | string) => {
    mkdirSync(dirname(join(out, rel)), { recursive: true });
    writeFileSync(join(out, rel), data);
  };
  for (const e of input.entries) {
    put(`entries/${String(e.seq).padStart(8, '0')}-${e.body.kind}-${e.body.id.slice(0, 12)}.json`, `${canonicalJson({ seq: e.seq, hash: e.hash, prev: e.prev, body: e.body })}\n`);
    put(`snapshots/${e.body.snapshotSha256}.json`, canonicalJson(e.body.snapshot)); // no newline: sha256sum of the file is its name
  }
  const ids = [...new Set(input.entries.map((e) => e.body.rules.id))].sort();
  for (const n of ['rules.lock', 'publish-log.ndjson']) if (existsSync(join(input.rulesDir, n))) put(`rules/${n}`, readFileSync(join(input.rulesDir, n)));
  for (const id of ids) {
    put(`rules/${id}.yaml`, readFileSync(join(input.rulesDir, `${id}.yaml`)));
    const approvals = join(input.rulesDir, APPROVALS_DIR, id);
    if (existsSync(approvals)) cpSync(approvals, join(out, 'rules', APPROVALS_DIR, id), { recursive: true, verbatimSymlinks: true });
  }
  for (const r of input.runs ?? []) {
    put(`runs/${r.body.runId}.json`, runStatement(r.body));
    if (r.signature) put(`runs/${r.body.runId}.json.sig`, r.signature);
  }
  put('README.md', readme(input, ids));
  const files = listFiles(out).filter((f) => f !== MANIFEST);
  writeFileSync(join(out, MANIFEST), files.map((f) => `${sha256(readFileSync(join(out, f)))}  ${f}\n`).join(''));
  return [...files, MANIFEST];
}

/** Every file under `dir`, relative, sorted; symbolic links included as they are (verify refuses them). */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const st = lstatSync(join(dir, name));
    if (st.isDirectory()) out.push(...listFiles(join(dir, name), `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

/** What `verifyEvidence` found. */
export interface EvidenceVerdict {
  problems: string[];
  /** What was checked, one line each. */
  checked: string[];
}

/** `evidence verify DIR [--signers FILE]`: checks the bundle `dir` on its own. */
export function verifyEvidence(dir: string, policy: ApprovalPolicy | null): EvidenceVerdict {
  const signers = policy?.signers ?? null;
  const problems: string[] = [];
  const checked: string[] = [];
  const files = listFiles(dir);
  for (const f of files) if (!lstatSync(join(dir, f)).isFile()) problems.push(`${f} is not a regular file`);
  if (!files.includes(MANIFEST)) return { problems: [...problems, `${MANIFEST} is missing`], checked };
  const listed = new Map<string, string>();
  for (const [i, line] of readFileSync(join(dir, MANIFEST), 'utf8').split('\n').entries()) {
    if (!line) continue;
    const m = /^([0-9a-f]{64}) {2}(\S.*)$/.exec(line);
    if (!m || m[2]!.split('/').includes('..')) problems.push(`${MANIFEST}:${i + 1}: not a "SHA256  PATH" line`);
    else listed.set(m[2]!, m[1]!);
  }
  for (const f of files.filter((x) => x !== MANIFEST)) {
    const want = listed.get(f);
    if (!want) problems.push(`${f} is not in ${MANIFEST}`);
    else if (lstatSync(join(dir, f)).isFile() && sha256(readFileSync(join(dir, f))) !== want) problems.push(`${f}: its sha256 is not the one in ${MANIFEST} (changed since the bundle was made)`);
  }
  for (const f of listed.keys()) if (!files.includes(f)) problems.push(`${f} is in ${MANIFEST} but missing`);
  checked.push(`${MANIFEST}: ${listed.size} file(s)`);
  if (problems.length) return { problems, checked };

  const read = (f: string) => readFileSync(join(dir, f));
  const lock = existsSync(join(dir, 'rules/rules.lock')) ? JSON.parse(read('rules/rules.lock').toString('utf8')) as Record<string, string> : {};
  const entries = files.filter((f) => f.startsWith('entries/')).map((f) => ({ f, e: JSON.parse(read(f).toString('utf8')) as EvidenceEntry }));
  for (const { f, e } of entries) {
    if (sha256(e.prev + canonicalJson(e.body)) !== e.hash) problems.push(`${f}: its hash does not match its body and prev`);
    const snap = `snapshots/${e.body.snapshotSha256}.json`;
    if (!files.includes(snap) || sha256(read(snap)) !== e.body.snapshotSha256 || canonicalJson(e.body.snapshot) !== read(snap).toString('utf8')) problems.push(`${f}: its snapshot ${snap} is missing or other`);
    const rf = `rules/${e.body.rules.id}.yaml`;
    if (!files.includes(rf)) problems.push(`${f}: the rule file ${rf} is missing`);
    else if (hashWithStatus(parse(read(rf).toString('utf8'), { ...SAFE_YAML_OPTIONS }), 'published') !== e.body.rules.sha256) problems.push(`${f}: ${rf} is not the content the entry pins`);
    if (lock[e.body.rules.id] !== e.body.rules.sha256) problems.push(`${f}: rules.lock does not hold ${e.body.rules.id} with the hash the entry pins`);
  }
  checked.push(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: hashes, snapshots, rule files and lock`);
  if (!signers || !policy) {
    checked.push('approvals and runs: not verified (no --signers)');
    return { problems, checked };
  }
  const ids = [...new Set(entries.map(({ e }) => e.body.rules.id))];
  const versions = ids.map((id) => {
    const doc = parse(read(`rules/${id}.yaml`).toString('utf8'), { ...SAFE_YAML_OPTIONS }) as { status?: string };
    return { id, status: doc.status === 'retired' ? 'retired' as const : 'published' as const, file: join(dir, `rules/${id}.yaml`) };
  });
  const logText = files.includes('rules/publish-log.ndjson') ? read('rules/publish-log.ndjson').toString('utf8') : '';
  const log = parsePublishLog(join(dir, 'rules/publish-log.ndjson'), logText);
  const approvals = verifyFolderApprovals({ dir: join(dir, 'rules'), versions, lock, logFile: join(dir, 'rules/publish-log.ndjson'), log: log.lines }, policy!);
  problems.push(...approvals.errors.map((e) => e.message));
  checked.push(`approvals of ${ids.join(', ') || 'no version'}`);
  for (const f of files.filter((x) => /^runs\/[^/]+\.json$/.test(x))) {
    if (!files.includes(`${f}.sig`)) {
      problems.push(`${f}: the run is not signed`);
      continue;
    }
    const v = verifyStatement(read(f), read(`${f}.sig`).toString('utf8'), ROLE_NAMESPACE.issue, signers);
    if (!v.ok) problems.push(`${f}: ${v.reason}`);
    else checked.push(`${f}: signed by ${v.principal}`);
  }
  return { problems, checked };
}

function readme(input: EvidenceInput, ids: readonly string[]): string {
  return `# Evidence: ${input.account}, period ${input.period}

Made by reseller-credits from the ledger at head ${input.head}.

- \`entries/\`: the ledger entries of this statement, each \`{ seq, hash, prev, body }\`;
  hash = sha256(prev followed by the canonical JSON of body).
- \`snapshots/<sha256>.json\`: each snapshot as hashed (\`sha256sum\` of the file is its name).
- \`rules/\`: the rule file(s) the entries pin (${ids.join(', ')}), \`rules.lock\`, \`publish-log.ndjson\`
  and \`approvals/\`: the signed requests, approvals and review reports.
- \`runs/\`: the signed statement of each run that wrote the entries, with its \`.sig\`.
- \`${MANIFEST}\`: the sha256 of every file above, this README included.

Check everything with the program:

    reseller-credits evidence verify . --signers /etc/reseller-credits/allowed_signers

or by hand, trusting neither this bundle's maker nor the program:

    sha256sum -c ${MANIFEST}
    ssh-keygen -Y verify -f ALLOWED_SIGNERS -I PRINCIPAL -n reseller-credits-approve \\
      -s rules/approvals/ID/ROUND/approve-PRINCIPAL.json.sig < rules/approvals/ID/ROUND/approve-PRINCIPAL.json
    ssh-keygen -Y verify -f ALLOWED_SIGNERS -I OPERATOR -n reseller-credits-issue -s runs/RUN.json.sig < runs/RUN.json

(the principal and time of each statement are in the statement; see docs/approvals.md).
`;
}
