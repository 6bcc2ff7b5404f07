// The shape of every zero-loss failure test: SDK clients through the balancer (half unfiltered,
// `since` on the URL; half with a site filter, `since` in `subscribe`), a publisher of numbered logs
// on a new site, a failure in mid-stream, and then the check that every client got 1..N exactly
// once and in order, or was told HISTORY_TRUNCATED before any number it never got. No WebSocket may
// be sent the same id twice.
import { afterEach, expect } from 'vitest';
import type { RedisBus } from '../../shared/bus/index.ts';
import type { GatewayFleet } from './gateway-fleet.ts';
import { describeClients, NumberedClient, NumberedPublisher, sequenceProblems, silentGaps } from './numbered-stream.ts';
import { randomPrefix } from './processes.ts';
import { waitUntil } from './wait-until.ts';

export const RATE = 100; // messages per second
const CLIENTS = 6;

/** HAProxy checks every 200 ms and acts on two in a row: a drain must outlast that window. */
export const failoverGatewayEnv = (apiKey: string) => ({ API_KEYS: apiKey, DRAIN_DELAY_MS: '1500', SHUTDOWN_GRACE_MS: '2000' });

export interface Run {
  readonly publisher: NumberedPublisher;
  readonly clients: NumberedClient[];
  /** Wait until every client has delivered at least `more` numbers beyond what it has now. */
  progress(more: number, what: string): Promise<void>;
  /** A client the failure adds (closed after the test). */
  track(client: NumberedClient): void;
}

export interface ScenarioOptions {
  /**
   * A failure that may lose acknowledged writes (a promoted replica): a client may then miss
   * numbers, but only after a HISTORY_TRUNCATED that came before them. Otherwise: exactly 1..N.
   */
  readonly mayTruncate?: boolean;
}

/** The scenario runner for one test file, closing its clients and publishers after each test. */
export function failoverScenarios(apiKey: string) {
  const running: NumberedClient[] = [];
  const publishers: NumberedPublisher[] = [];
  afterEach(async () => {
    for (const client of running.splice(0)) client.close();
    await Promise.all(publishers.splice(0).map((p) => p.stop()));
  });

  /**
   * Connect the clients, start the publisher on a new site, let it flow, run the failure, let it
   * flow again, stop, and check what every client got.
   */
  async function scenario(fleet: GatewayFleet, bus: RedisBus, failure: (run: Run) => Promise<void>, options: ScenarioOptions = {}): Promise<void> {
    const site = `s${randomPrefix()}`;
    const clients = Array.from({ length: CLIENTS }, (_, i) =>
      new NumberedClient(`client${i}${i % 2 ? ' (filtered)' : ''}`, { url: fleet.haproxy.wsUrl, apiKey, site, filtered: i % 2 === 1 }));
    running.push(...clients);
    const detail = () => describeClients(clients);
    await waitUntil(() => clients.every((c) => c.live), 'every client to be live', 20_000, detail);
    const publisher = new NumberedPublisher(bus, site, RATE).start();
    publishers.push(publisher);
    const run: Run = {
      publisher,
      clients,
      async progress(more, what) {
        const targets = clients.map((c) => c.numbers.length + more);
        await waitUntil(() => clients.every((c, i) => c.numbers.length >= targets[i]!), what, 30_000, detail);
      },
      track: (client) => void running.push(client),
    };
    await run.progress(100, 'messages before the failure');
    await failure(run);
    await run.progress(100, 'messages after the failure');
    const total = await publisher.stop();
    expect(publisher.failures).toEqual([]);
    await waitUntil(() => clients.every((c) => c.last === total), `every client to deliver the last number (${total})`, 30_000, detail);
    for (const client of clients) {
      if (options.mayTruncate && client.truncatedAt.length > 0) {
        expect(silentGaps(client), `${client.name}: numbers missed without a HISTORY_TRUNCATED before them`).toEqual([]);
      } else {
        expect(sequenceProblems(client.numbers, 1, total), client.name).toBe('');
        expect(client.numbers).toHaveLength(total);
      }
      expect(client.wireDuplicates, `${client.name}: ids a gateway sent twice on one connection`).toEqual([]);
    }
  }

  /** kill -9 gateway i mid-stream, let the stream flow without it, then start it again on its port. */
  function killAndRestart(fleet: GatewayFleet, i: number) {
    return async (run: Run) => {
      const reconnects = () => run.clients.reduce((sum, c) => sum + c.reconnects, 0);
      const before = reconnects();
      await fleet.kill(i);
      await run.progress(50, 'messages with one gateway dead');
      expect(reconnects(), 'clients that were on the killed gateway reconnected').toBeGreaterThan(before);
      await fleet.startOne(i);
    };
  }

  return { scenario, killAndRestart };
}
