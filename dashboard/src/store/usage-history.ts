// Usage history from the gateway (GET /api/usage through the SDK's fetchUsage), per feature of the
// scope the charts show: buckets to draw before the live points, and the range's figures (peak
// and when, time at 100%, denials). Loaded when a feature first appears and again when the range
// or scope changes or the history goes stale; answers to an older request are dropped.
import { fetchUsage, type UsageBucket, type UsageSummary } from '@licmon/client';

/** Re-read the history this often, so its last bucket keeps up with the live points. */
const STALE_MS = 60_000;

export interface FeatureHistory {
  /** Seconds since the epoch, ascending: one point per bucket, the servers of the scope summed. */
  readonly times: number[];
  readonly issued: (number | null)[];
  /** The bucket's peak. */
  readonly used: number[];
  readonly queued: number[];
  readonly summary: UsageSummary;
}

export interface HistoryQuery {
  /** `farm`, `site:<name>` or a server id (the charts' scope). */
  readonly scope: string;
  readonly rangeMs: number;
}

export class UsageHistoryStore {
  private readonly loaded = new Map<string, { history: FeatureHistory; at: number }>();
  private readonly pending = new Set<string>();
  private query: HistoryQuery | undefined;

  constructor(
    private readonly gateway: string,
    private readonly apiKey: string,
    private readonly onLoaded: () => void,
    private readonly onError: (message: string) => void,
  ) {}

  /** The history of `feature` in the current query, once loaded. */
  get(feature: string): FeatureHistory | undefined {
    return this.loaded.get(feature)?.history;
  }

  /** Make sure every one of `features` is loaded (or loading) for `query`. */
  want(query: HistoryQuery, features: Iterable<string>, now: number): void {
    if (!this.query || this.query.scope !== query.scope || this.query.rangeMs !== query.rangeMs) {
      this.query = query;
      this.loaded.clear();
      this.pending.clear();
    }
    for (const feature of features) {
      const entry = this.loaded.get(feature);
      if (this.pending.has(feature) || (entry && now - entry.at < STALE_MS)) continue;
      void this.load(query, feature, now);
    }
  }

  private async load(query: HistoryQuery, feature: string, now: number): Promise<void> {
    this.pending.add(feature);
    const scope = query.scope === 'farm' ? {} : query.scope.startsWith('site:') ? { site: query.scope.slice(5) } : { server: query.scope };
    try {
      const answer = await fetchUsage({ url: this.gateway, apiKey: this.apiKey, feature, from: now - query.rangeMs, to: now, ...scope });
      if (this.query !== query) return; // the range or scope changed meanwhile
      this.loaded.set(feature, { history: summed(answer.series.flatMap((s) => s.buckets), answer.summary), at: now });
      this.onLoaded();
    } catch (err) {
      if (this.query === query) this.onError(`usage history of ${feature}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      if (this.query === query) this.pending.delete(feature);
    }
  }
}

/** One point per bucket time: the servers' figures summed (their licenses are pooled). */
function summed(buckets: readonly UsageBucket[], summary: UsageSummary): FeatureHistory {
  const byTime = new Map<number, { issued: number | null; used: number; queued: number }>();
  for (const b of buckets) {
    const at = byTime.get(b.t) ?? { issued: null, used: 0, queued: 0 };
    byTime.set(b.t, { issued: b.issued === null ? at.issued : (at.issued ?? 0) + b.issued, used: at.used + b.max, queued: at.queued + b.queued });
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return {
    times: times.map((t) => t / 1000),
    issued: times.map((t) => byTime.get(t)!.issued),
    used: times.map((t) => byTime.get(t)!.used),
    queued: times.map((t) => byTime.get(t)!.queued),
    summary,
  };
}
