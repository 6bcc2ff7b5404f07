// A license server's FlexLM debug log as a streaming source: every line through the debug-log
// parser (dates carried, wrapped denial reasons joined, the server's time zone), each event
// published as a `log` message, and every denial counted for the denial-burst rule, which is
// evaluated on each denial and on a timer (so a burst that calms down resolves).
//
// With `inputs` (the bus, for a real file), no event is lost or repeated across restarts: the
// collector holding the log's lease (one per log, so two eligible collectors never both read it)
// numbers its events as the log's producer and stores a checkpoint (log-checkpoint.ts) about once
// a second, which also renews the lease. The next holder (this collector restarted, or another
// once the lease expired) reads on from the checkpoint with the same numbers, and the bus skips
// what was published after it.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Bus, InputRef } from '../../shared/bus/index.ts';
import { NO_SITE } from '../../shared/bus/index.ts';
import type { Logger } from '../../shared/logger.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';
import type { AlertEngine } from '../alerts/alert-engine.ts';
import { DenialBursts } from '../alerts/rules/denial-burst.ts';
import type { AlertRules } from '../farm/alert-rules-config.ts';
import type { LicenseServerConfig } from '../farm/farm-config.ts';
import type { UnparsedLines } from '../license/unparsed-lines.ts';
import type { LicenseObserver } from '../prometheus/collector-metrics.ts';
import { DebugLogParser, toLogMessages, type CarriedDate, type DebugLogChunk } from '../parsers/debuglog.ts';
import { privateEvent } from '../privacy/private-event.ts';
import type { LineFeed, OnLine } from './line-feed.ts';
import { decodeCheckpoint, encodeCheckpoint, type LogCheckpoint } from './log-checkpoint.ts';
import type { ResumeOutcome, TailPosition } from './log-tailer.ts';
import type { Emit, StreamingSource } from './source.ts';

/** A denial whose reason may continue on the next line is published after this much quiet. */
const CONTINUATION_WAIT_MS = 1000;
/** How often the holder stores its checkpoint (and renews its lease), at most. */
const CHECKPOINT_EVERY_MS = 1000;

export interface DebugLogDeps {
  readonly alerts: AlertEngine;
  readonly rules: AlertRules;
  readonly unparsed: UnparsedLines;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Told of every denial (Prometheus). */
  readonly observer?: LicenseObserver;
  /** Where logs' leases and checkpoints are kept; absent (the simulator): read from the end, keep nothing. */
  readonly inputs?: Pick<Bus, 'claimInput' | 'commitCheckpoint'>;
  /** A lease not renewed for this long is free: a killed collector's log is taken over after it (COLLECTOR_LOCK_MS). */
  readonly leaseMs?: number;
}

export function debugLogSource(server: LicenseServerConfig, feed: LineFeed, deps: DebugLogDeps): StreamingSource {
  const clock = deps.clock ?? Date.now;
  const newParser = (carried?: CarriedDate) =>
    new DebugLogParser({ ...(server.timeZone !== undefined && { timeZone: server.timeZone }), ...(carried && { carried }), now: () => new Date(clock()) });
  const bursts = new DenialBursts(server, deps.rules.denialBurst);
  const origin = `debug log of ${server.id}`;
  const ref: InputRef = { stream: server.site ?? NO_SITE, input: `debuglog:${server.id}`, owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}` };
  const leaseMs = deps.leaseMs ?? 6000;
  let parser = newParser();
  let emit: Emit = () => undefined;
  let idle: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  // Evaluations run one after another, so alerts come out in the order their causes went in.
  let evaluations: Promise<void> = Promise.resolve();

  // The reading position, when checkpointing: the producer sequence of the last event emitted, the
  // position of the last line fed, the newest point where every line's events were emitted
  // (`safe`), and what is stored.
  let state: 'standby' | 'reading' | 'stopped' = 'standby';
  let seq = 0;
  let last: TailPosition | undefined;
  let safe: LogCheckpoint | undefined;
  let committed: LogCheckpoint | undefined;
  let keeper: NodeJS.Timeout | undefined;
  let keeping: Promise<void> = Promise.resolve();
  let busy = false;

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
    for (const message of messages) emit(message, deps.inputs && { id: ref.input, seq: ++seq });
    const denials = events.filter((e) => e.kind === 'denied' && e.feature !== undefined);
    for (const d of denials) deps.observer?.denied(server, d.feature!);
    for (const d of denials) bursts.record(d.feature!, clock(), { ...(d.user && { user: d.user }), ...(d.host && { host: d.host }), ...(d.reason && { reason: d.reason }) });
    if (denials.length > 0 && bursts.enabled) evaluate();
  };

  const settle = () => {
    if (last && !parser.holding) safe = { position: last, seq, carried: parser.carried };
  };

  const onLine: OnLine = (line, position) => {
    handle(parser.push(line));
    last = position ?? last;
    settle();
    clearTimeout(idle);
    idle = setTimeout(() => {
      handle(parser.flush());
      settle();
    }, CONTINUATION_WAIT_MS);
  };

  /** Take the lease if it is free and start reading after the stored checkpoint. */
  const claim = async () => {
    const claimed = await deps.inputs!.claimInput(ref, leaseMs);
    if (!claimed || state !== 'standby') return;
    let checkpoint: LogCheckpoint | undefined;
    try {
      checkpoint = claimed.checkpoint === undefined ? undefined : decodeCheckpoint(claimed.checkpoint);
    } catch (err) {
      deps.logger.warn({ server: server.id, err: errorText(err) }, 'debug log checkpoint unreadable: reading the log from its end');
    }
    // Numbering goes on from the checkpoint, so events read again get their old numbers; without
    // one, above whatever this log's producer ever published.
    seq = checkpoint?.seq ?? claimed.producerSeq;
    parser = newParser(checkpoint?.carried);
    [last, safe, committed] = [checkpoint?.position, checkpoint, checkpoint];
    state = 'reading';
    const onResumed = (outcome: ResumeOutcome) => {
      // Not where the checkpoint was: the numbers after it (maybe used before a crash) mean other lines now.
      if (outcome.kind === 'truncated' || outcome.kind === 'replaced') seq = Math.max(seq, claimed.producerSeq);
    };
    await feed.start(onLine, checkpoint?.position, onResumed);
    deps.logger.info({ server: server.id, checkpoint: checkpoint ? { offset: checkpoint.position.offset, seq: checkpoint.seq } : 'none' }, 'debug log lease taken');
  };

  /** Store the newest safe point (renewing the lease); false when the lease is someone else's now. */
  const commit = async (release = false): Promise<boolean> => {
    const next = safe !== committed ? safe : undefined;
    const held = await deps.inputs!.commitCheckpoint(ref, next && encodeCheckpoint(next), leaseMs, release);
    if (held && next) committed = next;
    return held;
  };

  const stopReading = async () => {
    clearTimeout(idle);
    await feed.stop();
  };

  /** One beat of the lease: take it when free, or keep it and store the checkpoint. */
  const keep = async () => {
    if (busy || state === 'stopped') return;
    busy = true;
    try {
      if (state === 'standby') await claim();
      else if (!(await commit())) {
        deps.logger.warn({ server: server.id }, 'debug log lease lost (this collector was paused or cut off past it): another collector reads the log now');
        state = 'standby';
        await stopReading();
      }
    } catch (err) {
      deps.logger.warn({ server: server.id, err: errorText(err) }, 'debug log lease or checkpoint failed; retrying');
    } finally {
      busy = false;
    }
  };

  return {
    kind: 'streaming',
    name: `debuglog:${server.id}`,
    async start(onMessage) {
      emit = onMessage;
      state = 'standby';
      if (bursts.enabled) ticker = setInterval(evaluate, Math.max(1000, Math.min(10_000, deps.rules.denialBurst.window / 10)));
      if (!deps.inputs) return void (await feed.start(onLine));
      keeper = setInterval(() => void (keeping = keep()), Math.min(CHECKPOINT_EVERY_MS, leaseMs / 3));
      await (keeping = keep());
    },
    async stop() {
      const wasReading = state === 'reading' || !deps.inputs;
      state = 'stopped';
      clearInterval(ticker);
      clearInterval(keeper);
      await keeping;
      if (wasReading) {
        await stopReading();
        handle(parser.flush());
        settle();
        // Issued after the last publishes, on the same connection: stored after them.
        if (deps.inputs) await commit(true).catch((err: unknown) => deps.logger.warn({ server: server.id, err: errorText(err) }, 'debug log checkpoint not stored at stop'));
      }
      await evaluations;
      emit = () => undefined;
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
