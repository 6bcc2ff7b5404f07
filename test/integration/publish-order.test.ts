// publish-event.lua on a real Redis, as a Redis Cluster failover exercises it: a producer's message
// that arrives before an earlier one still on its way is refused (EARLY) and stored nothing, so the
// producer can send it again in order; a gap whose messages were all answered is a loss of
// acknowledged writes, and starts a new epoch.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { BusKeys } from '../../shared/bus/index.ts';
import { randomPrefix } from '../support/processes.ts';

const SCRIPT = readFileSync(new URL('../../shared/bus/scripts/publish-event.lua', import.meta.url), 'utf8');
const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.disconnect());

it('refuses a message that overtook an unanswered earlier one of its producer; a gap of answered ones is a new epoch', async () => {
  const keys = new BusKeys(randomPrefix());
  const site = 'ordered';
  /** Publish the producer's message `seq`, telling the script the oldest one it has no reply for. */
  const publish = (seq: number, oldestUnanswered: number) => redis.eval(SCRIPT, 5,
    keys.stream(site), keys.events(site), keys.epoch(site), keys.producers(site), keys.activeAlerts(site),
    JSON.stringify({ type: 'log', metadata: { n: seq } }), 1000, 0, site, `epoch${seq}`, 'producer', seq, 'PUBLISH', '', '', oldestUnanswered) as Promise<string>;
  const stored = async () => (await redis.xrange(keys.stream(site), '-', '+')).map(([, fields]) => (JSON.parse(fields[1]!) as { metadata: { n: number } }).metadata.n);

  const first = await publish(1, 1);
  await expect(publish(3, 2), '2 is on its way').rejects.toThrow(/^EARLY producer sent 3 before 2 arrived/);
  expect(await stored()).toEqual([1]);
  await publish(2, 2);
  const third = await publish(3, 3);
  expect(await stored()).toEqual([1, 2, 3]);
  expect(third.split(':')[1], 'the same epoch: nothing was lost').toBe(first.split(':')[1]);

  // 4 was answered (the producer's oldest unanswered is 5), yet this Redis never stored it: lost.
  const fifth = await publish(5, 5);
  expect(fifth.split(':')[1]).toBe('epoch5');
  expect(await stored()).toEqual([1, 2, 3, 5]);
});
