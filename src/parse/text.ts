/** Small helpers over file names and raw text, shared by the loaders. */

/** The version id a rule file's name gives: `rules/2026-01.yaml` → `2026-01`. */
export function idOfFile(file: string): string {
  return file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, '');
}

/** How many `\n` a text holds. */
export function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The `account` of a parsed document, when it has a string one (for error context). */
export function accountOf(value: unknown): string | undefined {
  if (value && typeof value === 'object' && Object.hasOwn(value, 'account')) {
    const a = (value as { account: unknown }).account;
    if (typeof a === 'string') return a;
  }
  return undefined;
}
