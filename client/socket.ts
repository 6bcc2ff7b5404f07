// Opening a WebSocket to a gateway endpoint, in browsers and in Node: the socket type the client
// needs, the implementation to use, the endpoint URL and how the API key travels.

/** The part of a WebSocket the client uses: the browser's WebSocket and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // Handlers are only assigned, never read: typed with `never` parameters so that the handler
  // properties of both the DOM's and `ws`'s classes fit, whatever their event classes are.
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** The shapes of the events the client reads (common to the DOM and `ws`). */
export interface SocketMessageEvent {
  readonly data: unknown;
}
export interface SocketCloseEvent {
  readonly code: number;
  readonly reason: string;
}

export const OPEN = 1;

export type EndpointName = 'logs' | 'metrics' | 'combined';
export const ENDPOINT_NAMES: readonly EndpointName[] = ['logs', 'metrics', 'combined'];

/** `sub-protocol` sends the key as the spec's `['api_key', KEY]` (kept out of URLs and access logs); `query` as `?api_key=`. */
export type AuthMethod = 'sub-protocol' | 'query';

/** RFC 6455 sub-protocols are HTTP tokens: a key with other characters can only go in the query. */
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function defaultAuthMethod(apiKey: string): AuthMethod {
  return TOKEN_RE.test(apiKey) ? 'sub-protocol' : 'query';
}

export function resolveWebSocket(given: WebSocketConstructor | undefined): WebSocketConstructor {
  const found = given ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!found) {
    throw new TypeError("no WebSocket implementation: this runtime has no global WebSocket (Node 20 does not); pass one, e.g. `import WebSocket from 'ws'` and `{ WebSocket }` in the options");
  }
  return found;
}

const ENDPOINT_PATH_RE = /\/ws\/(logs|metrics|combined)\/?$/;

/**
 * The endpoint URL from a gateway's base URL (`ws://host:8080`, `https://host/prefix`, …) or a
 * full endpoint URL (`ws://host:8080/ws/logs`). http(s) becomes ws(s), so a page can pass its
 * own origin. Without an endpoint named either way, `fallback`. Returns the URL and its endpoint.
 */
export function endpointUrl(base: string, endpoint: EndpointName | undefined, fallback: EndpointName = 'combined'): { url: URL; endpoint: EndpointName } {
  const url = new URL(base);
  if (url.protocol === 'http:' || url.protocol === 'https:') url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new TypeError(`url must be ws://, wss://, http:// or https://, not ${url.protocol}`);
  const named = ENDPOINT_PATH_RE.exec(url.pathname)?.[1] as EndpointName | undefined;
  if (named) {
    if (endpoint && endpoint !== named) throw new TypeError(`url names /ws/${named} but endpoint is "${endpoint}"`);
    return { url, endpoint: named };
  }
  const chosen = endpoint ?? fallback;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws/${chosen}`;
  return { url, endpoint: chosen };
}

/**
 * The HTTP status of a refused upgrade, where the implementation reports it: `ws` passes an error
 * "Unexpected server response: 401"; browsers report nothing (a refused upgrade is a plain 1006).
 */
export function refusedUpgradeStatus(errorEvent: unknown): number | undefined {
  const message = (errorEvent as { message?: unknown } | null)?.message;
  const match = typeof message === 'string' ? /Unexpected server response: (\d{3})/.exec(message) : null;
  return match ? Number(match[1]) : undefined;
}
