// Peer: the gateway a team writes "the usual way" with `ws` and ioredis — subscribe to the
// collectors' channels, JSON.parse each message, test every client's filter, and
// ws.send(JSON.stringify(msg)) to each client that matches; metrics on a timer per connection.
// Same endpoints, actions and filter semantics as the gateway (no auth: not what is measured).
//
// Env: PORT (0: a free port), REDIS_URL, REDIS_KEY_PREFIX. Logs {"msg":"listening","port":N}.
import { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { BusKeys } from '../../shared/bus/index.ts';
import { compileLogFilter, parseFilter, type LogPredicate } from './log-filter.ts';

interface Client {
  readonly ws: WebSocket;
  readonly endpoint: 'logs' | 'metrics';
  matches: LogPredicate;
  timer?: NodeJS.Timeout;
}

const keys = new BusKeys(process.env.REDIS_KEY_PREFIX ?? 'licmon');
const clients = new Set<Client>();
/** Latest metrics snapshot per (site, source). */
const latestMetrics = new Map<string, unknown>();

function startMetrics(client: Client, interval: number): void {
  clearInterval(client.timer);
  client.timer = setInterval(() => {
    for (const snapshot of latestMetrics.values()) client.ws.send(JSON.stringify(snapshot));
  }, interval);
}

function reply(ws: WebSocket, message: Record<string, unknown>): void {
  ws.send(JSON.stringify({ ...message, timestamp: new Date().toISOString() }));
}

const sub = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
sub.on('pmessage', (_pattern: string, channel: string, json: string) => {
  const route = keys.parseChannel(channel);
  if (!route) return;
  const msg = JSON.parse(json) as { type: string; source?: string };
  if (route.kind === 'metrics') {
    latestMetrics.set(`${route.site}\n${msg.source ?? ''}`, msg);
    return;
  }
  if (msg.type !== 'log') return;
  for (const client of clients) {
    if (client.endpoint === 'logs' && client.matches(msg)) client.ws.send(JSON.stringify(msg));
  }
});
await sub.psubscribe(keys.channelPattern());

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
wss.on('connection', (ws, req) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== '/ws/logs' && path !== '/ws/metrics') return ws.close(1008, 'unknown endpoint');
  const client: Client = { ws, endpoint: path === '/ws/logs' ? 'logs' : 'metrics', matches: () => true };
  clients.add(client);
  if (client.endpoint === 'metrics') startMetrics(client, 5000);
  ws.on('message', (data) => {
    try {
      const action = JSON.parse(String(data)) as { action?: string; filter?: unknown; interval?: unknown };
      if (action.action === 'subscribe' || action.action === 'filter') client.matches = compileLogFilter(parseFilter(action.filter));
      else if (action.action === 'configure' && typeof action.interval === 'number' && action.interval >= 100) startMetrics(client, action.interval);
      else if (action.action === 'ping') reply(ws, { type: 'pong' });
      else reply(ws, { type: 'error', code: 'UNKNOWN_ACTION', message: 'unknown action' });
    } catch {
      reply(ws, { type: 'error', code: 'INVALID_MESSAGE', message: 'invalid message' });
    }
  });
  ws.on('close', () => {
    clearInterval(client.timer);
    clients.delete(client);
  });
});

wss.on('listening', () => console.log(JSON.stringify({ msg: 'listening', port: (wss.address() as AddressInfo).port })));
process.on('SIGTERM', () => process.exit(0));
