// The one failure that loses acknowledged writes, whatever the Redis topology: a master takes two
// writes its replicas never get, then dies, and a replica is promoted without them. The publisher
// must notice (its sequence jumps past what the promoted replica stored), the stream must start a
// new epoch, and a reader from before the loss must be told (truncated) instead of being
// replayed past the hole in silence.
import { expect } from 'vitest';
import type { RedisBus } from '../../shared/bus/index.ts';
import { parseStreamId } from '../../shared/bus/stream-id.ts';
import { randomPrefix } from './processes.ts';

/**
 * Publish 1–3 on a new site, let `loseWrites` lose 4 and 5 (it publishes them with the function it
 * is given, once the master alone will take them, and resolves once a replica was promoted), then
 * publish 6 and check the epochs and what history gives readers from 3 and from 5. Resolves with
 * what `loseWrites` did (the server it killed, to be started again).
 */
export async function lostWritesScenario<T>(bus: RedisBus, loseWrites: (site: string, publishLost: () => Promise<void>) => Promise<T>): Promise<T> {
  const site = `lost${randomPrefix()}`;
  const publish = async (n: number) => (await bus.publish({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message: `n=${n}`, source: 'test', site, metadata: { n } })).id!;
  const ids = [await publish(1), await publish(2), await publish(3)];
  const lost = await loseWrites(site, async () => void ids.push(await publish(4), await publish(5)));
  const sixth = parseStreamId(await publish(6))!;
  const third = parseStreamId(ids[2]!)!;
  expect(sixth.epoch, 'a new epoch once the lost writes were noticed').not.toBe(third.epoch);
  const numbers = (page: { entries: readonly { json: string }[] }) => page.entries.map((e) => (JSON.parse(e.json) as { metadata: { n: number } }).metadata.n);
  const fromThird = await bus.readHistory(site, third, 100);
  expect(fromThird.truncated).toBe(true);
  expect(numbers(fromThird)).toEqual([6]);
  const fromLost = await bus.readHistory(site, parseStreamId(ids[4]!)!, 100);
  expect(fromLost.truncated).toBe(true);
  expect(numbers(fromLost)).toEqual([1, 2, 3, 6]);
  return lost;
}
