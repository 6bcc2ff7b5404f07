// A label-less Prometheus histogram for hot paths. prom-client's Histogram.observe costs ~2 µs
// here (label hashing, object lookups); the gateway observes one per delivered message, so this
// one keeps plain arrays (~tens of ns) and builds prom-client's exposition values only when
// scraped. It plugs into a prom-client Registry as any metric does (registerMetric + get()).
import type { Registry } from 'prom-client';

/** One exposition line, as prom-client's registry reads it from a metric's get(). */
interface Sample {
  readonly metricName: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: string[] = [];
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    /** Upper bounds, ascending (+Inf is implied). */
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    this.counts = new Array<number>(buckets.length + 1).fill(0);
    registry.registerMetric(this as never);
  }

  observe(value: number): void {
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && value > buckets[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  /** What prom-client's registry renders: cumulative buckets, then _sum and _count. */
  get(): { name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Sample[] } {
    const values: Sample[] = [];
    let cumulative = 0;
    for (let i = 0; i <= this.buckets.length; i++) {
      cumulative += this.counts[i]!;
      values.push({ metricName: `${this.name}_bucket`, labels: { le: i < this.buckets.length ? this.buckets[i]! : '+Inf' }, value: cumulative });
    }
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.sum }, { metricName: `${this.name}_count`, labels: {}, value: this.count });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}
