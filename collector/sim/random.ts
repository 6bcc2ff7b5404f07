// A small seeded PRNG (mulberry32) so a simulated farm can be replayed exactly: the same
// SIM_SEED gives the same sequence of events, which tests rely on.
import { randomInt } from 'node:crypto';

export class Random {
  private state: number;

  constructor(readonly seed: number = randomInt(0, 2 ** 31)) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /**
   * An independent generator derived from this one. Parts of the simulator driven by different
   * timers (events, snapshots) each get their own, so their sequences do not depend on how the
   * timers happen to interleave.
   */
  fork(): Random {
    return new Random(Math.floor(this.next() * 2 ** 31));
  }
}
