// After the bus was away, read what was published meanwhile from history, so this gateway's
// clients miss nothing. Live events are held by the hub until the gap has been delivered; the
// hub drops whatever arrives twice.
import type { Bus } from '../shared/bus/index.ts';
import { leadingId, parseStreamId } from '../shared/bus/stream-id.ts';
import type { Logger } from '../shared/logger.ts';
import type { Hub } from './hub.ts';

const PAGE = 1000;

/** Record where every stream stands now, so a later catch-up knows where to start. */
export async function rememberHeads(bus: Bus, hub: Hub): Promise<void> {
  for (const [stream, head] of await bus.heads()) {
    if (head && !hub.lastSeen.has(stream)) hub.lastSeen.set(stream, head);
  }
}

/**
 * Deliver every entry after the hub's last seen id of each stream (streams it never saw are read
 * from their start: they appeared while it was away), then release the held live events.
 * Call with the hub paused; on failure the hub stays paused and the next reconnect tries again.
 */
export async function catchUp(bus: Bus, hub: Hub, logger: Logger, onTruncated: (stream: string) => void): Promise<void> {
  const streams = new Set([...(await bus.heads()).keys(), ...hub.lastSeen.keys()]);
  let delivered = 0;
  for (const stream of streams) {
    let after = hub.lastSeen.get(stream);
    for (let first = true; ; first = false) {
      const page = await bus.readHistory(stream, after, PAGE);
      if (first && page.truncated) {
        onTruncated(stream);
        logger.warn({ stream }, 'history after the last delivered id is gone (trimmed, or Redis lost its data): delivering what is kept');
      }
      for (const entry of page.entries) {
        hub.dispatch(entry);
        after = parseStreamId(leadingId(entry.json) ?? '') ?? after;
      }
      delivered += page.entries.length;
      if (page.entries.length < PAGE) break;
    }
  }
  hub.resume();
  logger.info({ streams: streams.size, delivered }, 'caught up after the bus came back');
}
