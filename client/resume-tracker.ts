// Where the client is in each stream: the last id it delivered per stream, so that a reconnect
// can resume with `since`, and so that no id is ever delivered twice.
//
// An id is `<stream>:<position>` or `<stream>:<epoch>:<position>`, where <position> is a Redis
// Stream entry id `<ms>-<seq>`. Within one stream (and epoch) positions increase, compared as
// numbers: ms first, then seq. The gateway delivers a stream in order, so anything at or before
// the last delivered position is a repeat (a replay overlapping what was already seen) and is
// dropped. A new epoch means the stream's history was lost and restarted: its positions start
// over, so the first id of a new epoch is accepted whatever its position.

export interface Position {
  readonly id: string;
  readonly epoch: string;
  readonly ms: string;
  readonly seq: string;
}

export interface ParsedId extends Position {
  readonly stream: string;
}

const POSITION_RE = /^(\d{1,20})-(\d{1,20})$/;

/** Split an id into stream, epoch ('' when the id has none) and position; undefined if it is not one. */
export function parseMessageId(id: string): ParsedId | undefined {
  const first = id.indexOf(':');
  const last = id.lastIndexOf(':');
  if (first <= 0) return undefined;
  const position = POSITION_RE.exec(id.slice(last + 1));
  if (!position) return undefined;
  return { id, stream: id.slice(0, first), epoch: first === last ? '' : id.slice(first + 1, last), ms: position[1]!, seq: position[2]! };
}

/** Compare two decimal strings as numbers, exactly (no float rounding for large seq values). */
function compareDecimal(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Negative, zero or positive as `a` is before, at or after `b` (same stream and epoch). */
export function comparePositions(a: Position, b: Position): number {
  return compareDecimal(a.ms, b.ms) || compareDecimal(a.seq, b.seq);
}

export class ResumeTracker {
  private readonly last = new Map<string, Position>();
  /** Streams whose next id is accepted whatever its position (after HISTORY_TRUNCATED). */
  private readonly rebasing = new Set<string>();

  /** `since`: a starting point, as given by a user (the last id seen in each stream, comma-separated). */
  constructor(since?: string) {
    for (const part of since?.split(',') ?? []) {
      const id = part.trim();
      if (id) this.accept(id);
    }
  }

  /**
   * Record `id` as delivered. True if it is new — after everything delivered in its stream, or
   * in a new epoch — false if it is a repeat that must not be delivered again. An id that is
   * not in the API's format is accepted and not tracked (it cannot be resumed from anyway).
   */
  accept(id: string): boolean {
    const parsed = parseMessageId(id);
    if (!parsed) return true;
    const seen = this.last.get(parsed.stream);
    const isNew = !seen || seen.epoch !== parsed.epoch || this.rebasing.has(parsed.stream) || comparePositions(parsed, seen) > 0;
    if (!isNew) return false;
    this.rebasing.delete(parsed.stream);
    this.last.set(parsed.stream, { id, epoch: parsed.epoch, ms: parsed.ms, seq: parsed.seq });
    return true;
  }

  /**
   * The gateway could not replay `stream` from our id (HISTORY_TRUNCATED): what it sends next is
   * what it still holds, in order, and becomes the new starting point even if its positions are
   * not after ours (a lost history restarts them).
   */
  rebase(stream: string): void {
    if (this.last.has(stream)) this.rebasing.add(stream);
  }

  /** The last id delivered in each stream, comma-separated: the `since` to resume with. */
  since(): string | undefined {
    return this.last.size === 0 ? undefined : Array.from(this.last.values(), (p) => p.id).join(',');
  }

  /** The last id delivered in `stream`, if any. */
  lastId(stream: string): string | undefined {
    return this.last.get(stream)?.id;
  }
}
