// Resume: replay what a connection missed after the ids it names, then go live with no gap and
// no duplicate. While history is read, live frames for the connection are held; when the replay
// is done they are merged by id (anything the replay already sent is skipped).
import type { Bus } from '../shared/bus/index.ts';
import { leadingId, parseStreamId, type StreamId } from '../shared/bus/stream-id.ts';
import { CloseCode, ErrorCode } from '../shared/protocol/index.ts';
import { accepts, eventFields } from './event-fields.ts';
import type { Frame, Session } from './session.ts';

/** History entries read per round trip. */
const PAGE = 500;
const NONE: ReadonlySet<string> = new Set();

export class Replay {
  readonly held: Array<{ frame: Frame; id: StreamId | undefined }> = [];
  constructor(
    /** The hold at open (holdUntilFirstAction), not a replay of history. */
    readonly initial = false,
  ) {}

  /** Hold frames from `from` on (and their ids, parallel to them). */
  hold(frames: readonly Frame[], ids: ReadonlyArray<StreamId | undefined>, from = 0): void {
    for (let i = from; i < frames.length; i++) this.held.push({ frame: frames[i]!, id: ids[i] });
  }
}

/** Does the session's current endpoint and filter take this frame? */
function wanted(session: Session, frame: Frame): boolean {
  try {
    const fields = eventFields(JSON.parse(typeof frame === 'string' ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString()));
    return fields !== undefined && accepts(session.endpoint.kinds, session.filter, fields);
  } catch {
    return false;
  }
}

function sendOne(session: Session, frame: Frame, id: StreamId | undefined, batch: Frame[], newest: Map<string, StreamId>): void {
  if (id && session.wasSent(id)) return;
  if (!wanted(session, frame)) return;
  batch.push(frame);
  if (id) {
    newest.set(id.stream, id);
    // Within a batch, later frames must not repeat earlier ones.
    if (session.tracking) session.recordSent([id]);
    else session.advanceSent(id);
  }
}

export interface ReplaySource {
  readonly bus: Bus;
  /** The hub: a way to write what it has been given but not written yet. */
  readonly hub: { flush(): void };
  /**
   * The intake: has it passed this id to the hub? A history read can return an entry before its
   * live copy reaches this gateway; the replay stops there, and the live copy delivers it (held,
   * then merged).
   */
  readonly intake: { delivered(id: StreamId): boolean; positions(): ReadonlyMap<string, StreamId> };
}

/**
 * Replay to `session` everything after `since` (stream → last id seen) that its current filter
 * takes, then release the live frames held meanwhile. Streams not named start live. A newer
 * replay on the same session supersedes this one (its held frames carry over). `chosen` names
 * streams whose start the gateway chose (current-state.ts), not the client: a trimmed start there
 * is not the client's loss, and is not reported.
 */
export async function replay(session: Session, since: ReadonlyMap<string, StreamId>, { bus, hub, intake }: ReplaySource, chosen: ReadonlySet<string> = NONE): Promise<void> {
  const previous = session.replay;
  const current = new Replay();
  if (previous) current.held.push(...previous.held);
  session.replay = current;
  const superseded = () => session.closed || session.replay !== current;
  let complete = false;
  try {
    for (const [stream, after] of since) {
      let cursor: StreamId | undefined = after;
      let first = true;
      for (;;) {
        const page = await bus.readHistory(stream, cursor, PAGE);
        if (superseded()) return;
        if (first && page.truncated && !chosen.has(stream)) {
          session.sendError(ErrorCode.HISTORY_TRUNCATED, `messages of stream "${stream}" after ${after.epoch}:${after.ms}-${after.seq} are no longer all kept; what is kept follows`, { stream });
        }
        first = false;
        const batch: Frame[] = [];
        const newest = new Map<string, StreamId>();
        let reachedLive = false;
        for (const entry of page.entries) {
          const id = parseStreamId(leadingId(entry.json) ?? '');
          if (id && !intake.delivered(id)) {
            reachedLive = true; // this and what follows come live
            break;
          }
          sendOne(session, entry.json, id, batch, newest);
          if (id) cursor = id;
        }
        if (batch.length > 0) session.sendFrames(batch, [...newest.values()]);
        if (reachedLive || page.entries.length < PAGE || session.closed) break;
      }
    }
    complete = true;
  } finally {
    if (!superseded()) {
      if (complete) {
        // Whatever the hub has dispatched but not yet written joins the held frames first.
        hub.flush();
        release(session, current);
      }
      // Releasing after a failed read would leave a gap: the client resumes again instead.
      else session.close(CloseCode.INTERNAL_ERROR, 'history is unavailable right now: reconnect and resume');
    }
  }
}

/**
 * A new connection without `?since=` holds its first live frames until its first action (or
 * `ms`), so that a first `subscribe {filter, since}` is merged with them in order, and a first
 * `subscribe {filter}` applies to them: the spec's clients subscribe as soon as they open.
 */
export function holdUntilFirstAction(session: Session, ms: number): void {
  const hold = new Replay(true);
  session.replay = hold;
  setTimeout(() => endInitialHold(session, hold), ms).unref();
}

/** Release the initial hold (if it is still the session's), with the session's current filter. */
export function endInitialHold(session: Session, hold: Replay | undefined = session.replay): void {
  if (hold && session.replay === hold && hold.initial && !session.closed) release(session, hold);
}

function release(session: Session, current: Replay): void {
  session.replay = undefined;
  // The first subscribe's replay is done: from now on the newest-sent marks decide.
  if (!current.initial) session.stopExactTracking();
  const batch: Frame[] = [];
  const newest = new Map<string, StreamId>();
  for (const { frame, id } of current.held) sendOne(session, frame, id, batch, newest);
  if (batch.length > 0) session.sendFrames(batch, [...newest.values()]);
}
