// Publishes the workload as collectors do: through RedisBus.publish (the history-and-publish Lua
// script; ioredis auto-pipelines the calls of one tick into one write).
import { RedisBus } from '../../shared/bus/index.ts';
import { monotonicMicros } from './clock.ts';
import { logMessage, metricsSnapshot } from './log-mix.ts';
import type { MessageSource } from './message-source.ts';
import { Pacer } from './pacer.ts';

/** Publishes not yet acknowledged beyond which a tick skips (Redis is behind; do not queue without bound). */
const MAX_IN_FLIGHT = 20_000;

export class RedisPublisher implements MessageSource {
  private seq = 0;
  private count = 0;
  private inFlight = 0;
  private failures = 0;
  private readonly logs = new Pacer((n, dueAgoMs) => this.publishLogs(n, dueAgoMs), 5000);
  private readonly metrics = new Pacer((n) => this.publishMetrics(n), 100);

  private constructor(private readonly bus: RedisBus) {}

  static async connect(url: string, prefix: string): Promise<RedisPublisher> {
    return new RedisPublisher(await new RedisBus({ url, prefix, historyLength: 1000 }).connect());
  }

  async setRate(perSecond: number): Promise<void> {
    void this.logs.run(perSecond);
  }

  async sendCount(count: number, perSecond: number): Promise<void> {
    const deadline = Date.now() + 30_000 + (count / perSecond) * 1000;
    const sent = this.logs.run(perSecond, count);
    const late = setTimeout(() => this.logs.stop(), deadline - Date.now());
    await sent;
    clearTimeout(late);
    while (this.inFlight > 0) {
      if (Date.now() > deadline) throw new Error(`Redis did not acknowledge ${this.inFlight} publishes in time`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (Date.now() > deadline) throw new Error('the publisher could not publish its messages in time');
  }

  async setMetricsRate(perSecond: number): Promise<void> {
    void this.metrics.run(perSecond);
  }

  async published(): Promise<number> {
    if (this.failures > 0) throw new Error(`${this.failures} publishes failed`);
    return this.count;
  }

  async close(): Promise<void> {
    this.logs.stop();
    this.metrics.stop();
    await this.bus.close();
  }

  private publishLogs(n: number, dueAgoMs: (i: number) => number): number {
    if (this.inFlight > MAX_IN_FLIGHT) return 0;
    const now = monotonicMicros();
    for (let i = 0; i < n; i++) this.track(this.bus.publish(logMessage(this.seq++, now - Math.round(dueAgoMs(i) * 1000))));
    this.count += n;
    return n;
  }

  private publishMetrics(n: number): number {
    for (let i = 0; i < n; i++) this.track(this.bus.publish(metricsSnapshot(this.seq++)));
    return n;
  }

  private track(publish: Promise<unknown>): void {
    this.inFlight++;
    publish.then(
      () => this.inFlight--,
      () => {
        this.inFlight--;
        this.failures++;
      },
    );
  }
}
