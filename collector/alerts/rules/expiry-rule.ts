// License expiry: a feature expiring within each configured stage (by default 90, 30 and 7
// days) is an alert of its own, so a license admin sees the countdown sharpen. An expiry that
// is unknown this poll (no `expiry:` line and no `lmstat -i` table) changes nothing.
import type { AlertRules } from '../../farm/alert-rules-config.ts';
import { soonestExpiry } from '../../parsers/expiry.ts';
import type { FeatureUsage } from '../../parsers/types.ts';
import { alertKey, reconcile, type Transition } from '../transitions.ts';
import { serverAlert, type RuleServer } from './license-alert.ts';

export const LICENSE_EXPIRY = 'license_expiry';

const DAY_MS = 86_400_000;

export function licenseExpiry(server: RuleServer, features: readonly FeatureUsage[], config: AlertRules['expiry'], now: Date, firing: ReadonlySet<string>): Transition[] {
  if (!config.enabled) return [];
  const timestamp = now.toISOString();
  const expiries = new Map<string, (string | null)[]>();
  const unknown = new Set<string>();
  for (const f of features) {
    if (f.expiry === undefined) unknown.add(f.name);
    else expiries.set(f.name, [...(expiries.get(f.name) ?? []), f.expiry]);
  }
  const soonest = new Map([...expiries].map(([name, list]) => [name, soonestExpiry(list)]));
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const holding = [...soonest].flatMap(([feature, expiry]) => {
    if (expiry === null) return [];
    const days = Math.round((Date.parse(`${expiry}T00:00:00Z`) - today) / DAY_MS);
    return config.stages
      .filter((stage) => days <= stage.days)
      .map((stage) =>
        serverAlert(server, {
          timestamp,
          rule: LICENSE_EXPIRY,
          key: alertKey(LICENSE_EXPIRY, server.site, server.id, feature, `${stage.days}d`),
          level: stage.level,
          message: days < 0 ? `${feature} on ${server.id} expired on ${expiry}` : `${feature} on ${server.id} expires in ${days} day${days === 1 ? '' : 's'} (${expiry})`,
          metadata: { feature, expiry, daysLeft: days, withinDays: stage.days },
        }),
      );
  });
  const featureOf = (key: string) => key.split(':')[3] ?? '';
  const known = new Set([...firing].filter((key) => !unknown.has(featureOf(key)) || soonest.has(featureOf(key))));
  return reconcile(LICENSE_EXPIRY, known, holding, (key) => {
    const feature = featureOf(key);
    const expiry = soonest.get(feature);
    if (expiry === undefined) return { timestamp, message: `Expiry alert for ${feature} on ${server.id} cleared: the feature is no longer served` };
    return { timestamp, message: `${feature} on ${server.id} was renewed: ${expiry === null ? 'it never expires' : `it now expires on ${expiry}`}`, metadata: { expiry } };
  });
}
