#!/usr/bin/env bash
# Posts `ledger export --target stripe` NDJSON to Stripe with curl and jq, one request per line.
# Usage: STRIPE_SECRET_KEY=sk_live_… ./stripe-replay.sh credits.ndjson   (re-running it posts nothing twice)
set -euo pipefail
base="${STRIPE_API_BASE:-https://api.stripe.com}"
while IFS= read -r r; do
  f() { jq -r "$1" <<<"$r"; }
  curl -sS --fail-with-body -X POST "$base$(f .path)" -u "$STRIPE_SECRET_KEY:" \
    -H "Idempotency-Key: $(f .idempotencyKey)" \
    --data-urlencode "amount=$(f .body.amount)" \
    --data-urlencode "currency=$(f .body.currency)" \
    --data-urlencode "description=$(f .body.description)" \
    --data-urlencode "metadata[entry]=$(f .body.metadata.entry)" \
    --data-urlencode "metadata[account]=$(f .body.metadata.account)" \
    --data-urlencode "metadata[period]=$(f .body.metadata.period)" \
    --data-urlencode "metadata[rules]=$(f .body.metadata.rules)" \
    --data-urlencode "metadata[rulesSha256]=$(f .body.metadata.rulesSha256)"
  echo
done < "$1"
