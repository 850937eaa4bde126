/**
 * Which answer a client asks for with `Accept` (RFC 9110 §12.5.1), between
 * the two an evaluate can give: the CLI's `--format json` bytes (the default)
 * and its `--format ndjson` line per record (compact: no indentation, about
 * two thirds of the bytes on the wire). Opt-in only, so existing
 * clients — no Accept, `*\/*`, `application/json` — keep getting what they got.
 */

/** The q of `type` under `accept`: that of its most specific matching range (-1: none matches), and whether that range names it exactly. */
function quality(accept: string, type: string): { q: number; exact: boolean } {
  const [major] = type.split('/');
  let best = { q: -1, exact: false, rank: -1 };
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const rank = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (rank < 0 || rank < best.rank) continue;
    let q = 1;
    for (const p of params) {
      const m = /^q=([01](?:\.\d{0,3})?)$/.exec(p.replace(/\s+/g, ''));
      if (m) q = Math.min(1, Number(m[1]));
    }
    best = { q, exact: rank === 2, rank };
  }
  return { q: best.q, exact: best.exact };
}

/**
 * Whether `accept` prefers `application/x-ndjson` to `application/json`: a
 * higher q, or the same q with NDJSON named and JSON only reached through a
 * wildcard (`Accept: application/x-ndjson, *\/*`). Absent, empty, or naming
 * neither: JSON, as before.
 */
export function prefersNdjson(accept: string | undefined): boolean {
  if (!accept || !/ndjson/i.test(accept)) return false;
  const nd = quality(accept, 'application/x-ndjson');
  const js = quality(accept, 'application/json');
  if (nd.q <= 0) return false;
  return nd.q > js.q || (nd.q === js.q && nd.exact && !js.exact);
}
