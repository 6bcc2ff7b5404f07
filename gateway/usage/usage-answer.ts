// Minute points → the answer of GET /api/usage: the points grouped into buckets of `step` (aligned
// to multiples of the step since the epoch, so the same query always cuts the same buckets), each
// with min/max/avg of licenses in use, and what the range adds up to per server and overall.
import type { UsagePoint, UsagePoints } from '../../shared/bus/index.ts';
import { USAGE_POINT_MS, type UsageBucket, type UsageResponse, type UsageSeries, type UsageSummary } from '../../shared/protocol/index.ts';

export interface UsageWindow {
  readonly feature: string;
  /** Aligned to `step`; `to` exclusive. */
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

export function usageAnswer(window: UsageWindow, servers: readonly UsagePoints[]): UsageResponse {
  const series = servers.map((s): UsageSeries => ({ site: s.site, server: s.server, buckets: bucketsOf(s.points, window.step), summary: summaryOf(s.points) }));
  return { type: 'usage', ...window, series, summary: overall(servers, series) };
}

function bucketsOf(points: readonly UsagePoint[], step: number): UsageBucket[] {
  const buckets: UsageBucket[] = [];
  let group: UsagePoint[] = [];
  const flush = () => {
    if (group.length > 0) buckets.push(bucketOf(Math.floor(group[0]!.t / step) * step, group));
    group = [];
  };
  for (const p of points) {
    if (group.length > 0 && Math.floor(p.t / step) !== Math.floor(group[0]!.t / step)) flush();
    group.push(p);
  }
  flush();
  return buckets;
}

function bucketOf(t: number, points: readonly UsagePoint[]): UsageBucket {
  const sampled = points.filter((p) => p.samples > 0);
  const samples = sampled.reduce((n, p) => n + p.samples, 0);
  const issued = points.reduce<number | null>((most, p) => (p.issued === null ? most : Math.max(most ?? 0, p.issued)), null);
  return {
    t,
    issued,
    min: sampled.length ? Math.min(...sampled.map((p) => p.min)) : 0,
    max: sampled.length ? Math.max(...sampled.map((p) => p.max)) : 0,
    avg: samples ? round(sampled.reduce((n, p) => n + p.sum, 0) / samples) : 0,
    queued: Math.max(0, ...points.map((p) => p.queued)),
    denials: points.reduce((n, p) => n + p.denials, 0),
    fullMs: points.reduce((n, p) => n + fullMsOf(p), 0),
  };
}

/** A minute's share at 100%: the fraction of its polls that found every license in use. */
const fullMsOf = (p: UsagePoint): number => (p.samples ? Math.round((p.full / p.samples) * USAGE_POINT_MS) : 0);

function summaryOf(points: readonly UsagePoint[]): UsageSummary {
  let peak: UsageSummary['peak'] = null;
  let sum = 0;
  let samples = 0;
  for (const p of points) {
    if (p.samples > 0 && (peak === null || p.max > peak.used)) peak = { used: p.max, at: p.t, issued: p.issued };
    sum += p.sum;
    samples += p.samples;
  }
  return {
    peak,
    avg: samples ? round(sum / samples) : 0,
    fullMs: points.reduce((n, p) => n + fullMsOf(p), 0),
    denials: points.reduce((n, p) => n + p.denials, 0),
  };
}

/** Over every server: the peak of the per-minute sum of their peaks (pooled licenses); the rest summed. */
function overall(servers: readonly UsagePoints[], series: readonly UsageSeries[]): UsageSummary {
  const minutes = new Map<number, { used: number; issued: number | null }>();
  for (const s of servers) {
    for (const p of s.points) {
      if (p.samples === 0) continue;
      const m = minutes.get(p.t) ?? { used: 0, issued: null };
      minutes.set(p.t, { used: m.used + p.max, issued: p.issued === null ? m.issued : (m.issued ?? 0) + p.issued });
    }
  }
  let peak: UsageSummary['peak'] = null;
  for (const [t, m] of [...minutes].sort((a, b) => a[0] - b[0])) if (peak === null || m.used > peak.used) peak = { used: m.used, at: t, issued: m.issued };
  return {
    peak,
    avg: round(series.reduce((n, s) => n + s.summary.avg, 0)),
    fullMs: series.reduce((n, s) => n + s.summary.fullMs, 0),
    denials: series.reduce((n, s) => n + s.summary.denials, 0),
  };
}

const round = (n: number): number => Math.round(n * 100) / 100;
