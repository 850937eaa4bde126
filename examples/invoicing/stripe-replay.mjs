// Posts `ledger export --target stripe` NDJSON to Stripe, one request per line, with its Idempotency-Key.
// Usage: STRIPE_SECRET_KEY=sk_live_… node stripe-replay.mjs credits.ndjson   (re-running it posts nothing twice)
import { readFileSync } from 'node:fs';
const base = process.env.STRIPE_API_BASE ?? 'https://api.stripe.com';
let failed = 0;
for (const line of readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean)) {
  const r = JSON.parse(line);
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(r.body)) {
    if (typeof v !== 'object') form.append(k, String(v));
    else for (const [mk, mv] of Object.entries(v)) form.append(`${k}[${mk}]`, mv);
  }
  const res = await fetch(base + r.path, {
    method: r.method, body: form,
    headers: { Authorization: `Bearer ${process.env.STRIPE_SECRET_KEY}`, 'Idempotency-Key': r.idempotencyKey },
  });
  console.log(res.status, r.body.metadata.account, r.body.amount, r.body.currency, (await res.json()).id ?? '');
  if (!res.ok) failed++;
}
process.exitCode = failed ? 1 : 0;
