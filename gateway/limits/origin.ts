// The Origin allow-list. Browsers send `Origin` on every WebSocket handshake; other clients
// (the Python and Go examples, servers) send none and are not subject to it. An API key is not an
// ambient credential like a cookie, so a hostile page cannot borrow a visitor's access; the list
// is defence in depth (it keeps a leaked key out of other sites' pages) and defaults to `*`.
// The gateway's own origin (Origin's host equal to the request's Host) is always allowed.

export class OriginPolicy {
  private readonly any: boolean;
  private readonly allowed: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.any = origins.includes('*');
    this.allowed = new Set(origins.map(normalize));
  }

  /** `origin` and `host` as sent ('' when absent). */
  allows(origin: string, host: string): boolean {
    if (!origin || this.any) return true;
    const normalized = normalize(origin);
    if (this.allowed.has(normalized)) return true;
    try {
      return host !== '' && new URL(normalized).host === host.toLowerCase();
    } catch {
      return false; // "null" (file://, sandboxed frames) or garbage: only an explicit entry allows it
    }
  }
}

function normalize(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}
