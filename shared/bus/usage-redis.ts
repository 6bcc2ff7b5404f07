// Usage history in Redis. Each poll's features go in one call of record-usage.lua (the merge is
// atomic, so collectors sharing a server or a minute never lose an update); a point is a field of
// its hour's hash, so a 24 h read is ~25 HGETALLs per server, whatever else is stored, and old
// history goes by itself: each hash expires `retentionMs` after its last write. All keys of a
// call carry the site's hash tag: one slot on Redis Cluster.
import type { BusKeys } from './keys.ts';
import type { PublishScripts } from './publish-scripts.ts';
import type { RedisClient } from './redis-connection.ts';
import { HOUR_MS, minuteOf, unpackPoint, type UsageEntry, type UsagePoint, type UsagePoints, type UsageRange, type UsageStore } from './usage.ts';

export class RedisUsageStore implements UsageStore {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: BusKeys,
    private readonly scripts: PublishScripts,
    private readonly retentionMs: number,
  ) {}

  async record(site: string, server: string, at: number, entries: readonly UsageEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const hour = Math.floor(at / HOUR_MS);
    const field = String(Math.floor((minuteOf(at) - hour * HOUR_MS) / 60_000));
    const keys: string[] = [];
    const args: Array<string | number> = [field, this.retentionMs, server];
    for (const e of entries) {
      keys.push(this.keys.usageHour(site, server, e.feature, hour), this.keys.usageServers(site, e.feature));
      args.push(e.sample?.issued ?? -1, e.sample?.used ?? 0, e.sample ? e.sample.queued : -1, e.denials ?? 0);
    }
    await this.scripts.usage(keys, args);
  }

  async read(range: UsageRange): Promise<UsagePoints[]> {
    const sites = range.sites ?? (await this.client.smembers(this.keys.sites()));
    const servers = await Promise.all(sites.map((site) => this.client.smembers(this.keys.usageServers(site, range.feature))));
    const wanted = range.servers && new Set(range.servers);
    const pairs = sites.flatMap((site, i) => servers[i]!.filter((s) => !wanted || wanted.has(s)).sort().map((server) => ({ site, server })));
    const first = Math.floor(range.from / HOUR_MS);
    const last = Math.floor((range.to - 1) / HOUR_MS);
    // One pipeline per server (auto-pipelined together): its hours share a slot.
    return Promise.all(pairs.map(async ({ site, server }) => {
      const pipeline = this.client.pipeline();
      for (let hour = first; hour <= last; hour++) pipeline.hgetall(this.keys.usageHour(site, server, range.feature, hour));
      const replies = (await pipeline.exec()) ?? [];
      const points: UsagePoint[] = [];
      replies.forEach(([err, hash], i) => {
        if (err) throw err;
        const base = (first + i) * HOUR_MS;
        const minutes = Object.entries(hash as Record<string, string>).map(([m, packed]) => unpackPoint(base + Number(m) * 60_000, packed));
        for (const p of minutes.sort((a, b) => a.t - b.t)) if (p.t >= range.from && p.t < range.to) points.push(p);
      });
      return { site, server, points };
    }));
  }
}
