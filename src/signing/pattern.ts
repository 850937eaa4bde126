/**
 * OpenSSH's pattern lists (match.c): comma-separated globs with `*` and `?`,
 * a leading `!` negating one. Used for an allowed_signers line's principals
 * and its `namespaces="…"`, exactly as `ssh-keygen -Y verify` reads them.
 */

/** Whether `s` matches the glob `pattern` (`*` any run, `?` any one character). */
export function matchPattern(s: string, pattern: string): boolean {
  let si = 0;
  let pi = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (pi < pattern.length && (pattern[pi] === '?' || pattern[pi] === s[si])) {
      si++;
      pi++;
    } else if (pi < pattern.length && pattern[pi] === '*') {
      starP = pi++;
      starS = si;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (pi < pattern.length && pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/**
 * `match_pattern_list`: 1 when some positive pattern matches and no negated
 * one does, -1 when a negated one matches, 0 otherwise.
 */
export function matchPatternList(s: string, list: string): 1 | 0 | -1 {
  let positive = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const sub = negated ? raw.slice(1) : raw;
    if (matchPattern(s, sub)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}
