/**
 * The SSH wire format (RFC 4251 §5) as SSHSIG and public keys use it: uint32
 * big-endian lengths, byte strings, and mpints. Hand-written rather than
 * taken from `sshpk` (docs/approvals.md, "Why the format is parsed here"):
 * five readers are all SSHSIG needs, and every read is bounds-checked so a
 * hostile blob gives a `WireError`, never an exception from a Buffer method.
 */

/** A blob that is not what the SSH wire format says it should be. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** Reads one blob front to back; every read checks what is left. */
export class WireReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** `n` raw bytes. */
  bytes(n: number, what: string): Buffer {
    if (n < 0 || n > this.remaining) throw new WireError(`${what}: truncated (needs ${n} bytes, ${this.remaining} left)`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** One byte. */
  u8(what: string): number {
    return this.bytes(1, what)[0]!;
  }

  /** A big-endian uint32. */
  u32(what: string): number {
    return this.bytes(4, what).readUInt32BE(0);
  }

  /** A length-prefixed byte string. */
  string(what: string): Buffer {
    const n = this.u32(what);
    return this.bytes(n, what);
  }

  /** A length-prefixed string that must be printable ASCII (names, namespaces, algorithms). */
  text(what: string): string {
    const b = this.string(what);
    for (const c of b) if (c < 0x20 || c > 0x7e) throw new WireError(`${what}: not printable ASCII`);
    return b.toString('latin1');
  }

  /**
   * A non-negative mpint, as its magnitude without leading zero bytes.
   * OpenSSH refuses negative values and a needless leading zero; so does this.
   */
  mpint(what: string): Buffer {
    const b = this.string(what);
    if (b.length > 0 && (b[0]! & 0x80) !== 0) throw new WireError(`${what}: negative number`);
    if (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) throw new WireError(`${what}: number with a needless leading zero`);
    return b[0] === 0 ? b.subarray(1) : b;
  }

  /** Throws unless every byte was read (OpenSSH refuses trailing data). */
  end(what: string): void {
    if (this.remaining !== 0) throw new WireError(`${what}: ${this.remaining} unexpected trailing byte(s)`);
  }
}

/** Builds a blob: the inverse of `WireReader`, for the data SSHSIG signs. */
export class WireWriter {
  private readonly parts: Buffer[] = [];

  /** Raw bytes. */
  raw(b: Buffer | string): this {
    this.parts.push(typeof b === 'string' ? Buffer.from(b, 'latin1') : b);
    return this;
  }

  /** A big-endian uint32. */
  u32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0, 0);
    this.parts.push(b);
    return this;
  }

  /** One byte. */
  u8(n: number): this {
    this.parts.push(Buffer.from([n & 0xff]));
    return this;
  }

  /** A length-prefixed string. */
  string(b: Buffer | string): this {
    const bytes = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
    return this.u32(bytes.length).raw(bytes);
  }

  /** The blob. */
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}
