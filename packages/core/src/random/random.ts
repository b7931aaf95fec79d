/**
 * A small seeded PRNG (xoshiro128**, seeded through splitmix32) so that initialisation, shuffling,
 * dropout and dataset generation are reproducible from one integer seed on every engine.
 */
export class Random {
  private state = new Uint32Array(4);
  private spareNormal: number | undefined;

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let index = 0; index < 4; index++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.state[index] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.state.every((value) => value === 0)) this.state[0] = 1;
  }

  /** A uniformly random unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, bound). */
  integer(bound: number): number {
    return Math.floor(this.uniform() * bound);
  }

  /** Standard normal draw (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `values` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(values: T): T {
    for (let index = values.length - 1; index > 0; index--) {
      const other = this.integer(index + 1);
      const held = values[index];
      values[index] = values[other];
      values[other] = held;
    }
    return values;
  }

  /** A fresh integer seed for a child generator, so sub-streams stay independent. */
  fork(): number {
    return this.nextUint32();
  }
}

function rotl(value: number, shift: number): number {
  return ((value << shift) | (value >>> (32 - shift))) >>> 0;
}
