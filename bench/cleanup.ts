// Every process the bench starts is registered here with its own stop function, so a finished,
// failed or interrupted (SIGINT) run stops exactly the processes it started — by their PIDs,
// never by name.

type Stop = () => Promise<void>;

export class Cleanup {
  private readonly stops = new Map<number, { what: string; stop: Stop }>();
  private nextKey = 0;

  /** Register a stop function; call the returned function once the resource is stopped. */
  add(what: string, stop: Stop): () => void {
    const key = this.nextKey++;
    this.stops.set(key, { what, stop });
    return () => this.stops.delete(key);
  }

  /** Stop everything still registered, newest first; errors are reported, not thrown. */
  async stopAll(): Promise<void> {
    const entries = [...this.stops.entries()].reverse();
    this.stops.clear();
    for (const [, { what, stop }] of entries) {
      try {
        await stop();
      } catch (err) {
        console.error(`bench: could not stop ${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
