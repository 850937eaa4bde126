/**
 * docs/errors.md documents every error code of src/errors.ts, and only those:
 * a code added to the `ErrorCode` union without a section in the doc, or a
 * section for a code that no longer exists, fails here with the code's name
 * and where to add or remove it. Each section must also say what the code
 * means, show an example message and the fix.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ERRORS_TS = 'src/errors.ts';
const ERRORS_MD = 'docs/errors.md';

/** The codes of `export type ErrorCode = | 'A' | 'B' …;` in the source text, in order. */
function unionCodes(source: string): string[] {
  const m = /export\s+type\s+ErrorCode\s*=([^;]*);/.exec(source);
  if (!m) throw new Error(`${ERRORS_TS}: no "export type ErrorCode = …;" union found`);
  const body = m[1]!.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '');
  return [...body.matchAll(/'([^']+)'|"([^"]+)"/g)].map((x) => (x[1] ?? x[2])!);
}

interface DocSection { code: string; line: number; body: string }

/** Each `### \`CODE\`` section of the doc with its text up to the next heading. */
function docSections(markdown: string): DocSection[] {
  const lines = markdown.split('\n');
  const out: DocSection[] = [];
  lines.forEach((l, i) => {
    const m = /^###\s+`([^`]+)`\s*$/.exec(l);
    if (!m) return;
    const end = lines.findIndex((x, j) => j > i && /^#{1,3}\s/.test(x));
    out.push({ code: m[1]!, line: i + 1, body: lines.slice(i + 1, end === -1 ? undefined : end).join('\n') });
  });
  return out;
}

/** Every way the doc and the union disagree, each as one message naming the code and the place to fix it. */
function problems(source: string, markdown: string): string[] {
  const codes = unionCodes(source);
  const sections = docSections(markdown);
  const documented = new Map<string, DocSection[]>();
  for (const s of sections) documented.set(s.code, [...(documented.get(s.code) ?? []), s]);
  const out: string[] = [];
  for (const code of codes) {
    if (!documented.has(code)) {
      out.push(`${code} is in the ErrorCode union of ${ERRORS_TS} but not documented: add a section "### \`${code}\`" to ${ERRORS_MD} (in the group it belongs to) with its meaning, an example message and the fix`);
    }
  }
  for (const [code, list] of documented) {
    if (!codes.includes(code)) {
      out.push(`${ERRORS_MD}:${list[0]!.line}: "### \`${code}\`" names a code that is not in the ErrorCode union of ${ERRORS_TS}: remove the section, or correct the code's spelling`);
    }
    if (list.length > 1) out.push(`${ERRORS_MD}:${list[1]!.line}: ${code} is documented ${list.length} times; keep one section`);
    for (const s of list) {
      for (const part of ['Meaning', 'Example', 'Fix']) {
        if (!new RegExp(`^- \\*\\*${part}:\\*\\*[ \\t]*\\S`, 'm').test(s.body)) {
          out.push(`${ERRORS_MD}:${s.line}: the section of ${code} has no "- **${part}:** …" line`);
        }
      }
    }
  }
  return out;
}

const section = (code: string) => `### \`${code}\`\n\n- **Meaning:** m\n- **Example:** \`e\`\n- **Fix:** f\n`;

describe('docs/errors.md against the ErrorCode union of src/errors.ts', () => {
  it('every code is documented once, with meaning, example and fix, and the doc names no other code', () => {
    const source = readFileSync(ERRORS_TS, 'utf8');
    const codes = unionCodes(source);
    expect(codes.length).toBeGreaterThanOrEqual(46);
    expect(problems(source, readFileSync(ERRORS_MD, 'utf8'))).toEqual([]);
  });

  it('the union lists each code once', () => {
    const codes = unionCodes(readFileSync(ERRORS_TS, 'utf8'));
    expect(new Set(codes).size).toBe(codes.length);
  });

  // The checker itself, on small texts, so that a checker that finds nothing cannot pass the test above.
  const union = "export type ErrorCode =\n  | 'ALPHA'\n  // a comment 'NOT_A_CODE'\n  | 'BETA';\nconst x = 'GAMMA';";
  it.each([
    ['both documented', `# t\n\n${section('ALPHA')}\n${section('BETA')}`, []],
    ['a code missing from the doc', `# t\n\n${section('ALPHA')}`,
      ['BETA is in the ErrorCode union of src/errors.ts but not documented: add a section "### `BETA`" to docs/errors.md (in the group it belongs to) with its meaning, an example message and the fix']],
    ['a documented code that does not exist', `# t\n\n${section('ALPHA')}\n${section('BETA')}\n${section('GAMMA')}`,
      ['docs/errors.md:15: "### `GAMMA`" names a code that is not in the ErrorCode union of src/errors.ts: remove the section, or correct the code\'s spelling']],
    ['a section without its fix', `# t\n\n${section('ALPHA')}\n${section('BETA').replace('- **Fix:** f\n', '')}`,
      ['docs/errors.md:9: the section of BETA has no "- **Fix:** …" line']],
    ['a code documented twice', `# t\n\n${section('ALPHA')}\n${section('BETA')}\n${section('ALPHA')}`,
      ['docs/errors.md:15: ALPHA is documented 2 times; keep one section']],
    ['an empty example', `# t\n\n${section('ALPHA').replace('`e`', '')}\n${section('BETA')}`,
      ['docs/errors.md:3: the section of ALPHA has no "- **Example:** …" line']],
  ])('the checker: %s', (_name, doc, want) => {
    expect(problems(union, doc)).toEqual(want);
  });

  it('the checker reads the union only (not comments, not other strings) and refuses a source without one', () => {
    expect(unionCodes(union)).toEqual(['ALPHA', 'BETA']);
    expect(() => unionCodes('export type Other = "A";')).toThrow(/no "export type ErrorCode = …;" union found/);
  });
});
