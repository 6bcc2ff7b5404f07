// Watching the gateways' /readyz through a Redis failover: each must say 503 at some point (it lost
// a subscription and holds live messages while it catches up) and 200 again afterwards. Polled,
// since a dip can be shorter than HAProxy's two-checks-in-a-row window.
import type { GatewayFleet } from './gateway-fleet.ts';
import { waitUntil } from './wait-until.ts';

export class ReadyzWatch {
  private readonly dipped: boolean[];
  private readonly last: number[];
  private stopped = false;
  private readonly done: Promise<void>;

  /** Start polling every gateway of `fleet` now, before the failure. */
  constructor(private readonly fleet: GatewayFleet) {
    const urls = fleet.gateways.map((g) => g!.httpUrl);
    this.dipped = urls.map(() => false);
    this.last = urls.map(() => 0);
    this.done = Promise.all(urls.map((url, i) => this.poll(url, i))).then(() => undefined);
  }

  /** Resolve once every gateway has said 503 and says 200 again; the polling then stops. */
  async dippedAndReturned(timeoutMs = 30_000): Promise<void> {
    try {
      await waitUntil(() => this.last.every((s) => s === 200) && this.dipped.every(Boolean), 'every gateway to dip to 503 and be ready again', timeoutMs,
        () => `dipped ${JSON.stringify(this.dipped)}, last ${JSON.stringify(this.last)}\n${this.fleet.gateways.map((g, i) => `gateway ${i}:\n${g?.output.slice(-12).join('\n')}`).join('\n')}`);
    } finally {
      this.stopped = true;
      await this.done;
    }
  }

  private async poll(url: string, i: number): Promise<void> {
    while (!this.stopped) {
      const status = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
      this.last[i] = status;
      if (status === 503) this.dipped[i] = true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
