// Every rule a successful poll of a license server answers to, in one evaluation of its scope.
import type { AlertRules } from '../../farm/alert-rules-config.ts';
import type { LicenseServerStatus } from '../../parsers/types.ts';
import type { Transition } from '../transitions.ts';
import { licenseExpiry } from './expiry-rule.ts';
import { countedFeatures, featureSaturation, featureUtilization } from './feature-rules.ts';
import type { RuleServer } from './license-alert.ts';
import { quorumLost, serverDown, triadMemberDown, vendorDown } from './server-health-rules.ts';

export function pollRules(server: RuleServer, status: LicenseServerStatus, rules: AlertRules, now: Date): (firing: ReadonlySet<string>) => Transition[] {
  const timestamp = now.toISOString();
  return (firing) => {
    const transitions = [
      ...serverDown(server, status, rules.serverDown, timestamp, firing),
      ...quorumLost(server, status, rules.quorumLost, timestamp, firing),
      ...triadMemberDown(server, status, rules.triadMemberDown, timestamp, firing),
      ...vendorDown(server, status, rules.vendorDown, timestamp, firing),
    ];
    // What is served is unknown while the server does not answer: feature alerts stay as they are.
    if (!status.reachable) return transitions;
    const counted = countedFeatures(status.features);
    return [
      ...transitions,
      ...featureUtilization(server, counted, rules.featureUtilization, timestamp, firing),
      ...featureSaturation(server, counted, rules.saturation, timestamp, firing),
      ...licenseExpiry(server, status.features, rules.expiry, now, firing),
    ];
  };
}
