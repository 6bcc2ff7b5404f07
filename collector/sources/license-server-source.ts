// A license server as a polled source: each poll runs its status tool, publishes one metrics
// message, and evaluates the poll's alert rules in the server's scope. A poll that gets no
// status (tool missing, hung, unreadable) publishes a warning log instead and counts towards
// the collector_failure alert. One poll is a self-contained job: any collector can run it.
import type { Logger } from '../../shared/logger.ts';
import type { LogMessage, StreamMessage } from '../../shared/protocol/index.ts';
import type { AlertEngine } from '../alerts/alert-engine.ts';
import { collectorFailureKey, pollFailed, pollSucceeded } from '../alerts/rules/collector-failure.ts';
import { pollRules } from '../alerts/rules/poll-rules.ts';
import type { AlertRules } from '../farm/alert-rules-config.ts';
import type { LicenseServerConfig } from '../farm/farm-config.ts';
import { serverMetrics } from '../license/server-metrics.ts';
import type { StatusReader } from '../license/status-reader.ts';
import type { UnparsedLines } from '../license/unparsed-lines.ts';
import type { LicenseObserver } from '../prometheus/collector-metrics.ts';
import { CollectorStopping, type PolledSource } from './source.ts';

export interface LicensePollDeps {
  readonly reader: StatusReader;
  readonly alerts: AlertEngine;
  readonly rules: AlertRules;
  readonly unparsed: UnparsedLines;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Told of every poll's outcome (Prometheus). */
  readonly observer?: LicenseObserver;
}

export function licenseServerSource(server: LicenseServerConfig, deps: LicensePollDeps): PolledSource {
  const clock = deps.clock ?? Date.now;
  return {
    kind: 'polled',
    name: server.id,
    intervalMs: server.pollIntervalMs,
    async poll(signal) {
      const startedAt = clock();
      const now = new Date(startedAt);
      const timestamp = now.toISOString();
      let status;
      try {
        status = await deps.reader.read(server, signal);
      } catch (err) {
        if (signal.reason instanceof CollectorStopping) throw err;
        deps.observer?.pollFailed(server, clock() - startedAt);
        return failedPoll(server, deps, timestamp, err instanceof Error ? err.message : String(err));
      }
      deps.unparsed.report(server.id, `${server.kind} status of ${server.id}`, status.unparsed, server.privacy);
      const durationMs = clock() - startedAt;
      deps.observer?.polled(server, status, durationMs);
      const metrics = serverMetrics(server, status, timestamp, { durationMs });
      await deps.alerts.state.clearFailures(server.id);
      const rules = pollRules(server, status, deps.rules, now);
      const alerts = await deps.alerts.evaluate(server.id, (firing) => [
        ...rules(firing),
        ...(firing.has(collectorFailureKey(server)) ? pollSucceeded(server, timestamp) : []),
      ]);
      return [metrics, ...alerts];
    },
  };
}

async function failedPoll(server: LicenseServerConfig, deps: LicensePollDeps, timestamp: string, error: string): Promise<StreamMessage[]> {
  const failures = await deps.alerts.state.countFailure(server.id);
  deps.logger.warn({ server: server.id, error, failures }, 'poll failed');
  const log: LogMessage = {
    type: 'log',
    timestamp,
    level: 'warn',
    message: `Poll of ${server.id} failed: ${error}`,
    source: 'collector',
    site: server.site,
    metadata: { server: server.id, error, failures },
  };
  return [log, ...(await deps.alerts.apply(server.id, pollFailed(server, failures, error, deps.rules.collectorFailure, timestamp)))];
}
