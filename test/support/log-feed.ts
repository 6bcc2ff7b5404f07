// Feeds a log-stream client through the bus, as collectors would, and records what it should print.
//
// The spec's example clients subscribe right after connecting and then only print; a test cannot
// tell when the gateway has applied their filter. So the feed first publishes "warm-up" logs that
// every example's filter accepts, one at a time, until the client prints one: from then on the
// client is connected and its subscribe is on the wire ahead of anything published later. Then it
// publishes rounds of mixed messages (every level, two sources, an alert and a metrics snapshot)
// and waits, round by round, until the client has printed the round's last matching log.
import type { Bus } from '../../shared/bus/index.ts';
import { LEVELS, type LogMessage, type StreamMessage } from '../../shared/protocol/index.ts';
import type { LineWatcher } from './line-watcher.ts';

/** What the spec's clients print for a log: `[level] message`. */
export const printed = (log: { level: string; message: string }): string => `[${log.level}] ${log.message}`;

/** The source the spec's browser example filters on; the other one must be filtered out. */
export const SPEC_SOURCE = 'license-server';
const OTHER_SOURCE = 'other-source';

export interface FeedOptions {
  bus: Bus;
  /** Unique per test, in every message text, so a stray message from elsewhere is recognised. */
  tag: string;
  watcher: LineWatcher;
  /** A printed line as `[level] message` (Go's logger puts a timestamp first), or undefined. */
  logLine: (line: string) => string | undefined;
  /** The client's filter, as the spec means it. */
  wants: (log: LogMessage) => boolean;
  /** The client stops (or the test stops looking) after this many logs. */
  total: number;
}

export interface FeedResult {
  /** The logs the client printed, in order, as `[level] message`. */
  received: string[];
  /** How many warm-up logs lead `received`. */
  warmups: number;
  /** Every published log the client's filter accepts, in publish order, after the warm-up. */
  expected: string[];
}

const WARMUP_ATTEMPTS = 60;
const WARMUP_WAIT_MS = 500;
const ROUND_WAIT_MS = 15_000;
const MAX_ROUNDS = 200;

export async function feedLogClient(options: FeedOptions): Promise<FeedResult> {
  const { bus, tag, watcher, logLine, wants, total } = options;
  const received = () => watcher.lines.map(logLine).filter((l): l is string => l !== undefined);
  const finished = () => received().length >= total;

  let connected = false;
  for (let attempt = 0; attempt < WARMUP_ATTEMPTS && !connected; attempt++) {
    await bus.publish(log(tag, `warmup ${attempt}`, 'error', SPEC_SOURCE));
    connected = await watcher.waitFor(() => received().length > 0, WARMUP_WAIT_MS);
    if (!connected && watcher.endedBecause !== undefined) break;
  }
  if (!connected) {
    throw new Error(`the client printed no log after ${WARMUP_ATTEMPTS} warm-up logs (${watcher.endedBecause ?? 'still running'}):\n${watcher.tail()}`);
  }

  const expected: string[] = [];
  for (let round = 0; round < MAX_ROUNDS && !finished(); round++) {
    const messages = mixedRound(tag, round);
    for (const message of messages) await bus.publish(message);
    const matching = messages.filter((m): m is LogMessage => m.type === 'log' && wants(m)).map(printed);
    expected.push(...matching);
    const last = matching.at(-1);
    if (last === undefined) continue;
    const arrived = await watcher.waitFor((lines) => finished() || lines.some((l) => logLine(l) === last), ROUND_WAIT_MS);
    if (!arrived) break; // the client ended or stalled: the caller's assertions show how
  }
  const all = received();
  // Counted at the end: a warm-up that was slow to arrive may follow the one that ended the warm-up.
  const firstContent = all.findIndex((line) => !line.includes(`${tag} warmup `));
  return { received: all, warmups: firstContent < 0 ? all.length : firstContent, expected };
}

function log(tag: string, text: string, level: LogMessage['level'], source: string): LogMessage {
  return { type: 'log', timestamp: new Date().toISOString(), level, source, message: `${tag} ${text}` };
}

/** One round: a log of every level from each source, an alert, and a metrics snapshot. */
function mixedRound(tag: string, round: number): StreamMessage[] {
  const timestamp = new Date().toISOString();
  const logs = [SPEC_SOURCE, OTHER_SOURCE].flatMap((source) =>
    LEVELS.map((level) => log(tag, `round ${round} ${level} from ${source}`, level, source)),
  );
  return [
    ...logs,
    // Logs' look-alikes that must never reach /ws/logs: an alert passes the same level filters.
    { type: 'alert', timestamp, level: 'error', source: SPEC_SOURCE, message: `${tag} alert ${round}`, rule: 'spec_clients', key: `${tag}:${round}`, status: 'firing' },
    { type: 'metrics', timestamp, source: SPEC_SOURCE, licenses: { total: 10, used: 5, available: 5, utilization: 50 } },
  ];
}
