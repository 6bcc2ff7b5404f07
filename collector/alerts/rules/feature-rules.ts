// Per-feature usage rules of one poll: utilization at or above a threshold, and saturation
// (every license in use, or users queued). A feature listed twice (two vendor daemons, several
// license files) is judged on its sums. Uncounted (node-locked) features have nothing to judge.
import type { AlertRules } from '../../farm/alert-rules-config.ts';
import { percent } from '../../license/server-metrics.ts';
import type { FeatureUsage } from '../../parsers/types.ts';
import { aboveThreshold, alertKey, reconcile, type Transition } from '../transitions.ts';
import { serverAlert, type RuleServer } from './license-alert.ts';

export const FEATURE_UTILIZATION = 'feature_utilization';
export const FEATURE_SATURATED = 'feature_saturated';

interface FeatureSums {
  name: string;
  vendor: string | null;
  issued: number;
  used: number;
  queued: number;
}

export function countedFeatures(features: readonly FeatureUsage[]): FeatureSums[] {
  const byName = new Map<string, FeatureSums>();
  for (const f of features) {
    if (f.uncounted || f.issued === null) continue;
    const sums = byName.get(f.name) ?? { name: f.name, vendor: f.vendor, issued: 0, used: 0, queued: 0 };
    sums.issued += f.issued;
    sums.used += f.used;
    sums.queued += f.queued;
    byName.set(f.name, sums);
  }
  return [...byName.values()].filter((f) => f.issued > 0);
}

export function featureUtilization(server: RuleServer, features: readonly FeatureSums[], config: AlertRules['featureUtilization'], timestamp: string, firing: ReadonlySet<string>): Transition[] {
  if (!config.enabled) return [];
  const now = new Map<string, FeatureSums>();
  const holding = features.flatMap((f) => {
    const key = alertKey(FEATURE_UTILIZATION, server.site, server.id, f.name);
    now.set(key, f);
    const utilization = percent(f.used, f.issued);
    const threshold = config.features[f.name] ?? config;
    if (!aboveThreshold(utilization, firing.has(key), threshold)) return [];
    const message = `License utilization at ${Math.round(utilization)}% for ${f.name} on ${server.id} (${f.used} of ${f.issued})`;
    const metadata = { feature: f.name, vendor: f.vendor, issued: f.issued, used: f.used, utilization, threshold: threshold.fireAt };
    return [serverAlert(server, { timestamp, rule: FEATURE_UTILIZATION, key, level: config.level, message, metadata })];
  });
  return reconcile(FEATURE_UTILIZATION, firing, holding, (key) => {
    const f = now.get(key);
    const feature = key.split(':').slice(3).join(':');
    if (!f) return { timestamp, message: `License utilization alert for ${feature} on ${server.id} cleared: the feature is no longer served` };
    const utilization = percent(f.used, f.issued);
    return { timestamp, message: `License utilization back to ${Math.round(utilization)}% for ${f.name} on ${server.id}`, metadata: { used: f.used, issued: f.issued, utilization } };
  });
}

export function featureSaturation(server: RuleServer, features: readonly FeatureSums[], config: AlertRules['saturation'], timestamp: string, firing: ReadonlySet<string>): Transition[] {
  if (!config.enabled) return [];
  const now = new Map<string, FeatureSums>();
  const holding = features.flatMap((f) => {
    const key = alertKey(FEATURE_SATURATED, server.site, server.id, f.name);
    now.set(key, f);
    const full = firing.has(key) ? percent(f.used, f.issued) >= config.clearBelow : f.used >= f.issued;
    if (!full && f.queued === 0) return [];
    const queued = f.queued > 0 ? `, ${f.queued} queued` : '';
    const message = `${f.name} on ${server.id} is saturated: ${f.used} of ${f.issued} in use${queued}`;
    const metadata = { feature: f.name, vendor: f.vendor, issued: f.issued, used: f.used, queued: f.queued };
    return [serverAlert(server, { timestamp, rule: FEATURE_SATURATED, key, level: config.level, message, metadata })];
  });
  return reconcile(FEATURE_SATURATED, firing, holding, (key) => {
    const f = now.get(key);
    if (!f) return { timestamp, message: `Saturation of ${key.split(':').slice(3).join(':')} on ${server.id} cleared: the feature is no longer served` };
    return { timestamp, message: `${f.name} on ${server.id} has licenses free again: ${f.used} of ${f.issued} in use`, metadata: { used: f.used, issued: f.issued, queued: f.queued } };
  });
}
