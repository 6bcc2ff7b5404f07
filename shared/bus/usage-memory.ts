// Usage history in this process (the all-in-one on the memory bus): the same points as Redis
// keeps, merged by the same rule (mergePoint), dropped after the retention.
import { emptyPoint, minuteOf, mergePoint, type UsageEntry, type UsagePoint, type UsagePoints, type UsageRange, type UsageStore } from './usage.ts';

export class MemoryUsageStore implements UsageStore {
  /** site → feature → server → minute → point */
  private readonly points = new Map<string, Map<string, Map<string, Map<number, UsagePoint>>>>();

  constructor(private readonly retentionMs: number) {}

  async record(site: string, server: string, at: number, entries: readonly UsageEntry[]): Promise<void> {
    const t = minuteOf(at);
    const features = getOrAdd(this.points, site, () => new Map<string, Map<string, Map<number, UsagePoint>>>());
    for (const entry of entries) {
      const minutes = getOrAdd(getOrAdd(features, entry.feature, () => new Map<string, Map<number, UsagePoint>>()), server, () => new Map<number, UsagePoint>());
      minutes.set(t, mergePoint(minutes.get(t) ?? emptyPoint(t), entry));
      this.trim(minutes, at);
    }
  }

  async read(range: UsageRange): Promise<UsagePoints[]> {
    const sites = range.sites ?? [...this.points.keys()];
    return sites.flatMap((site) => {
      const servers = this.points.get(site)?.get(range.feature) ?? new Map<string, Map<number, UsagePoint>>();
      return [...servers.keys()].filter((s) => !range.servers || range.servers.includes(s)).sort().map((server) => ({
        site,
        server,
        points: [...servers.get(server)!.values()].filter((p) => p.t >= range.from && p.t < range.to).sort((a, b) => a.t - b.t),
      }));
    });
  }

  /**
   * Drop a server's points older than the retention (Redis expires whole hours; this, minutes).
   * Points are added oldest first, so the old ones are at the front: the loop stops at the first kept.
   */
  private trim(minutes: Map<number, UsagePoint>, now: number): void {
    for (const t of minutes.keys()) {
      if (t >= now - this.retentionMs) return;
      minutes.delete(t);
    }
  }
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}
