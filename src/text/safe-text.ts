/**
 * The one helper for showing text that came from input (account ids, service
 * ids, file names, field values) on a terminal or in a message (SPEC §5
 * "Output that a terminal shows is safe", §4 "cut to a readable length").
 *
 * - `safeText` escapes every control character (C0, DEL, C1) and the Unicode
 *   line/paragraph separators as `\xNN` / `\uNNNN` (`\n`, `\r`, `\t` by name), so
 *   input can neither move the cursor, set a window title nor forge a line.
 * - `cutText` shortens to about `max` characters with `…`, never splitting a
 *   surrogate pair.
 * - `quoteInput` does both and wraps the result in double quotes: the form used
 *   when a message echoes a value.
 *
 * JSON output does not use these (JSON escapes control characters itself);
 * CSV cells use them after the formula guard.
 */

export const MAX_QUOTED = 80;

// C0 controls, DEL, C1 controls, LINE SEPARATOR, PARAGRAPH SEPARATOR, and the
// bidirectional overrides/isolates that can reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Control characters escaped; everything else unchanged. */
export function safeText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeOne) : text;
}

/** At most about `max` characters, ending with `…` when cut. */
export function cutText(text: string, max = MAX_QUOTED): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // do not split a surrogate pair
  return `${text.slice(0, end)}…`;
}

/** Escaped, cut and in double quotes: how a message quotes a value from input. */
export function quoteInput(text: string, max = MAX_QUOTED): string {
  // cut first (on the raw text) so the escapes never make the limit meaningless,
  // then escape what is kept
  return `"${safeText(cutText(text, max))}"`;
}
