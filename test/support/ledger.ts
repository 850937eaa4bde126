/** Snapshots and runs for the ledger tests: simple accounts whose credit is known by hand. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A snapshot of `users` Starter Plus users at $4.00 (fully commissionable), 3 sub-clients, approved long ago. */
export function snap(account: string, period: string, users: number): object {
  return {
    schemaVersion: 1, account, period,
    reseller: { approved: true, approvedOn: '2025-01-15' },
    subClients: ['a.example', 'b.example', 'c.example'],
    lineItems: [{ service: 'starter-plus-user', quantity: users, unitPrice: '4.00' }],
  };
}

/**
 * The credit of `snap(…, users)` under rule set 2026-01, in cents, worked out
 * by hand: charges = value = 4 × users dollars; tiers from $50 10%, $500 15%,
 * $5000 20%.
 */
export function creditCents(users: number): number {
  const dollars = 4 * users;
  const pct = dollars >= 5000 ? 20 : dollars >= 500 ? 15 : dollars >= 50 ? 10 : 0;
  return 4 * users * pct; // 400·users cents × pct / 100
}

/** Cents as a money string: 1234 → "12.34", -5 → "-0.05". */
export function dollars(cents: number): string {
  const neg = cents < 0;
  const c = Math.abs(cents);
  return `${neg ? '-' : ''}${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

/** Writes snapshots as an NDJSON file; returns its path. */
export function writeNdjson(dir: string, name: string, snaps: readonly object[]): string {
  const file = join(dir, name);
  writeFileSync(file, snaps.map((s) => `${JSON.stringify(s)}\n`).join(''));
  return file;
}

/** The number of entries in a ledger file read directly with SQLite (0 when it has no table yet). */
export function entryCount(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const t = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'entries'").get();
    return t ? (db.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n : 0;
  } finally {
    db.close();
  }
}
