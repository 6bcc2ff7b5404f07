// GET /api/usage: a feature's usage history (README, "Usage history"). Authenticated like the
// WebSocket upgrade — the same keys, address throttle and Origin policy — but the key travels in
// a header (`Authorization: Bearer KEY` or `X-API-Key: KEY`), never in the URL, where proxies and
// browser history would keep it. A key sees the sites it is scoped to, and needs the metrics or
// combined endpoint scope: the history is what metrics snapshots said.
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Bus } from '../../shared/bus/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { USAGE_MAX_BUCKETS, USAGE_POINT_MS, UsageQuerySchema } from '../../shared/protocol/index.ts';
import type { AuthResult, Principal } from '../auth/authenticator.ts';
import { sendHttpError, sendJson } from '../http.ts';
import { clientAddress } from '../limits/client-address.ts';
import type { GatewaySecurity } from '../security.ts';
import { usageAnswer, type UsageWindow } from './usage-answer.ts';

export const USAGE_PATH = '/api/usage';
/** Without `from`: the last 24 hours. */
const DEFAULT_RANGE_MS = 86_400_000;
/** Without `step`: about this many buckets. */
const DEFAULT_BUCKETS = 360;

export interface UsageRouteDeps {
  readonly bus: Bus;
  readonly security: GatewaySecurity;
  readonly logger: Logger;
}

type Refusal = { status: 400 | 401 | 403 | 429; message: string };

export function registerUsageRoute(app: TemplatedApp, { bus, security, logger }: UsageRouteDeps): void {
  app.get(USAGE_PATH, (res: HttpResponse, req: HttpRequest) => {
    // uWS forbids touching the request after this handler returns: read everything now.
    const address = clientAddress(Buffer.from(res.getRemoteAddressAsText()).toString(), req.getHeader('x-forwarded-for'), security.trustProxy);
    const key = keyFromHeaders(req.getHeader('authorization'), req.getHeader('x-api-key'));
    const origin = req.getHeader('origin');
    const host = req.getHeader('host');
    const query = new URLSearchParams(req.getQuery() ?? '');
    let aborted = false;
    res.onAborted(() => (aborted = true));
    const answer = async (): Promise<void> => {
      const blockedMs = security.throttle.blockedFor(address);
      if (blockedMs > 0) return refuse({ status: 429, message: `too many failed authentications from this address; retry in ${Math.ceil(blockedMs / 1000)} s` });
      if (!security.origins.allows(origin, host)) return refuse({ status: 403, message: 'this Origin is not allowed' });
      if (query.has('api_key')) return refuse({ status: 400, message: 'the API key goes in a header (Authorization: Bearer KEY, or X-API-Key: KEY), never in the URL' });
      const auth = await authenticate(security, key);
      if (!auth.ok) {
        if (auth.status === 401) security.throttle.recordFailure(address);
        return refuse(auth);
      }
      const parsed = parseQuery(query, Date.now());
      if ('status' in parsed) return refuse(parsed);
      const sites = scopedSites(auth.principal, parsed.sites);
      if ('status' in sites) return refuse(sites);
      const points = await bus.usage.read({ feature: parsed.window.feature, sites: sites.sites, servers: parsed.servers, from: parsed.window.from, to: parsed.window.to });
      if (!aborted) sendJson(res, 200, usageAnswer(parsed.window, points));
    };
    const refuse = (r: Refusal) => {
      if (!aborted) sendHttpError(res, r.status, r.message);
    };
    answer().catch((err: unknown) => {
      logger.error({ err }, 'usage query failed');
      if (!aborted) sendHttpError(res, 503, 'usage history is unavailable (the bus did not answer); try again');
    });
  });
}

/** `Authorization: Bearer KEY` or `X-API-Key: KEY`. */
function keyFromHeaders(authorization: string, apiKeyHeader: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return bearer?.[1] ?? (apiKeyHeader.trim() || undefined);
}

/** The key must be allowed on /ws/metrics or /ws/combined (the two that carry what the history is made of). */
async function authenticate(security: GatewaySecurity, key: string | undefined): Promise<AuthResult> {
  const asMetrics = await security.authenticator.authenticate(key, 'metrics');
  if (asMetrics.ok || asMetrics.status !== 403) return asMetrics;
  const asCombined = await security.authenticator.authenticate(key, 'combined');
  return asCombined.ok ? asCombined : { ok: false, status: 403, message: 'this API key may not read usage history: it needs the metrics or combined scope' };
}

interface ParsedQuery {
  readonly window: UsageWindow;
  readonly sites: readonly string[] | null;
  readonly servers: readonly string[] | null;
}

export function parseQuery(params: URLSearchParams, now: number): ParsedQuery | Refusal {
  const result = UsageQuerySchema.safeParse(Object.fromEntries(params));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    const message = issue.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.join(', ')}: use feature, site, server, from, to, step` : `${where}${issue.message}`;
    return { status: 400, message };
  }
  const q = result.data;
  const to = q.to ?? now;
  const from = q.from ?? to - DEFAULT_RANGE_MS;
  if (from >= to) return { status: 400, message: 'from must be before to' };
  const step = q.step ?? Math.max(1, Math.ceil((to - from) / DEFAULT_BUCKETS / USAGE_POINT_MS)) * USAGE_POINT_MS;
  const window = { feature: q.feature, from: Math.floor(from / step) * step, to: Math.ceil(to / step) * step, step };
  const buckets = (window.to - window.from) / step;
  if (buckets > USAGE_MAX_BUCKETS) return { status: 400, message: `the range holds ${buckets} steps of ${step / USAGE_POINT_MS} min; at most ${USAGE_MAX_BUCKETS}: use a longer step` };
  return { window, sites: q.site?.length ? q.site : null, servers: q.server?.length ? q.server : null };
}

/** The sites to read: those asked for (each within the key's scope), else all the key may see. */
function scopedSites(principal: Principal, asked: readonly string[] | null): { sites: readonly string[] | null } | Refusal {
  const allowed = principal.sites;
  if (!asked) return { sites: allowed ? [...allowed] : null };
  const outside = allowed ? asked.filter((s) => !allowed.has(s)) : [];
  if (outside.length > 0) return { status: 403, message: `this API key may not see site ${outside.join(', ')}` };
  return { sites: asked };
}
