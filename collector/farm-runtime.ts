// A farm configuration turned into running sources: one poll per license server and the farm's
// roll-up (on the poll scheduler: this process's timers, or BullMQ shared by every collector),
// and a debug-log source for each log this collector tails. apply() takes a new configuration
// (SIGHUP): servers whose settings did not change keep their sources (a tailer is not
// restarted), removed servers stop and their firing alerts are resolved.
import type { Delivery } from '../shared/bus/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { AlertEngine } from './alerts/alert-engine.ts';
import type { FarmConfig, LicenseServerConfig } from './farm/farm-config.ts';
import { StatusReader } from './license/status-reader.ts';
import { UnparsedLines } from './license/unparsed-lines.ts';
import type { PollScheduler, PublishFn } from './scheduling/poll-scheduler.ts';
import type { StreamingRunner } from './scheduling/streaming-runner.ts';
import { debugLogSource, type DebugLogDeps } from './sources/debug-log-source.ts';
import { farmRollupSource } from './sources/farm-rollup-source.ts';
import { licenseServerSource } from './sources/license-server-source.ts';
import type { LicenseObserver } from './prometheus/collector-metrics.ts';
import type { LineFeed } from './sources/line-feed.ts';
import type { PolledSource, StreamingSource } from './sources/source.ts';
import type { ToolRunner } from './tools/tool-runner.ts';

export interface FarmRuntimeDeps {
  readonly polls: PollScheduler;
  readonly streams: StreamingRunner;
  readonly alerts: AlertEngine;
  readonly tools: ToolRunner;
  readonly latestMetrics: () => Promise<Delivery[]>;
  /** The debug log of `server` if this collector tails it, else undefined. */
  readonly logFeed: (server: LicenseServerConfig) => LineFeed | undefined;
  readonly publish: PublishFn;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Told of polls and denials (Prometheus). */
  readonly observer?: LicenseObserver;
  /** Where tailed debug logs keep their leases and checkpoints (the bus); see debug-log-source.ts. */
  readonly inputs?: DebugLogDeps['inputs'];
  readonly leaseMs?: number;
}

interface ServerSources {
  readonly fingerprint: string;
  readonly poll: PolledSource;
  readonly log: { fingerprint: string; source: StreamingSource } | undefined;
}

export class FarmRuntime {
  private servers = new Map<string, ServerSources>();
  private readonly reader: StatusReader;
  readonly unparsed: UnparsedLines;
  private readonly watchingSince: number;

  constructor(private readonly deps: FarmRuntimeDeps) {
    const clock = deps.clock ?? Date.now;
    this.reader = new StatusReader(deps.tools, clock);
    this.unparsed = new UnparsedLines(deps.logger);
    this.watchingSince = clock();
  }

  /** Run `farm` from now on; `extraStreams` start after the debug logs (the simulator's clock). */
  async apply(farm: FarmConfig, extraStreams: readonly StreamingSource[] = []): Promise<void> {
    const previous = this.servers;
    this.servers = new Map(farm.servers.map((server) => [server.id, this.sourcesOf(server, farm, previous.get(server.id))]));
    const polls = [...[...this.servers.values()].map((s) => s.poll), farmRollupSource(farm, { ...this.deps, watchingSince: this.watchingSince })];
    await this.deps.polls.schedule(polls);
    const logs = [...this.servers.values()].flatMap((s) => (s.log ? [s.log.source] : []));
    await this.deps.streams.run([...logs, ...extraStreams]);
    for (const id of previous.keys()) if (!this.servers.has(id)) await this.forget(id);
  }

  private sourcesOf(server: LicenseServerConfig, farm: FarmConfig, before: ServerSources | undefined): ServerSources {
    const deps = { ...this.deps, reader: this.reader, unparsed: this.unparsed, rules: farm.alerts };
    const fingerprint = JSON.stringify([server, farm.alerts]);
    const poll = before?.fingerprint === fingerprint ? before.poll : licenseServerSource(server, deps);
    const logFingerprint = JSON.stringify([server, farm.alerts.denialBurst]);
    let log = before?.log?.fingerprint === logFingerprint ? before.log : undefined;
    if (!log) {
      const feed = this.deps.logFeed(server);
      log = feed && { fingerprint: logFingerprint, source: debugLogSource(server, feed, deps) };
    }
    return { fingerprint, poll, log };
  }

  /** A server left the farm: whatever was firing about it is over. */
  private async forget(id: string): Promise<void> {
    const resolution = { timestamp: new Date((this.deps.clock ?? Date.now)()).toISOString(), message: `${id} was removed from the farm configuration` };
    try {
      for (const alert of await this.deps.alerts.resolveAll(id, resolution)) this.deps.publish(alert, `farm:${id}`);
    } catch (err) {
      this.deps.logger.warn({ server: id, err }, 'could not resolve the alerts of a removed server');
    }
  }
}
