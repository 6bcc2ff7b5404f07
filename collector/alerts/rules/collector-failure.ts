// Collector failure: the collector could not get a status from a server's tool — it could not
// be run, did not finish in time, or printed nothing readable — `failures` polls in a row (a
// broken lmutil path, a hung license server). Not the same as a server that answers "down".
import type { AlertRules } from '../../farm/alert-rules-config.ts';
import { alertKey, type Transition } from '../transitions.ts';
import { serverAlert, type RuleServer } from './license-alert.ts';

export const COLLECTOR_FAILURE = 'collector_failure';

export function collectorFailureKey(server: RuleServer): string {
  return alertKey(COLLECTOR_FAILURE, server.site, server.id);
}

/** After a failed poll, the `failures`-th in a row: fire. */
export function pollFailed(server: RuleServer, failures: number, error: string, config: AlertRules['collectorFailure'], timestamp: string): Transition[] {
  if (!config.enabled || failures < config.failures) return [];
  const message = `Cannot poll ${server.id}: ${error} (${failures} failures in a row)`;
  return [{ type: 'fire', alert: serverAlert(server, { timestamp, rule: COLLECTOR_FAILURE, key: collectorFailureKey(server), level: config.level, message, metadata: { error, failures }, source: 'collector' }) }];
}

/** After a successful poll: resolve. */
export function pollSucceeded(server: RuleServer, timestamp: string): Transition[] {
  return [{ type: 'resolve', key: collectorFailureKey(server), resolution: { timestamp, message: `Polling ${server.id} works again` } }];
}
