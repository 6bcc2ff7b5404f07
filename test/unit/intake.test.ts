import { afterEach, describe, expect, it } from 'vitest';
import type { EventFields } from '../../gateway/event-fields.ts';
import { Intake, type CatchUpPolicy } from '../../gateway/intake.ts';
import { GatewayStats } from '../../gateway/stats.ts';
import { parseStreamId, type StreamId } from '../../shared/bus/stream-id.ts';
import { createLogger } from '../../shared/logger.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';
import { FaultyBus } from '../support/faulty-bus.ts';
import { waitUntil } from '../support/wait-until.ts';

const FAST: CatchUpPolicy = { firstRetryMs: 10, maxRetryMs: 40, maxHeld: 1000 };

const log = (message: string, extra: Record<string, unknown> = {}): StreamMessage =>
  ({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message, source: 'license-server', ...extra }) as StreamMessage;

const intakes: Intake[] = [];
afterEach(() => intakes.splice(0).forEach((i) => i.stop()));

async function setup(policy: CatchUpPolicy = FAST) {
  const bus = new FaultyBus();
  const stats = new GatewayStats();
  /** What reached the hub: message texts in order, with their ids. */
  const published: Array<{ message: string; id: StreamId | undefined; fields: EventFields }> = [];
  const metrics: Array<Record<string, unknown>> = [];
  /** Streams the hub was told lost history, in order. */
  const truncations: string[] = [];
  const hub = {
    publish: (fields: EventFields, json: string, id: StreamId | undefined) => published.push({ message: fields.message, id, fields }),
    truncated: (stream: string) => void truncations.push(stream),
  };
  const clock = { update: (message: Record<string, unknown>) => metrics.push(message) };
  const intake = new Intake({ bus, hub, clock, counters: stats, logger: createLogger('test', 'silent'), policy });
  intakes.push(intake);
  const messages = () => published.map((p) => p.message);
  return { bus, stats, intake, published, metrics, messages, truncations };
}

/** Publish `n` numbered logs, "<prefix>1" … "<prefix>n". */
async function publishNumbered(bus: FaultyBus, prefix: string, n: number): Promise<string[]> {
  const texts: string[] = [];
  for (let i = 1; i <= n; i++) {
    texts.push(`${prefix}${i}`);
    await bus.publish(log(`${prefix}${i}`));
  }
  return texts;
}

describe('Intake', () => {
  it('hands logs and alerts to the hub with their ids, metrics to the clock, and counts what it drops', async () => {
    const { bus, stats, intake, published, metrics } = await setup();
    await intake.start();
    await bus.publish(log('hello', { level: 'warn', site: 'berlin' }));
    await bus.publish({ type: 'metrics', timestamp: new Date().toISOString(), source: 'lm1', licenses: { total: 1, used: 0, available: 1, utilization: 0 } } as StreamMessage);
    expect(published).toHaveLength(1);
    expect(published[0]!.fields).toMatchObject({ source: 'license-server', site: 'berlin', message: 'hello' });
    expect(published[0]!.id?.stream).toBe('berlin');
    expect(metrics.map((m) => m.source)).toEqual(['lm1']);

    for (const json of ['not json', 'null', '{"type":"log","level":"loud","message":"x","source":"s"}', '{"type":"log","level":"info","message":5,"source":"s"}']) intake.deliver({ kind: 'events', stream: '_', json });
    intake.deliver({ kind: 'metrics', stream: '_', json: '{"type":"log"}' });
    expect(stats.invalidBusMessages).toBe(5);
    expect(published).toHaveLength(1);
  });

  it('delivers a message once, however often it arrives, and takes a new epoch as a fresh history', async () => {
    const { bus, stats, intake, messages, truncations } = await setup();
    await intake.start();
    const captured: string[] = [];
    await bus.inner.subscribe((d) => captured.push(d.json));
    await publishNumbered(bus, 'm', 3);
    for (const json of captured) intake.deliver({ kind: 'events', stream: '_', json }); // again, as from history
    expect(messages()).toEqual(['m1', 'm2', 'm3']);
    expect(stats.duplicateBusMessages).toBe(3);
    const id = parseStreamId(JSON.parse(captured[1]!).id as string)!;
    expect(intake.delivered(id)).toBe(true);
    // Past the newest delivered (the ids' ms may differ between messages: step past the last one's).
    const last = parseStreamId(JSON.parse(captured[2]!).id as string)!;
    expect(intake.delivered({ ...last, seq: last.seq + 1 })).toBe(false);

    // A lower position in another epoch: Redis lost the stream and it started again. The hub is
    // told first, so its connections hear HISTORY_TRUNCATED before the new epoch's messages.
    expect(truncations).toEqual([]);
    intake.deliver({ kind: 'events', stream: '_', json: `{"id":"_:other:1-0",${JSON.stringify(log('after loss')).slice(1)}` });
    expect(truncations).toEqual(['_']);
    expect(messages().at(-1)).toBe('after loss');
  });

  it('remembers where every stream stood at start: a catch-up reads only what came after', async () => {
    const { bus, intake, messages } = await setup();
    await publishNumbered(bus, 'before', 3);
    await intake.start();
    bus.disconnect();
    await publishNumbered(bus, 'gap', 2);
    bus.reconnect();
    await waitUntil(() => !intake.catchingUpAfterFault, 'the catch-up');
    expect(messages()).toEqual(['gap1', 'gap2']);
  });

  it('after a fault, delivers the gap from history, then what was held, once each, in order', async () => {
    const { bus, intake, messages } = await setup();
    await intake.start();
    const expected = await publishNumbered(bus, 'live', 2);
    bus.disconnect();
    expected.push(...(await publishNumbered(bus, 'lost', 3))); // pub/sub loses these
    bus.failReads = 1; // the first round fails, so live events wait for the second
    bus.reconnect();
    expected.push(...(await publishNumbered(bus, 'held', 3)));
    expect(intake.heldCount).toBe(3);
    await waitUntil(() => !intake.catchingUpAfterFault, 'the catch-up');
    expect(messages()).toEqual(expected);
    expect(intake.heldCount).toBe(0);
    await bus.publish(log('after'));
    expect(messages().at(-1)).toBe('after');
  });

  it('retries a failed catch-up with backoff until it succeeds, while held events stay bounded: no gap, nothing stuck', async () => {
    const policy: CatchUpPolicy = { firstRetryMs: 10, maxRetryMs: 40, maxHeld: 20 };
    const { bus, intake, messages } = await setup(policy);
    await intake.start();
    const expected = await publishNumbered(bus, 'live', 2);
    bus.disconnect();
    expected.push(...(await publishNumbered(bus, 'lost', 5)));
    bus.failReads = Infinity;
    const readTimes: number[] = [];
    const read = bus.readHistory.bind(bus);
    bus.readHistory = (...args) => {
      readTimes.push(performance.now());
      return read(...args);
    };
    bus.reconnect();
    // Live traffic while history cannot be read: far past the bound.
    for (let i = 1; i <= 200; i++) {
      expected.push(`during${i}`);
      await bus.publish(log(`during${i}`));
      expect(intake.heldCount).toBeLessThanOrEqual(policy.maxHeld);
    }
    await waitUntil(() => readTimes.length >= 5, 'five attempts');
    // Never sooner than the backoff (10, 20, 40, 40 ms); a loaded machine only makes gaps longer.
    const gaps = readTimes.slice(1, 5).map((t, i) => t - readTimes[i]!);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(Math.min(policy.firstRetryMs * 2 ** i, policy.maxRetryMs) - 2));
    expect(messages()).toEqual(['live1', 'live2']); // nothing out of order while the gap is unread
    bus.heal();
    await waitUntil(() => !intake.catchingUpAfterFault, 'the catch-up to succeed after the reads heal');
    expect(messages()).toEqual(expected);
    await bus.publish(log('after'));
    expect(messages().at(-1)).toBe('after'); // live again
  });

  it('runs another round when live events were dropped during one, so none is lost', async () => {
    const policy: CatchUpPolicy = { firstRetryMs: 10, maxRetryMs: 40, maxHeld: 5 };
    const { bus, intake, messages } = await setup(policy);
    await intake.start();
    const expected = await publishNumbered(bus, 'live', 1);
    bus.disconnect();
    expected.push(...(await publishNumbered(bus, 'lost', 2)));
    // Overflow the hold while the first round is reading history.
    const read = bus.readHistory.bind(bus);
    let overflowed = false;
    bus.readHistory = async (...args) => {
      const page = await read(...args);
      if (!overflowed) {
        // After this round has read the stream: only a second round can find these in history.
        overflowed = true;
        for (let i = 1; i <= 12; i++) {
          expected.push(`during${i}`);
          await bus.publish(log(`during${i}`));
        }
      }
      return page;
    };
    bus.reconnect();
    await waitUntil(() => !intake.catchingUpAfterFault, 'the catch-up');
    expect(messages()).toEqual(expected);
  });
});
