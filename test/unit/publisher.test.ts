import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Publisher } from '../../collector/publisher.ts';
import { validateStreamMessage } from '../../collector/validate-message.ts';
import { MemoryBus, type Delivery } from '../../shared/bus/index.ts';
import { createLogger } from '../../shared/logger.ts';

const log = (message: string) => ({ type: 'log', timestamp: '2024-01-15T10:30:45.123Z', level: 'info', message, source: 'license-server', site: 'berlin' });

/** A pino logger that records the lines it writes. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('Publisher', () => {
  it('publishes valid messages in order and counts them', async () => {
    const bus = new MemoryBus();
    const seen: Delivery[] = [];
    await bus.subscribe((d) => seen.push(d));
    const publisher = new Publisher(bus, createLogger('test', 'silent'));
    for (let i = 0; i < 100; i++) expect(publisher.publish(log(`m${i}`), 'test')).toBe(true);
    await publisher.flush();
    expect(seen.map((d) => JSON.parse(d.json).message)).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    expect(publisher.stats).toEqual({ published: 100, invalid: 0, failed: 0, dropped: 0 });
  });

  it('counts and logs invalid messages without publishing them or throwing', async () => {
    const bus = new MemoryBus();
    const seen: Delivery[] = [];
    await bus.subscribe((d) => seen.push(d));
    const { logger, lines } = recordingLogger();
    const publisher = new Publisher(bus, logger, { warnEveryMs: 60_000 });
    expect(publisher.publish({ ...log('bad'), level: 'fatal' }, 'lmstat:x')).toBe(false);
    expect(publisher.publish({ type: 'metrics', timestamp: 'yesterday' }, 'lmstat:x')).toBe(false);
    expect(publisher.publish(log('good'), 'lmstat:x')).toBe(true);
    await publisher.flush();
    expect(seen).toHaveLength(1);
    expect(publisher.stats).toMatchObject({ published: 1, invalid: 2 });
    // The first is logged naming its field; the second is only counted (throttled).
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'invalid message not published', origin: 'lmstat:x' });
    expect(String(lines[0]!.error)).toMatch(/^level: /);
  });

  it('counts publishes fewer replicas than asked had in time, and warns about them once per period', async () => {
    const bus = Object.assign(new MemoryBus(), { publish: () => Promise.resolve({ underReplicated: true as const }) });
    const { logger, lines } = recordingLogger();
    const publisher = new Publisher(bus, logger, { warnEveryMs: 60_000 });
    for (let i = 0; i < 3; i++) publisher.publish(log(`m${i}`), 'lmstat:x');
    await publisher.flush();
    expect(publisher.stats).toMatchObject({ published: 3, failed: 0 });
    expect(publisher.underReplicated).toBe(3);
    expect(lines.map((l) => l.msg)).toEqual(['published, but fewer replicas than PUBLISH_WAIT_REPLICAS had it in time']);
  });

  it('counts publishes the bus refuses', async () => {
    const bus = new MemoryBus();
    await bus.close();
    const publisher = new Publisher(bus, createLogger('test', 'silent'));
    publisher.publish(log('lost'), 'test');
    await publisher.flush();
    expect(publisher.stats).toMatchObject({ published: 0, failed: 1 });
  });
});

describe('validateStreamMessage', () => {
  it('names every offending field', () => {
    const result = validateStreamMessage({ ...log('x'), timestamp: 'now', metadata: 'nope' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/timestamp: .*; metadata: /);
  });
});
