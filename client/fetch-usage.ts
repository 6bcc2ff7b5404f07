// fetchUsage(): a feature's usage history from a gateway's GET /api/usage, with the key in the
// Authorization header (never the URL). Works wherever `fetch` does: browsers and Node ≥ 18.
import type { ErrorMessage, UsageResponse } from './protocol.ts';

export interface FetchUsageOptions {
  /** The gateway: `http(s)://host:port`, or its `ws(s)://` address (the same port serves both). */
  url: string;
  apiKey: string;
  feature: string;
  /** Only these sites (default: every site the key may see). */
  site?: string | readonly string[];
  /** Only these license servers. */
  server?: string | readonly string[];
  /** Range start and end (Date or ms since the epoch); default the last 24 h. */
  from?: Date | number;
  to?: Date | number;
  /** Bucket width: ms (a whole number of minutes) or text such as `5m`, `1h`. Default: about 360 buckets. */
  step?: number | string;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/** The gateway refused the query: `status` is the HTTP status, `code` the API's error code. */
export class UsageRequestError extends Error {
  override name = 'UsageRequestError';

  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** The URL of a usage query (no key in it). */
export function usageUrl(options: Omit<FetchUsageOptions, 'apiKey' | 'signal'>): URL {
  const url = new URL(options.url);
  if (url.protocol === 'ws:' || url.protocol === 'wss:') url.protocol = url.protocol === 'ws:' ? 'http:' : 'https:';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`url must be http://, https://, ws:// or wss://, not ${url.protocol}`);
  url.pathname = `${url.pathname.replace(/\/(ws\/\w+)?\/*$/, '')}/api/usage`;
  url.search = '';
  const set = (name: string, value: string | readonly string[] | number | Date | undefined) => {
    if (value === undefined) return;
    url.searchParams.set(name, value instanceof Date ? String(value.getTime()) : typeof value === 'object' ? value.join(',') : String(value));
  };
  set('feature', options.feature);
  set('site', options.site);
  set('server', options.server);
  set('from', options.from);
  set('to', options.to);
  set('step', options.step);
  return url;
}

export async function fetchUsage(options: FetchUsageOptions): Promise<UsageResponse> {
  const res = await fetch(usageUrl(options), { headers: { authorization: `Bearer ${options.apiKey}` }, ...(options.signal && { signal: options.signal }) });
  const body = (await res.json().catch(() => undefined)) as UsageResponse | ErrorMessage | undefined;
  if (res.ok && body?.type === 'usage') return body;
  const error = body?.type === 'error' ? body : undefined;
  throw new UsageRequestError(res.status, error?.code ?? 'INTERNAL_ERROR', error?.message ?? `the gateway answered HTTP ${res.status}`);
}
