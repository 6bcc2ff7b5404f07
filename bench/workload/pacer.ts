// The pacing loop shared by the publisher and the ceiling app.

/**
 * A pacing loop on a ~1 ms timer: each tick emits what is due at `rate` since the start, at most
 * `maxBatch` at once. Running open-ended, what a late tick cannot emit is forgotten (an overloaded
 * sender falls behind rather than bursting later); running to a `limit`, every message is emitted.
 *
 * The emitter learns when each message fell due, to stamp it with that time rather than the
 * tick's: a sender busy for 50 ms (the ceiling app writing to every client) emits the messages
 * that fell due meanwhile in its next tick, and their latency counts from when they fell due, as a
 * server's counts from when a message reached it, not from when it got round to it.
 */
export class Pacer {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private scheduled = 0;
  private rate = 0;
  private limit = Infinity;
  private finished: (() => void) | undefined;

  constructor(
    /** Emit up to `n` messages, the i-th of which fell due `dueAgoMs(i)` ago; returns how many went out. */
    private readonly emit: (n: number, dueAgoMs: (i: number) => number) => number,
    private readonly maxBatch: number,
  ) {}

  /** Start at `rate`/s; with a `limit`, resolves once that many were emitted. */
  run(rate: number, limit = Infinity): Promise<void> {
    this.stop();
    this.rate = rate;
    this.limit = limit;
    this.startedAt = performance.now();
    this.scheduled = 0;
    if (rate <= 0 || limit <= 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    this.timer = setTimeout(() => this.tick(), 1);
    return done;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.finished?.();
    this.finished = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    const now = performance.now();
    const due = Math.min(this.limit, Math.floor((this.rate * (now - this.startedAt)) / 1000)) - this.scheduled;
    const n = Math.min(due, this.maxBatch);
    if (n > 0) {
      const { startedAt, rate, scheduled } = this;
      const emitted = this.emit(n, (i) => now - (startedAt + ((scheduled + i + 1) * 1000) / rate));
      this.scheduled += this.limit === Infinity ? due : emitted;
    }
    if (this.scheduled < this.limit) this.timer = setTimeout(() => this.tick(), 1);
    else this.stop();
  }
}
