// Rules over the whole farm, evaluated with every roll-up (scope `farm`): farm-wide
// utilization, and stale data — a configured server without a successful poll for
// `intervals` of its poll intervals (no collector running, polls failing or stuck).
import type { AlertRules } from '../../farm/alert-rules-config.ts';
import type { LicenseServerConfig } from '../../farm/farm-config.ts';
import type { LicenseTotals } from '../../license/server-metrics.ts';
import { aboveThreshold, alertKey, reconcile, type Transition } from '../transitions.ts';
import { serverAlert } from './license-alert.ts';

export const FARM_UTILIZATION = 'farm_utilization';
export const STALE_DATA = 'stale_data';
export const FARM_SCOPE = 'farm';

export function farmUtilization(licenses: LicenseTotals, config: AlertRules['farmUtilization'], timestamp: string, firing: ReadonlySet<string>): Transition[] {
  if (!config.enabled) return [];
  const key = alertKey(FARM_UTILIZATION, FARM_SCOPE);
  const holding = aboveThreshold(licenses.utilization, firing.has(key), config) && licenses.total > 0
    ? [
        {
          timestamp,
          level: config.level,
          message: `Farm-wide license utilization at ${Math.round(licenses.utilization)}% (${licenses.used} of ${licenses.total})`,
          source: 'license-farm',
          rule: FARM_UTILIZATION,
          key,
          metadata: { ...licenses, threshold: config.fireAt },
        },
      ]
    : [];
  return reconcile(FARM_UTILIZATION, firing, holding, () => ({
    timestamp,
    message: `Farm-wide license utilization back to ${Math.round(licenses.utilization)}%`,
    metadata: { ...licenses },
  }));
}

export interface PollAge {
  readonly server: Pick<LicenseServerConfig, 'id' | 'site' | 'address' | 'hosts' | 'pollIntervalMs'>;
  /** When its latest successful poll was, ms since the epoch; undefined: never seen. */
  readonly lastPollAt: number | undefined;
}

/**
 * `watchingSince`: when this collector began watching the farm — a server never polled, or last
 * polled before then (the collectors were all down), is judged from that moment, not from the past.
 */
export function staleData(ages: readonly PollAge[], config: AlertRules['staleData'], now: number, watchingSince: number, firing: ReadonlySet<string>): Transition[] {
  if (!config.enabled) return [];
  const timestamp = new Date(now).toISOString();
  const holding = ages.flatMap(({ server, lastPollAt }) => {
    const age = now - Math.max(lastPollAt ?? 0, watchingSince);
    if (age <= config.intervals * server.pollIntervalMs) return [];
    const last = lastPollAt === undefined ? 'never polled' : `last polled ${new Date(lastPollAt).toISOString()}`;
    return [
      serverAlert(server, {
        timestamp,
        rule: STALE_DATA,
        key: alertKey(STALE_DATA, server.site, server.id),
        level: config.level,
        message: `No fresh data from ${server.id} for ${Math.round(age / 1000)} s (${last})`,
        metadata: { lastPollAt: lastPollAt === undefined ? null : new Date(lastPollAt).toISOString(), pollIntervalMs: server.pollIntervalMs },
        source: 'collector',
      }),
    ];
  });
  return reconcile(STALE_DATA, firing, holding, (key) => ({ timestamp, message: `Data from ${key.split(':').slice(2).join(':')} is fresh again` }));
}
