// Which pieces a peer has, as BEP 3 sends it: bit 7 of byte 0 is piece 0; spare bits are zero.

export class Bitfield {
  readonly bytes: Buffer;
  private count = 0;

  constructor(readonly length: number, bytes?: Buffer) {
    this.bytes = Buffer.alloc(Math.ceil(length / 8));
    if (bytes) {
      if (bytes.length !== this.bytes.length) throw new Error(`a bitfield for ${length} pieces has ${this.bytes.length} bytes; received ${bytes.length}`);
      for (let i = 0; i < length; i++) if (bytes[i >> 3]! & (0x80 >> (i & 7))) this.set(i);
    }
  }

  static full(length: number): Bitfield {
    const b = new Bitfield(length);
    for (let i = 0; i < length; i++) b.set(i);
    return b;
  }

  has(i: number): boolean {
    return (this.bytes[i >> 3]! & (0x80 >> (i & 7))) !== 0;
  }

  /** Returns whether the bit was newly set. */
  set(i: number): boolean {
    if (i < 0 || i >= this.length) throw new Error(`piece ${i} is out of range (0..${this.length - 1})`);
    if (this.has(i)) return false;
    this.bytes[i >> 3] = this.bytes[i >> 3]! | (0x80 >> (i & 7));
    this.count++;
    return true;
  }

  get cardinality(): number {
    return this.count;
  }

  get complete(): boolean {
    return this.count === this.length;
  }
}
