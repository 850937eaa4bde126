/**
 * The accounts a review compared, kept on disk instead of in memory: each one
 * is appended to a temporary file as one JSON line when it comes, and read
 * back, in input order, only when the JSON report is written. What the
 * charts need (one number per account) is the only part kept in memory, so a
 * review of a million accounts holds a million numbers, not a million objects.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Dec } from '../money/decimal.js';
import type { WhatIfAccount } from '../whatif/compare.js';

const FLUSH_AT = 1 << 16;
const live = new Set<AccountSpool>();
let exitHook = false;
// a spool let go without `dispose` (a library caller, a long-lived process) still removes its file
const files = new FinalizationRegistry<{ fd: number; dir: string }>((h) => {
  try { closeSync(h.fd); } catch { /* already closed */ }
  rmSync(h.dir, { recursive: true, force: true });
});

/** The compared accounts of a review, in input order. */
export class AccountSpool implements Iterable<WhatIfAccount> {
  private dir: string | undefined;
  private fd: number | undefined;
  private pending = '';
  private count = 0;
  private readonly drawn: number[] = [];

  /** How many accounts it holds. */
  get length(): number {
    return this.count;
  }

  /** Appends one account. */
  add(a: WhatIfAccount): void {
    this.count++;
    this.drawn.push(new Dec(a.delta).toNumber()); // for drawing only
    this.pending += `${JSON.stringify(a)}\n`;
    if (this.pending.length >= FLUSH_AT) this.flush();
  }

  /** Each account's credit delta as a number, for the distribution chart only. */
  deltas(): readonly number[] {
    return this.drawn;
  }

  private flush(): void {
    if (!this.pending) return;
    if (this.fd === undefined) {
      this.dir = mkdtempSync(join(tmpdir(), 'rc-review-accounts-'));
      this.fd = openSync(join(this.dir, 'accounts.ndjson'), 'w+', 0o600);
      live.add(this);
      files.register(this, { fd: this.fd, dir: this.dir }, this);
      if (!exitHook) {
        exitHook = true;
        process.once('exit', () => { for (const s of live) s.dispose(); });
      }
    }
    const bytes = Buffer.from(this.pending, 'utf8');
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    this.pending = '';
  }

  /** The accounts, read back in order. */
  *[Symbol.iterator](): Iterator<WhatIfAccount> {
    this.flush();
    if (this.fd !== undefined) {
      const buf = Buffer.allocUnsafe(FLUSH_AT);
      let position = 0;
      let rest = '';
      const utf8 = new StringDecoder('utf8'); // a character split between two reads is joined
      for (;;) {
        const n = readSync(this.fd, buf, 0, buf.length, position);
        if (!n) break;
        position += n;
        const text = rest + utf8.write(buf.subarray(0, n));
        const lines = text.split('\n');
        rest = lines.pop()!;
        for (const l of lines) yield JSON.parse(l) as WhatIfAccount;
      }
    }
  }

  /** All of them (what `JSON.stringify` of a report writes). */
  toJSON(): WhatIfAccount[] {
    return [...this];
  }

  /** Removes the temporary file. */
  dispose(): void {
    files.unregister(this);
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.fd = undefined;
    this.dir = undefined;
    live.delete(this);
  }
}
