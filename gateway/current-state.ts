// Current state for a client that asks (`lines`, `activeAlerts`; on the URL `lines=N`,
// `active_alerts=1`): the alerts firing now and the last N log lines of each stream, before the
// live stream, with no gap and no repeat.
//
// - Live frames are held from the moment of the request (after writing out what the hub had
//   already dispatched), and released after the current state.
// - Active alerts come from the bus's active-alerts hashes, each as originally published (id,
//   timestamp, key) plus `"active": true`. One is sent only if its live copy reached this gateway
//   before the hold (else it arrives live, held) and is not among the held frames, so no alert
//   arrives twice. A stream named in `since` gets none: the client saw everything up to its id,
//   and the replay delivers what follows. Active alerts are not stream positions: a resume goes on
//   from the last id of the stream as delivered, never from an active alert's.
// - Lines: each stream's history is read backwards until N log lines the filter takes are found;
//   the stream is then replayed (replay.ts) from just before the oldest of them, as a `since` would,
//   so the lines, the alerts between them, and the live stream join with no gap and no repeat.
//   A stream named in `since` resumes from there instead.
import { deliveredIn } from './intake.ts';
import { replay, Replay, type ReplaySource } from './replay.ts';
import { accepts, eventFields } from './event-fields.ts';
import { KIND_ALERT, KIND_LOG, type Endpoint } from './endpoints.ts';
import type { Frame, Session } from './session.ts';
import { comparePositions, formatStreamId, leadingId, parseStreamId, type StreamId, type StreamPosition } from '../shared/bus/stream-id.ts';
import { CloseCode, ErrorCode } from '../shared/protocol/index.ts';

export interface CurrentStateRequest {
  /** The last N log lines per stream (0: none). */
  readonly lines: number;
  readonly activeAlerts: boolean;
}

export const NO_CURRENT_STATE: CurrentStateRequest = { lines: 0, activeAlerts: false };

export const asksCurrentState = (request: CurrentStateRequest): boolean => request.lines > 0 || request.activeAlerts;

/** What is wrong with asking this on this endpoint, if anything: a request must not go silently unanswered. */
export function currentStateProblem(endpoint: Endpoint, request: CurrentStateRequest): { code: ErrorCode; message: string } | undefined {
  if (request.lines > 0 && !(endpoint.kinds & KIND_LOG)) return { code: ErrorCode.INVALID_LINES, message: `lines: ${endpoint.path} carries no log lines; use /ws/logs or /ws/combined` };
  if (request.activeAlerts && !(endpoint.kinds & KIND_ALERT)) return { code: ErrorCode.INVALID_ACTIVE_ALERTS, message: `activeAlerts: ${endpoint.path} carries no alerts; use /ws/combined` };
  return undefined;
}

/** History entries read per round trip while looking backwards for lines. */
const PAGE = 500;

/**
 * Deliver the current state asked for, then (through replay) what `since` names and the live
 * stream. A newer subscribe supersedes it; a failed read closes the connection (1011) rather than
 * leave a gap: the client reconnects and resumes.
 */
export async function deliverCurrentState(session: Session, request: CurrentStateRequest, since: ReadonlyMap<string, StreamId> | undefined, source: ReplaySource): Promise<void> {
  const { bus, hub, intake } = source;
  // Whatever the intake delivered before now is written (or held by an earlier hold) first: every
  // frame held from here on is newer than `floor`.
  hub.flush();
  const hold = new Replay();
  if (session.replay) hold.held.push(...session.replay.held);
  session.replay = hold;
  const floor = intake.positions();
  const superseded = () => session.closed || session.replay !== hold;
  try {
    const starts = new Map(since);
    const chosen = new Set<string>();
    if (request.lines > 0) {
      for (const stream of (await bus.heads()).keys()) {
        if (starts.has(stream) || !streamAllowed(session, stream)) continue;
        const start = await findLinesStart(session, stream, request.lines, source);
        if (superseded()) return;
        if (start) {
          starts.set(stream, start);
          chosen.add(stream);
        }
      }
    }
    if (request.activeAlerts) {
      const alerts = await bus.activeAlerts();
      if (superseded()) return;
      const held = new Set(hold.held.flatMap(({ id }) => (id ? [formatStreamId(id)] : [])));
      const frames: Array<{ timestamp: string; frame: Frame }> = [];
      for (const { json } of alerts) {
        const id = parseStreamId(leadingId(json) ?? '');
        if (!id || since?.has(id.stream) || !deliveredIn(floor, id) || held.has(formatStreamId(id))) continue;
        const start = starts.get(id.stream);
        if (start && start.epoch === id.epoch && comparePositions(id, start) > 0) continue; // the lines' replay sends it
        const message = parse(json);
        const fields = eventFields(message);
        if (!fields || !accepts(session.endpoint.kinds, session.filter, fields)) continue;
        frames.push({ timestamp: String((message as { timestamp?: unknown }).timestamp), frame: `${json.slice(0, -1)},"active":true}` });
      }
      frames.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
      // No ids recorded as sent: an active alert is not a position in its stream.
      if (frames.length > 0) session.sendFrames(frames.map((f) => f.frame));
    }
    void replay(session, starts, source, chosen);
  } catch {
    if (!superseded()) session.close(CloseCode.INTERNAL_ERROR, 'current state is unavailable right now: reconnect');
  }
}

/** May this connection receive anything of this stream at all (its filter's and key's sites)? */
function streamAllowed(session: Session, stream: string): boolean {
  const sites = session.filter.sites;
  return sites === null || sites.has(stream);
}

/**
 * Where to replay `stream` from so that exactly its last `lines` log lines the filter takes come
 * first: just before the oldest of them (or before the oldest entry kept, if fewer exist).
 * Undefined when the stream holds none.
 */
async function findLinesStart(session: Session, stream: string, lines: number, { bus }: ReplaySource): Promise<StreamId | undefined> {
  let found = 0;
  let before: StreamPosition | undefined;
  let epoch: string | undefined;
  for (;;) {
    const page = await bus.readHistoryBackwards(stream, before, PAGE);
    if (page.epoch === undefined || (epoch !== undefined && page.epoch !== epoch)) break;
    epoch = page.epoch;
    for (const { json } of page.entries) {
      const id = parseStreamId(leadingId(json) ?? '');
      if (!id) continue;
      before = id;
      const fields = eventFields(parse(json));
      if (fields?.kind === KIND_LOG && accepts(session.endpoint.kinds, session.filter, fields) && ++found === lines) return { ...justBefore(id), stream, epoch };
    }
    if (page.entries.length < PAGE) break;
  }
  return found > 0 && before && epoch !== undefined ? { ...justBefore(before), stream, epoch } : undefined;
}

/** The position just before `p` (a replay starts after the position it is given). */
function justBefore(p: StreamPosition): StreamPosition {
  return p.seq > 0 ? { ms: p.ms, seq: p.seq - 1 } : { ms: p.ms - 1, seq: Number.MAX_SAFE_INTEGER };
}

function parse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
