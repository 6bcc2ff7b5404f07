// LateStreams on its own, with the cross-connection race that real Redis Cluster shows only now and
// then made certain: the reads' replies (command connection) come back before the live messages
// published just before them (subscriber connection), which arrive only with the reply to the next
// subscribe, as Redis orders them on the subscriber connection.
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../shared/bus/bus.ts';
import { LateStreams } from '../../shared/bus/late-streams.ts';

const STREAM = 'late';
const EPOCH = 'e1';

function event(n: number): Delivery {
  return { kind: 'events', stream: STREAM, json: `{"id":"${STREAM}:${EPOCH}:${n}-0","type":"log","n":${n}}` };
}
function snapshot(source: string, used: number): Delivery {
  return { kind: 'metrics', stream: STREAM, json: JSON.stringify({ type: 'metrics', source, used }) };
}

/**
 * A late-learnt stream whose stored state already holds `inFlight`: published after the subscribe
 * took effect, heard by the subscriber only with the reply to the next subscribe (or later).
 */
function raceWith(stored: { events: Delivery[]; latest: Delivery[] }, inFlight: Delivery[]) {
  const got: Delivery[] = [];
  const late = new LateStreams({
    readHistory: async (_stream, after, limit) => {
      const entries = stored.events.filter((e) => !after || Number(/:(\d+)-0"/.exec(e.json)![1]) > after.ms).slice(0, limit);
      return { epoch: EPOCH, truncated: false, entries };
    },
    readLatest: async () => stored.latest,
  }, (d) => got.push(d));
  let subscribes = 0;
  const subscribe = async () => {
    if (subscribes++ > 0) for (const d of inFlight.splice(0)) late.live(d);
  };
  /** Introduce the stream, then let whatever is still in flight arrive. */
  const introduce = async () => {
    await late.introduce(STREAM, subscribe);
    for (const d of inFlight.splice(0)) late.live(d);
  };
  return { late, got, introduce };
}

describe('LateStreams', () => {
  it('delivers a log read from history and heard live late exactly once, in order', async () => {
    const { late, got, introduce } = raceWith({ events: [event(1), event(2), event(3)], latest: [] }, [event(3)]);
    await introduce();
    late.live(event(4));
    expect(got.map((d) => d.json)).toEqual([event(1), event(2), event(3), event(4)].map((d) => d.json));
  });

  it('delivers a stored snapshot also heard live late once, and never an older one after a newer', async () => {
    // b=2 was published after b=1, both after subscribing: the read sees b=2, live ones lag behind.
    const { late, got, introduce } = raceWith(
      { events: [], latest: [snapshot('a', 5), snapshot('b', 2)] },
      [snapshot('b', 1), snapshot('b', 2)],
    );
    await introduce();
    late.live(snapshot('b', 3));
    const values = (source: string) => got.map((d) => JSON.parse(d.json) as { source: string; used: number })
      .filter((m) => m.source === source).map((m) => m.used);
    expect(values('a')).toEqual([5]); // stored, never heard live: delivered from the store
    expect(values('b')).toEqual([1, 2, 3]);
  });

  it('holds live logs that arrive while history is read and releases the new ones after it', async () => {
    // event 2 was published after the read: the history lacks it, the subscriber hears it during the introduction.
    const { got, introduce } = raceWith({ events: [event(1)], latest: [] }, [event(2)]);
    await introduce();
    expect(got.map((d) => d.json)).toEqual([event(1), event(2)].map((d) => d.json));
  });
});
