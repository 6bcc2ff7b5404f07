// One round of catch-up: after the bus was away, read what was published meanwhile from history,
// so this gateway's clients miss nothing. The intake (intake.ts) decides when to run a round,
// holds live events meanwhile, retries a round that failed, and drops what arrives twice.
import type { Bus, Delivery } from '../shared/bus/index.ts';
import { comparePositions, leadingId, parseStreamId, type StreamId } from '../shared/bus/stream-id.ts';

/** History entries read per round trip. */
const PAGE = 1000;

export interface GapRead {
  readonly streams: number;
  readonly entries: number;
}

/**
 * Hand `deliver` every entry after `lastSeen`'s id of each stream, oldest first (streams it does
 * not name are read from their start: they appeared while the bus was away). Throws if a read
 * fails; what was handed over before that stays handed over.
 */
export async function readGap(bus: Bus, lastSeen: ReadonlyMap<string, StreamId>, deliver: (entry: Delivery) => void, onTruncated: (stream: string) => void): Promise<GapRead> {
  const streams = new Set([...(await bus.heads()).keys(), ...lastSeen.keys()]);
  let entries = 0;
  for (const stream of streams) {
    let after = lastSeen.get(stream);
    for (let first = true; ; first = false) {
      const page = await bus.readHistory(stream, after, PAGE);
      if (first && page.truncated) onTruncated(stream);
      // After a truncation what is kept follows, relabelled with the stream's new epoch; entries at
      // or before the last delivered position were delivered already (or lost with the old epoch).
      const delivered = first && page.truncated ? after : undefined;
      for (const entry of page.entries) {
        const id = parseStreamId(leadingId(entry.json) ?? '');
        if (!(delivered && id && comparePositions(id, delivered) <= 0)) deliver(entry);
        after = id ?? after;
      }
      entries += page.entries.length;
      if (page.entries.length < PAGE) break;
    }
  }
  return { streams: streams.size, entries };
}
