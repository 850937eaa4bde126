/**
 * `issue` output held back until the run is committed (SPEC §9 Integrity):
 * records are written to a temporary file — beside `--out FILE`, or in the
 * temporary folder for stdout — and after the commit the file is renamed to
 * FILE or copied to stdout. A run that rolls back (or is killed) prints no
 * `issued` row; a spool that cannot be written (a full disk) throws, which
 * rolls the run back. The disk it needs is the size of the output.
 */
import { closeSync, createReadStream, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { RcError } from '../../errors.js';
import { out } from '../io.js';

/** A spool file being written. */
export class IssueSpool {
  readonly path: string;
  private fd: number | undefined;
  private readonly target?: string;

  /** Creates the spool (exclusively, mode 0600) beside `target`, or in the temporary folder. Throws RcError WRITE_FAILED. */
  constructor(target?: string) {
    this.target = target === undefined ? undefined : resolve(target);
    const name = `.reseller-credits-issue-${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    this.path = this.target ? join(dirname(this.target), `.${basename(this.target)}${name}`) : join(tmpdir(), name);
    try {
      this.fd = openSync(this.path, 'wx', 0o600);
    } catch (err) {
      throw this.failed(err);
    }
  }

  private failed(err: unknown): RcError {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOSPC' ? 'the disk is full' : e.code === 'EDQUOT' ? 'the disk quota is used up' : e.message;
    return new RcError('WRITE_FAILED', `the output cannot be spooled (${why}); the run was rolled back, nothing was written`, { file: this.path });
  }

  /** Appends text; throws RcError WRITE_FAILED (rolling the run back) when it cannot be written. */
  write(text: string): void {
    if (!text || this.fd === undefined) return;
    try {
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (err) {
      throw this.failed(err);
    }
  }

  /** Makes everything written durable (before the commit). */
  sync(): void {
    if (this.fd === undefined) return;
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
    } catch (err) {
      throw this.failed(err);
    }
  }

  /** After the commit: renames the spool to the target, or copies it to stdout and removes it. */
  async deliver(): Promise<void> {
    this.sync();
    if (this.target) {
      renameSync(this.path, this.target);
      return;
    }
    try {
      for await (const chunk of createReadStream(this.path, { highWaterMark: 1 << 20 })) await out(chunk as Buffer);
    } finally {
      this.discard();
    }
  }

  /** Removes the spool (a run that rolled back). */
  discard(): void {
    if (this.fd !== undefined) {
      try { closeSync(this.fd); } catch { /* already closed */ }
      this.fd = undefined;
    }
    try { unlinkSync(this.path); } catch { /* already gone */ }
  }
}
