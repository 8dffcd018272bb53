// A small seeded generator (sfc32) for the scale data: cheap enough to call tens of times per
// record at 10M records, and the same seed always gives the same archive.

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Discard the first outputs: they still resemble the seed.
    for (let i = 0; i < 16; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new Error('Rng.pick: empty list');
    return item;
  }

  /** n random bytes as lowercase hex. */
  hex(n: number): string {
    let s = '';
    while (s.length < n * 2) s += this.u32().toString(16).padStart(8, '0');
    return s.slice(0, n * 2);
  }

  bytes(n: number): Buffer {
    return Buffer.from(this.hex(n), 'hex');
  }

  /** A version-4-shaped UUID (built from a byte table: this runs once per record). */
  uuid(): string {
    const a = this.u32();
    const b = this.u32();
    const c = this.u32();
    const d = this.u32();
    const h = (x: number): string => HEX[x & 0xff] ?? '00';
    return (
      h(a >>> 24) +
      h(a >>> 16) +
      h(a >>> 8) +
      h(a) +
      '-' +
      h(b >>> 24) +
      h(b >>> 16) +
      '-' +
      h(((b >>> 8) & 0x0f) | 0x40) +
      h(b) +
      '-' +
      h(((c >>> 24) & 0x3f) | 0x80) +
      h(c >>> 16) +
      '-' +
      h(c >>> 8) +
      h(c) +
      h(d >>> 24) +
      h(d >>> 16) +
      h(d >>> 8) +
      h(d)
    );
  }

  /** Characters from [A-Za-z0-9], as pg_dump draws its \restrict key. */
  alnum(n: number): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < n; i++) s += chars[this.below(chars.length)] ?? 'A';
    return s;
  }
}
