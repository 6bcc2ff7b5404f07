// The benchmark's workload: a fixed cycle of four log messages (~270-byte frames) and the three
// filter groups of the fan-out scenario. Every message carries its send time in `metadata.bt`
// (monotonic microseconds, see clock.ts) so a worker can measure publish→client latency without
// parsing JSON.
import type { Filter, LogMessage, MetricsMessage } from '../../shared/protocol/index.ts';
import { compileLogFilter } from '../peers/log-filter.ts';

export const SITE = 'berlin';
/** Where the worker finds the send timestamp in a frame. */
export const SEND_TIME_KEY = '"bt":';

interface Template {
  readonly level: LogMessage['level'];
  readonly source: string;
  readonly message: string;
}

/** The cycle, chosen so each filter group receives a known share (see FILTER_GROUPS). */
const TEMPLATES: readonly Template[] = [
  { level: 'warn', source: 'license-server', message: 'License utilization at 90% for Maya_Complete' },
  { level: 'info', source: 'license-server', message: 'Checkout granted: Maya_Complete to user42@ws-117' },
  { level: 'error', source: 'vendor-daemon', message: 'Vendor daemon utilization sampling failed: timeout' },
  { level: 'debug', source: 'license-server', message: 'Heartbeat from flexlm-01 in 12 ms, all features ok' },
];

export interface FilterGroupSpec {
  readonly name: string;
  /** The `filter` of the subscribe action (null: everything). */
  readonly filter: Filter | null;
}

/** A third of the connections each: everything (4/4 of the cycle), error+warn (2/4), source+pattern (1/4). */
export const FILTER_GROUPS: readonly FilterGroupSpec[] = [
  { name: 'unfiltered', filter: null },
  { name: 'level error,warn', filter: { level: ['error', 'warn'] } },
  // Upper-case pattern against lower-case text: the match must be case-insensitive.
  { name: 'source+pattern', filter: { source: 'license-server', pattern: 'UTILIZATION' } },
];

/** The share of the cycle a filter lets through (1 for null). */
export function matchShare(filter: Filter | null): number {
  const matches = compileLogFilter(filter);
  return TEMPLATES.filter((t) => matches(t)).length / TEMPLATES.length;
}

/** The log message number `seq` of the cycle, stamped with its send time. */
export function logMessage(seq: number, sendMicros: number): LogMessage {
  const t = TEMPLATES[seq % TEMPLATES.length]!;
  return {
    type: 'log',
    timestamp: new Date().toISOString(),
    level: t.level,
    message: t.message,
    source: t.source,
    site: SITE,
    metadata: { server: 'flexlm-01', feature: 'Maya_Complete', utilization: 90, bt: sendMicros },
  };
}

/**
 * The frame the ceiling app sends for message `seq`: the same JSON text a gateway delivers (with
 * a bus-style id), prepared once per template so only the timestamp is spliced in per message.
 */
export function ceilingFrameFactory(): (seq: number, sendMicros: number) => string {
  const parts = TEMPLATES.map((_, i) => {
    const json = `{"id":"${SITE}:1705312245123-${i}",${JSON.stringify(logMessage(i, 0)).slice(1)}`;
    const at = json.indexOf(`${SEND_TIME_KEY}0`) + SEND_TIME_KEY.length;
    return [json.slice(0, at), json.slice(at + 1)] as const;
  });
  return (seq, sendMicros) => {
    const [head, tail] = parts[seq % parts.length]!;
    return head + sendMicros + tail;
  };
}

/** A metrics snapshot as a collector publishes it, from one license server. */
export function metricsSnapshot(seq: number): MetricsMessage {
  const used = 60 + (seq % 30);
  return {
    type: 'metrics',
    timestamp: new Date().toISOString(),
    site: SITE,
    source: 'flexlm-01',
    system: {
      cpu: { usage: 34.5, cores: 4 },
      memory: { total: 8589934592, used: 4294967296, available: 4294967296, percentage: 50 },
      disk: { total: 107374182400, used: 53687091200, available: 53687091200, percentage: 50 },
    },
    licenses: { total: 100, used, available: 100 - used, utilization: used },
  };
}
