// A license server's FlexLM debug log as a streaming source: every line through the debug-log
// parser (dates carried, wrapped denial reasons joined, the server's time zone), each event
// published as a `log` message, and every denial counted for the denial-burst rule, which is
// evaluated on each denial and on a timer (so a burst that calms down resolves).
import type { Logger } from '../../shared/logger.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';
import type { AlertEngine } from '../alerts/alert-engine.ts';
import { DenialBursts } from '../alerts/rules/denial-burst.ts';
import type { AlertRules } from '../farm/alert-rules-config.ts';
import type { LicenseServerConfig } from '../farm/farm-config.ts';
import type { UnparsedLines } from '../license/unparsed-lines.ts';
import type { LicenseObserver } from '../prometheus/collector-metrics.ts';
import { DebugLogParser, toLogMessages, type DebugLogChunk } from '../parsers/debuglog.ts';
import { privateEvent } from '../privacy/private-event.ts';
import type { LineFeed } from './line-feed.ts';
import type { Emit, StreamingSource } from './source.ts';

/** A denial whose reason may continue on the next line is published after this much quiet. */
const CONTINUATION_WAIT_MS = 1000;

export interface DebugLogDeps {
  readonly alerts: AlertEngine;
  readonly rules: AlertRules;
  readonly unparsed: UnparsedLines;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Told of every denial (Prometheus). */
  readonly observer?: LicenseObserver;
}

export function debugLogSource(server: LicenseServerConfig, feed: LineFeed, deps: DebugLogDeps): StreamingSource {
  const clock = deps.clock ?? Date.now;
  const parser = new DebugLogParser({ ...(server.timeZone !== undefined && { timeZone: server.timeZone }), now: () => new Date(clock()) });
  const bursts = new DenialBursts(server, deps.rules.denialBurst);
  const origin = `debug log of ${server.id}`;
  let emit: Emit = () => undefined;
  let idle: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  // Evaluations run one after another, so alerts come out in the order their causes went in.
  let evaluations: Promise<void> = Promise.resolve();

  const evaluate = () => {
    evaluations = evaluations
      .then(async () => {
        for (const alert of await deps.alerts.evaluate(server.id, (firing) => bursts.evaluate(clock(), firing))) emit(alert);
      })
      .catch((err: unknown) => deps.logger.warn({ server: server.id, err }, 'denial-burst evaluation failed'));
  };

  const handle = (chunk: DebugLogChunk) => {
    if (chunk.unparsed.length > 0) deps.unparsed.report(server.id, origin, chunk.unparsed, server.privacy);
    const events = chunk.events.map((e) => privateEvent(e, server.privacy));
    const messages: StreamMessage[] = toLogMessages(events, { server: server.id, site: server.site });
    for (const message of messages) emit(message);
    const denials = events.filter((e) => e.kind === 'denied' && e.feature !== undefined);
    for (const d of denials) deps.observer?.denied(server, d.feature!);
    for (const d of denials) bursts.record(d.feature!, clock(), { ...(d.user && { user: d.user }), ...(d.host && { host: d.host }), ...(d.reason && { reason: d.reason }) });
    if (denials.length > 0 && bursts.enabled) evaluate();
  };

  return {
    kind: 'streaming',
    name: `debuglog:${server.id}`,
    async start(onMessage) {
      emit = onMessage;
      if (bursts.enabled) ticker = setInterval(evaluate, Math.max(1000, Math.min(10_000, deps.rules.denialBurst.window / 10)));
      await feed.start((line) => {
        handle(parser.push(line));
        clearTimeout(idle);
        idle = setTimeout(() => handle(parser.flush()), CONTINUATION_WAIT_MS);
      });
    },
    async stop() {
      clearInterval(ticker);
      clearTimeout(idle);
      await feed.stop();
      handle(parser.flush());
      await evaluations;
      emit = () => undefined;
    },
  };
}
